"""The command headers (Idempotency-Key and If-Match) and the log position (Suivi-Log-Position).

An answer to a request that wrote carries ``Suivi-Log-Position``: where its last event is in the
log. A request that sends it back waits, at most a couple of seconds, until the read models have
got there (``service.readmodels.freshness``), and then answers with what they hold: a client reads
its own writes without guessing how long to sleep.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated
from uuid import UUID

from litestar.params import HeaderParameter

from service.application.context import ApplicationContext
from service.http.problems import BadRequestError
from service.storage.eventstore.records import LogCursor

_KEY_PATTERN = r"^[A-Za-z0-9._:-]{8,128}$"
_VERSION_PATTERN = r'^(?:W/)?"?(\d{1,9})"?$'
LOG_POSITION_PATTERN = r"^[0-9]{1,18}-[0-9]{1,18}$"
LOG_POSITION = "Suivi-Log-Position"
_KEY = re.compile(_KEY_PATTERN)
_POSITION = re.compile(LOG_POSITION_PATTERN)
_VERSION = re.compile(_VERSION_PATTERN)

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        pattern=_KEY_PATTERN,
        description="Makes the command safe to retry: a retry with the same key answers the first answer.",
    ),
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        pattern=_VERSION_PATTERN,
        description='The version the change is based on ("3", from the ETag); a stale one answers 409.',
    ),
]

ReadAfter = Annotated[
    str | None,
    HeaderParameter(
        name=LOG_POSITION,
        description="Read your own writes: the Suivi-Log-Position of an earlier answer. The request waits (at most"
        " 2 seconds) until the read models have reached it, then answers with what they hold. A value that is"
        " not a position some answer gave is not waited for.",
    ),
]


def log_position_text(position: LogCursor) -> str:
    """The header's value: opaque to clients, who only send it back."""
    return f"{position.transaction_id}-{position.position}"


def log_position(raw: str | None) -> LogCursor | None:
    """The position a request asks its read models to have reached; None when absent or not a position.

    A hint, not data: one that cannot be used is ignored (the read answers at once with what there
    is), as a made-up position is (``FreshReads``), rather than turning a read into an error.
    """
    if raw is None or not _POSITION.match(raw.strip()):
        return None
    transaction_id, position = raw.strip().split("-")
    return LogCursor(int(transaction_id), int(position))


def idempotency_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not _KEY.match(raw):
        raise BadRequestError("the Idempotency-Key header must be 8 to 128 letters, digits or . _ : -")
    return raw


def expected_version(raw: str | None) -> int | None:
    """The version named by If-Match ("3" or W/"3"), or None when absent."""
    if raw is None:
        return None
    match = _VERSION.match(raw.strip())
    if match is None:
        raise BadRequestError('the If-Match header must hold a version such as "3"')
    return int(match.group(1))


def expecting(ctx: ApplicationContext, stream_id: UUID, if_match: str | None) -> ApplicationContext:
    """The context whose repository refuses ``stream_id`` at any version but the one in If-Match."""
    version = expected_version(if_match)
    if version is None:
        return ctx
    return dataclasses.replace(ctx, repository=ctx.repository.expecting({stream_id: version}))

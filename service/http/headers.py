"""The command headers: Idempotency-Key and If-Match."""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated
from uuid import UUID

from litestar.params import HeaderParameter

from service.application.context import ApplicationContext
from service.http.problems import BadRequestError

_KEY_PATTERN = r"^[A-Za-z0-9._:-]{8,128}$"
_VERSION_PATTERN = r'^(?:W/)?"?(\d{1,9})"?$'
_KEY = re.compile(_KEY_PATTERN)
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

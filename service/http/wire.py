"""Shared wire types and helpers for commands: short text, ids, and the command result."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

import msgspec
from litestar import Response

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=280)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Flag = Literal[True, False]
"""A yes/no field. Not ``bool``: bodies are converted leniently (query strings need it), which would take
``0`` or ``"yes"`` for a bool, while a literal takes only ``true`` or ``false``."""


class Request(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are refused, not ignored (``additionalProperties: false``)."""

    json_schema_extra: ClassVar[dict[str, Any]] = {}
    """JSON Schema keywords added to the body's schema: a rule between fields that a schema can state."""


class Changed(msgspec.Struct, frozen=True):
    """What a command answers: the ids it created and the new version of each stream it changed."""

    versions: dict[str, int]
    ids: dict[str, str | None]
    """Ids (and the file number) the command created or touched, by name."""


def changed(outcome: msgspec.Struct, status: int = 200, etag_of: UUID | None = None) -> Response[Changed]:
    """The command result as wire type, with an ETag when one aggregate is the subject."""
    fields = msgspec.structs.asdict(outcome)
    versions = {str(k): v for k, v in fields.pop("versions").items()}
    ids = {k: None if v is None else str(v) for k, v in fields.items() if isinstance(v, UUID | str) or v is None}
    headers = {}
    if etag_of is not None and str(etag_of) in versions:
        headers["ETag"] = f'"{versions[str(etag_of)]}"'
    return Response(Changed(versions, ids), status_code=status, headers=headers)

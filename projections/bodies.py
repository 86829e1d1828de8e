"""The displayable content of an event, sealed under its subject's key in read models."""

from __future__ import annotations

from typing import Any

import msgspec

_NOT_CONTENT = {"originator_id", "originator_version", "originator_topic", "timestamp"}
_encoder = msgspec.msgpack.Encoder()


def event_body(event: Any) -> bytes:
    return _encoder.encode({k: v for k, v in vars(event).items() if k not in _NOT_CONTENT})


def read_body(body: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = msgspec.msgpack.decode(body)
    return decoded


def event_kind(event: Any) -> str:
    """'Case.NoteAdded': names the kind of entry, never its content."""
    return str(type(event).__qualname__)

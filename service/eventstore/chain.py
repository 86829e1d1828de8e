"""Per-stream hash chains, computed over the ciphertext so they need no keys."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

GENESIS = bytes(32)
_NO_ID = bytes(16)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def chain_hash(
    previous: bytes,
    *,
    stream_id: UUID,
    version: int,
    topic: str,
    category: str,
    subject_id: UUID | None,
    recorded_at: datetime,
    actor_id: UUID | None,
    key_version: int,
    payload: bytes,
) -> bytes:
    digest = hashlib.sha256(previous)
    digest.update(stream_id.bytes)
    digest.update(version.to_bytes(4, "big"))
    digest.update(topic.encode() + b"\0" + category.encode() + b"\0")
    digest.update(subject_id.bytes if subject_id else _NO_ID)
    digest.update(actor_id.bytes if actor_id else _NO_ID)
    digest.update(((recorded_at - _EPOCH) // timedelta(microseconds=1)).to_bytes(8, "big", signed=True))
    digest.update(key_version.to_bytes(4, "big"))
    digest.update(payload)
    return digest.digest()


def associated_data(stream_id: UUID, version: int, topic: str) -> bytes:
    """Binds a ciphertext to its row: moved elsewhere, it fails to decrypt."""
    return stream_id.bytes + version.to_bytes(4, "big") + topic.encode()

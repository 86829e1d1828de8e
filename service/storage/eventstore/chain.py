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
    return chain_hash_of(
        previous,
        stream_id.bytes,
        version,
        topic,
        category,
        subject_id,
        command_prefix(recorded_at, actor_id),
        key_version,
        payload,
    )


def command_prefix(recorded_at: datetime, actor_id: UUID | None) -> bytes:
    """The part of every row's hash that one command shares: who, and when (to the microsecond)."""
    micros = (recorded_at - _EPOCH) // timedelta(microseconds=1)
    return (actor_id.bytes if actor_id else _NO_ID) + micros.to_bytes(8, "big", signed=True)


def chain_hash_of(
    previous: bytes,
    stream: bytes,
    version: int,
    topic: str,
    category: str,
    subject_id: UUID | None,
    command: bytes,
    key_version: int,
    payload: bytes,
) -> bytes:
    """sha256(previous ‖ stream ‖ version ‖ topic ‖ category ‖ subject ‖ actor ‖ time ‖ key version ‖ payload)."""
    return hashlib.sha256(
        b"".join(
            (
                previous,
                stream,
                version.to_bytes(4, "big"),
                f"{topic}\0{category}\0".encode(),
                subject_id.bytes if subject_id else _NO_ID,
                command,
                key_version.to_bytes(4, "big"),
                payload,
            )
        )
    ).digest()


def associated_data(stream_id: UUID, version: int, topic: str) -> bytes:
    """Binds a ciphertext to its row: moved elsewhere, it fails to decrypt."""
    return stream_id.bytes + version.to_bytes(4, "big") + topic.encode()

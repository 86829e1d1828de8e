"""Tamper evidence: per-stream hash chains and signed checkpoints of the whole log.

Both are computed over the stored ciphertext, so ``suivi verify`` needs no keys and
still passes after an erasure. The chains catch a changed row or a missing version in
a stream; the checkpoints, which fold every row's position and hash in log order,
catch a deleted tail, a moved row, and anything else done to the log they cover.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

import asyncpg
import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from service.storage.database import Connection
from service.storage.eventstore.chain import GENESIS, chain_hash

_FETCH = 5000


class Tampering(StrEnum):
    CHANGED = "changed"
    DELETED = "deleted"
    REORDERED = "reordered"
    BAD_SIGNATURE = "bad signature"


class Finding(msgspec.Struct, frozen=True):
    kind: Tampering
    where: str


class Report(msgspec.Struct):
    events: int = 0
    streams: int = 0
    checkpoints: int = 0
    findings: list[Finding] = msgspec.field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings


async def verify(connection: Connection) -> Report:
    report = Report()
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        await _verify_streams(connection, report)
        await _verify_checkpoints(connection, report)
    return report


async def write_checkpoint(connection: Connection, signing_key: Ed25519PrivateKey) -> int | None:
    """Sign the log up to the oldest running transaction. Returns the new checkpoint id."""
    async with connection.transaction(isolation="repeatable_read"):
        last = await connection.fetchrow(
            """SELECT transaction_id::text::bigint AS tx, position, event_count, log_digest
               FROM log_checkpoints ORDER BY id DESC LIMIT 1"""
        )
        tx, position, count, digest = (0, 0, 0, GENESIS) if last is None else tuple(last)
        rows = await connection.fetch(
            """SELECT transaction_id::text::bigint AS tx, position, chain_hash FROM events
               WHERE (transaction_id, position) > ($1::text::xid8, $2)
                 AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
               ORDER BY transaction_id, position""",
            str(tx),
            position,
        )
        if not rows:
            return None
        for row in rows:
            digest = _fold(digest, row["position"], row["chain_hash"])
        tx, position, count = rows[-1]["tx"], rows[-1]["position"], count + len(rows)
        public = signing_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        signature = signing_key.sign(_signed_message(tx, position, count, digest))
        checkpoint_id: int = await connection.fetchval(
            """INSERT INTO log_checkpoints (transaction_id, position, event_count, log_digest, public_key, signature)
               VALUES ($1::text::xid8, $2, $3, $4, $5, $6) RETURNING id""",
            str(tx),
            position,
            count,
            digest,
            public,
            signature,
        )
        return checkpoint_id


async def _verify_streams(connection: Connection, report: Report) -> None:
    stream = None
    previous, expected_version, last_order = GENESIS, 1, (0, 0)
    async for row in connection.cursor(
        """SELECT position, transaction_id::text::bigint AS tx, stream_id, version, topic, category,
                  subject_id, recorded_at, actor_id, key_version, payload, chain_hash
           FROM events ORDER BY stream_id, version""",
        prefetch=_FETCH,
    ):
        report.events += 1
        if row["stream_id"] != stream:
            stream, previous, expected_version, last_order = row["stream_id"], GENESIS, 1, (0, 0)
            report.streams += 1
        where = f"stream {stream} version {row['version']} (position {row['position']})"
        order = (row["tx"], row["position"])
        if order < last_order:
            report.findings.append(Finding(Tampering.REORDERED, f"{where} comes before the version preceding it"))
        if row["version"] != expected_version:
            report.findings.append(Finding(Tampering.DELETED, f"stream {stream} is missing version {expected_version}"))
        elif _recompute(previous, row) != row["chain_hash"]:
            report.findings.append(Finding(Tampering.CHANGED, where))
        previous, expected_version, last_order = row["chain_hash"], row["version"] + 1, order


async def _verify_checkpoints(connection: Connection, report: Report) -> None:
    checkpoints = await connection.fetch(
        """SELECT id, transaction_id::text::bigint AS tx, position, event_count, log_digest, public_key, signature
           FROM log_checkpoints ORDER BY transaction_id, position"""
    )
    if not checkpoints:
        return
    pending = list(checkpoints)
    digest, count = GENESIS, 0
    async for row in connection.cursor(
        "SELECT transaction_id::text::bigint AS tx, position, chain_hash FROM events ORDER BY transaction_id, position",
        prefetch=_FETCH,
    ):
        while pending and (row["tx"], row["position"]) > (pending[0]["tx"], pending[0]["position"]):
            _check(pending.pop(0), count, digest, report)
        digest, count = _fold(digest, row["position"], row["chain_hash"]), count + 1
    for checkpoint in pending:
        _check(checkpoint, count, digest, report)


def _check(checkpoint: asyncpg.Record, count: int, digest: bytes, report: Report) -> None:
    report.checkpoints += 1
    label = f"checkpoint {checkpoint['id']} (position {checkpoint['position']})"
    message = _signed_message(
        checkpoint["tx"], checkpoint["position"], checkpoint["event_count"], checkpoint["log_digest"]
    )
    try:
        Ed25519PublicKey.from_public_bytes(checkpoint["public_key"]).verify(checkpoint["signature"], message)
    except (InvalidSignature, ValueError):
        report.findings.append(Finding(Tampering.BAD_SIGNATURE, label))
        return
    if count < checkpoint["event_count"]:
        missing = checkpoint["event_count"] - count
        report.findings.append(Finding(Tampering.DELETED, f"{missing} event(s) missing before {label}"))
    elif digest != checkpoint["log_digest"]:
        report.findings.append(
            Finding(Tampering.REORDERED, f"the log before {label} was reordered, changed or added to")
        )


def _recompute(previous: bytes, row: asyncpg.Record) -> bytes:
    return chain_hash(
        previous,
        stream_id=row["stream_id"],
        version=row["version"],
        topic=row["topic"],
        category=row["category"],
        subject_id=row["subject_id"],
        recorded_at=row["recorded_at"],
        actor_id=row["actor_id"],
        key_version=row["key_version"],
        payload=row["payload"],
    )


def _fold(digest: bytes, position: int, hash_: bytes) -> bytes:
    return hashlib.sha256(digest + position.to_bytes(8, "big") + hash_).digest()


def _signed_message(tx: int, position: int, count: int, digest: bytes) -> bytes:
    return b"suivi-checkpoint" + tx.to_bytes(8, "big") + position.to_bytes(8, "big") + count.to_bytes(8, "big") + digest

"""Per-subject data keys (DEKs), modelled on Fernet: callers never touch key bytes.

Each data subject has one AES-256-GCM key, stored wrapped by the master key. Unwrapped
keys are kept in a bounded cache and fetched in batches. ``erase`` destroys a subject's
key, records the erasure in the ledger and tells every process to forget its copy.

The cache is only as good as those notices (``LISTEN/NOTIFY``, several processes on one
database). So it is trusted only while the process's LISTEN connection is up
(``trust_cache_while``): while it is down nothing is kept or served from memory, every key is
read from the database, and once it is back the whole cache is dropped (``forget_all``), since
a notice sent meanwhile was lost. A key read from the database while a notice arrives is not
kept either (``_generation``): it may have been read just before the erasure committed.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from uuid import UUID

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.storage.database import Connection
from service.storage.keys.master_key import MasterKey, MasterKeyError

KEY_ERASED_CHANNEL = "suivi_key_erased"
_NONCE_BYTES = 12


class DecryptionError(Exception):
    """A ciphertext could not be opened. Deliberately says nothing more."""


class SubjectErasedError(Exception):
    """The subject was erased: nothing new may be written under their key."""

    def __init__(self, subject_id: UUID) -> None:
        super().__init__(f"data subject {subject_id} has been erased")
        self.subject_id = subject_id


class SubjectKey:
    """One subject's data key, usable only through encrypt and decrypt."""

    __slots__ = ("_aead", "version")

    def __init__(self, key: bytes, version: int) -> None:
        self._aead = AESGCM(key)
        self.version = version

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        # Random 96-bit nonces: far below the 2**32 messages per key where reuse becomes likely.
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated_data)

    def decrypt(self, token: bytes, associated_data: bytes) -> bytes:
        try:
            return self._aead.decrypt(token[:_NONCE_BYTES], token[_NONCE_BYTES:], associated_data)
        except (InvalidTag, ValueError):
            raise DecryptionError("ciphertext could not be decrypted") from None


class _Wrapper:
    def __init__(self, master: MasterKey) -> None:
        self._aead = AESGCM(master.wrapping_secret())
        self.master_key_id = master.key_id

    def wrap(self, subject_id: UUID, version: int, key: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, key, _wrap_context(subject_id, version))

    def unwrap(self, subject_id: UUID, version: int, wrapped: bytes) -> bytes:
        try:
            return self._aead.decrypt(
                wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], _wrap_context(subject_id, version)
            )
        except InvalidTag:
            raise MasterKeyError("a data key could not be unwrapped: wrong master key") from None


_SYSTEM_SECRET_VERSION = 0  # never a data key's version, so a secret cannot pass for a data key


def _system_subject(name: str) -> UUID:
    return UUID(bytes=hashlib.sha256(b"suivi system secret " + name.encode()).digest()[:16])


def _wrap_context(subject_id: UUID, version: int) -> bytes:
    # Binds each wrapped key to its subject: swapping rows between subjects fails.
    return b"suivi-dek:" + subject_id.bytes + version.to_bytes(4, "big")


class KeyStore:
    def __init__(self, pool: asyncpg.Pool, master: MasterKey, *, cache_size: int = 10_000) -> None:
        self._pool = pool
        self._wrapper = _Wrapper(master)
        self._cache: OrderedDict[UUID, SubjectKey] = OrderedDict()
        self._cache_size = cache_size
        self._trusted: Callable[[], bool] = lambda: True
        self._generation = 0
        """Counts the notices and drops: a key fetched across a change is used once, never kept."""

    def trust_cache_while(self, notices_arrive: Callable[[], bool]) -> None:
        """Keep keys in memory only while ``notices_arrive()`` (the LISTEN connection is up)."""
        self._trusted = notices_arrive

    @property
    def master_key_id(self) -> str:
        return self._wrapper.master_key_id

    async def check_master_key(self) -> None:
        """Refuse to run with a master key other than the one that wrapped the stored keys."""
        async with self._pool.acquire() as connection:
            stored = await connection.fetchval(
                """INSERT INTO master_key_in_use (master_key_id) VALUES ($1)
                   ON CONFLICT (singleton) DO UPDATE SET master_key_id = master_key_in_use.master_key_id
                   RETURNING master_key_id""",
                self.master_key_id,
            )
        if stored != self.master_key_id:
            raise MasterKeyError(f"wrong master key: the database uses key {stored}, this one is {self.master_key_id}")

    async def keys_for_writing(self, subject_ids: Iterable[UUID]) -> dict[UUID, SubjectKey]:
        """Each subject's key, created on first use. Refuses erased subjects."""
        wanted = set(subject_ids)
        found = await self.keys_for_reading(wanted)
        missing = wanted - found.keys()
        if missing:
            await self._create(missing)
            found.update(await self.keys_for_reading(missing))
        return found

    async def keys_for_reading(self, subject_ids: Iterable[UUID]) -> dict[UUID, SubjectKey]:
        """The keys that still exist; erased subjects are simply absent."""
        found: dict[UUID, SubjectKey] = {}
        to_fetch = []
        if not self._trusted():
            self.forget_all()  # an erasure notice may be lost right now: memory is not to be believed
        generation = self._generation
        for subject_id in set(subject_ids):
            key = self._cache.get(subject_id)
            if key is None:
                to_fetch.append(subject_id)
            else:
                self._cache.move_to_end(subject_id)
                found[subject_id] = key
        if to_fetch:
            async with self._pool.acquire() as connection:
                rows = await connection.fetch(
                    "SELECT subject_id, key_version, wrapped_key FROM subject_keys WHERE subject_id = ANY($1)",
                    to_fetch,
                )
            keep = generation == self._generation and self._trusted()
            for row in rows:
                raw = self._wrapper.unwrap(row["subject_id"], row["key_version"], row["wrapped_key"])
                key = SubjectKey(raw, row["key_version"])
                found[row["subject_id"]] = self._remember(row["subject_id"], key) if keep else key
        return found

    async def _create(self, subject_ids: set[UUID]) -> None:
        ids = list(subject_ids)
        wrapped = [self._wrapper.wrap(s, 1, AESGCM.generate_key(bit_length=256)) for s in ids]
        async with self._pool.acquire() as connection, connection.transaction():
            erased = await connection.fetchval(
                "SELECT subject_id FROM erasure_ledger WHERE subject_id = ANY($1) LIMIT 1", ids
            )
            if erased is not None:
                raise SubjectErasedError(erased)
            await connection.execute(
                """INSERT INTO subject_keys (subject_id, key_version, wrapped_key, master_key_id)
                   SELECT s, 1, w, $3 FROM unnest($1::uuid[], $2::bytea[]) AS t(s, w)
                   ON CONFLICT (subject_id) DO NOTHING""",
                ids,
                wrapped,
                self.master_key_id,
            )

    async def system_secret(self, name: str) -> bytes:
        """A 32-byte secret for keyed hashes, created once and kept wrapped by the master key."""
        subject = _system_subject(name)
        async with self._pool.acquire() as connection:
            wrapped = await connection.fetchval(
                """INSERT INTO system_secrets (name, wrapped_secret, master_key_id) VALUES ($1, $2, $3)
                   ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING wrapped_secret""",
                name,
                self._wrapper.wrap(subject, _SYSTEM_SECRET_VERSION, os.urandom(32)),
                self.master_key_id,
            )
        return self._wrapper.unwrap(subject, _SYSTEM_SECRET_VERSION, wrapped)

    async def erase(self, subject_id: UUID, at: datetime, connection: Connection) -> bool:
        """Destroy the subject's key inside the caller's transaction. True if a key existed.

        The ledger row survives so that a restore from an older backup can be corrected.
        """
        deleted = await connection.fetchval("DELETE FROM subject_keys WHERE subject_id = $1 RETURNING true", subject_id)
        await connection.execute(
            "INSERT INTO erasure_ledger (subject_id, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            subject_id,
            at,
        )
        await connection.execute("SELECT pg_notify($1, $2)", KEY_ERASED_CHANNEL, str(subject_id))
        self.forget(subject_id)
        return bool(deleted)

    async def reapply_erasure_ledger(self) -> int:
        """Destroy any key the ledger says was erased (after a restore). Returns how many."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                """DELETE FROM subject_keys k USING erasure_ledger e
                   WHERE k.subject_id = e.subject_id RETURNING k.subject_id"""
            )
        for row in rows:
            self.forget(row["subject_id"])
        return len(rows)

    async def rotate(self, new_master: MasterKey) -> int:
        """Re-wrap every data key under ``new_master``; the events are not touched."""
        new_wrapper = _Wrapper(new_master)
        async with self._pool.acquire() as connection, connection.transaction():
            current = await connection.fetchval("SELECT master_key_id FROM master_key_in_use FOR UPDATE")
            if current not in (None, self.master_key_id):
                raise MasterKeyError(f"wrong master key: the database uses key {current}")
            rows = await connection.fetch("SELECT subject_id, key_version, wrapped_key FROM subject_keys")
            rewrapped = [
                new_wrapper.wrap(
                    r["subject_id"],
                    r["key_version"],
                    self._wrapper.unwrap(r["subject_id"], r["key_version"], r["wrapped_key"]),
                )
                for r in rows
            ]
            await connection.execute(
                """UPDATE subject_keys k SET wrapped_key = t.w, master_key_id = $3
                   FROM unnest($1::uuid[], $2::bytea[]) AS t(s, w) WHERE k.subject_id = t.s""",
                [r["subject_id"] for r in rows],
                rewrapped,
                new_master.key_id,
            )
            secrets = await connection.fetch("SELECT name, wrapped_secret FROM system_secrets")
            for secret in secrets:
                subject = _system_subject(secret["name"])
                plain = self._wrapper.unwrap(subject, _SYSTEM_SECRET_VERSION, secret["wrapped_secret"])
                await connection.execute(
                    "UPDATE system_secrets SET wrapped_secret = $2, master_key_id = $3 WHERE name = $1",
                    secret["name"],
                    new_wrapper.wrap(subject, _SYSTEM_SECRET_VERSION, plain),
                    new_master.key_id,
                )
            await connection.execute(
                """INSERT INTO master_key_in_use (master_key_id) VALUES ($1)
                   ON CONFLICT (singleton) DO UPDATE SET master_key_id = EXCLUDED.master_key_id""",
                new_master.key_id,
            )
        self._wrapper = new_wrapper
        return len(rows)

    def forget(self, subject_id: UUID) -> None:
        self._generation += 1
        self._cache.pop(subject_id, None)

    def forget_all(self) -> None:
        """Drop every cached key (the erasure notices may have been missed); they are read again as needed."""
        self._generation += 1
        self._cache.clear()

    def on_key_erased(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        """LISTEN callback: another process erased a subject."""
        self.forget(UUID(str(payload)))

    def _remember(self, subject_id: UUID, key: SubjectKey) -> SubjectKey:
        self._cache[subject_id] = key
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return key

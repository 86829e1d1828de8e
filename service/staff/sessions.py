"""Staff sessions: an opaque token (cookie or bearer), stored only as its SHA-256 hash.

A session ends after ``idle`` without use, or at sign-out (server-side: the row goes).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
import msgspec

_TOUCH_EVERY = timedelta(minutes=1)  # fewer writes: last_seen_at need not be exact to the second


class Session(msgspec.Struct, frozen=True):
    staff_id: UUID
    kind: str
    csrf_token: str


class NewSession(msgspec.Struct, frozen=True):
    token: str
    csrf_token: str


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class Sessions:
    def __init__(self, pool: asyncpg.Pool, idle: timedelta) -> None:
        self._pool = pool
        self._idle = idle

    async def open(self, staff_id: UUID, kind: str, now: datetime) -> NewSession:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        async with self._pool.acquire() as connection:
            await connection.execute(
                """INSERT INTO staff_sessions (token_hash, staff_id, kind, csrf_token, created_at, last_seen_at)
                   VALUES ($1, $2, $3, $4, $5, $5)""",
                _hash(token),
                staff_id,
                kind,
                csrf,
                now,
            )
        return NewSession(token, csrf)

    async def find(self, token: str, now: datetime) -> Session | None:
        """The live session of this token, or None (unknown, signed out, idle too long, inactive staff)."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                """SELECT s.staff_id, s.kind, s.csrf_token, s.last_seen_at FROM staff_sessions s
                   JOIN staff USING (staff_id) WHERE s.token_hash = $1 AND staff.active""",
                _hash(token),
            )
            if row is None:
                return None
            if row["last_seen_at"] + self._idle < now:
                await connection.execute("DELETE FROM staff_sessions WHERE token_hash = $1", _hash(token))
                return None
            if row["last_seen_at"] + _TOUCH_EVERY < now:
                await connection.execute(
                    "UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1", _hash(token), now
                )
        return Session(row["staff_id"], row["kind"], row["csrf_token"])

    async def close(self, token: str) -> None:
        async with self._pool.acquire() as connection:
            await connection.execute("DELETE FROM staff_sessions WHERE token_hash = $1", _hash(token))

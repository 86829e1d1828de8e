"""Staff sessions: an opaque token (cookie or bearer), stored only as its SHA-256 hash.

A session ends after ``idle`` without use, or at sign-out (server-side: the row goes).

Each request needs its session and the account behind it. Both are kept in memory for at most
``RECENT`` seconds (``Sessions.find`` and ``Sessions.staff``), and only while this process hears
the database tell it of every change to them: a trigger (migration 0021) NOTIFYs
``suivi_staff_changed`` with the staff id whenever a session row goes (sign-out, expiry, a
deactivated account, a password reset) or an account changes, and every process forgets that
member at once. While that LISTEN connection is down nothing is served from memory, and once it
is back everything is dropped (a notice sent meanwhile was lost). A sign-out here, or a change to
an account made by this process (``StaffAccounts`` tells it), is forgotten here before it
returns. So a session that ends stops working everywhere as soon as the notice arrives, and never
later than ``RECENT`` seconds whatever happens to the notices.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import asyncpg
import msgspec

from service.staff.accounts import StaffAccounts, StaffMember, tell_of_changes

if TYPE_CHECKING:
    from service.storage.eventstore.subscription import Listener

_TOUCH_EVERY = timedelta(minutes=1)  # fewer writes: last_seen_at need not be exact to the second
RECENT = 2.0
"""Seconds a session and its account are kept in memory at most: the bound on a lost notice."""
_KEPT_AT_MOST = 10_000  # sessions (and accounts) in memory; past it they are all dropped, and read again
STAFF_CHANGED_CHANNEL = "suivi_staff_changed"


class Session(msgspec.Struct, frozen=True):
    staff_id: UUID
    kind: str
    csrf_token: str


class NewSession(msgspec.Struct, frozen=True):
    token: str
    csrf_token: str


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True)
class _Kept:
    session: Session
    last_seen_at: datetime
    until: float


class Sessions:
    def __init__(
        self,
        pool: asyncpg.Pool,
        idle: timedelta,
        *,
        recent: float = RECENT,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pool = pool
        self._idle = idle
        self._recent = recent
        self._monotonic = monotonic
        self._sessions: dict[bytes, _Kept] = {}
        self._members: dict[UUID, tuple[StaffMember, float]] = {}
        self._hears: Callable[[], bool] = lambda: False
        self._watching = False
        self._generation = 0
        """Counts what was forgotten: a row read across a notice is used once, never kept."""
        self.staff = SignedInStaff(pool, self)
        """The accounts as ``authenticate`` asks for them: kept like the sessions."""
        tell_of_changes(self)

    async def watch(self, listener: Listener) -> None:
        """Keep sessions in memory from now on, as long as the notices of changes arrive."""
        if self._watching:
            return
        self._watching = True
        await listener.listen(STAFF_CHANGED_CHANNEL, self._on_changed)
        listener.on_reconnect(self._forget_all)
        self._hears = lambda: listener.connected

    @property
    def watching(self) -> bool:
        return self._watching

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
        token_hash = _hash(token)
        kept = self._sessions.get(token_hash) if self._trusted() else None
        if kept is not None and kept.until > self._monotonic() and kept.last_seen_at + self._idle >= now:
            return kept.session
        generation = self._generation
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                """SELECT s.staff_id, s.kind, s.csrf_token, s.last_seen_at FROM staff_sessions s
                   JOIN staff USING (staff_id) WHERE s.token_hash = $1 AND staff.active""",
                token_hash,
            )
            if row is None:
                return None
            if row["last_seen_at"] + self._idle < now:
                await connection.execute("DELETE FROM staff_sessions WHERE token_hash = $1", token_hash)
                self._sessions.pop(token_hash, None)
                return None
            last_seen_at = row["last_seen_at"]
            if last_seen_at + _TOUCH_EVERY < now:
                await connection.execute(
                    "UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1", token_hash, now
                )
                last_seen_at = now
        session = Session(row["staff_id"], row["kind"], row["csrf_token"])
        if self._may_keep(generation):
            self._sessions[token_hash] = _Kept(session, last_seen_at, self._monotonic() + self._recent)
        return session

    async def close(self, token: str) -> None:
        token_hash = _hash(token)
        self._sessions.pop(token_hash, None)
        self._generation += 1
        async with self._pool.acquire() as connection:
            await connection.execute("DELETE FROM staff_sessions WHERE token_hash = $1", token_hash)

    def member(self, staff_id: UUID) -> StaffMember | None:
        kept = self._members.get(staff_id) if self._trusted() else None
        if kept is None or kept[1] <= self._monotonic():
            return None
        return kept[0]

    def keep_member(self, member: StaffMember, generation: int) -> None:
        if self._may_keep(generation):
            self._members[member.staff_id] = (member, self._monotonic() + self._recent)

    @property
    def generation(self) -> int:
        return self._generation

    def forget_member(self, staff_id: UUID) -> None:
        """Everything kept about this staff member: their account and every session of theirs."""
        self._generation += 1
        self._members.pop(staff_id, None)
        for token_hash in [h for h, kept in self._sessions.items() if kept.session.staff_id == staff_id]:
            del self._sessions[token_hash]

    def _trusted(self) -> bool:
        if not self._hears():
            if self._sessions or self._members:
                self._drop_everything()
            return False
        return True

    def _may_keep(self, generation: int) -> bool:
        if len(self._sessions) >= _KEPT_AT_MOST or len(self._members) >= _KEPT_AT_MOST:
            self._drop_everything()  # expired entries are otherwise only replaced: a bound on memory
            return False
        return generation == self._generation and self._trusted()

    def _drop_everything(self) -> None:
        self._generation += 1
        self._sessions.clear()
        self._members.clear()

    async def _forget_all(self) -> None:
        self._drop_everything()

    def _on_changed(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        """LISTEN callback: a session of this member ended, or their account changed (here or elsewhere)."""
        try:
            staff_id = UUID(str(payload))
        except ValueError:
            self._drop_everything()
            return
        self.forget_member(staff_id)


class SignedInStaff(StaffAccounts):
    """``StaffAccounts.get`` for a signed-in member, kept in memory as their session is (see the module)."""

    def __init__(self, pool: asyncpg.Pool, sessions: Sessions) -> None:
        super().__init__(pool)
        self._kept = sessions

    async def get(self, staff_id: UUID) -> StaffMember:
        member = self._kept.member(staff_id)
        if member is not None:
            return member
        generation = self._kept.generation
        member = await super().get(staff_id)
        self._kept.keep_member(member, generation)
        return member

"""Staff accounts: roles, own site, sign-in with throttling and lock-out, deactivation, a way back in.

Every change the admin makes (``by``: the admin's id) is written to the staff audit in the same
transaction (``service.staff.audit``); the centre never loses its last active admin
(``service.staff.last_admin``).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid4

import asyncpg
import msgspec

from domain.errors import InvalidValueError
from domain.policy import Role
from service.staff.audit import StaffAction, record
from service.staff.last_admin import ensure_an_admin_remains
from service.staff.passwords import hash_password, verify_password

log = logging.getLogger("suivi.staff")

FREE_ATTEMPTS = 3  # after these, each failure waits longer
LOCK_AFTER = 8
LOCK_FOR = timedelta(minutes=15)


class StaffMember(msgspec.Struct, frozen=True):
    staff_id: UUID
    username: str
    display_name: str
    roles: frozenset[Role]
    language: str
    active: bool
    version: int
    site: str | None = None
    """The office-hours site the member works at (None: the centre's main site)."""
    password_temporary: bool = False
    """Set by the admin: the member chooses their own at the next sign-in."""
    locked_until: datetime | None = None
    """Until when sign-in is refused after repeated failures (read with the account lists only)."""


class SignInRefusedError(Exception):
    """Wrong name or password, or a locked account: deliberately the same message."""

    def __init__(self) -> None:
        super().__init__("the user name or the password is wrong, or the account is locked for a while")


class CurrentPasswordWrongError(InvalidValueError):
    """Choosing one's own password needs the current one (the temporary one the admin gave)."""

    def __init__(self) -> None:
        super().__init__("the current password is wrong", field="current_password")


class UsernameTakenError(Exception):
    def __init__(self) -> None:
        super().__init__("this user name is taken")


class StaffNotFoundError(Exception):
    def __init__(self, staff_id: UUID) -> None:
        super().__init__(f"no staff member {staff_id}")


class StaleStaffVersionError(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(f"the account changed meanwhile; its current version is {current}")
        self.current = current


_COLUMNS = "staff_id, username, display_name, roles, language, active, version, site, password_temporary"
_WITH_LOCK = f"""SELECT {", ".join("s." + c.strip() for c in _COLUMNS.split(","))}, t.locked_until
    FROM staff s LEFT JOIN sign_in_throttle t USING (username)"""
_KNOWN_ROLES = frozenset(str(r) for r in Role)


def _member(row: asyncpg.Record) -> StaffMember:
    # A role this version no longer knows (older data) is left out rather than failing every sign-in.
    return StaffMember(
        staff_id=row["staff_id"],
        username=row["username"],
        display_name=row["display_name"],
        roles=frozenset(Role(r) for r in row["roles"] if r in _KNOWN_ROLES),
        language=row["language"],
        active=row["active"],
        version=row["version"],
        site=row["site"],
        password_temporary=row["password_temporary"],
        locked_until=row.get("locked_until"),
    )


class _KeepsStaff(Protocol):
    def forget_member(self, staff_id: UUID) -> None: ...


_KEEPERS: weakref.WeakSet[_KeepsStaff] = weakref.WeakSet()


def tell_of_changes(keeper: _KeepsStaff) -> None:
    """Have ``keeper.forget_member`` called here, at once, after each change to an account (sessions in memory)."""
    _KEEPERS.add(keeper)


def _changed(staff_id: UUID) -> None:
    for keeper in list(_KEEPERS):
        keeper.forget_member(staff_id)


class StaffAccounts:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(
        self,
        username: str,
        display_name: str,
        password: str,
        roles: Iterable[Role],
        at: datetime,
        *,
        language: str = "fr",
        site: str | None = None,
        by: UUID | None = None,
    ) -> StaffMember:
        password_hash = await asyncio.to_thread(hash_password, password)
        try:
            async with self._pool.acquire() as connection, connection.transaction():
                row = await connection.fetchrow(
                    f"""INSERT INTO staff (staff_id, username, display_name, password_hash, roles, language, site,
                                           created_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {_COLUMNS}""",
                    uuid4(),
                    username.strip().lower(),
                    display_name.strip(),
                    password_hash,
                    sorted(str(r) for r in roles),
                    language,
                    site,
                    at,
                )
                assert row is not None  # INSERT ... RETURNING
                if by is not None:
                    await record(connection, at, by, row["staff_id"], StaffAction.CREATED)
        except asyncpg.UniqueViolationError:
            raise UsernameTakenError() from None
        return _member(row)

    async def get(self, staff_id: UUID) -> StaffMember:
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(f"{_WITH_LOCK} WHERE s.staff_id = $1", staff_id)
        if row is None:
            raise StaffNotFoundError(staff_id)
        return _member(row)

    async def all(self) -> list[StaffMember]:
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(f"{_WITH_LOCK} ORDER BY s.username")
        return [_member(r) for r in rows]

    async def update(
        self,
        staff_id: UUID,
        expected_version: int,
        *,
        roles: Iterable[Role] | None = None,
        active: bool | None = None,
        language: str | None = None,
        site: str | msgspec.UnsetType | None = msgspec.UNSET,
        by: UUID | None = None,
        at: datetime | None = None,
    ) -> StaffMember:
        """Change what is given (``site``: None is the main site; left out, it stays); ``by`` an admin, audited."""
        roles = None if roles is None else frozenset(roles)
        async with self._pool.acquire() as connection, connection.transaction():
            if roles is not None or active is False:
                admins = await connection.fetch(
                    "SELECT staff_id FROM staff WHERE active AND 'admin' = ANY(roles) FOR UPDATE"
                )
                ensure_an_admin_remains({a["staff_id"] for a in admins}, staff_id, roles, active)
            row = await connection.fetchrow(
                f"""UPDATE staff SET roles = coalesce($3, roles), active = coalesce($4, active),
                           language = coalesce($5, language), site = CASE WHEN $6 THEN $7 ELSE site END,
                           version = version + 1
                    WHERE staff_id = $1 AND version = $2 RETURNING {_COLUMNS}""",
                staff_id,
                expected_version,
                None if roles is None else sorted(str(r) for r in roles),
                active,
                language,
                site is not msgspec.UNSET,
                None if isinstance(site, msgspec.UnsetType) else site,
            )
            if row is None:
                current = await connection.fetchval("SELECT version FROM staff WHERE staff_id = $1", staff_id)
                if current is None:
                    raise StaffNotFoundError(staff_id)
                raise StaleStaffVersionError(current)
            if active is False:
                await connection.execute("DELETE FROM staff_sessions WHERE staff_id = $1", staff_id)
            if by is not None and at is not None:
                await record(connection, at, by, staff_id, StaffAction.CHANGED)
        _changed(staff_id)
        return _member(row)

    async def reset_password(self, staff_id: UUID, password: str, at: datetime, by: UUID) -> StaffMember:
        """A temporary password set by the admin: the account's sessions end, its lock-out too."""
        password_hash = await asyncio.to_thread(hash_password, password)
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                f"""UPDATE staff SET password_hash = $2, password_temporary = true, version = version + 1
                    WHERE staff_id = $1 RETURNING {_COLUMNS}""",
                staff_id,
                password_hash,
            )
            if row is None:
                raise StaffNotFoundError(staff_id)
            await connection.execute("DELETE FROM staff_sessions WHERE staff_id = $1", staff_id)
            await connection.execute("DELETE FROM sign_in_throttle WHERE username = $1", row["username"])
            await record(connection, at, by, staff_id, StaffAction.PASSWORD_RESET)
        _changed(staff_id)
        return _member(row)

    async def unlock(self, staff_id: UUID, at: datetime, by: UUID) -> StaffMember:
        """Let a locked-out member try again now (their failures are forgotten)."""
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(f"SELECT {_COLUMNS} FROM staff WHERE staff_id = $1", staff_id)
            if row is None:
                raise StaffNotFoundError(staff_id)
            await connection.execute("DELETE FROM sign_in_throttle WHERE username = $1", row["username"])
            await record(connection, at, by, staff_id, StaffAction.UNLOCKED)
        return _member(row)

    async def choose_password(self, staff_id: UUID, current: str, new: str) -> StaffMember:
        """The member's own password, in place of the current one (the temporary one the admin set)."""
        async with self._pool.acquire() as connection:
            encoded = await connection.fetchval("SELECT password_hash FROM staff WHERE staff_id = $1", staff_id)
        if not await asyncio.to_thread(verify_password, current, encoded):
            raise CurrentPasswordWrongError()
        password_hash = await asyncio.to_thread(hash_password, new)
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                f"""UPDATE staff SET password_hash = $2, password_temporary = false, version = version + 1
                    WHERE staff_id = $1 RETURNING {_COLUMNS}""",
                staff_id,
                password_hash,
            )
        if row is None:
            raise StaffNotFoundError(staff_id)
        _changed(staff_id)
        return _member(row)

    async def authenticate(self, username: str, password: str, now: datetime) -> tuple[StaffMember | None, float]:
        """The member, or None; and how many seconds to wait before answering (throttling)."""
        name = username.strip().lower()
        async with self._pool.acquire() as connection:
            throttle = await connection.fetchrow(
                "SELECT failures, locked_until FROM sign_in_throttle WHERE username = $1", name
            )
            row = await connection.fetchrow(f"SELECT {_COLUMNS}, password_hash FROM staff WHERE username = $1", name)
        locked = throttle is not None and throttle["locked_until"] is not None and throttle["locked_until"] > now
        encoded = row["password_hash"] if row is not None else None
        valid = await asyncio.to_thread(verify_password, password, encoded)
        if valid and row is not None and row["active"] and not locked:
            async with self._pool.acquire() as connection:
                await connection.execute("DELETE FROM sign_in_throttle WHERE username = $1", name)
            return _member(row), 0.0
        failures = await self._record_failure(name, now)
        return None, _delay(failures)

    async def _record_failure(self, name: str, now: datetime) -> int:
        async with self._pool.acquire() as connection:
            failures: int = await connection.fetchval(
                """INSERT INTO sign_in_throttle (username, failures, last_failure_at) VALUES ($1, 1, $2)
                   ON CONFLICT (username) DO UPDATE SET failures = sign_in_throttle.failures + 1, last_failure_at = $2
                   RETURNING failures""",
                name,
                now,
            )
            if failures >= LOCK_AFTER:
                await connection.execute(
                    "UPDATE sign_in_throttle SET locked_until = $2, failures = 0 WHERE username = $1",
                    name,
                    now + LOCK_FOR,
                )
                log.warning("sign-in locked after repeated failures", extra={"event": "sign_in_locked"})
        return failures


def _delay(failures: int) -> float:
    return 0.0 if failures <= FREE_ATTEMPTS else min(0.25 * 2 ** (failures - FREE_ATTEMPTS - 1), 4.0)

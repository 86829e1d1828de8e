"""Staff accounts: roles, sign-in with throttling and lock-out, deactivation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import msgspec

from domain.policy import Role
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


class SignInRefusedError(Exception):
    """Wrong name or password, or a locked account: deliberately the same message."""

    def __init__(self) -> None:
        super().__init__("the user name or the password is wrong, or the account is locked for a while")


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


_COLUMNS = "staff_id, username, display_name, roles, language, active, version"


def _member(row: asyncpg.Record) -> StaffMember:
    return StaffMember(
        staff_id=row["staff_id"],
        username=row["username"],
        display_name=row["display_name"],
        roles=frozenset(Role(r) for r in row["roles"]),
        language=row["language"],
        active=row["active"],
        version=row["version"],
    )


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
    ) -> StaffMember:
        password_hash = await asyncio.to_thread(hash_password, password)
        try:
            async with self._pool.acquire() as connection:
                row = await connection.fetchrow(
                    f"""INSERT INTO staff (staff_id, username, display_name, password_hash, roles, language, created_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_COLUMNS}""",
                    uuid4(),
                    username.strip().lower(),
                    display_name.strip(),
                    password_hash,
                    sorted(str(r) for r in roles),
                    language,
                    at,
                )
        except asyncpg.UniqueViolationError:
            raise UsernameTakenError() from None
        assert row is not None  # INSERT ... RETURNING
        return _member(row)

    async def get(self, staff_id: UUID) -> StaffMember:
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(f"SELECT {_COLUMNS} FROM staff WHERE staff_id = $1", staff_id)
        if row is None:
            raise StaffNotFoundError(staff_id)
        return _member(row)

    async def all(self) -> list[StaffMember]:
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(f"SELECT {_COLUMNS} FROM staff ORDER BY username")
        return [_member(r) for r in rows]

    async def update(
        self,
        staff_id: UUID,
        expected_version: int,
        *,
        roles: Iterable[Role] | None = None,
        active: bool | None = None,
        language: str | None = None,
    ) -> StaffMember:
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                f"""UPDATE staff SET roles = coalesce($3, roles), active = coalesce($4, active),
                           language = coalesce($5, language), version = version + 1
                    WHERE staff_id = $1 AND version = $2 RETURNING {_COLUMNS}""",
                staff_id,
                expected_version,
                None if roles is None else sorted(str(r) for r in roles),
                active,
                language,
            )
            if row is None:
                current = await connection.fetchval("SELECT version FROM staff WHERE staff_id = $1", staff_id)
                if current is None:
                    raise StaffNotFoundError(staff_id)
                raise StaleStaffVersionError(current)
            if active is False:
                await connection.execute("DELETE FROM staff_sessions WHERE staff_id = $1", staff_id)
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

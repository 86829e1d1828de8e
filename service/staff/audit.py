"""What the admin did to each account (created, changed, password reset, unlocked): ids and kinds only.

Written in the transaction of the change itself, so that no change goes unrecorded.
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import msgspec

from service.storage.database import Connection


class StaffAction(enum.StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (the kind of change, not a password)
    UNLOCKED = "unlocked"


class AuditEntry(msgspec.Struct, frozen=True):
    at: datetime
    actor_id: UUID
    staff_id: UUID
    action: StaffAction


async def record(connection: Connection, at: datetime, actor_id: UUID, staff_id: UUID, action: StaffAction) -> None:
    await connection.execute(
        "INSERT INTO staff_audit (at, actor_id, staff_id, action) VALUES ($1, $2, $3, $4)",
        at,
        actor_id,
        staff_id,
        str(action),
    )


async def entries_of(connection: Connection, staff_id: UUID, limit: int = 20) -> list[AuditEntry]:
    """The latest changes to one account, newest first."""
    rows = await connection.fetch(
        "SELECT at, actor_id, staff_id, action FROM staff_audit WHERE staff_id = $1 ORDER BY at DESC, audit_id DESC"
        " LIMIT $2",
        staff_id,
        limit,
    )
    return [AuditEntry(r["at"], r["actor_id"], r["staff_id"], StaffAction(r["action"])) for r in rows]

"""Who acts (:class:`Actor`) and with what (:class:`ApplicationContext`).

Both are built by the caller (the HTTP layer, the CLI or a test), never at import time:
time and ids are injected so that tests control them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import msgspec

from domain.policy import Role
from projections.blind_index import BlindIndex
from service.documents.store import DocumentStore
from service.staff.accounts import StaffAccounts
from service.storage.eventstore.records import LogCursor
from service.storage.keys.subject_keys import KeyStore
from service.storage.repository import Repository
from service.storage.runtime import Runtime
from service.storage.sealer import SubjectSealer


class Actor(msgspec.Struct, frozen=True):
    """The authenticated staff member behind a command."""

    staff_id: UUID
    roles: frozenset[Role]

    @property
    def is_dpo(self) -> bool:
        return Role.DPO in self.roles


class Centre(msgspec.Struct, frozen=True, kw_only=True):
    """How this centre works, from its settings: its sites and its completion rule."""

    sites: tuple[str, ...] = ("Liège centre", "Seraing")
    """Where office hours are held; the first is the main site."""
    completion_attendance_percent: int = 80
    """Attendance (in % of a cohort's sessions) needed to complete it without a written reason."""
    retention_social_legal_years: int = 5
    """Years a closed case stays its social worker's: the retention period of social-legal data."""


class Written:
    """How far in the log the commands of one caller (one HTTP request) have written.

    ``execute`` moves it on after each append (or replay); the HTTP layer then tells the client
    (``Suivi-Log-Position``) and has the page that follows wait until the read models are there.
    """

    def __init__(self) -> None:
        self.position: LogCursor | None = None

    def reached(self, position: LogCursor | None) -> None:
        if position is not None and (self.position is None or position > self.position):
            self.position = position


@dataclass(frozen=True)
class ApplicationContext:
    repository: Repository
    pool: asyncpg.Pool
    """For the file-number counters, which live beside the event store."""
    keys: KeyStore
    """Erasure destroys the person's key (crypto-shredding)."""
    clock: Callable[[], datetime]
    """The time every command records; must be timezone-aware."""
    new_id: Callable[[], UUID] = uuid4
    """Ids of new aggregates (people, cases, records, ...)."""
    conflict_deadline: float = 5.0
    """Seconds a command that commutes (a note, attendance) keeps retrying concurrency conflicts."""
    index: BlindIndex | None = None
    """The directory's blind index, for searching people by name; only searches need it."""
    centre: Centre = dataclasses.field(default_factory=Centre)
    written: Written = dataclasses.field(default_factory=Written)
    """Where this caller's commands got to in the log (shared by the copies ``dataclasses.replace`` makes)."""

    @property
    def sealer(self) -> SubjectSealer:
        """Opens the read models' fields sealed under each person's key."""
        return SubjectSealer(self.keys)

    @property
    def accounts(self) -> StaffAccounts:
        return StaffAccounts(self.pool)

    @property
    def documents(self) -> DocumentStore:
        """The documents' content (scans), sealed in chunks under each person's key."""
        return DocumentStore(self.pool, self.keys)

    @classmethod
    def from_runtime(
        cls,
        runtime: Runtime,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], UUID] = uuid4,
        index: BlindIndex | None = None,
        centre: Centre | None = None,
        written: Written | None = None,
    ) -> ApplicationContext:
        return cls(
            Repository(runtime.store),
            runtime.pool,
            runtime.keys,
            clock,
            new_id,
            index=index,
            centre=centre or Centre(),
            written=written or Written(),
        )

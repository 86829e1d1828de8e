"""The benchmark's domain: a small case file whose notes make ~200-byte personal events."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from service.storage.codec import EventCodec

CATEGORY = "social_legal"
SUBJECTS_PER_WRITER = 200
_TEXT = "Rendez-vous au guichet: dossier complété, pièces manquantes notées."


class CaseFile(Aggregate):
    class NoteAdded(Aggregate.Event):
        author_id: UUID
        subject: str
        text: str
        occurred_on: date
        minutes: int


NoteAdded = CaseFile.NoteAdded
_AUTHOR = UUID("5a1e5a1e-0000-4000-8000-000000000001")


def note(stream_id: UUID, version: int) -> CaseFile.NoteAdded:
    """One domain event, built the way an aggregate would build it."""
    return NoteAdded(
        originator_id=stream_id,
        originator_version=version,
        timestamp=datetime.now(UTC),
        author_id=_AUTHOR,
        subject="Suivi social",
        text=_TEXT,
        occurred_on=date(2026, 9, 1),
        minutes=45,
    )


def plaintext_size() -> int:
    return len(EventCodec().encode(note(uuid4(), 1)))


class Plan:
    """Where each command writes: alternately a new stream and the continuation of the last one.

    Each stream is about one data subject, drawn from the writer's own pool, so writers
    never contend on a stream and every event is personal (encrypted).
    """

    def __init__(self, subjects: list[UUID], seed: int) -> None:
        self.subjects = subjects
        self._random = random.Random(seed)
        self._stream = uuid4()
        self._subject = subjects[0]
        self._version = 0
        self._commands = 0

    def next(self, events: int) -> tuple[UUID, int, UUID]:
        """(stream, first version, subject) of the next command of ``events`` events."""
        if self._commands % 2 == 0:
            self._stream = uuid4()
            self._subject = self._random.choice(self.subjects)
            self._version = 0
        self._commands += 1
        first = self._version + 1
        self._version += events
        return self._stream, first, self._subject

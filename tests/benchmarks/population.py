"""A realistic population, built with the domain aggregates and saved through the Repository.

Each person comes as one bundle appended in one command (~17 events on average):
registration and consent record (2), two consents (2); two in three enrol in a cohort of
12 (seat, record, 8 attendance days, 2 DigComp levels: 12); an office-hours visit
(check-in, call, help: 3); one in three has a social-legal case (opened, 5 notes, a
follow-up: 7). Cohorts belong to one writer task, so writers never contend on a stream.
Names are drawn from a large space, so the directory's duplicate check sees few matches,
as in real life.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
import traceback
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from uuid import UUID, uuid4

from domain.base import SuiviAggregate
from domain.case import Case, CaseDomain
from domain.cohort import Cohort
from domain.consent import ConsentRecord, Evidence, Purpose
from domain.digcomp import COMPETENCES
from domain.office_hours import Help, RequestCategory, Visit
from domain.person import ContactDetails, Person, PersonDetails, Situation
from domain.training import AssessmentKind, AttendanceStatus
from domain.workflows import enrol
from service.storage.keys.master_key import MasterKey
from service.storage.repository import Repository
from service.storage.runtime import open_runtime

HELPER = UUID("5a1e5a1e-0000-4000-8000-0000000000a1")
SOCIAL_WORKER = UUID("5a1e5a1e-0000-4000-8000-0000000000a2")
TRAINER = UUID("5a1e5a1e-0000-4000-8000-0000000000a3")
_GIVEN = [
    "Amina",
    "Mohammed",
    "Oleksandr",
    "Fatima",
    "Jean-Pierre",
    "Ayşe",
    "Lucía",
    "Tigist",
    "Ahmad",
    "Mariam",
    "Giorgi",
    "Élodie",
    "Kwame",
    "Nour",
    "Bogdan",
    "Yasmin",
    "Samuel",
    "Anahit",
    "Rahel",
    "Luis",
    "Mei",
    "Abdoulaye",
    "Irina",
    "Hassan",
    "Leila",
    "Dritan",
    "Grace",
    "Omar",
    "Nadia",
    "Paulo",
    "Zainab",
    "Vasyl",
    "Sara",
    "Moussa",
    "Ibrahim",
    "Aisha",
    "Yusuf",
    "Olena",
    "Tariq",
    "Salma",
    "Kofi",
    "Marta",
    "Andrei",
    "Hana",
    "Elif",
    "Karim",
    "Soraya",
    "Ivan",
    "Awa",
    "Bilal",
]
_SYLLABLES = [
    "ba",
    "ben",
    "ko",
    "lu",
    "ma",
    "ndi",
    "ra",
    "sa",
    "ta",
    "vo",
    "ya",
    "zi",
    "dia",
    "kha",
    "mer",
    "no",
    "pe",
    "ri",
    "so",
    "tu",
    "we",
    "xa",
    "lo",
    "mi",
    "da",
    "fe",
    "gu",
    "hi",
    "ja",
    "ke",
]
_NATIONALITIES = [
    "GN",
    "SY",
    "UA",
    "MA",
    "CD",
    "TR",
    "ES",
    "ET",
    "AF",
    "ML",
    "GE",
    "BE",
    "GH",
    "LB",
    "RO",
    "NG",
    "AM",
    "ER",
    "PT",
    "CN",
    "SN",
    "RU",
    "SO",
    "IR",
    "AL",
    "RW",
    "DZ",
    "TN",
    "BR",
]
_NOTE = "Entretien: situation expliquée, documents à rassembler, rendez-vous fixé au CPAS mardi."
_SUMMARY = "Expulsion annoncée, arriérés de loyer"
ATTENDANCE_DAYS = 8


def details(rng: random.Random) -> PersonDetails:
    family = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
    return PersonDetails(
        given_name=rng.choice(_GIVEN),
        family_name=family,
        birth_date=date(1950, 1, 1) + timedelta(days=rng.randrange(20_000)),
        nationality=rng.choice(_NATIONALITIES),
        languages=("fr",),
        preferred_language="fr",
        contact=ContactDetails(phone=f"+32 47{rng.randrange(10)} {rng.randrange(10**6):06d}", address="Rue 1, Liège"),
        situations=(Situation.JOBSEEKER,),
    )


class Builder:
    """Makes person bundles for one writer task; owns that task's current cohort."""

    def __init__(self, seed: int, year: int) -> None:
        self._rng = random.Random(seed)
        self._year = year
        self._number = 0
        self._cohort: Cohort | None = None
        self._today = datetime.now(UTC).date()
        self._ids: list[UUID] = []

    def reserve(self, count: int) -> list[UUID]:
        """The ids of the next ``count`` people, so their keys can be made in one batch beforehand."""
        ids = [uuid4() for _ in range(count)]
        self._ids += ids
        return ids

    @property
    def reserved(self) -> int:
        return len(self._ids)

    def _next_cohort(self, at: datetime) -> Cohort:
        start = self._today - timedelta(days=30)
        return Cohort.schedule(
            uuid4(), "DigiLab", "Liège centre", start, self._today - timedelta(days=1), at, TRAINER, capacity=12
        )

    def bundle(self) -> list[SuiviAggregate]:
        """One new person and what happens to them: aggregates with pending events."""
        rng, at = self._rng, datetime.now(UTC)
        self._number += 1
        person_id = self._ids.pop() if self._ids else uuid4()
        person = Person.register(person_id, f"{self._year}-{self._number:05d}", details(rng), at, HELPER)
        consents = ConsentRecord.open(person_id, at, HELPER)
        consents.give(Purpose.SHARE_TRAINING_WITH_SOCIAL_LEGAL, Evidence.SIGNED_FORM, at, HELPER)
        consents.give(Purpose.SHARE_OFFICE_HOURS_WITH_TRAINERS, Evidence.SIGNED_FORM, at, HELPER)
        changed: list[SuiviAggregate] = [person, consents]
        if self._number % 3 != 0:
            if self._cohort is None or self._cohort.is_full:
                self._cohort = self._next_cohort(at)
            cohort = self._cohort
            record = enrol(cohort, person_id, uuid4(), at, TRAINER)
            assert record is not None
            for day in cohort.session_days[:ATTENDANCE_DAYS]:
                status = rng.choices(list(AttendanceStatus), weights=[85, 6, 6, 3])[0]
                record.record_attendance(cohort, day, status, at, TRAINER)
            for competence in COMPETENCES[:2]:
                record.assess(competence.code, rng.randint(1, 3), AssessmentKind.INITIAL, at, TRAINER)
            changed += [cohort, record]
        visit = Visit.check_in(uuid4(), person_id, self._today, "Liège centre", at, HELPER)
        visit.call(HELPER, at)
        visit.record_help(
            Help(RequestCategory.ONLINE_PROCEDURE, "Formulaire en ligne", "Fait ensemble", 20, HELPER), at
        )
        changed.append(visit)
        if self._number % 3 == 1:
            case = Case.open(uuid4(), person_id, CaseDomain.HOUSING, SOCIAL_WORKER, _SUMMARY, at, SOCIAL_WORKER)
            for _ in range(5):
                case.add_note(uuid4(), _NOTE, at, SOCIAL_WORKER)
            case.set_follow_up(uuid4(), self._today + timedelta(days=7), "Rappeler", at, SOCIAL_WORKER)
            changed.append(case)
        return changed


def count_pending(aggregates: list[SuiviAggregate]) -> int:
    return sum(len(a.pending_events) for a in aggregates)


async def write_people(url: str, master: MasterKey, events: int, seed: int, tasks: int) -> int:
    """Append bundles from ``tasks`` concurrent tasks until ``events`` are written; returns the count."""
    written = 0
    async with open_runtime(url, master, pool_size=tasks + 1) as runtime:
        repository = Repository(runtime.store)

        async def task(index: int) -> None:
            nonlocal written
            builder = Builder(seed * 1000 + index, year=2000 + (seed * tasks + index) % 1000)
            while written < events:
                if not builder.reserved:  # people's keys made in batches, as catch_up.fill does
                    await runtime.keys.keys_for_writing(builder.reserve(200))
                changed = builder.bundle()
                written += count_pending(changed)
                await repository.save(*changed, actor_id=HELPER)

        await asyncio.gather(*(task(i) for i in range(tasks)))
    return written


def _fill_worker(url: str, master_hex: str, events: int, seed: int, tasks: int, pipe: Connection) -> None:
    try:
        master = MasterKey.from_hex(master_hex, source="the benchmark")
        pipe.send(("done", asyncio.run(write_people(url, master, events, seed, tasks))))
    except BaseException:
        pipe.send(("error", traceback.format_exc()))


def fill(url: str, master: MasterKey, events: int, processes: int = 2, tasks: int = 8) -> tuple[int, float]:
    """Write about ``events`` events from writer processes; (events written, seconds)."""
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    workers = []
    for seed in range(processes):
        parent, child = context.Pipe()
        process = context.Process(
            target=_fill_worker, args=(url, master.to_hex(), events // processes, seed, tasks, child), daemon=True
        )
        process.start()
        workers.append((process, parent))
    total = 0
    for process, pipe in workers:
        if not pipe.poll(3600):
            raise RuntimeError("a fill process gave no answer in an hour")
        kind, value = pipe.recv()
        if kind == "error":
            raise RuntimeError(f"a fill process failed:\n{value}")
        total += int(value)
        process.join(timeout=30)
    return total, time.perf_counter() - started


async def big_case_file(url: str, master: MasterKey, events: int) -> UUID:
    """One person with ``events`` events (registration, consents, a case and its notes)."""
    async with open_runtime(url, master, pool_size=2) as runtime:
        repository = Repository(runtime.store)
        rng, at = random.Random(7), datetime.now(UTC)
        person_id = uuid4()
        person = Person.register(person_id, "1999-00001", details(rng), at, HELPER)
        consents = ConsentRecord.open(person_id, at, HELPER)
        case = Case.open(uuid4(), person_id, CaseDomain.DEBT, SOCIAL_WORKER, _SUMMARY, at, SOCIAL_WORKER)
        written = 3
        await repository.save(person, consents, case, actor_id=SOCIAL_WORKER)
        while written < events:
            for _ in range(min(50, events - written)):
                case.add_note(uuid4(), _NOTE, at, SOCIAL_WORKER)
                written += 1
            await repository.save(case, actor_id=SOCIAL_WORKER)
    return person_id

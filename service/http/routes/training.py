"""Training: a whole group's day in one request, DigComp assessments, completion, a learner's history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from domain.base import Category
from domain.errors import InvalidValueError
from domain.policy import Scope
from domain.training import AssessmentKind, AttendanceStatus, NotEnrolledError
from projections.roster import read_roster
from projections.training_history import read_training_history
from service.application.context import ApplicationContext
from service.application.training import (
    AssessDigComp,
    AttendanceMark,
    CompetenceLevel,
    CompleteTraining,
    RecordAttendance,
    assess_digcomp,
    complete_training,
    record_attendance,
)
from service.http.deps import Services
from service.http.headers import IdempotencyKey, IfMatch, expecting, idempotency_key
from service.http.reading import ReadPurpose, open_for_reading
from service.http.security import Principal
from service.http.wire import Changed, Request, changed
from service.storage.repository import AggregateNotFoundError

CompetenceCode = Annotated[str, msgspec.Meta(pattern=r"^[1-5]\.[1-9]$")]
Level = Annotated[int, msgspec.Meta(ge=1, le=8)]


class LearnerDay(Request, frozen=True):
    """One learner whose day differs from the default, named by training record OR by person."""

    status: AttendanceStatus
    record_id: UUID | None = None
    person_id: UUID | None = None
    hours: Annotated[float, msgspec.Meta(ge=0, le=24)] | None = None
    """Defaults to the full day when present or late, and to zero when away."""

    def __post_init__(self) -> None:
        if (self.record_id is None) == (self.person_id is None):
            raise ValueError("name the learner by exactly one of record_id or person_id")


class AttendanceDay(Request, frozen=True):
    """A whole group's day: ``default_status`` for every enrolled learner, except those listed."""

    day: date
    default_status: AttendanceStatus | None = AttendanceStatus.PRESENT
    """Null records only the exceptions."""
    exceptions: Annotated[list[LearnerDay], msgspec.Meta(max_length=60)] = []


class Assessment(Request, frozen=True):
    kind: AssessmentKind
    levels: Annotated[dict[CompetenceCode, Level], msgspec.Meta(min_length=1, max_length=21)]
    """DigComp 2.2 level (1 to 8) per competence code, e.g. {"1.1": 3, "3.2": 2}."""


class Completion(Request, frozen=True):
    certificate_reference: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class Progress(msgspec.Struct, frozen=True):
    competence: str
    initial: int | None
    final: int | None
    gain: int | None


class CohortRecord(msgspec.Struct, frozen=True):
    record_id: UUID
    cohort_id: UUID
    cohort_name: str
    starts_on: date
    ends_on: date
    status: str
    hours_attended: Decimal
    attendance_rate: float | None
    competences: list[Progress]


class HelpTopic(msgspec.Struct, frozen=True):
    session_on: date
    category: str
    minutes: int


class TrainingHistoryView(msgspec.Struct, frozen=True):
    person_id: UUID
    cohorts: list[CohortRecord]
    digital_help: list[HelpTopic] | None
    """Office-hours digital help (topic and minutes only); null when the reader may not see it."""


async def _marks(services: Services, cohort_id: UUID, data: AttendanceDay) -> tuple[AttendanceMark, ...]:
    """The default for every enrolled learner on the roster, then each exception in its place."""
    async with services.runtime.pool.acquire() as db:
        roster = await read_roster(db, cohort_id, data.day)
    if roster is None:
        raise AggregateNotFoundError("Cohort", cohort_id)
    enrolled = {
        line.person_id: line.record_id
        for line in roster.learners
        if line.status == "enrolled" and line.record_id is not None
    }
    marks: dict[UUID, AttendanceMark] = {}
    if data.default_status is not None:
        marks = {r: AttendanceMark(r, data.default_status) for r in enrolled.values()}
    excepted: set[UUID] = set()
    for exception in data.exceptions:
        record_id = exception.record_id
        if record_id is None and exception.person_id is not None:
            record_id = enrolled.get(exception.person_id)
        if record_id is None:
            raise NotEnrolledError(f"person {exception.person_id} holds no seat in cohort {cohort_id}")
        if record_id in excepted:
            raise InvalidValueError("each learner is marked once per day")
        excepted.add(record_id)
        hours = None if exception.hours is None else Decimal(str(exception.hours))
        marks[record_id] = AttendanceMark(record_id, exception.status, hours)
    if not marks:
        raise InvalidValueError("no learner to mark on that day")
    return tuple(marks.values())


@post("/cohorts/{cohort_id:uuid}/attendance", status_code=200, tags=["training"])
async def attendance(
    cohort_id: FromPath[UUID],
    data: JSONBody[AttendanceDay],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    """Record a whole group's day in one request; ``versions`` lists every training record marked."""
    command = RecordAttendance(cohort_id, data.day, await _marks(services, cohort_id, data))
    return changed(await record_attendance(ctx, principal.actor, command, idempotency_key=idempotency_key(key)))


@post("/training-records/{record_id:uuid}/assessments", tags=["training"])
async def assessment(
    record_id: FromPath[UUID],
    data: JSONBody[Assessment],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    ctx = expecting(ctx, record_id, if_match)
    levels = tuple(CompetenceLevel(code, level) for code, level in sorted(data.levels.items()))
    command = AssessDigComp(record_id, data.kind, levels)
    outcome = await assess_digcomp(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, 201, etag_of=record_id)


@post("/training-records/{record_id:uuid}/completion", status_code=200, tags=["training"])
async def completion(
    record_id: FromPath[UUID],
    data: JSONBody[Completion],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    ctx = expecting(ctx, record_id, if_match)
    command = CompleteTraining(record_id, data.certificate_reference)
    outcome = await complete_training(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=record_id)


@get("/people/{person_id:uuid}/training-history", tags=["training"])
async def training_history(
    person_id: FromPath[UUID],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.TRAINING,
) -> TrainingHistoryView:
    """Cohorts, attendance and DigComp progress; digital help only when the reader may see it."""
    grant = await open_for_reading(services, principal, person_id, "training_history", purpose, needs=Category.TRAINING)
    with_help = grant.may_read(Category.OFFICE_HOURS, Scope.DIGITAL_HELP_ONLY)
    async with services.runtime.pool.acquire() as db:
        history = await read_training_history(db, person_id, include_digital_help=with_help)
    cohorts = [
        CohortRecord(
            c.record_id,
            c.cohort_id,
            c.cohort_name,
            c.starts_on,
            c.ends_on,
            c.status,
            c.hours_attended,
            c.attendance_rate,
            [Progress(p.competence, p.initial, p.final, p.gain) for p in c.competences],
        )
        for c in history.cohorts
    ]
    helped = (
        None
        if history.digital_help is None
        else [HelpTopic(h.session_on, h.category, h.minutes) for h in history.digital_help]
    )
    return TrainingHistoryView(person_id, cohorts, helped)


ROUTES = [attendance, assessment, completion, training_history]

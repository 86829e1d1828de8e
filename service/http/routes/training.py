"""Training: a whole group's day in one request, DigComp assessments, completion, a learner's history."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from domain.digcomp import COMPETENCES, HIGHEST_LEVEL, LOWEST_LEVEL
from domain.policy import Role
from domain.training import AssessmentKind, AttendanceStatus
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose
from service.application.training import (
    AssessDigComp,
    CompleteTraining,
    LearnerMark,
    RecordGroupDay,
    assess_digcomp,
    competence_levels,
    complete_training,
    record_group_day,
)
from service.application.views import training_history as views
from service.application.views.training_history import TrainingHistoryView
from service.http.deps import Command
from service.http.guards import requires
from service.http.headers import IfMatch
from service.http.openapi import area
from service.http.wire import Changed, Request, changed

_CODES = "|".join(re.escape(c.code) for c in COMPETENCES)
CompetenceCode = Annotated[str, msgspec.Meta(pattern=f"^({_CODES})$", examples=["1.1"])]
"""One of the 21 DigComp 2.2 competences."""
Level = Annotated[int, msgspec.Meta(ge=LOWEST_LEVEL, le=HIGHEST_LEVEL)]


class LearnerDay(Request, frozen=True):
    """One learner whose day differs from the default, named by training record OR by person."""

    status: AttendanceStatus
    record_id: UUID | None = None
    person_id: UUID | None = None
    hours: Annotated[float, msgspec.Meta(ge=0, le=24)] | None = None
    """Defaults to the full day when present or late, and to zero when away."""

    json_schema_extra: ClassVar[dict[str, Any]] = {
        "oneOf": [
            {"required": ["record_id"], "properties": {"record_id": {"type": "string"}, "person_id": {"type": "null"}}},
            {"required": ["person_id"], "properties": {"person_id": {"type": "string"}, "record_id": {"type": "null"}}},
        ]
    }
    """Exactly one of ``record_id`` and ``person_id``."""

    def __post_init__(self) -> None:
        if (self.record_id is None) == (self.person_id is None):
            raise ValueError("name the learner by exactly one of record_id or person_id")

    def mark(self) -> LearnerMark:
        hours = None if self.hours is None else Decimal(str(self.hours))
        return LearnerMark(self.status, self.record_id, self.person_id, hours)


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
    reason: Annotated[str, msgspec.Meta(max_length=280)] | None = None
    """Needed when attendance is below the centre's threshold (80 % of the sessions by default)."""


@post("/", status_code=200)
async def attendance(
    cohort_id: FromPath[UUID], data: JSONBody[AttendanceDay], command: NamedDependency[Command]
) -> Response[Changed]:
    """Record a whole group's day in one request; ``versions`` lists every training record marked."""
    exceptions = tuple(exception.mark() for exception in data.exceptions)
    day = RecordGroupDay(cohort_id, data.day, data.default_status, exceptions)
    return changed(await record_group_day(command.ctx, command.actor, day, idempotency_key=command.idempotency_key))


@post("/assessments")
async def assessment(
    record_id: FromPath[UUID], data: JSONBody[Assessment], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    assess = AssessDigComp(record_id, data.kind, competence_levels(data.levels))
    ctx = command.on(record_id, if_match)
    outcome = await assess_digcomp(ctx, command.actor, assess, idempotency_key=command.idempotency_key)
    return changed(outcome, 201, etag_of=record_id)


@post("/completion", status_code=200)
async def completion(
    record_id: FromPath[UUID], data: JSONBody[Completion], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    """Complete with a certificate. Below the centre's attendance threshold: 422 naming ``reason``, unless given."""
    complete = CompleteTraining(record_id, data.certificate_reference, data.reason)
    ctx = command.on(record_id, if_match)
    outcome = await complete_training(ctx, command.actor, complete, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=record_id)


@get("/")
async def training_history(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.TRAINING,
) -> TrainingHistoryView:
    """Cohorts, attendance and DigComp progress; digital help only when the reader may see it."""
    return await views.training_history(ctx, actor, person_id, purpose)


_TRAINERS = [requires(Role.TRAINER)]
"""Only trainers record a learner's training; whose, the access policy decides."""

ROUTES = [
    Router(
        "/cohorts/{cohort_id:uuid}/attendance",
        route_handlers=[attendance],
        guards=_TRAINERS,
        tags=["training"],
        opt=area(people=True, restricted=True),
    ),
    Router(
        "/training-records/{record_id:uuid}",
        route_handlers=[assessment, completion],
        guards=_TRAINERS,
        tags=["training"],
        opt=area(people=True, restricted=True),
    ),
    # No role guard: who may read a learner's history is decided per person (cohort, consent to share).
    Router(
        "/people/{person_id:uuid}/training-history",
        route_handlers=[training_history],
        tags=["training"],
        opt=area(people=True),
    ),
]

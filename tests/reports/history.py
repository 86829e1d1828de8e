"""A month of the centre written through the domain, with small groups where a funder report must hide them.

September 2026: 12 people registered (6 Turkish, 5 Syrian, 1 Belgian); 7 office-hours requests
(6 about software, 1 about writing); 7 referrals (6 to a CPAS, 1 to a lawyer); 6 learners in
DigiLab over two days (1 late once, 1 absent once); the DigComp levels of one learner in area 1
(three competences), and of five learners in area 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.cohort import Cohort
from domain.consent import ConsentRecord
from domain.office_hours import Help, RequestCategory, Visit
from domain.organisations import OrganisationKind
from domain.referral import Referral
from domain.training import AssessmentKind, AttendanceStatus, TrainingRecord
from domain.workflows import enrol
from service.storage.repository import Repository
from tests.projections.scenario import Staff, Written, register

START = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)
NATIONALITIES = ["TR"] * 6 + ["SY"] * 5 + ["BE"]
REQUESTS = [RequestCategory.SOFTWARE] * 6 + [RequestCategory.WRITING]
REFERRALS = [OrganisationKind.CPAS] * 6 + [OrganisationKind.LAWYER]
HOURS_PER_DAY = 4


@dataclass
class History:
    staff: Staff = field(default_factory=Staff)
    written: Written = field(default_factory=Written)
    people: list[UUID] = field(default_factory=list)


async def september(repo: Repository) -> History:
    history = History()
    staff = history.staff
    for n, nationality in enumerate(NATIONALITIES):
        history.people.append(
            await register(repo, staff, history.written, f"Prénom{n}", f"Nom{n}", nationality, f"+32 475 10 20 {n:02d}")
        )
    for person_id, category in zip(history.people, REQUESTS, strict=False):
        visit = Visit.check_in(uuid4(), person_id, START.date(), "Liège centre", START, staff.helper)
        visit.record_help(Help(category, "Aide demandée", "Fait ensemble", 20, staff.helper), START)
        await repo.save(visit, actor_id=staff.helper)
    for person_id, kind in zip(history.people[5:], REFERRALS, strict=False):
        consents = ConsentRecord.open(person_id, START, staff.social_worker)
        referral = Referral.make_external(
            uuid4(),
            person_id,
            kind,
            "Organisme de Liège",
            "Orientation",
            consents,
            START,
            staff.social_worker,
            override_reason="Urgence",
        )
        await repo.save(referral, actor_id=staff.social_worker)
    await _training(repo, history)
    return history


async def _training(repo: Repository, history: History) -> None:
    staff = history.staff
    day = START.date()
    cohort = Cohort.schedule(
        uuid4(),
        "DigiLab septembre",
        "Liège centre",
        day,
        day + timedelta(days=11),
        START,
        staff.trainer,
        trainer_ids=(staff.trainer,),
        capacity=12,
    )
    records = []
    for person_id in history.people[:6]:
        record = enrol(cohort, person_id, uuid4(), START, staff.trainer)
        assert record is not None
        await repo.save(cohort, record, actor_id=staff.trainer)
        records.append(record.id)
    for n, record_id in enumerate(records):
        record = await repo.get(TrainingRecord, record_id)
        cohort = await repo.get(Cohort, cohort.id)
        second = {0: AttendanceStatus.LATE, 1: AttendanceStatus.ABSENT}.get(n, AttendanceStatus.PRESENT)
        for offset, status in enumerate([AttendanceStatus.PRESENT, second]):
            record.record_attendance(
                cohort, day + timedelta(days=offset), status, START + timedelta(days=offset), staff.trainer
            )
        if n == 0:  # one learner in area 1: three competences, so three pairs of levels
            for competence in ("1.1", "1.2", "1.3"):
                record.assess(competence, 2, AssessmentKind.INITIAL, START, staff.trainer)
                record.assess(competence, 5, AssessmentKind.FINAL, START + timedelta(days=2), staff.trainer)
        if n >= 1:  # five learners in area 2
            record.assess("2.1", 2, AssessmentKind.INITIAL, START, staff.trainer)
            record.assess("2.1", 3, AssessmentKind.FINAL, START + timedelta(days=2), staff.trainer)
        await repo.save(record, actor_id=staff.trainer)

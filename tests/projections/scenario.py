"""A small realistic history, written through the domain and the repository."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from domain.case import Case, CaseDomain
from domain.cohort import Cohort
from domain.office_hours import Help, RequestCategory, Visit
from domain.person import ContactDetails, Person, PersonDetails
from domain.referral import Referral, ReferralSource
from domain.training import AssessmentKind, AttendanceStatus, TrainingRecord
from domain.workflows import enrol
from service.storage.repository import Repository

START = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class Staff:
    social_worker: UUID = field(default_factory=uuid4)
    trainer: UUID = field(default_factory=uuid4)
    helper: UUID = field(default_factory=uuid4)


@dataclass
class Written:
    """What a scenario wrote, so tests can look for it in read models and in dumps."""

    people: dict[str, UUID] = field(default_factory=dict)
    file_numbers: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    cases: list[UUID] = field(default_factory=list)
    cohort: UUID | None = None
    records: dict[UUID, UUID] = field(default_factory=dict)


NAMES = [
    ("Élodie", "Müller", "BE", "+32 470 11 22 33"),
    ("Mohammed", "Al-Khatib", "SY", "+32 471 44 55 66"),
    ("Aïcha", "Diallo", "GN", "+32 472 77 88 99"),
    ("Oleksandr", "Kovalenko", "UA", "+32 473 12 34 56"),
    ("Nadia", "Benali", "MA", "+32 474 65 43 21"),
]


async def register(
    repo: Repository,
    staff: Staff,
    written: Written,
    given: str,
    family: str,
    nationality: str,
    phone: str,
    *,
    at: datetime = START,
    born: date | None = date(1990, 5, 17),
) -> UUID:
    number = f"2026-{len(written.people) + 1:05d}"
    person = Person.register(
        uuid4(),
        number,
        PersonDetails(
            given_name=given,
            family_name=family,
            birth_date=born,
            nationality=nationality,
            languages=("fr",),
            contact=ContactDetails(phone=phone, address=f"Rue {family} 7, 4000 Liège"),
        ),
        at,
        staff.helper,
    )
    await repo.save(person, actor_id=staff.helper)
    written.people[f"{given} {family}"] = person.id
    written.file_numbers[f"{given} {family}"] = number
    written.secrets += [given, family, phone, f"Rue {family} 7"]
    return person.id


async def build(repo: Repository, staff: Staff | None = None) -> Written:
    staff = staff or Staff()
    written = Written()
    for given, family, nationality, phone in NAMES:
        await register(repo, staff, written, given, family, nationality, phone)
    people = list(written.people.values())

    cohort = Cohort.schedule(
        uuid4(),
        "DigiLab septembre",
        "Liège centre",
        START.date(),
        START.date() + timedelta(days=11),
        START,
        staff.trainer,
        trainer_ids=(staff.trainer,),
        capacity=3,
    )
    written.cohort = cohort.id
    for person_id in people[:4]:
        record = enrol(cohort, person_id, uuid4(), START, staff.trainer)
        if record is None:
            await repo.save(cohort, actor_id=staff.trainer)
            continue
        await repo.save(cohort, record, actor_id=staff.trainer)
        written.records[person_id] = record.id
    for record_id in written.records.values():
        record = await repo.get(TrainingRecord, record_id)
        cohort = await repo.get(Cohort, written.cohort)
        for offset, status in enumerate([AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT]):
            day = START.date() + timedelta(days=offset)
            record.record_attendance(cohort, day, status, START + timedelta(days=offset), staff.trainer)
        record.assess("1.1", 2, AssessmentKind.INITIAL, START, staff.trainer)
        record.assess("1.1", 4, AssessmentKind.FINAL, START + timedelta(days=10), staff.trainer)
        await repo.save(record, actor_id=staff.trainer)

    visit = Visit.check_in(uuid4(), people[4], START.date(), "Liège centre", START, staff.helper)
    visit.call(staff.helper, START + timedelta(minutes=5))
    description = "Aide pour le formulaire de renouvellement du titre de séjour"
    visit.record_help(
        Help(RequestCategory.ONLINE_PROCEDURE, description, "Formulaire rempli ensemble", 25, staff.helper),
        START + timedelta(minutes=30),
    )
    referral = Referral.make_internal(
        uuid4(),
        people[4],
        ReferralSource.OFFICE_HOURS,
        "Titre de séjour expire bientôt",
        START + timedelta(minutes=31),
        staff.helper,
        source_id=visit.id,
    )
    await repo.save(visit, referral, actor_id=staff.helper)
    written.secrets += [description, "Titre de séjour expire bientôt"]

    case = Case.open(
        uuid4(),
        people[4],
        CaseDomain.RESIDENCE_IMMIGRATION,
        staff.social_worker,
        "Renouvellement du titre de séjour",
        START + timedelta(hours=2),
        staff.social_worker,
        referral_id=referral.id,
    )
    referral = await repo.get(Referral, referral.id)
    referral.accept(START + timedelta(hours=2), staff.social_worker, case_id=case.id)
    note = "Madame Benali attend la réponse de l'Office des étrangers depuis six mois"
    case.add_note(uuid4(), note, START + timedelta(hours=3), staff.social_worker)
    case.set_follow_up(
        uuid4(), START.date() + timedelta(days=3), "Appeler l'avocat", START + timedelta(hours=3), staff.social_worker
    )
    case.set_follow_up(
        uuid4(),
        START.date() + timedelta(days=30),
        "Vérifier la décision",
        START + timedelta(hours=3),
        staff.social_worker,
    )
    await repo.save(case, referral, actor_id=staff.social_worker)
    written.cases.append(case.id)
    written.secrets += [note, "Appeler l'avocat", "Renouvellement du titre de séjour"]
    return written

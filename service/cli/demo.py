"""A realistic, entirely fictional dataset for trying Suivi: `suivi demo` or `make serve DEMO=1`.

Staff in every role (with the demo passwords below), two DigiLab cohorts of 12 with a
fortnight of attendance and DigComp assessments, office-hours sessions with visits,
and social-legal cases with notes, follow-ups and referrals. Every name is invented.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.case import CaseDomain
from domain.consent import Evidence, Purpose
from domain.digcomp import COMPETENCES
from domain.office_hours import RequestCategory
from domain.person import ContactDetails, PersonDetails, Situation
from domain.policy import Role
from domain.referral import ReferralSource
from domain.training import AssessmentKind, AttendanceStatus
from service.application import case_notes, cases, cohorts, consent, office_hours, people, referrals, training
from service.application.context import Actor, ApplicationContext
from service.staff.accounts import StaffAccounts

DEMO_STAFF = [
    # username, display name, role, password
    ("admin", "Administration", Role.ADMIN, "demo-admin-2026"),
    ("sophie", "Sophie Lambert", Role.SOCIAL_WORKER, "demo-social-2026"),
    ("karim", "Karim Haddad", Role.SOCIAL_WORKER, "demo-social-2026"),
    ("julie", "Julie Renard", Role.TRAINER, "demo-trainer-2026"),
    ("thomas", "Thomas Wéry", Role.TRAINER, "demo-trainer-2026"),
    ("ines", "Inès Carvalho", Role.OFFICE_HOURS_HELPER, "demo-helper-2026"),
    ("dpo", "Délégué à la protection des données", Role.DPO, "demo-dpo-2026"),
]

PEOPLE = [
    ("Amina", "Diallo", "GN", ("fr", "ff")),
    ("Mohammed", "Al-Khatib", "SY", ("ar",)),
    ("Oleksandr", "Kovalenko", "UA", ("uk", "ru")),
    ("Fatima", "Benali", "MA", ("ar", "fr")),
    ("Jean-Pierre", "Mukendi", "CD", ("fr", "ln")),
    ("Ayşe", "Yılmaz", "TR", ("tr",)),  # noqa: RUF001 (a Turkish name)
    ("Lucía", "Fernández", "ES", ("es",)),
    ("Tigist", "Bekele", "ET", ("am",)),
    ("Ahmad", "Rahimi", "AF", ("fa", "ps")),
    ("Mariam", "Traoré", "ML", ("fr", "bm")),
    ("Giorgi", "Beridze", "GE", ("ka", "ru")),
    ("Élodie", "Müller", "BE", ("fr", "de")),
    ("Kwame", "Mensah", "GH", ("en",)),
    ("Nour", "Haddad", "LB", ("ar", "fr")),
    ("Bogdan", "Popescu", "RO", ("ro",)),
    ("Yasmin", "El Amrani", "MA", ("ar", "fr")),
    ("Samuel", "Okafor", "NG", ("en",)),
    ("Anahit", "Petrosyan", "AM", ("hy", "ru")),
    ("Rahel", "Tesfaye", "ER", ("ti",)),
    ("Luis", "Pereira", "PT", ("pt",)),
    ("Mei", "Chen", "CN", ("zh",)),
    ("Abdoulaye", "Sow", "SN", ("fr", "wo")),
    ("Irina", "Volkova", "RU", ("ru",)),
    ("Hassan", "Omar", "SO", ("so",)),
    ("Leila", "Karimi", "IR", ("fa",)),
    ("Dritan", "Hoxha", "AL", ("sq",)),
    ("Grace", "Nshimiyimana", "RW", ("rw", "fr")),
    ("Omar", "Bouzid", "DZ", ("ar", "fr")),
    ("Nadia", "Saidi", "TN", ("ar", "fr")),
    ("Paulo", "Santos", "BR", ("pt",)),
    ("Zainab", "Jalloh", "SL", ("en",)),
    ("Vasyl", "Shevchenko", "UA", ("uk",)),
    ("Sara", "Gashi", "XK", ("sq",)),
    ("Moussa", "Keita", "CI", ("fr",)),
]

_NOTES = [
    "Premier entretien: situation expliquée, documents à rassembler.",
    "Appel au CPAS pour l'avance sur le revenu d'intégration.",
    "Rendez-vous fixé avec l'avocate pour le recours.",
    "Lettre de l'Office des étrangers reçue, à traduire avec l'interprète.",
    "Le propriétaire accepte un plan d'apurement des arriérés.",
]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def load_demo(ctx: ApplicationContext, accounts: StaffAccounts, now: datetime, seed: int = 42) -> dict[str, int]:
    """Load the dataset; returns how many of each thing were made."""
    rng = random.Random(seed)  # noqa: S311 (made-up demo data, not secrets)
    staff = {}
    for username, name, role, password in DEMO_STAFF:
        # The helper works at the main site, where the demo's visitors wait (the board opens there).
        site = ctx.centre.sites[0] if role is Role.OFFICE_HOURS_HELPER else None
        member = await accounts.create(username, name, password, [role], now, site=site)
        staff[username] = Actor(member.staff_id, member.roles)
    ines, sophie, karim = staff["ines"], staff["sophie"], staff["karim"]

    person_ids: list[UUID] = []
    for n, (given, family, nationality, languages) in enumerate(PEOPLE):
        details = PersonDetails(
            given_name=given,
            family_name=family,
            birth_date=date(1970 + n % 35, 1 + n % 12, 1 + n % 27),
            nationality=nationality,
            languages=languages,
            preferred_language=languages[0],
            contact=ContactDetails(
                phone=f"+32 47{n % 10} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                address=f"Rue de la Démo {n + 1}, 4000 Liège",
            ),
            situations=(rng.choice([Situation.JOBSEEKER, Situation.NEWCOMER, Situation.NEET]),),
        )
        registered = await people.register_person(ctx, ines, people.RegisterPerson(details))
        person_ids.append(registered.person_id)
        if n % 3 != 2:
            for purpose in (Purpose.SHARE_TRAINING_WITH_SOCIAL_LEGAL, Purpose.SHARE_OFFICE_HOURS_WITH_TRAINERS):
                await consent.give_consent(
                    ctx, ines, consent.GiveConsent(registered.person_id, purpose, Evidence.SIGNED_FORM)
                )

    today = now.date()
    learners = 0
    for index, trainer in enumerate(("julie", "thomas")):
        start = _monday(today) - timedelta(days=14 + 7 * index)
        scheduled = await cohorts.schedule_cohort(
            ctx,
            staff[trainer],
            cohorts.ScheduleCohort(
                name=f"DigiLab {start:%d/%m}",
                site="Liège centre",
                starts_on=start,
                ends_on=start + timedelta(days=25),
                trainer_ids=(staff[trainer].staff_id,),
            ),
        )
        records = []
        for person_id in person_ids[index * 12 : (index + 1) * 12]:
            enrolled = await cohorts.enrol(ctx, staff[trainer], cohorts.Enrol(scheduled.cohort_id, person_id))
            records.append(enrolled.record_id)
            learners += 1
        await _training_fortnight(ctx, staff[trainer], scheduled.cohort_id, records, start, today, rng)

    visits = await _office_hours(ctx, ines, person_ids[24:], today, rng)
    opened = await _cases(ctx, ines, sophie, karim, person_ids, rng)
    return {"staff": len(staff), "people": len(person_ids), "learners": learners, "visits": visits, "cases": opened}


async def _training_fortnight(
    ctx: ApplicationContext,
    trainer: Actor,
    cohort_id: UUID,
    records: list[UUID | None],
    start: date,
    today: date,
    rng: random.Random,
) -> None:
    enrolled = [r for r in records if r is not None]
    day = start
    while day < today and day < start + timedelta(days=14):
        if day.weekday() < 5:
            marks = tuple(
                training.AttendanceMark(r, rng.choices(list(AttendanceStatus), weights=[85, 6, 6, 3])[0])
                for r in enrolled
            )
            await training.record_attendance(ctx, trainer, training.RecordAttendance(cohort_id, day, marks))
        day += timedelta(days=1)
    for record_id in enrolled:
        initial = tuple(training.CompetenceLevel(c.code, rng.randint(1, 3)) for c in COMPETENCES)
        await training.assess_digcomp(ctx, trainer, training.AssessDigComp(record_id, AssessmentKind.INITIAL, initial))


async def _office_hours(
    ctx: ApplicationContext, helper: Actor, visitors: list[UUID], today: date, rng: random.Random
) -> int:
    count = 0
    for n, person_id in enumerate(visitors):
        session = today - timedelta(days=2 * (n % 3))
        visit = await office_hours.check_in(ctx, helper, office_hours.CheckIn(person_id, session, ctx.centre.sites[0]))
        if n % 4 == 3:
            count += 1
            continue  # still waiting on the board
        await office_hours.call_visitor(ctx, helper, office_hours.CallVisitor(visit.visit_id))
        category = rng.choice(list(RequestCategory))
        await office_hours.record_help(
            ctx,
            helper,
            office_hours.RecordHelp(
                visit.visit_id, category, "Demande d'aide en ligne", "Démarche faite ensemble", rng.randint(10, 45)
            ),
        )
        count += 1
    return count


async def _cases(
    ctx: ApplicationContext, helper: Actor, sophie: Actor, karim: Actor, person_ids: list[UUID], rng: random.Random
) -> int:
    domains = [CaseDomain.HOUSING, CaseDomain.RESIDENCE_IMMIGRATION, CaseDomain.SOCIAL_BENEFITS, CaseDomain.DEBT]
    opened = 0
    for n, person_id in enumerate(person_ids[24:32]):
        worker = sophie if n % 2 == 0 else karim
        if n % 3 == 0:
            referral = await referrals.make_internal_referral(
                ctx,
                helper,
                referrals.MakeInternalReferral(
                    person_id, ReferralSource.OFFICE_HOURS, "Besoin d'un suivi social et juridique"
                ),
            )
            if n % 2 == 0:
                continue  # waiting for an answer on the caseload
            accepted = await referrals.accept_referral(
                ctx,
                worker,
                referrals.AcceptReferral(
                    referral.referral_id, domains[n % 4], worker.staff_id, "Suivi après la permanence"
                ),
            )
            case_id = accepted.case_id
        else:
            case_id = (
                await cases.open_case(
                    ctx, worker, cases.OpenCase(person_id, domains[n % 4], worker.staff_id, "Premier accueil")
                )
            ).case_id
        assert case_id is not None
        opened += 1
        for note in rng.sample(_NOTES, 2):
            await case_notes.add_note(ctx, worker, case_notes.AddNote(case_id=case_id, note_id=ctx.new_id(), text=note))
        due = ctx.clock().date() + timedelta(days=rng.choice([-3, 2, 7, 14]))
        await case_notes.set_follow_up(
            ctx,
            worker,
            case_notes.SetFollowUp(
                case_id=case_id, follow_up_id=ctx.new_id(), due_on=due, description="Rappeler la personne"
            ),
        )
    return opened

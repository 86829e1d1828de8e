"""A social worker's own people stay hers without breaking the glass: those she registered, and
those whose case is hers, open or closed within the retention period. A colleague's person, or a
case closed longer ago than the retention period, still needs a written reason."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.base import Category
from domain.case import Case, CaseDomain, CaseOutcome
from domain.person import Person
from domain.policy import Role, access
from service.application.authorisation import SOCIAL_LEGAL_RETENTION_YEARS, relation_to
from service.application.case_notes import (
    AddNote,
    MarkFollowUpDone,
    SetFollowUp,
    add_note,
    mark_follow_up_done,
    set_follow_up,
)
from service.application.cases import CloseCase, OpenCase, ReopenCase, close_case, open_case, reopen_case
from service.application.context import Actor, Centre
from service.application.errors import NotAuthorisedError
from service.application.views.case_file import case_file
from tests.application.support import MeetBeforeSaving, details, register
from tests.conftest import catch_up_all

DAY = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
SOCIAL_WORKER = (Role.SOCIAL_WORKER,)


def _person(by: UUID) -> Person:
    return Person.register(uuid4(), "2026-00001", details("Amina", "Diallo"), DAY, by)


def _case(person: Person, social_worker: UUID) -> Case:
    return Case.open(uuid4(), person.id, CaseDomain.HOUSING, social_worker, "expulsion", DAY, social_worker)


def _reads_social_legal(actor: Actor, **relation: object) -> bool:
    grant = access(actor.roles, relation_to(actor, **relation))[Category.SOCIAL_LEGAL]  # type: ignore[arg-type]
    return grant.allows_read() and not grant.break_glass


# ---- the policy, on real aggregates


def test_the_people_she_registered_are_hers_without_a_case(social_worker, other_social_worker) -> None:
    person = _person(social_worker.staff_id)
    assert _reads_social_legal(social_worker, person=person)
    assert not _reads_social_legal(other_social_worker, person=person)


def test_the_person_of_a_colleagues_case_is_not_hers(social_worker, other_social_worker, helper) -> None:
    person = _person(helper.staff_id)
    case = _case(person, other_social_worker.staff_id)
    assert _reads_social_legal(other_social_worker, case=case, person=person, on=DAY.date())
    assert not _reads_social_legal(social_worker, case=case, person=person, on=DAY.date())


def test_a_case_she_closed_stays_hers_for_the_retention_period_and_no_longer(social_worker, helper) -> None:
    person = _person(helper.staff_id)
    case = _case(person, social_worker.staff_id)
    case.close(CaseOutcome.RESOLVED, "", DAY, social_worker.staff_id)
    years = SOCIAL_LEGAL_RETENTION_YEARS

    assert _reads_social_legal(social_worker, case=case, person=person, on=date(2026 + years, 9, 1))
    assert not _reads_social_legal(social_worker, case=case, person=person, on=date(2026 + years, 9, 2))
    assert not _reads_social_legal(social_worker, case=case, on=date(2027, 9, 1), kept_years=0)
    assert not _reads_social_legal(social_worker, case=case)  # no day given: only an open case counts


def test_a_case_given_to_a_colleague_is_no_longer_hers(social_worker, other_social_worker, helper) -> None:
    person = _person(helper.staff_id)
    case = _case(person, social_worker.staff_id)
    case.reassign(other_social_worker.staff_id, "congé", DAY, social_worker.staff_id)
    case.close(CaseOutcome.RESOLVED, "", DAY, other_social_worker.staff_id)
    assert not _reads_social_legal(social_worker, case=case, on=DAY.date())
    assert _reads_social_legal(other_social_worker, case=case, on=DAY.date())


# ---- the commands


async def test_right_after_registering_she_opens_a_case_and_writes_without_breaking_the_glass(
    ctx, social_worker
) -> None:
    person_id = await register(ctx, social_worker, "Mariam", "Traoré")
    opening = OpenCase(person_id, CaseDomain.HOUSING, social_worker.staff_id, "bail")
    case_id = (await open_case(ctx, social_worker, opening)).case_id

    noted = await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="premier entretien"))

    assert not noted.break_glass


async def test_the_person_she_registered_stays_hers_to_write_in_a_colleagues_case(
    ctx, social_worker, other_social_worker
) -> None:
    person_id = await register(ctx, social_worker, "Mariam", "Traoré")
    opening = OpenCase(person_id, CaseDomain.HOUSING, other_social_worker.staff_id, "bail")
    case_id = (await open_case(ctx, other_social_worker, opening)).case_id

    noted = await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="je la connais"))

    assert not noted.break_glass


async def test_she_reopens_her_closed_case_without_a_reason_within_the_retention_period(
    ctx, clock, social_worker, helper
) -> None:
    person_id = await register(ctx, helper, "Oleksandr", "Kovalenko")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.WORK, social_worker.staff_id, "emploi"))
    ).case_id
    await close_case(ctx, social_worker, CloseCase(case_id, outcome=CaseOutcome.RESOLVED))
    clock.advance(days=365 * 2)

    reopened = await reopen_case(ctx, social_worker, ReopenCase(case_id, reason="nouveau courrier du Forem"))

    assert not reopened.break_glass
    assert not (await ctx.repository.get(Case, case_id)).closed


async def test_a_case_closed_longer_ago_than_retention_needs_the_glass_broken(
    ctx, clock, social_worker, helper
) -> None:
    person_id = await register(ctx, helper, "Oleksandr", "Kovalenko")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.WORK, social_worker.staff_id, "emploi"))
    ).case_id
    await close_case(ctx, social_worker, CloseCase(case_id, outcome=CaseOutcome.RESOLVED))
    clock.advance(days=365 * (SOCIAL_LEGAL_RETENTION_YEARS + 1))

    with pytest.raises(NotAuthorisedError):
        await reopen_case(ctx, social_worker, ReopenCase(case_id, reason="il revient"))
    reopened = await reopen_case(
        ctx, social_worker, ReopenCase(case_id, "il revient après six ans", reason="il revient")
    )
    assert reopened.break_glass


async def test_a_colleagues_person_still_needs_the_glass_broken(ctx, social_worker, other_social_worker) -> None:
    person_id = await register(ctx, other_social_worker, "Yusuf", "Kaya")
    case_id = (
        await open_case(
            ctx, other_social_worker, OpenCase(person_id, CaseDomain.DEBT, other_social_worker.staff_id, "dettes")
        )
    ).case_id

    with pytest.raises(NotAuthorisedError):
        await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="curieuse"))
    with pytest.raises(NotAuthorisedError):
        await close_case(ctx, social_worker, CloseCase(case_id, outcome=CaseOutcome.OTHER))


# ---- the file she reads (through the caseload read model)


async def test_she_reads_the_file_of_the_person_she_registered_without_breaking_the_glass(
    ctx, runner, social_worker, other_social_worker
) -> None:
    person_id = await register(ctx, social_worker, "Fatima", "Benali")
    await catch_up_all(runner)

    mine = await case_file(ctx, social_worker, person_id)
    theirs = await case_file(ctx, other_social_worker, person_id)

    assert "social_legal" in mine.categories and not mine.break_glass
    assert "social_legal" not in theirs.categories


async def test_the_file_of_her_closed_case_is_hers_until_the_retention_period_ends(
    ctx, clock, runner, social_worker, helper
) -> None:
    person_id = await register(ctx, helper, "Tigist", "Bekele")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.FAMILY, social_worker.staff_id, "garde"))
    ).case_id
    await close_case(ctx, social_worker, CloseCase(case_id, outcome=CaseOutcome.RESOLVED))
    await catch_up_all(runner)
    clock.advance(days=365 * 4)
    assert "social_legal" in (await case_file(ctx, social_worker, person_id)).categories

    clock.now += timedelta(days=365 * 2)
    assert "social_legal" not in (await case_file(ctx, social_worker, person_id)).categories


async def test_the_centres_retention_setting_decides_how_long_her_closed_case_stays_hers(
    ctx, clock, runner, social_worker, helper
) -> None:
    person_id = await register(ctx, helper, "Hanna", "Tesfaye")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.HOUSING, social_worker.staff_id, "bail"))
    ).case_id
    await close_case(ctx, social_worker, CloseCase(case_id, outcome=CaseOutcome.RESOLVED))
    await catch_up_all(runner)
    clock.advance(days=365 * 2 + 10)  # a little over two years (2028 has a 29 February)
    two_years = dataclasses.replace(ctx, centre=Centre(retention_social_legal_years=2))

    assert "social_legal" in (await case_file(ctx, social_worker, person_id)).categories
    assert "social_legal" not in (await case_file(two_years, social_worker, person_id)).categories
    with pytest.raises(NotAuthorisedError):
        await reopen_case(two_years, social_worker, ReopenCase(case_id, reason="il revient"))


# ---- follow-ups


async def test_marking_a_follow_up_done_is_never_refused_for_a_concurrent_note(ctx, social_worker) -> None:
    person_id = await register(ctx, social_worker, "Irina", "Volkova")
    opening = OpenCase(person_id, CaseDomain.RESIDENCE_IMMIGRATION, social_worker.staff_id, "titre de séjour")
    case_id = (await open_case(ctx, social_worker, opening)).case_id
    follow_up_id = uuid4()
    setting = SetFollowUp(case_id, follow_up_id=follow_up_id, due_on=date(2026, 9, 15), description="Recours")
    await set_follow_up(ctx, social_worker, setting)
    racing = dataclasses.replace(ctx, repository=MeetBeforeSaving(ctx.repository, parties=2))

    await asyncio.gather(
        mark_follow_up_done(racing, social_worker, MarkFollowUpDone(case_id, follow_up_id=follow_up_id)),
        add_note(racing, social_worker, AddNote(case_id, note_id=uuid4(), text="recours envoyé")),
    )

    case = await ctx.repository.get(Case, case_id)
    assert case.follow_ups[follow_up_id].done_on == DAY.date() and len(case.notes) == 1
    again = await mark_follow_up_done(ctx, social_worker, MarkFollowUpDone(case_id, follow_up_id=follow_up_id))
    assert again.versions[case_id] == case.version  # done already: nothing more recorded

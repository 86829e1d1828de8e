"""Rights requests: one month to answer, up to two more with a reason, and what is overdue or nearly due."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.case import CaseDomain
from domain.person import Person, ProcessingRestrictedError
from domain.rights import ExtensionRefusedError, IdentityCheck, ObjectionDecision, RequestStatus, Right, add_months
from service.application.case_notes import AddNote, add_note
from service.application.cases import OpenCase, open_case
from service.application.errors import NotAuthorisedError
from service.application.gdpr import RestrictProcessing, restrict_processing
from service.gdpr.export import export_person
from service.gdpr.requests import (
    AnswerRequest,
    DecideObjection,
    ExtendDeadline,
    ReceiveRequest,
    RefuseRequest,
    answer_request,
    decide_objection,
    extend_deadline,
    list_requests,
    receive_request,
    refuse_request,
)
from tests.application.support import register


def received(person_id, right=Right.ACCESS, on=date(2026, 9, 1)):
    return ReceiveRequest(
        person_id=person_id,
        right=right,
        received_on=on,
        identity_check=IdentityCheck.ID_DOCUMENT,
        identity_note="identity card seen",
    )


def test_one_month_is_the_same_day_next_month_or_the_last_day_of_a_shorter_month():
    assert add_months(date(2026, 9, 1), 1) == date(2026, 10, 1)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 3) == date(2027, 3, 15)


async def test_a_request_is_due_in_one_month_and_can_be_extended_twice_with_a_reason(ctx, clock, social_worker, dpo):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    request = await receive_request(ctx, dpo, received(person_id))
    assert request.deadline == date(2026, 10, 1) and request.status is RequestStatus.OPEN

    extended = await extend_deadline(
        ctx, dpo, ExtendDeadline(request_id=request.request_id, months=2, reason="archived files to gather")
    )
    assert extended.deadline == date(2026, 12, 1)
    with pytest.raises(ExtensionRefusedError):
        await extend_deadline(ctx, dpo, ExtendDeadline(request_id=request.request_id, months=1, reason="more"))

    answered = await answer_request(ctx, dpo, AnswerRequest(request_id=request.request_id, answer="export sent"))
    assert answered.status is RequestStatus.ANSWERED
    export = await export_person(ctx, dpo, person_id)
    assert [e.event for e in export.rights_requests] == [
        "RightsRequest.Received",
        "RightsRequest.DeadlineExtended",
        "RightsRequest.Answered",
    ]


async def test_an_extension_must_be_announced_within_the_first_month(ctx, clock, social_worker, dpo):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    request = await receive_request(ctx, dpo, received(person_id))
    clock.advance(days=31)
    with pytest.raises(ExtensionRefusedError):
        await extend_deadline(ctx, dpo, ExtendDeadline(request_id=request.request_id, months=1, reason="late"))


async def test_overdue_and_nearly_due_requests_are_listed_answered_ones_are_not(ctx, clock, social_worker, dpo):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    clock.advance(days=40)  # 11 October
    old = await receive_request(ctx, dpo, received(person_id, on=date(2026, 9, 5)))  # due 5 October: overdue
    soon = await receive_request(ctx, dpo, received(person_id, Right.RECTIFICATION, on=date(2026, 9, 14)))  # 14 Oct
    later = await receive_request(ctx, dpo, received(person_id, Right.PORTABILITY, on=date(2026, 10, 10)))
    done = await receive_request(ctx, dpo, received(person_id, Right.ERASURE, on=date(2026, 9, 6)))
    await refuse_request(ctx, dpo, RefuseRequest(request_id=done.request_id, reason="legal hold: court appeal"))

    due = await list_requests(ctx, dpo, warning_days=7, only_due=True)

    assert [(r.request_id, r.overdue, r.nearly_due) for r in due] == [
        (old.request_id, True, False),
        (soon.request_id, False, True),
    ]
    everything = await list_requests(ctx, dpo)
    assert {r.request_id for r in everything} == {old.request_id, soon.request_id, later.request_id, done.request_id}
    with pytest.raises(NotAuthorisedError):
        await list_requests(ctx, social_worker)


async def test_an_objection_restricts_until_the_dpo_decides_and_a_rejection_lifts_it(ctx, social_worker, dpo):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.WORK, social_worker.staff_id, "job search"))
    ).case_id
    objection = await receive_request(ctx, dpo, received(person_id, Right.OBJECTION))
    with pytest.raises(ProcessingRestrictedError):
        await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="called the employer"))

    await decide_objection(
        ctx,
        dpo,
        DecideObjection(
            request_id=objection.request_id, decision=ObjectionDecision.REJECTED, reason="legal obligation"
        ),
    )

    assert not (await ctx.repository.get(Person, person_id)).restricted
    await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="called the employer"))


async def test_an_upheld_objection_keeps_the_person_restricted(ctx, social_worker, dpo):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    objection = await receive_request(ctx, dpo, received(person_id, Right.OBJECTION))
    await decide_objection(
        ctx,
        dpo,
        DecideObjection(
            request_id=objection.request_id, decision=ObjectionDecision.UPHELD, reason="no overriding grounds"
        ),
    )
    assert (await ctx.repository.get(Person, person_id)).restricted


async def test_rejecting_an_objection_keeps_a_restriction_the_dpo_had_imposed_before(ctx, social_worker, dpo):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    await restrict_processing(ctx, dpo, RestrictProcessing(person_id, "accuracy contested"))
    objection = await receive_request(ctx, dpo, received(person_id, Right.OBJECTION))
    await decide_objection(
        ctx,
        dpo,
        DecideObjection(
            request_id=objection.request_id, decision=ObjectionDecision.REJECTED, reason="legal obligation"
        ),
    )
    assert (await ctx.repository.get(Person, person_id)).restricted

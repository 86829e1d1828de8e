"""One person through every service, then exported (everything is there) and erased (nothing is left)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import msgspec
import pytest

from domain.access import AccessRecord
from domain.case import CaseDomain
from domain.case_values import CaseOutcome, DocumentKind
from domain.consent import Body, Evidence, Purpose
from domain.office_hours import RequestCategory
from domain.organisations import OrganisationKind
from domain.person import ContactDetails, PersonDetails, Situation
from domain.rights import IdentityCheck, Right
from domain.training import AssessmentKind, AttendanceStatus
from service.application.case_notes import (
    AddNote,
    MarkFollowUpDone,
    ReferenceDocument,
    SetFollowUp,
    add_note,
    mark_follow_up_done,
    reference_document,
    set_follow_up,
)
from service.application.cases import CloseCase, close_case
from service.application.cohorts import Enrol, ScheduleCohort, enrol, schedule_cohort
from service.application.consent import GiveConsent, WithdrawConsent, give_consent, withdraw_consent
from service.application.frozen_reports import IssuedReport
from service.application.gdpr import LiftRestriction, RestrictProcessing, lift_restriction, restrict_processing
from service.application.office_hours import (
    CallVisitor,
    CheckIn,
    RecordHelp,
    ReferVisit,
    call_visitor,
    check_in,
    record_help,
    refer_visit,
)
from service.application.people import CorrectDetails, RegisterPerson, correct_details, register_person
from service.application.referral_answers import (
    CompleteReferral,
    RecordExternalAcceptance,
    complete_referral,
    record_external_acceptance,
)
from service.application.referrals import AcceptReferral, MakeExternalReferral, accept_referral, make_external_referral
from service.application.reports import Period
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
from service.application.views.statistics import issue_report, issued_file
from service.gdpr.erasure import erase
from service.gdpr.export import export_person
from service.gdpr.html import export_html
from service.gdpr.receipts import ReceiptInvalidError, encode, receipt_for, verify_receipt
from service.gdpr.requests import (
    AnswerRequest,
    ExtendDeadline,
    ReceiveRequest,
    answer_request,
    extend_deadline,
    receive_request,
)
from service.storage.erasures import PersonErasedGoneError
from service.storage.eventstore.tamper import verify
from tests.conftest import catch_up_all, dump

FIRST = PersonDetails(
    given_name="Zeynepka",
    family_name="Kiliçarslanova",
    birth_date=date(1991, 4, 23),
    nationality="TR",
    languages=("tr", "fr"),
    preferred_language="tr",
    contact=ContactDetails(
        phone="+32 470 98 76 54", email="zeynepka.k@example.org", address="Rue des Tanneurs 14, 4000 Liège"
    ),
    situations=(Situation.NEWCOMER,),
)
MOVED = msgspec.structs.replace(FIRST, contact=msgspec.structs.replace(FIRST.contact, address="Quai de la Batte 3"))
SECRETS = [
    "Zeynepka",
    "Kiliçarslanova",
    "+32470987654",  # as it is kept: E.164
    "zeynepka.k@example.org",
    "Rue des Tanneurs 14",
    "Quai de la Batte 3",
    "moved to the quay in August",
    "consent form 2026-117",
    "CERT-DL-0917",
    "Started late, caught up at home",
    "itsme renewal on her phone",
    "installed the app together",
    "landlord ignores the broken boiler",
    "Boiler broken since July, landlord unreachable",
    "phone the landlord about the boiler",
    "landlord promised a repair",
    "lease in box 12",
    "emergency heating allowance",
    "allowance granted in October",
    "boiler repaired",
    "Urgence: appel du CHR pour Madame",
    "Turkish passport seen at the desk",
    "waiting for the archived visit notes",
    "copy of everything sent by post",
]


async def walk(ctx, clock, helper, trainer, social_worker, dpo):
    person_id = (await register_person(ctx, helper, RegisterPerson(FIRST))).person_id
    await correct_details(ctx, helper, CorrectDetails(person_id, MOVED, "moved to the quay in August"))
    await give_consent(
        ctx,
        helper,
        GiveConsent(
            person_id,
            Purpose.SHARE_TRAINING_WITH_SOCIAL_LEGAL,
            Evidence.SIGNED_FORM,
            evidence_reference="consent form 2026-117",
        ),
    )
    cpas = Body(OrganisationKind.CPAS, "CPAS de Liège")
    await give_consent(ctx, social_worker, GiveConsent(person_id, Purpose.EXTERNAL_REFERRAL, Evidence.ORAL, cpas))
    cohort_id = (
        await schedule_cohort(
            ctx,
            trainer,
            ScheduleCohort("DigiLab septembre", "Liège", date(2026, 9, 1), date(2026, 9, 30), (trainer.staff_id,)),
        )
    ).cohort_id
    record_id = (await enrol(ctx, trainer, Enrol(cohort_id, person_id))).record_id
    assert record_id is not None
    await record_attendance(
        ctx,
        trainer,
        RecordAttendance(
            cohort_id, date(2026, 9, 1), (AttendanceMark(record_id, AttendanceStatus.LATE, Decimal("3.5")),)
        ),
    )
    await assess_digcomp(ctx, trainer, AssessDigComp(record_id, AssessmentKind.INITIAL, (CompetenceLevel("1.1", 3),)))
    completion = CompleteTraining(record_id, "CERT-DL-0917", "Started late, caught up at home")  # 1 session of 22
    await complete_training(ctx, trainer, completion)
    visit_id = (await check_in(ctx, helper, CheckIn(person_id, date(2026, 9, 1), "Liège centre"))).visit_id
    await call_visitor(ctx, helper, CallVisitor(visit_id))
    await record_help(
        ctx,
        helper,
        RecordHelp(
            visit_id, RequestCategory.ONLINE_PROCEDURE, "itsme renewal on her phone", "installed the app together", 20
        ),
    )
    referral_id = (
        await refer_visit(ctx, helper, ReferVisit(visit_id, "landlord ignores the broken boiler"))
    ).referral_id
    assert referral_id is not None
    case_id = (
        await accept_referral(
            ctx, social_worker, AcceptReferral(referral_id, CaseDomain.HOUSING, social_worker.staff_id, "boiler")
        )
    ).case_id
    assert case_id is not None
    await add_note(
        ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="Boiler broken since July, landlord unreachable")
    )
    follow_up = uuid4()
    await set_follow_up(
        ctx,
        social_worker,
        SetFollowUp(
            case_id, follow_up_id=follow_up, due_on=date(2026, 9, 8), description="phone the landlord about the boiler"
        ),
    )
    await mark_follow_up_done(
        ctx, social_worker, MarkFollowUpDone(case_id, follow_up_id=follow_up, result="landlord promised a repair")
    )
    await reference_document(
        ctx,
        social_worker,
        ReferenceDocument(case_id, document_id=uuid4(), kind=DocumentKind.CONTRACT, reference="lease in box 12"),
    )
    external = (
        await make_external_referral(
            ctx,
            social_worker,
            MakeExternalReferral(
                person_id, OrganisationKind.CPAS, "CPAS de Liège", "emergency heating allowance", case_id
            ),
        )
    ).referral_id
    await record_external_acceptance(ctx, social_worker, RecordExternalAcceptance(external))
    await complete_referral(ctx, social_worker, CompleteReferral(external, "allowance granted in October"))
    await close_case(
        ctx, social_worker, CloseCase(case_id, outcome=CaseOutcome.RESOLVED, outcome_note="boiler repaired")
    )
    await withdraw_consent(ctx, helper, WithdrawConsent(person_id, Purpose.SHARE_TRAINING_WITH_SOCIAL_LEGAL))
    access = AccessRecord.record(
        uuid4(),
        person_id,
        social_worker.staff_id,
        "case_file",
        "follow_up",
        "break_glass",
        clock(),
        break_glass=True,
        reason="Urgence: appel du CHR pour Madame",
    )
    await ctx.repository.save(access, actor_id=social_worker.staff_id)
    request = await receive_request(
        ctx,
        dpo,
        ReceiveRequest(
            person_id=person_id,
            right=Right.ACCESS,
            received_on=clock().date(),
            identity_check=IdentityCheck.ID_DOCUMENT,
            identity_note="Turkish passport seen at the desk",
        ),
    )
    await extend_deadline(
        ctx, dpo, ExtendDeadline(request_id=request.request_id, months=1, reason="waiting for the archived visit notes")
    )
    await restrict_processing(ctx, dpo, RestrictProcessing(person_id, "accuracy contested"))
    await lift_restriction(ctx, dpo, LiftRestriction(person_id))
    await answer_request(
        ctx, dpo, AnswerRequest(request_id=request.request_id, answer="copy of everything sent by post")
    )
    return person_id, external


async def test_every_fact_entered_is_exported_then_erasure_leaves_none_and_keeps_statistics_and_the_log_intact(
    ctx, runtime, clock, runner, tools, database_url, helper, trainer, social_worker, dpo
):
    person_id, external = await walk(ctx, clock, helper, trainer, social_worker, dpo)

    export = await export_person(ctx, dpo, person_id)
    as_json = msgspec.json.encode(export).decode()
    assert [s for s in SECRETS if s not in as_json] == []
    assert [v.details.contact.address for v in export.identity] == [
        "Rue des Tanneurs 14, 4000 Liège",
        "Quai de la Batte 3",
    ]
    assert [(r.referral_id, r.organisation_name) for r in export.recipients] == [(external, "CPAS de Liège")]
    assert [c.name for c in export.cohorts] == ["DigiLab septembre"]
    assert any(e.event == "Cohort.SeatReserved" for e in export.training)
    assert any(e.facts["break_glass"] for e in export.access_log)
    page = export_html(export, "fr")
    assert "Qui a consulté votre dossier" in page and "Quai de la Batte 3" in page
    assert "Who read your file" in export_html(export, "en")

    await catch_up_all(runner)
    september = Period.parse("2026-09")
    assert september is not None
    issued = await issue_report(ctx, dpo, september, threshold=5, language="fr")
    report_id = msgspec.json.decode(issued.content, type=IssuedReport).report_id
    file_number = export.file_number

    clock.advance(days=1)
    receipt = await erase(ctx, dpo, person_id, tools)
    await catch_up_all(runner)

    after = dump(database_url)
    assert [s for s in SECRETS if s in after] == []
    assert file_number not in after
    assert await issued_file(ctx, dpo, report_id, "json") == issued
    async with runtime.pool.acquire() as db:
        report = await verify(db)
    assert report.intact, report.findings
    assert receipt.events_made_unreadable >= 30 and receipt.key_destroyed
    assert verify_receipt(encode(receipt)).receipt_id == receipt.receipt_id
    tampered = encode(receipt).replace(b'"events_made_unreadable": ', b'"events_made_unreadable": 1')
    with pytest.raises(ReceiptInvalidError):
        verify_receipt(tampered)
    assert (await receipt_for(runtime.pool, person_id)) == receipt
    with pytest.raises(PersonErasedGoneError) as gone:
        await export_person(ctx, dpo, person_id)
    assert gone.value.receipt_id == receipt.receipt_id
    assert tools.ledger.read()[0].subject_id == person_id
    assert await erase(ctx, dpo, person_id, tools) == receipt  # idempotent

"""Every event about a person is stored encrypted under that person's key, and dies with it."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.case import Case, CaseDomain, DocumentKind
from domain.consent import Body, Evidence, Purpose
from domain.office_hours import RequestCategory
from domain.organisations import OrganisationKind
from domain.person import Person
from service.application.case_notes import AddNote, ReferenceDocument, SetFollowUp, add_note, reference_document
from service.application.case_notes import set_follow_up as set_case_follow_up
from service.application.cases import OpenCase, open_case
from service.application.consent import GiveConsent, give_consent
from service.application.office_hours import CheckIn, RecordHelp, ReferVisit, check_in, record_help, refer_visit
from service.application.referrals import MakeExternalReferral, make_external_referral
from service.storage.repository import AggregateErasedError
from tests.application.support import register

SECRETS = [
    "Mariam",
    "Tshibanda",
    "+32 478 55 66 77",
    "landlord threatens to change the locks",
    "residence card F-123456",
    "CPAS de Seraing",
    "scan the payslips",
    "Jean-Luc",
    "Vandermeulen",
    "+32 499 98 76 54",
]


async def scenario(ctx, social_worker, helper) -> dict[UUID, set[UUID]]:
    """A realistic day for two people; returns each person's stream ids."""
    mariam = await register(ctx, helper, "Mariam", "Tshibanda", "+32 478 55 66 77")
    jean_luc = await register(ctx, helper, "Jean-Luc", "Vandermeulen", "+32 499 98 76 54")
    streams: dict[UUID, set[UUID]] = {mariam: {mariam}, jean_luc: {jean_luc}}
    for person_id in (mariam, jean_luc):
        visit = await check_in(ctx, helper, CheckIn(person_id, date(2026, 9, 1), "Liège centre"))
        await record_help(
            ctx, helper, RecordHelp(visit.visit_id, RequestCategory.WRITING, "scan the payslips", "scanned them", 15)
        )
        referred = await refer_visit(ctx, helper, ReferVisit(visit.visit_id, "landlord threatens to change the locks"))
        opened = await open_case(
            ctx, social_worker, OpenCase(person_id, CaseDomain.HOUSING, social_worker.staff_id, "housing")
        )
        case_id = opened.case_id
        await add_note(
            ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="landlord threatens to change the locks")
        )
        await set_case_follow_up(
            ctx,
            social_worker,
            SetFollowUp(case_id, follow_up_id=uuid4(), due_on=date(2026, 9, 8), description="call back"),
        )
        await reference_document(
            ctx,
            social_worker,
            ReferenceDocument(
                case_id, document_id=uuid4(), kind=DocumentKind.RESIDENCE_PERMIT, reference="residence card F-123456"
            ),
        )
        given = await give_consent(
            ctx,
            social_worker,
            GiveConsent(
                person_id,
                Purpose.EXTERNAL_REFERRAL,
                Evidence.SIGNED_FORM,
                Body(OrganisationKind.CPAS, "CPAS de Seraing"),
            ),
        )
        external = await make_external_referral(
            ctx,
            social_worker,
            MakeExternalReferral(person_id, OrganisationKind.CPAS, "CPAS de Seraing", "rent arrears", case_id),
        )
        assert referred.referral_id is not None
        streams[person_id] |= {visit.visit_id, referred.referral_id, case_id, given.consent_record_id}
        streams[person_id].add(external.referral_id)
    return streams


async def test_every_event_about_a_person_is_encrypted_under_their_key(ctx, runtime, clock, social_worker, helper):
    streams = await scenario(ctx, social_worker, helper)
    mariam, jean_luc = list(streams)

    async with runtime.pool.acquire() as connection:
        rows = await connection.fetch("SELECT stream_id, subject_id, key_version, payload FROM events")
        responses = await connection.fetch("SELECT response FROM command_results")
    stored = b"".join(bytes(r["payload"]) for r in rows) + b"".join(bytes(r["response"]) for r in responses)
    for secret in SECRETS:
        assert secret.encode() not in stored, secret
    for row in rows:
        owner = next(p for p, ids in streams.items() if row["stream_id"] in ids)
        assert row["subject_id"] == owner
        assert row["key_version"] > 0

    # The plaintext is really there, behind the key: the check above is not vacuous.
    readable = b"".join(e.payload or b"" for e in await runtime.store.read_subject(mariam))
    assert b"Tshibanda" in readable
    assert b"landlord threatens to change the locks" in readable

    async with runtime.pool.acquire() as connection, connection.transaction():
        await runtime.keys.erase(mariam, clock(), connection)

    erased = await runtime.store.read_subject(mariam)
    assert erased
    assert all(e.erased for e in erased)
    for stream_id in streams[mariam]:
        with pytest.raises(AggregateErasedError):
            await ctx.repository.get(Case, stream_id)
    still_there = await ctx.repository.get(Person, jean_luc)
    assert still_there.details is not None
    assert still_there.details.family_name == "Vandermeulen"
    assert all(not e.erased for e in await runtime.store.read_subject(jean_luc))

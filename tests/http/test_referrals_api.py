"""Referrals over HTTP: consent for outside bodies, written overrides, intake into a case, answers."""

from __future__ import annotations

import uuid

from domain.referral import Referral
from service.storage.repository import Repository
from tests.http.test_cases_api import a_case
from tests.http.test_people_and_case_file import register

REASON = "Dettes d'énergie, demande de guidance budgétaire"


def to_cpas(person_id: str, case_id: str, **changes) -> dict:
    body = {
        "person_id": person_id,
        "organisation_kind": "cpas",
        "organisation_name": "CPAS de Liège",
        "reason": REASON,
        "case_id": case_id,
    }
    return {**body, **changes}


async def give_referral_consent(api, person_id: str) -> None:
    consent = {"purpose": "external_referral", "evidence": "signed_form", "body_kind": "cpas"}
    response = await api.post(f"/people/{person_id}/consents", json=consent)
    assert response.status_code == 201, response.text


async def test_external_referral_without_consent_is_refused_unless_overridden_in_writing(staff, runtime_of) -> None:
    person_id, case_id = await a_case(staff)
    refused = await staff["social_worker"].post("/referrals/external", json=to_cpas(person_id, case_id))
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"] == "/problems/rule-broken" and REASON not in refused.text
    override = "Urgence: coupure de gaz demain, personne injoignable"
    made = await staff["social_worker"].post(
        "/referrals/external", json=to_cpas(person_id, case_id, override_reason=override)
    )
    assert made.status_code == 201, made.text
    assert made.json()["consent"] is None
    referral = await Repository(runtime_of().store).get(Referral, uuid.UUID(made.json()["ids"]["referral_id"]))
    assert referral.consent_override_reason == override


async def test_external_referral_relies_on_the_consent_given_and_says_which(staff) -> None:
    person_id, case_id = await a_case(staff)
    await give_referral_consent(staff["social_worker"], person_id)
    made = await staff["social_worker"].post("/referrals/external", json=to_cpas(person_id, case_id))
    assert made.status_code == 201, made.text
    assert made.json()["consent"]["purpose"] == "external_referral"
    referral_id = made.json()["ids"]["referral_id"]
    accepted = await staff["social_worker"].post(f"/referrals/{referral_id}/acceptance", json={})
    assert accepted.status_code == 200, accepted.text
    stale = await staff["social_worker"].post(
        f"/referrals/{referral_id}/completion", json={"outcome": "plan signed"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    done = await staff["social_worker"].post(f"/referrals/{referral_id}/completion", json={"outcome": "plan signed"})
    assert done.status_code == 200 and done.headers["ETag"] == '"3"'


async def test_internal_referral_accepted_opens_a_case_that_appears_in_the_caseload(staff, project) -> None:
    person_id = await register(staff["helper"])
    body = {"person_id": person_id, "source": "office_hours", "reason": REASON}
    made = await staff["helper"].post("/referrals/internal", json=body)
    assert made.status_code == 201, made.text
    referral_id = made.json()["ids"]["referral_id"]
    await project()
    waiting = (await staff["social_worker"].get("/caseload")).json()["referrals_waiting"]
    assert [(r["referral_id"], r["given_name"]) for r in waiting] == [(referral_id, "Nadia")]
    acceptance = {"domain": "debt", "summary": "Guidance budgétaire"}
    headers = {"Idempotency-Key": "accept-referral-01"}
    accepted = await staff["social_worker"].post(
        f"/referrals/{referral_id}/acceptance", json=acceptance, headers=headers
    )
    again = await staff["social_worker"].post(f"/referrals/{referral_id}/acceptance", json=acceptance, headers=headers)
    assert accepted.status_code == again.status_code == 200, accepted.text
    assert accepted.json() == again.json()
    case_id = accepted.json()["ids"]["case_id"]
    await project()
    caseload = (await staff["social_worker"].get("/caseload")).json()
    assert [(c["case_id"], c["person_id"], c["family_name"]) for c in caseload["cases"]] == [
        (case_id, person_id, "Benali")
    ]
    assert caseload["referrals_waiting"] == []


async def test_internal_referral_is_declined_by_intake_or_withdrawn_by_whoever_made_it(staff) -> None:
    person_id = await register(staff["helper"])
    body = {"person_id": person_id, "source": "training", "reason": REASON}
    first = (await staff["helper"].post("/referrals/internal", json=body)).json()["ids"]["referral_id"]
    second = (await staff["helper"].post("/referrals/internal", json=body)).json()["ids"]["referral_id"]
    declined = await staff["social_worker"].post(f"/referrals/{first}/decline", json={"reason": "not our service"})
    assert declined.status_code == 200, declined.text
    withdrawn = await staff["helper"].post(f"/referrals/{second}/withdrawal", json={"reason": "sorted out"})
    assert withdrawn.status_code == 200, withdrawn.text
    again = await staff["helper"].post(f"/referrals/{second}/withdrawal", json={"reason": "sorted out"})
    assert again.status_code == 422 and again.json()["type"] == "/problems/rule-broken"


async def test_trainer_is_refused_every_referral_endpoint_and_reads_no_social_legal_text(staff) -> None:
    person_id, case_id = await a_case(staff)
    made = await staff["helper"].post(
        "/referrals/internal", json={"person_id": person_id, "source": "office_hours", "reason": REASON}
    )
    referral_id = made.json()["ids"]["referral_id"]
    calls = {
        "/referrals/internal": {"person_id": person_id, "source": "training", "reason": REASON},
        "/referrals/external": to_cpas(person_id, case_id, override_reason="Urgence"),
        f"/referrals/{referral_id}/acceptance": {"domain": "debt", "summary": "Guidance"},
        f"/referrals/{referral_id}/decline": {"reason": "x"},
        f"/referrals/{referral_id}/completion": {},
        f"/referrals/{referral_id}/withdrawal": {"reason": "x"},
    }
    for url, body in calls.items():
        response = await staff["trainer"].post(url, json=body)
        assert response.status_code == 403, (url, response.text)
        assert "Dettes" not in response.text and "Guidance" not in response.text and "Expulsion" not in response.text

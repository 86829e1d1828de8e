"""The social worker's day over HTTP: only the addressee answers a referral (403 otherwise), and
the caseload lists her follow-ups, her closed cases and the referrals she sent apart from those
she received."""

from __future__ import annotations

from tests.http.test_cases_api import a_case
from tests.http.test_people_and_case_file import register
from tests.http.test_referrals_api import REASON, to_cpas


async def _consent_to_the_cpas_of_liege(api, person_id: str) -> None:
    consent = {"purpose": "external_referral", "evidence": "oral", "body_kind": "cpas", "body_name": "CPAS de Liège"}
    response = await api.post(f"/people/{person_id}/consents", json=consent)
    assert response.status_code == 201, response.text


async def test_a_colleague_with_no_link_gets_403_on_declining_or_accepting_her_referral(staff) -> None:
    person_id, case_id = await a_case(staff)
    await _consent_to_the_cpas_of_liege(staff["social_worker"], person_id)
    made = await staff["social_worker"].post("/referrals/external", json=to_cpas(person_id, case_id))
    assert made.status_code == 201, made.text
    referral_id = made.json()["ids"]["referral_id"]

    declined = await staff["other_social_worker"].post(f"/referrals/{referral_id}/decline", json={"reason": "non"})
    accepted = await staff["other_social_worker"].post(f"/referrals/{referral_id}/acceptance", json={})

    for answer in (declined, accepted):
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert person_id not in answer.text and REASON not in answer.text
    mine = await staff["social_worker"].post(f"/referrals/{referral_id}/decline", json={"reason": "refusé par le CPAS"})
    assert mine.status_code == 200, mine.text


async def test_a_consent_naming_the_body_spares_the_override_for_that_body_only(staff) -> None:
    person_id, case_id = await a_case(staff)
    await _consent_to_the_cpas_of_liege(staff["social_worker"], person_id)

    to_liege = await staff["social_worker"].post("/referrals/external", json=to_cpas(person_id, case_id))
    to_seraing = await staff["social_worker"].post(
        "/referrals/external", json=to_cpas(person_id, case_id, organisation_name="CPAS de Seraing")
    )

    assert to_liege.status_code == 201 and to_liege.json()["consent"]["purpose"] == "external_referral"
    assert to_seraing.status_code == 422, to_seraing.text
    assert to_seraing.json()["type"] == "/problems/rule-broken"


async def test_the_caseload_keeps_sent_referrals_apart_and_lists_follow_ups_and_closed_cases(staff, project) -> None:
    sophie = staff["social_worker"]
    person_id, case_id = await a_case(staff)
    await _consent_to_the_cpas_of_liege(sophie, person_id)
    made = await sophie.post("/referrals/external", json=to_cpas(person_id, case_id))
    follow_up = await sophie.post(
        f"/cases/{case_id}/follow-ups", json={"due_on": "2026-08-20", "description": "Appeler"}
    )
    assert follow_up.status_code == 201, follow_up.text
    other_person = await register(staff["helper"], given_name="Paulo", family_name="Santos")
    other_case = await sophie.post("/cases", json={"person_id": other_person, "domain": "debt", "summary": "dettes"})
    closed_id = other_case.json()["ids"]["case_id"]
    assert (await sophie.post(f"/cases/{closed_id}/closure", json={"outcome": "resolved"})).status_code == 200
    await project()

    load = (await sophie.get("/caseload")).json()

    assert load["referrals_waiting"] == []
    assert [r["referral_id"] for r in load["referrals_sent"]] == [made.json()["ids"]["referral_id"]]
    assert [(f["case_id"], f["overdue"]) for f in load["follow_ups"]] == [(case_id, True)]
    assert [c["case_id"] for c in load["closed_cases"]] == [closed_id]

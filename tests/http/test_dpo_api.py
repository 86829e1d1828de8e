"""The DPO's toolkit over HTTP: rights requests, export, erasure, legal holds, restriction, retention, register."""

from __future__ import annotations

import uuid

import pytest

from service.gdpr.receipts import verify_receipt
from tests.http.conftest import PASSWORD
from tests.http.test_cases_api import NOTE, SUMMARY, open_case
from tests.http.test_people_and_case_file import PERSON

OTHER_ROLES = ("social_worker", "trainer", "helper", "admin")


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def registered(api) -> tuple[str, str]:
    """A new person's id and file number."""
    response = await api.post("/people", json=PERSON, headers=key())
    assert response.status_code == 201, response.text
    return response.json()["ids"]["person_id"], response.json()["ids"]["file_number"]


def every_dpo_endpoint(person_id: str, request_id: str, hold_id: str) -> list[tuple[str, str, dict | None]]:
    people = f"/dpo/people/{person_id}"
    requests = f"/dpo/requests/{request_id}"
    received = {
        "person_id": person_id,
        "right": "access",
        "received_on": "2026-08-20",
        "identity_check": "id_document",
    }
    return [
        ("POST", "/dpo/requests", received),
        ("POST", f"{requests}/extension", {"reason": "many records to gather", "months": 1}),
        ("POST", f"{requests}/answer", {"answer": "export handed over"}),
        ("POST", f"{requests}/refusal", {"reason": "manifestly unfounded"}),
        ("POST", f"{requests}/objection-decision", {"decision": "upheld", "reason": "no overriding grounds"}),
        ("GET", "/dpo/requests?due=true", None),
        ("GET", f"{people}/export", None),
        ("GET", f"{people}/export.html?language=en", None),
        ("GET", f"{people}/erasure-plan", None),
        ("POST", f"{people}/erasure", {"confirm_file_number": "2026-00001"}),
        ("POST", f"{people}/legal-holds", {"basis": "art_17_3_e_legal_claims", "note": "appeal pending"}),
        ("POST", f"{people}/legal-holds/{hold_id}/lift", None),
        ("POST", f"{people}/restriction", {"reason": "accuracy contested"}),
        ("POST", f"{people}/restriction/lift", None),
        ("GET", "/dpo/retention", None),
        ("POST", "/dpo/retention/run", None),
        ("GET", "/dpo/record-of-processing", None),
        ("GET", "/dpo/record-of-processing.html", None),
    ]


async def test_every_dpo_endpoint_is_refused_to_every_other_role(staff) -> None:
    person_id, _ = await registered(staff["helper"])
    endpoints = every_dpo_endpoint(person_id, str(uuid.uuid4()), str(uuid.uuid4()))
    for role in OTHER_ROLES:
        for method, url, body in endpoints:
            response = await staff[role].request(method, url, json=body, headers=key())
            assert response.status_code == 403, (role, method, url, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
    anonymous = await staff["dpo"].client.get("/dpo/requests")
    assert anonymous.status_code == 401


async def receive(dpo, person_id: str, received_on: str, right: str = "access") -> str:
    body = {"person_id": person_id, "right": right, "received_on": received_on, "identity_check": "known_in_person"}
    response = await dpo.post("/dpo/requests", json=body, headers=key())
    assert response.status_code == 201, response.text
    return response.json()["ids"]["request_id"]


async def test_overdue_and_nearly_due_requests_are_listed_first_and_extensions_move_deadlines(staff) -> None:
    dpo = staff["dpo"]
    person_id, _ = await registered(staff["helper"])
    later = await receive(dpo, person_id, "2026-08-30")  # deadline 30 September: not due yet (today is 1 September)
    overdue = await receive(dpo, person_id, "2026-07-20")  # deadline 20 August
    nearly = await receive(dpo, person_id, "2026-08-05", right="portability")  # deadline 5 September

    due = (await dpo.get("/dpo/requests?due=true")).json()
    assert [(r["request_id"], r["overdue"], r["nearly_due"]) for r in due] == [
        (overdue, True, False),
        (nearly, False, True),
    ]
    everything = (await dpo.get("/dpo/requests")).json()
    assert [r["request_id"] for r in everything] == [overdue, nearly, later]

    too_long = await dpo.post(f"/dpo/requests/{nearly}/extension", json={"reason": "volume", "months": 3})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "months"
    extended = await dpo.post(
        f"/dpo/requests/{nearly}/extension", json={"reason": "records in three services", "months": 2}, headers=key()
    )
    assert extended.status_code == 200, extended.text
    answered = await dpo.post(f"/dpo/requests/{overdue}/answer", json={"answer": "export handed over in person"})
    assert answered.status_code == 200, answered.text
    assert (await dpo.get("/dpo/requests?due=true")).json() == []
    summaries = {r["request_id"]: r for r in (await dpo.get("/dpo/requests")).json()}
    assert summaries[nearly]["deadline"] == "2026-11-05" and summaries[nearly]["extension_months"] == 2
    assert summaries[overdue]["status"] == "answered"
    again = await dpo.post(f"/dpo/requests/{overdue}/refusal", json={"reason": "already answered"})
    assert again.status_code == 422


async def test_an_objection_restricts_the_person_until_the_dpo_rejects_it(staff, project) -> None:
    person_id, _ = await registered(staff["social_worker"])
    request_id = await receive(staff["dpo"], person_id, "2026-08-31", right="objection")
    await project()
    assert (await staff["social_worker"].get(f"/people/{person_id}")).json()["restricted"] is True
    decided = await staff["dpo"].post(
        f"/dpo/requests/{request_id}/objection-decision",
        json={"decision": "rejected", "reason": "compelling legitimate grounds: court-ordered follow-up"},
    )
    assert decided.status_code == 200, decided.text
    await project()
    assert (await staff["social_worker"].get(f"/people/{person_id}")).json()["restricted"] is False


async def test_the_export_holds_the_facts_entered_through_the_api_in_json_and_in_a_printable_document(
    staff, project
) -> None:
    person_id, file_number = await registered(staff["social_worker"])
    case_id = await open_case(staff["social_worker"], person_id)
    note = await staff["social_worker"].post(f"/cases/{case_id}/notes", json={"text": NOTE})
    assert note.status_code == 201, note.text
    await receive(staff["dpo"], person_id, "2026-08-31")
    await project()
    assert (await staff["social_worker"].get(f"/people/{person_id}")).status_code == 200

    response = await staff["dpo"].get(f"/dpo/people/{person_id}/export")
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["schema_version"] >= 1 and export["file_number"] == file_number
    assert export["identity"][0]["details"]["family_name"] == PERSON["family_name"]
    assert SUMMARY in str(export["social_legal"]) and NOTE in str(export["social_legal"])
    assert export["rights_requests"][0]["event"] == "RightsRequest.Received"
    assert [e["facts"]["view"] for e in export["access_log"]] == ["person_card"]

    french = await staff["dpo"].get(f"/dpo/people/{person_id}/export.html")
    assert french.status_code == 200 and french.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in french.text and "Vos données chez nous" in french.text
    assert PERSON["family_name"] in french.text and file_number in french.text
    english = await staff["dpo"].get(f"/dpo/people/{person_id}/export.html?language=en")
    assert '<html lang="en">' in english.text and "Your data held by us" in english.text
    german = await staff["dpo"].get(f"/dpo/people/{person_id}/export.html?language=de")
    assert german.status_code == 422 and german.json()["errors"][0]["field"] == "language"

    await project()
    log = (await staff["dpo"].get(f"/access-log/people/{person_id}")).json()
    assert "gdpr_export" in {entry["view"] for entry in log}


async def test_erasure_needs_the_file_number_then_every_view_of_the_person_is_gone(staff, project) -> None:
    person_id, file_number = await registered(staff["social_worker"])
    await open_case(staff["social_worker"], person_id)
    await project()
    dpo = staff["dpo"]
    plan = (await dpo.get(f"/dpo/people/{person_id}/erasure-plan")).json()
    assert plan["erasable"] is True and plan["key_to_destroy"] is True and plan["legal_holds"] == []
    assert plan["events_by_category"]["social_legal"] >= 1

    wrong = await dpo.post(f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": "1999-00000"})
    assert wrong.status_code == 422
    assert [e["field"] for e in wrong.json()["errors"]] == ["confirm_file_number"]
    assert (await dpo.get(f"/dpo/people/{person_id}/erasure-plan")).json()["erasable"] is True
    assert (await staff["social_worker"].get(f"/people/{person_id}")).status_code == 200

    erased = await dpo.post(
        f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": file_number}, headers=key()
    )
    assert erased.status_code == 201, erased.text
    receipt = verify_receipt(erased.content)
    assert str(receipt.person_id) == person_id and receipt.key_destroyed
    assert PERSON["family_name"] not in erased.text and file_number not in erased.text
    retried = await dpo.post(f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": file_number})
    assert retried.status_code == 200 and retried.json()["receipt_id"] == str(receipt.receipt_id)

    await project()
    views = [
        (staff["social_worker"], "GET", f"/people/{person_id}", None),
        (staff["social_worker"], "GET", f"/people/{person_id}/file", None),
        (staff["social_worker"], "GET", f"/people/{person_id}/training-history", None),
        (dpo, "GET", f"/dpo/people/{person_id}/export", None),
        (dpo, "GET", f"/dpo/people/{person_id}/export.html", None),
        (dpo, "GET", f"/access-log/people/{person_id}", None),
        (
            staff["social_worker"],
            "POST",
            f"/people/{person_id}/consents",
            {"purpose": "share_training_with_social_legal", "evidence": "signed_form"},
        ),
    ]
    for api, method, url, body in views:
        response = await api.request(method, url, json=body)
        assert response.status_code == 410, (url, response.text)
        assert response.json()["receipt_id"] == str(receipt.receipt_id), url


async def test_a_legal_hold_refuses_the_erasure_naming_its_basis_until_it_is_lifted(staff, project) -> None:
    person_id, file_number = await registered(staff["helper"])
    await project()
    dpo = staff["dpo"]
    placed = await dpo.post(
        f"/dpo/people/{person_id}/legal-holds",
        json={"basis": "art_17_3_e_legal_claims", "note": "appeal before the labour court"},
        headers=key(),
    )
    assert placed.status_code == 201, placed.text
    hold_id = placed.json()["ids"]["hold_id"]
    plan = (await dpo.get(f"/dpo/people/{person_id}/erasure-plan")).json()
    assert plan["erasable"] is False and plan["legal_holds"][0]["hold_id"] == hold_id

    refused = await dpo.post(f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": file_number})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"] == "/problems/legal-hold"
    assert problem["legal_holds"] == [{"hold_id": hold_id, "basis": "art_17_3_e_legal_claims"}]
    assert "art_17_3_e_legal_claims" in problem["detail"] and hold_id in problem["detail"]
    assert (await staff["helper"].get(f"/people/{person_id}")).status_code == 200

    lifted = await dpo.post(f"/dpo/people/{person_id}/legal-holds/{hold_id}/lift", headers=key())
    assert lifted.status_code == 200, lifted.text
    unknown = await dpo.post(f"/dpo/people/{person_id}/legal-holds/{uuid.uuid4()}/lift")
    assert unknown.status_code == 422
    erased = await dpo.post(f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": file_number})
    assert erased.status_code == 201, erased.text


async def test_a_restriction_blocks_the_social_worker_and_shows_on_the_card_and_the_case_file(staff, project) -> None:
    social_worker, dpo = staff["social_worker"], staff["dpo"]
    person_id, _ = await registered(social_worker)
    case_id = await open_case(social_worker, person_id)
    restricted = await dpo.post(
        f"/dpo/people/{person_id}/restriction", json={"reason": "accuracy contested (Art. 18(1)(a))"}, headers=key()
    )
    assert restricted.status_code == 200, restricted.text
    await project()

    blocked = await social_worker.post(f"/cases/{case_id}/notes", json={"text": NOTE})
    assert blocked.status_code == 423, blocked.text
    assert blocked.json()["type"] == "/problems/restricted"
    assert (await social_worker.get(f"/people/{person_id}")).json()["restricted"] is True
    file = await social_worker.get(f"/people/{person_id}/file")
    assert file.status_code == 200 and file.json()["restricted"] is True

    lifted = await dpo.post(f"/dpo/people/{person_id}/restriction/lift", headers=key())
    assert lifted.status_code == 200, lifted.text
    await project()
    assert (await social_worker.post(f"/cases/{case_id}/notes", json={"text": NOTE})).status_code == 201
    assert (await social_worker.get(f"/people/{person_id}/file")).json()["restricted"] is False


async def sign_in_again(api, username: str) -> None:
    """After the clock jumped past the session's idle timeout."""
    body = {"username": username, "password": PASSWORD, "mode": "bearer"}
    response = await api.client.post("/auth/sign-in", json=body)
    assert response.status_code == 200, response.text
    api.token = response.json()["token"]


async def test_retention_dry_run_lists_who_is_due_and_the_holds_and_the_run_erases_the_others(
    staff, clock, project
) -> None:
    dpo = staff["dpo"]
    kept, _ = await registered(staff["helper"])
    held, _ = await registered(staff["helper"])
    hold = {"basis": "art_17_3_b_legal_obligation", "note": "inspection by the funding body"}
    assert (await dpo.post(f"/dpo/people/{held}/legal-holds", json=hold)).status_code == 201
    assert (await dpo.get("/dpo/retention")).json()["due"] == []

    clock.advance(days=400)  # identity only, never served: kept one year
    await sign_in_again(dpo, "dpo")
    await sign_in_again(staff["helper"], "helper")
    await project()
    report = (await dpo.get("/dpo/retention")).json()
    assert report["dry_run"] is True
    assert {d["person_id"] for d in report["due"]} == {kept, held}
    assert [h["person_id"] for h in report["held"]] == [held]
    assert report["held"][0]["legal_holds"][0]["basis"] == "art_17_3_b_legal_obligation"
    assert report["erased"] == []
    assert (await staff["helper"].get(f"/people/{kept}")).status_code == 200

    run = await dpo.post("/dpo/retention/run", headers=key())
    assert run.status_code == 200, run.text
    assert run.json()["erased"] == [kept] and len(run.json()["receipts"]) == 1
    gone = await staff["helper"].get(f"/people/{kept}")
    assert gone.status_code == 410 and gone.json()["receipt_id"] == run.json()["receipts"][0]
    assert (await staff["helper"].get(f"/people/{held}")).status_code == 200


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_record_of_processing_names_purposes_categories_recipients_retention_and_security(
    staff, language: str
) -> None:
    response = await staff["dpo"].get("/dpo/record-of-processing")
    assert response.status_code == 200, response.text
    register = response.json()
    assert register["activities"] and all(
        a["purpose"] and a["data_categories"] and a["data_subjects"] and a["recipients"] and a["retention"]
        for a in register["activities"]
    )
    assert register["retention_years"] == {"social_legal": 5, "training": 3, "office_hours": 2, "identity_only": 1}
    assert register["external_recipients"] and register["controller"]
    assert any("encryption" in m for m in register["security_measures"])
    assert any("access log" in m for m in register["security_measures"])
    assert any("tamper" in m for m in register["security_measures"])
    document = await staff["dpo"].get(f"/dpo/record-of-processing.html?language={language}")
    assert document.status_code == 200 and document.headers["content-type"].startswith("text/html")
    assert f'<html lang="{language}">' in document.text


async def test_lists_leave_out_a_person_erased_before_the_read_models_catch_up(staff, project) -> None:
    worker, dpo = staff["social_worker"], staff["dpo"]
    kept, erased = [], []
    for bucket in (kept, erased):
        person_id, file_number = await registered(worker)
        opened = await worker.post("/cases", json={"person_id": person_id, "domain": "debt", "summary": "Dettes"})
        assert opened.status_code == 201, opened.text
        bucket.append((person_id, file_number))
    await project()
    person_id, file_number = erased[0]
    gone = await dpo.post(f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": file_number})
    assert gone.status_code == 201, gone.text
    # The caseload read model still lists the erased person's case: the answer must leave them out, not fail.
    caseload = await worker.get("/caseload")
    assert caseload.status_code == 200, caseload.text
    assert [c["person_id"] for c in caseload.json()["cases"]] == [kept[0][0]]

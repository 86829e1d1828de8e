"""The DPO over HTTP, issue 13: finding a person for a rights request, the person named before an erasure,
receipts to download, break-glass accesses reviewed in one list, and the access log after an erasure and grouped."""

from __future__ import annotations

import uuid

from service.gdpr.receipts import verify_receipt
from tests.http.test_dpo_api import key, registered
from tests.http.test_people_and_case_file import PERSON

REASON = "Collègue absente, courrier du CPAS urgent"


async def _break_glass(staff, person_id: str, reason: str = REASON) -> None:
    response = await staff["other_social_worker"].post(f"/people/{person_id}/file/break-glass", json={"reason": reason})
    assert response.status_code == 200, response.text


async def test_the_dpo_finds_a_person_by_file_number_or_by_name_and_birth_date_and_it_is_recorded(
    staff, project
) -> None:
    dpo = staff["dpo"]
    person_id, file_number = await registered(staff["helper"])
    await project()
    by_number = await dpo.post("/dpo/people/lookup", json={"file_number": file_number})
    assert by_number.status_code == 200, by_number.text
    [found] = by_number.json()
    assert found == {
        "person_id": person_id,
        "file_number": file_number,
        "given_name": "Nadia",
        "family_name": "Benali",
        "birth_date": "1988-03-14",
        "restricted": False,
    }
    by_name = await dpo.post("/dpo/people/lookup", json={"name": "nadia BENALI", "birth_date": "1988-03-14"})
    assert [p["person_id"] for p in by_name.json()] == [person_id]
    other_day = await dpo.post("/dpo/people/lookup", json={"name": "Nadia Benali", "birth_date": "1988-03-15"})
    assert other_day.status_code == 200 and other_day.json() == []
    await project()
    log = (await dpo.get(f"/access-log/people/{person_id}")).json()
    lookups = [e for e in log if e["view"] == "dpo_person_lookup"]
    assert len(lookups) == 2 and {e["purpose"] for e in lookups} == {"rights_request"}
    assert {e["staff_id"] for e in lookups} == {dpo.staff_id}


async def test_an_incomplete_look_up_is_a_problem_naming_the_field_never_a_500(staff) -> None:
    dpo = staff["dpo"]
    cases = [
        ({}, "file_number"),
        ({"name": "Nadia Benali"}, "birth_date"),
        ({"birth_date": "1988-03-14"}, "name"),
        ({"file_number": "Nadia"}, "file_number"),
        ({"file_number": "1"}, "file_number"),
    ]
    for body, field in cases:
        response = await dpo.post("/dpo/people/lookup", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == [field], body
    for role in ("social_worker", "trainer", "helper", "admin"):
        refused = await staff[role].post("/dpo/people/lookup", json={"file_number": "2026-00001"})
        assert refused.status_code == 403, role


async def test_the_dpo_person_names_the_person_with_restriction_and_holds_and_the_receipt_can_be_downloaded(
    staff, project
) -> None:
    dpo = staff["dpo"]
    person_id, file_number = await registered(staff["helper"])
    hold = await dpo.post(
        f"/dpo/people/{person_id}/legal-holds",
        json={"basis": "art_17_3_e_legal_claims", "note": "recours"},
        headers=key(),
    )
    assert hold.status_code == 201
    await dpo.post(f"/dpo/people/{person_id}/restriction", json={"reason": "exactitude contestée"}, headers=key())
    shown = (await dpo.get(f"/dpo/people/{person_id}")).json()
    assert (shown["given_name"], shown["family_name"], shown["file_number"]) == ("Nadia", "Benali", file_number)
    assert shown["birth_date"] == "1988-03-14" and shown["restricted"] is True
    assert [h["basis"] for h in shown["legal_holds"]] == ["art_17_3_e_legal_claims"]
    not_yet = await dpo.get(f"/dpo/people/{person_id}/erasure-receipt")
    assert not_yet.status_code == 404
    hold_id = hold.json()["ids"]["hold_id"]
    await dpo.post(f"/dpo/people/{person_id}/legal-holds/{hold_id}/lift", headers=key())
    erased = await dpo.post(
        f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": file_number}, headers=key()
    )
    assert erased.status_code == 201, erased.text
    receipt = await dpo.get(f"/dpo/people/{person_id}/erasure-receipt")
    assert receipt.status_code == 200 and verify_receipt(receipt.content).receipt_id == uuid.UUID(
        erased.json()["receipt_id"]
    )
    printable = await dpo.get(f"/dpo/people/{person_id}/erasure-receipt.html")
    assert printable.status_code == 200 and "Reçu d&#39;effacement" in printable.text
    assert "Benali" not in printable.text and file_number not in printable.text
    assert (await dpo.get(f"/dpo/people/{person_id}")).status_code == 410


async def test_every_break_glass_access_is_in_one_list_newest_first_and_is_reviewed_once(staff, project) -> None:
    dpo = staff["dpo"]
    first, _ = await registered(staff["helper"])
    second, second_number = await registered(staff["helper"])
    await project()
    await _break_glass(staff, first, "Premier motif")
    await _break_glass(staff, second, "Second motif")
    await project()
    listed = (await dpo.get("/access-log/break-glass")).json()
    assert [a["reason"] for a in listed[:2]] == ["Second motif", "Premier motif"]
    newest = listed[0]
    assert newest["given_name"] == "Nadia" and newest["file_number"] == second_number
    assert newest["staff_id"] == staff["other_social_worker"].staff_id and newest["reviewed_at"] is None
    reviewed = await dpo.post(f"/access-log/break-glass/{newest['access_id']}/review", headers=key())
    assert reviewed.status_code == 201, reviewed.text
    again = await dpo.post(f"/access-log/break-glass/{newest['access_id']}/review", headers=key())
    assert again.status_code == 200 and again.json()["already"] is True
    await project()
    listed = (await dpo.get("/access-log/break-glass")).json()
    assert listed[0]["reviewed_by"] == dpo.staff_id and listed[0]["reviewed_at"] is not None
    pending = (await dpo.get("/access-log/break-glass?unreviewed=true")).json()
    assert [a["reason"] for a in pending] == ["Premier motif"]
    unknown = await dpo.post(f"/access-log/break-glass/{uuid.uuid4()}/review", headers=key())
    assert unknown.status_code == 404
    refused = await staff["social_worker"].get("/access-log/break-glass")
    assert refused.status_code == 403


async def test_after_an_erasure_the_dpo_still_sees_who_accessed_pseudonymously(staff, project) -> None:
    dpo, reader = staff["dpo"], staff["other_social_worker"]
    person_id, file_number = await registered(staff["helper"])
    await project()
    await _break_glass(staff, person_id)
    await project()
    [access] = [a for a in (await dpo.get("/access-log/break-glass")).json() if a["person_id"] == person_id]
    erased = await dpo.post(
        f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": file_number}, headers=key()
    )
    assert erased.status_code == 201
    await project()
    log = await dpo.get(f"/access-log/staff/{reader.staff_id}")
    kept = [e for e in log.json() if e["erased"]]
    assert kept and {e["view"] for e in kept} >= {"case_file"}
    assert all(e["person_id"] is None and e["file_number"] is None for e in kept)
    glass = [e for e in kept if e["break_glass"]]
    assert [e["reason"] for e in glass] == [REASON]
    for shown in (log.text, (await dpo.get("/access-log/break-glass")).text):
        assert person_id not in shown and file_number not in shown
        assert PERSON["family_name"] not in shown and PERSON["given_name"] not in shown
    listed = [a for a in (await dpo.get("/access-log/break-glass")).json() if a["access_id"] == access["access_id"]]
    assert listed and listed[0]["erased"] is True and listed[0]["reason"] == REASON
    reviewed = await dpo.post(f"/access-log/break-glass/{access['access_id']}/review", headers=key())
    assert reviewed.status_code == 201  # still reviewable after the erasure


async def test_the_access_log_is_grouped_by_staff_member_view_and_day(staff, project) -> None:
    dpo, helper = staff["dpo"], staff["helper"]
    person_id, _ = await registered(helper)
    await project()
    for _ in range(3):
        assert (await helper.get(f"/people/{person_id}")).status_code == 200
    await project()
    groups = (await dpo.get(f"/access-log/people/{person_id}/summary")).json()
    cards = [g for g in groups if g["staff_id"] == helper.staff_id and g["view"] == "person_card"]
    assert len(cards) == 1 and cards[0]["count"] == 3 and len(cards[0]["entries"]) == 3
    assert cards[0]["first_at"] <= cards[0]["last_at"]
    by_staff = (await dpo.get(f"/access-log/staff/{helper.staff_id}/summary")).json()
    assert any(g["view"] == "person_card" and g["count"] == 3 and g["people"] == 1 for g in by_staff)

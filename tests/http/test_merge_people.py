"""Merging two records of the same person over HTTP: who may, how both then read as one, export and erasure."""

from __future__ import annotations

import uuid

from tests.http.test_cases_api import NOTE, open_case

AMINA = {"given_name": "Amina", "family_name": "Diallo", "birth_date": "1990-05-17", "contact": {"phone": "0470123456"}}
TYPED_AGAIN = {"given_name": "Aminata", "family_name": "Diallo", "birth_date": "1990-05-17"}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def registered(api, person: dict) -> tuple[str, str]:
    response = await api.post("/people", json=person, headers=key())
    assert response.status_code == 201, response.text
    return response.json()["ids"]["person_id"], response.json()["ids"]["file_number"]


async def twice_registered(staff, project) -> tuple[str, str, str, str]:
    """Amina, registered by the social worker (with a case and a note), then again at office hours."""
    kept, kept_number = await registered(staff["social_worker"], AMINA)
    case_id = await open_case(staff["social_worker"], kept)
    assert (
        await staff["social_worker"].post(f"/cases/{case_id}/notes", json={"text": "Bail signé"})
    ).status_code == 201
    duplicate, duplicate_number = await registered(staff["helper"], TYPED_AGAIN)
    other_case = await open_case(staff["social_worker"], duplicate)
    assert (await staff["social_worker"].post(f"/cases/{other_case}/notes", json={"text": NOTE})).status_code == 201
    await project()
    return kept, kept_number, duplicate, duplicate_number


async def merge(api, kept: str, duplicate: str):
    return await api.post(f"/people/{kept}/merges", json={"duplicate_id": duplicate}, headers=key())


async def test_only_a_social_worker_merges_and_a_record_is_merged_once(staff, project) -> None:
    kept, _, duplicate, _ = await twice_registered(staff, project)
    for role in ("helper", "trainer", "dpo", "admin"):
        assert (await merge(staff[role], kept, duplicate)).status_code == 403, role
    assert (await merge(staff["social_worker"], kept, kept)).status_code == 422
    merged = await merge(staff["social_worker"], kept, duplicate)
    assert merged.status_code == 200, merged.text
    assert set(merged.json()["versions"]) == {kept, duplicate}
    again = await merge(staff["other_social_worker"], duplicate, kept)
    assert again.status_code == 422 and again.json()["type"] == "/problems/rule-broken"


async def test_after_a_merge_both_records_read_as_one(staff, project) -> None:
    social_worker = staff["social_worker"]
    kept, kept_number, duplicate, duplicate_number = await twice_registered(staff, project)
    flagged = (await social_worker.get(f"/people/{duplicate}")).json()
    assert flagged["possible_duplicates"] == [kept]  # same birth date, a similar name
    assert (await merge(social_worker, kept, duplicate)).status_code == 200
    await project()

    card = (await social_worker.get(f"/people/{duplicate}")).json()
    assert (card["person_id"], card["file_number"]) == (kept, kept_number)  # the duplicate's file opens the kept one
    assert card["possible_duplicates"] == []
    for query in ("Diallo", duplicate_number, "1990-05-17"):
        found = (await social_worker.post("/people/search", json={"query": query})).json()
        assert [c["person_id"] for c in found] == [kept], query  # the directory lists one

    file = (await social_worker.get(f"/people/{kept}/file")).json()
    notes = [e["body"]["text"] for e in file["entries"] if e["kind"] == "Case.NoteAdded"]
    assert notes == ["Bail signé", NOTE]  # both records' history, in order
    kinds = [e["kind"] for e in file["entries"]]
    assert "Person.DuplicateMerged" in kinds and "Person.MergedInto" in kinds
    merged_into = next(e for e in file["entries"] if e["kind"] == "Person.MergedInto")
    assert merged_into["body"]["kept_file_number"] == kept_number


async def test_the_merge_is_in_both_exports_and_an_erasure_reaches_both_records(staff, project) -> None:
    social_worker, dpo = staff["social_worker"], staff["dpo"]
    kept, kept_number, duplicate, duplicate_number = await twice_registered(staff, project)
    assert (await merge(social_worker, kept, duplicate)).status_code == 200
    await project()

    kept_export = (await dpo.get(f"/dpo/people/{kept}/export")).json()
    duplicate_export = (await dpo.get(f"/dpo/people/{duplicate}/export")).json()
    assert [e["event"] for e in kept_export["merges"]] == ["Person.DuplicateMerged"]
    assert kept_export["merges"][0]["facts"]["duplicate_file_number"] == duplicate_number
    assert kept_export["merged_records"] == [duplicate]
    assert [e["event"] for e in duplicate_export["merges"]] == ["Person.MergedInto"]
    assert duplicate_export["merged_into"] == kept
    document = (await dpo.get(f"/dpo/people/{kept}/export.html")).text
    assert "Vos fiches fusionnées" in document and duplicate_number in document

    erased = await dpo.post(f"/dpo/people/{kept}/erasure", json={"confirm_file_number": kept_number}, headers=key())
    assert erased.status_code == 201, erased.text
    await project()
    for record in (kept, duplicate):
        assert (await social_worker.get(f"/people/{record}")).status_code == 410, record
        assert (await dpo.get(f"/dpo/people/{record}/export")).status_code == 410, record
    found = (await social_worker.post("/people/search", json={"query": "Diallo"})).json()
    assert found == []

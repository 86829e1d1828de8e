"""Cases over HTTP: notes written at once, closed cases, stale versions, retries, break-glass, trainers."""

from __future__ import annotations

import asyncio
import uuid

from tests.http.test_people_and_case_file import register

SUMMARY = "Expulsion annoncée pour le 30 septembre, arriérés de loyer"
NOTE = "Rendez-vous au CPAS de Liège mardi, apporter le bail"


async def open_case(api, person_id: str, **changes) -> str:
    body = {"person_id": person_id, "domain": "housing", "summary": SUMMARY, **changes}
    response = await api.post("/cases", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()["ids"]["case_id"]


async def a_case(staff) -> tuple[str, str]:
    person_id = await register(staff["social_worker"])
    return person_id, await open_case(staff["social_worker"], person_id)


async def events_of(runtime_of, stream_id: str) -> int:
    async with runtime_of().pool.acquire() as db:
        return await db.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", uuid.UUID(stream_id))


async def test_a_note_written_on_a_case_reads_back_in_the_case_file(staff, project) -> None:
    person_id, case_id = await a_case(staff)
    response = await staff["social_worker"].post(f"/cases/{case_id}/notes", json={"text": NOTE})
    assert response.status_code == 201, response.text
    assert response.json()["ids"]["case_id"] == case_id and response.json()["ids"]["note_id"]
    assert response.headers["ETag"] == '"2"'
    await project()
    file = (await staff["social_worker"].get(f"/people/{person_id}/file")).json()
    assert NOTE in str(file["entries"])


async def test_two_social_workers_adding_notes_to_the_same_case_at_once_both_succeed(staff, project) -> None:
    person_id, case_id = await a_case(staff)
    await project()
    mine = staff["social_worker"].post(f"/cases/{case_id}/notes", json={"text": "Premier appel au propriétaire"})
    colleague = staff["other_social_worker"].post(
        f"/cases/{case_id}/notes",
        json={"text": "Permanence du soir: la personne est passée", "break_glass_reason": "colleague on leave"},
    )
    responses = await asyncio.gather(mine, colleague)
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    await project()
    file = (await staff["social_worker"].get(f"/people/{person_id}/file")).json()
    notes = [e for e in file["entries"] if e["kind"].endswith("NoteAdded")]
    assert len(notes) == 2
    log = (await staff["dpo"].get(f"/access-log/people/{person_id}")).json()
    flagged = [e for e in log if e["break_glass"]]
    assert [(e["staff_id"], e["view"], e["reason"]) for e in flagged] == [
        (staff["other_social_worker"].staff_id, "case_note", "colleague on leave")
    ]


async def test_a_colleague_without_a_written_reason_cannot_write_to_the_case(staff, runtime_of) -> None:
    _, case_id = await a_case(staff)
    response = await staff["other_social_worker"].post(f"/cases/{case_id}/notes", json={"text": NOTE})
    assert response.status_code == 403
    assert await events_of(runtime_of, case_id) == 1


async def test_adding_a_note_to_a_closed_case_is_refused_and_nothing_is_written(staff, runtime_of) -> None:
    _, case_id = await a_case(staff)
    closed = await staff["social_worker"].post(f"/cases/{case_id}/closure", json={"outcome": "resolved"})
    assert closed.status_code == 200, closed.text
    response = await staff["social_worker"].post(f"/cases/{case_id}/notes", json={"text": NOTE})
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/rule-broken"
    assert await events_of(runtime_of, case_id) == 2
    reopened = await staff["social_worker"].post(f"/cases/{case_id}/reopening", json={"reason": "new letter"})
    assert reopened.status_code == 200 and reopened.headers["ETag"] == '"3"'


async def test_stale_if_match_on_closure_gets_409_with_the_current_version(staff, runtime_of) -> None:
    _, case_id = await a_case(staff)
    assert (await staff["social_worker"].post(f"/cases/{case_id}/notes", json={"text": NOTE})).status_code == 201
    response = await staff["social_worker"].post(
        f"/cases/{case_id}/closure", json={"outcome": "resolved"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2 and response.headers["ETag"] == '"2"'
    assert await events_of(runtime_of, case_id) == 2
    response = await staff["social_worker"].post(
        f"/cases/{case_id}/closure", json={"outcome": "resolved"}, headers={"If-Match": '"2"'}
    )
    assert response.status_code == 200 and response.headers["ETag"] == '"3"'


async def test_a_retried_note_returns_the_same_body_and_is_written_once(staff, runtime_of) -> None:
    _, case_id = await a_case(staff)
    headers = {"Idempotency-Key": "note-retry-0001"}
    first = await staff["social_worker"].post(f"/cases/{case_id}/notes", json={"text": NOTE}, headers=headers)
    again = await staff["social_worker"].post(f"/cases/{case_id}/notes", json={"text": NOTE}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await events_of(runtime_of, case_id) == 2


async def test_a_follow_up_is_set_then_marked_done_and_a_document_referenced(staff) -> None:
    _, case_id = await a_case(staff)
    sw = staff["social_worker"]
    set_ = await sw.post(f"/cases/{case_id}/follow-ups", json={"due_on": "2026-09-08", "description": "Call CPAS"})
    assert set_.status_code == 201, set_.text
    follow_up_id = set_.json()["ids"]["follow_up_id"]
    done = await sw.post(f"/cases/{case_id}/follow-ups/{follow_up_id}/done", json={"result": "appointment made"})
    assert done.status_code == 200, done.text
    document = await sw.post(f"/cases/{case_id}/documents", json={"kind": "contract", "reference": "Armoire B"})
    assert document.status_code == 201 and document.json()["ids"]["document_id"]
    unknown = await sw.post(f"/cases/{case_id}/follow-ups/{uuid.uuid4()}/done", json={})
    assert unknown.status_code == 422


async def test_a_case_is_given_only_to_an_active_social_worker(staff) -> None:
    person_id = await register(staff["social_worker"])
    body = {"person_id": person_id, "domain": "work", "summary": SUMMARY}
    response = await staff["social_worker"].post("/cases", json={**body, "social_worker_id": staff["trainer"].staff_id})
    assert response.status_code == 422 and "social_worker_id" in response.json()["detail"]
    colleague = staff["other_social_worker"].staff_id
    assert (
        await staff["social_worker"].post("/cases", json={**body, "social_worker_id": colleague})
    ).status_code == 201


async def test_trainer_is_refused_every_case_endpoint_and_reads_no_social_legal_text(staff) -> None:
    _, case_id = await a_case(staff)
    set_ = await staff["social_worker"].post(
        f"/cases/{case_id}/follow-ups", json={"due_on": "2026-09-08", "description": "Call CPAS"}
    )
    follow_up = set_.json()["ids"]["follow_up_id"]
    person_id = await register(staff["helper"])
    calls = {
        "/cases": {"person_id": person_id, "domain": "housing", "summary": SUMMARY},
        f"/cases/{case_id}/notes": {"text": NOTE},
        f"/cases/{case_id}/follow-ups": {"due_on": "2026-09-08", "description": "x"},
        f"/cases/{case_id}/follow-ups/{follow_up}/done": {},
        f"/cases/{case_id}/documents": {"kind": "bill", "reference": "x"},
        f"/cases/{case_id}/reassignment": {"social_worker_id": staff["trainer"].staff_id, "reason": "x"},
        f"/cases/{case_id}/closure": {"outcome": "resolved"},
        f"/cases/{case_id}/reopening": {"reason": "x"},
    }
    for url, body in calls.items():
        attempts = [body] if url == "/cases" else [body, {**body, "break_glass_reason": "I insist"}]
        for attempt in attempts:
            response = await staff["trainer"].post(url, json=attempt)
            assert response.status_code == 403, (url, response.text)
            assert "Expulsion" not in response.text and "loyer" not in response.text and "CPAS" not in response.text

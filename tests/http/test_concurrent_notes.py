"""A burst of notes on one case: notes commute, so none is refused unless the sender asked for a version check."""

from __future__ import annotations

import asyncio

from tests.http.test_cases_api import a_case

WRITERS = 20


async def send_notes(api, case_id: str, headers: dict[str, str] | None = None):
    texts = [f"Appel n° {i} au CPAS de Liège" for i in range(WRITERS)]
    sent = (api.post(f"/cases/{case_id}/notes", json={"text": text}, headers=headers or {}) for text in texts)
    return texts, await asyncio.gather(*sent)


async def test_twenty_notes_sent_at_once_without_if_match_are_all_kept_once(staff, project) -> None:
    person_id, case_id = await a_case(staff)

    texts, responses = await send_notes(staff["social_worker"], case_id)

    assert [r.status_code for r in responses] == [201] * WRITERS, [r.text for r in responses if r.status_code != 201]
    await project()
    file = (await staff["social_worker"].get(f"/people/{person_id}/file")).json()
    kept = [e["body"]["text"] for e in file["entries"] if e["kind"] == "Case.NoteAdded"]
    assert sorted(kept) == sorted(texts)


async def test_twenty_notes_sharing_one_if_match_let_exactly_one_through(staff) -> None:
    _, case_id = await a_case(staff)

    _, responses = await send_notes(staff["social_worker"], case_id, {"If-Match": '"1"'})

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (WRITERS - 1)
    assert all(
        r.headers["content-type"].startswith("application/problem+json") for r in responses if r.status_code == 409
    )

"""People and the case file over HTTP: need-to-know, access log, problem details."""

from __future__ import annotations

import uuid

PERSON = {
    "given_name": "Nadia",
    "family_name": "Benali",
    "birth_date": "1988-03-14",
    "nationality": "MA",
    "languages": ["ar", "fr"],
    "contact": {"phone": "+32 474 65 43 21", "address": "Rue Saint-Gilles 12, 4000 Liège"},
    "situations": ["newcomer"],
}


async def register(api, **changes) -> str:
    response = await api.post("/people", json={**PERSON, **changes}, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()["ids"]["person_id"]


async def test_helper_registers_and_searches_a_person_by_name_without_accents(staff, project) -> None:
    person_id = await register(staff["helper"], given_name="Élodie", family_name="Müller")
    await project()
    response = await staff["helper"].post("/people/search", json={"query": "elodie muller"})
    assert response.status_code == 200, response.text
    assert [card["person_id"] for card in response.json()] == [person_id]
    assert response.json()[0]["phone"] == PERSON["contact"]["phone"]


async def test_search_terms_never_travel_in_the_url(staff) -> None:
    response = await staff["helper"].get("/people/search?query=Benali")
    assert response.status_code == 405


async def test_validation_error_is_a_problem_that_names_the_field(staff) -> None:
    response = await staff["helper"].post("/people", json={**PERSON, "birth_date": "14/03/1988"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422 and problem["errors"][0]["field"] == "birth_date"


async def test_unknown_fields_are_refused(staff) -> None:
    response = await staff["helper"].post("/people", json={**PERSON, "religion": "none"})
    assert response.status_code == 422
    assert "religion" in response.json()["errors"][0]["message"]


async def test_retried_registration_returns_the_first_answer(staff, runtime_of) -> None:
    headers = {"Idempotency-Key": "registration-0001"}
    first = await staff["helper"].post("/people", json=PERSON, headers=headers)
    again = await staff["helper"].post("/people", json=PERSON, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    async with runtime_of().pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM events WHERE topic LIKE '%Person.Registered'") == 1


async def test_stale_if_match_gets_409_with_the_current_version(staff) -> None:
    person_id = await register(staff["helper"])
    correction = {"details": {**PERSON, "family_name": "Ben Ali"}, "reason": "typo at registration"}
    response = await staff["dpo"].post(f"/people/{person_id}/corrections", json=correction, headers={"If-Match": '"7"'})
    assert response.status_code == 409
    assert response.json()["current_version"] == 1 and response.headers["ETag"] == '"1"'
    response = await staff["dpo"].post(f"/people/{person_id}/corrections", json=correction, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'


async def test_admin_and_dpo_cannot_open_a_case_file(staff, project) -> None:
    person_id = await register(staff["helper"])
    await project()
    for role in ("admin", "dpo"):
        response = await staff[role].get(f"/people/{person_id}/file")
        assert response.status_code == 403, role
    assert (await staff["admin"].get(f"/people/{person_id}")).status_code == 403


async def test_every_read_of_a_person_is_recorded(staff, project, runtime_of) -> None:
    person_id = await register(staff["helper"])
    await project()
    assert (await staff["helper"].get(f"/people/{person_id}")).status_code == 200
    assert (await staff["helper"].get(f"/people/{person_id}/file")).status_code == 200
    await project()
    async with runtime_of().pool.acquire() as db:
        views = [
            r["view"]
            for r in await db.fetch(
                "SELECT view FROM rm_access_log.entries WHERE person_id = $1 ORDER BY position", uuid.UUID(person_id)
            )
        ]
    assert views == ["person_card", "case_file"]


async def test_unknown_person_is_a_404_problem(staff) -> None:
    response = await staff["helper"].get(f"/people/{uuid.uuid4()}")
    assert response.status_code == 404 and response.json()["type"] == "/problems/not-found"

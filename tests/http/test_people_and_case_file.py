"""People and the case file over HTTP: need-to-know, access log, problem details."""

from __future__ import annotations

import uuid

import pytest

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
    assert response.json()[0]["phone"] == "+32474654321"  # stored in E.164


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


# ---- registration as a Belgian centre needs it ----

BELGIAN = {
    **PERSON,
    "niss": "85.07.30-033.28",
    "needs_interpreter": True,
    "preferred_language": "ar",
    "contact": {
        "phone": "0470 12 34 56",
        "email": "nadia.benali@example.be",
        "address": "Rue Saint-Gilles 12, 4000 Liège",
    },
}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def test_registration_keeps_nationality_languages_interpreter_contact_and_the_niss_normalised(
    staff, project
) -> None:
    response = await staff["helper"].post("/people", json=BELGIAN, headers=key())
    assert response.status_code == 201, response.text
    await project()
    card = (await staff["helper"].get(f"/people/{response.json()['ids']['person_id']}")).json()
    assert card["niss"] == "85073003328" and card["phone"] == "+32470123456"
    assert (card["nationality"], card["languages"], card["preferred_language"]) == ("MA", ["ar", "fr"], "ar")
    assert card["needs_interpreter"] is True and card["email"] == "nadia.benali@example.be"
    assert card["address"] == "Rue Saint-Gilles 12, 4000 Liège" and card["shown"] == "all"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"niss": "85.07.30-033.29"}, "niss"),  # wrong check digits
        ({"contact": {"phone": "12"}}, "contact.phone"),
        ({"contact": {"email": "nadia.benali"}}, "contact.email"),
        ({"birth_date": "2027-01-15"}, "birth_date"),  # the test clock is in 2026
        ({"birth_date": "1905-03-14"}, "birth_date"),  # more than 120 years ago
    ],
)
async def test_a_value_that_cannot_be_used_is_refused_naming_its_field(staff, changes, field) -> None:
    response = await staff["helper"].post("/people", json={**BELGIAN, **changes}, headers=key())
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert "85073003329" not in response.text and "nadia.benali" not in response.text


async def test_a_second_registration_with_the_same_niss_is_flagged_and_found_by_niss(staff, project) -> None:
    first = (await staff["helper"].post("/people", json=BELGIAN, headers=key())).json()["ids"]["person_id"]
    await project()
    other_name = {**BELGIAN, "given_name": "Nadya", "family_name": "Ben Ali", "birth_date": None}
    second = (await staff["helper"].post("/people", json=other_name, headers=key())).json()["ids"]["person_id"]
    await project()
    card = (await staff["helper"].get(f"/people/{second}")).json()
    assert card["possible_duplicates"] == [first]
    for typed in ("85.07.30-033.28", "85073003328", "85 07 30 033 28"):
        found = await staff["helper"].post("/people/search", json={"query": typed})
        assert sorted(c["person_id"] for c in found.json()) == sorted([first, second]), typed


async def test_a_trainer_reads_only_what_the_course_needs_and_only_training_consents(
    staff, project, runtime_of
) -> None:
    helper, trainer = staff["helper"], staff["trainer"]
    person_id = (await helper.post("/people", json=BELGIAN, headers=key())).json()["ids"]["person_id"]
    for purpose, extra in (
        ("share_office_hours_with_trainers", {}),
        ("external_referral", {"body_kind": "cpas", "body_name": "CPAS de Liège"}),
        ("contact_sms", {}),
    ):
        given = await helper.post(
            f"/people/{person_id}/consents", json={"purpose": purpose, "evidence": "signed_form", **extra}
        )
        assert given.status_code == 201, given.text
    cohort = {"name": "DigiLab septembre", "site": "Liège Centre", "starts_on": "2026-08-24", "ends_on": "2026-09-18"}
    cohort_id = (await trainer.post("/cohorts", json=cohort, headers=key())).json()["ids"]["cohort_id"]
    enrolled = await trainer.post(f"/cohorts/{cohort_id}/enrolments", json={"person_id": person_id}, headers=key())
    assert enrolled.status_code == 201, enrolled.text
    await project()

    response = await trainer.get(f"/people/{person_id}")
    assert response.status_code == 200, response.text
    card = response.json()
    assert card["shown"] == "course_details"
    assert (card["given_name"], card["family_name"], card["file_number"]) == ("Nadia", "Benali", card["file_number"])
    assert (card["preferred_language"], card["phone"]) == ("ar", "+32470123456")
    assert card["address"] is None and card["email"] is None and card["niss"] is None and card["birth_date"] is None
    assert card["nationality"] is None and card["languages"] == [] and card["situations"] == []
    assert [c["purpose"] for c in card["consents"]] == ["share_office_hours_with_trainers"]
    for secret in ("Saint-Gilles", "example.be", "85073003328", "CPAS", "cpas", "external_referral", "contact_sms"):
        assert secret not in response.text, secret

    full = (await helper.get(f"/people/{person_id}")).json()
    assert {c["purpose"] for c in full["consents"]} == {
        "share_office_hours_with_trainers",
        "external_referral",
        "contact_sms",
    }
    await project()
    async with runtime_of().pool.acquire() as db:
        views = [
            r["view"]
            for r in await db.fetch(
                """SELECT view FROM rm_access_log.entries
                   WHERE person_id = $1 AND view LIKE 'person_card%' ORDER BY position""",
                uuid.UUID(person_id),
            )
        ]
    assert views == ["person_card_course", "person_card"]


async def test_a_trainer_who_does_not_train_the_person_reads_no_card(staff, project) -> None:
    person_id = await register(staff["helper"])
    await project()
    assert (await staff["trainer"].get(f"/people/{person_id}")).status_code == 403

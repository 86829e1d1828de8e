"""Office hours over HTTP: check-in, call, help, referral, the board, and what a trainer never sees."""

from __future__ import annotations

import uuid
from uuid import UUID

import pytest

from domain.case import CaseDomain
from domain.policy import Role
from service.application.case_notes import AddNote, add_note
from service.application.context import Actor, ApplicationContext
from service.application.referrals import AcceptReferral, accept_referral
from tests.http.test_training_api import TODAY, enrol, key, register, roster, schedule

SITE = "Liège centre"
BOARD = f"/office-hours/board?session_on={TODAY}&site={SITE}"
SECRETS = {
    "description": "SECRET-ASK eviction letter from the landlord",
    "help_given": "SECRET-HELP read the letter together",
    "reason": "SECRET-REFERRAL residence permit expires next month",
    "summary": "SECRET-CASE permit renewal and eviction",
    "note": "SECRET-NOTE met at the CPAS, debts of 4000 euros",
}
HELP = {
    "category": "online_procedure",
    "description": SECRETS["description"],
    "help_given": SECRETS["help_given"],
    "minutes": 25,
    "follow_up_needed": True,
}


async def check_in(helper, person_id: str) -> str:
    arrival = {"person_id": person_id, "session_on": TODAY, "site": SITE}
    response = await helper.post("/office-hours/visits", json=arrival, headers=key())
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    return str(response.json()["ids"]["visit_id"])


async def board(api) -> dict:
    response = await api.get(BOARD)
    assert response.status_code == 200, response.text
    return dict(response.json())


def visits(shown: dict, column: str) -> list[str]:
    return [entry["visit_id"] for entry in shown[column]]


async def test_a_visit_moves_along_the_board_from_check_in_to_referral(staff, project) -> None:
    helper = staff["helper"]
    person_id = await register(helper, "Amina", "Diallo")
    visit_id = await check_in(helper, person_id)
    await project()
    shown = await board(helper)
    assert visits(shown, "waiting") == [visit_id]
    assert shown["waiting"][0]["family_name"] == "Diallo"

    response = await helper.post(f"/office-hours/visits/{visit_id}/call", headers={"If-Match": '"1"', **key()})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    await project()
    shown = await board(helper)
    assert visits(shown, "waiting") == [] and visits(shown, "being_helped") == [visit_id]
    assert shown["being_helped"][0]["helper_id"] == helper.staff_id

    response = await helper.post(f"/office-hours/visits/{visit_id}/help", json=HELP, headers=key())
    assert response.status_code == 200, response.text
    await project()
    shown = await board(helper)
    assert visits(shown, "done") == [visit_id]
    assert shown["done"][0]["request_category"] == "online_procedure"

    referral = {"reason": SECRETS["reason"]}
    response = await helper.post(f"/office-hours/visits/{visit_id}/referral", json=referral, headers=key())
    assert response.status_code == 201, response.text
    assert response.json()["ids"]["referral_id"] is not None
    assert response.headers["ETag"] == '"4"'


async def test_calling_a_visitor_with_a_stale_version_gets_409_with_the_current_version(staff) -> None:
    visit_id = await check_in(staff["helper"], await register(staff["helper"], "Oleksandr", "Kovalenko"))
    response = await staff["helper"].post(f"/office-hours/visits/{visit_id}/call", headers={"If-Match": '"3"'})
    assert response.status_code == 409
    assert response.json()["current_version"] == 1 and response.headers["ETag"] == '"1"'


async def test_calling_a_visitor_twice_breaks_a_rule(staff) -> None:
    visit_id = await check_in(staff["helper"], await register(staff["helper"], "Mehmet", "Yilmaz"))
    assert (await staff["helper"].post(f"/office-hours/visits/{visit_id}/call")).status_code == 200
    response = await staff["other_social_worker"].post(f"/office-hours/visits/{visit_id}/call")
    assert response.status_code == 422 and response.json()["type"] == "/problems/rule-broken"


async def test_retried_check_in_returns_the_same_answer_and_writes_once(staff, runtime_of) -> None:
    person_id = await register(staff["helper"], "Fatou", "Ndiaye")
    arrival = {"person_id": person_id, "session_on": TODAY, "site": SITE}
    headers = {"Idempotency-Key": "check-in-0001"}
    first = await staff["helper"].post("/office-hours/visits", json=arrival, headers=headers)
    again = await staff["helper"].post("/office-hours/visits", json=arrival, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    async with runtime_of().pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM events WHERE topic LIKE '%Visit.CheckedIn'") == 1


@pytest.mark.parametrize("site", ["Liege centre", "Liège", "Nulle part"])
async def test_a_site_outside_the_centres_list_is_a_422_naming_the_site(staff, site) -> None:
    helper = staff["helper"]
    person_id = await register(helper, "Awa", "Koné")
    arrival = {"person_id": person_id, "session_on": TODAY, "site": site}
    refused = await helper.post("/office-hours/visits", json=arrival, headers=key())
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["source"]) for e in refused.json()["errors"]] == [("site", "body")]
    shown = await helper.get("/office-hours/board", params={"session_on": TODAY, "site": site})
    assert shown.status_code == 422, shown.text
    assert [(e["field"], e["source"]) for e in shown.json()["errors"]] == [("site", "query")]


async def test_each_site_has_its_own_board(staff, project) -> None:
    helper = staff["helper"]
    at_seraing = {"person_id": await register(helper, "Lina", "Haddad"), "session_on": TODAY, "site": "Seraing"}
    assert (await helper.post("/office-hours/visits", json=at_seraing, headers=key())).status_code == 201
    await project()
    seraing = await helper.get("/office-hours/board", params={"session_on": TODAY, "site": "Seraing"})
    assert [e["family_name"] for e in seraing.json()["waiting"]] == ["Haddad"]
    assert (await board(helper))["waiting"] == []


async def test_a_helper_refers_during_the_visit_then_records_the_help(staff) -> None:
    helper = staff["helper"]
    visit_id = await check_in(helper, await register(helper, "Moussa", "Keita"))
    assert (await helper.post(f"/office-hours/visits/{visit_id}/call")).status_code == 200
    referred = await helper.post(f"/office-hours/visits/{visit_id}/referral", json={"reason": "Loyer impayé"})
    assert referred.status_code == 201, referred.text
    assert referred.json()["ids"]["referral_id"]
    helped = await helper.post(f"/office-hours/visits/{visit_id}/help", json=HELP)
    assert helped.status_code == 200, helped.text
    again = await helper.post(f"/office-hours/visits/{visit_id}/referral", json={"reason": "Encore"})
    assert again.status_code == 422 and "already referred" in again.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"minutes": -5}, "minutes"), ({"category": "gossip"}, "category"), ({"description": ""}, "description")],
)
async def test_invalid_help_names_the_field(staff, change, field) -> None:
    response = await staff["helper"].post(f"/office-hours/visits/{uuid.uuid4()}/help", json={**HELP, **change})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("role", ["trainer", "admin", "dpo"])
async def test_board_is_refused_to_roles_without_office_hours_access(staff, role) -> None:
    response = await staff[role].get(BOARD)
    assert response.status_code == 403


async def test_every_visitor_shown_on_the_board_is_an_access(staff, project, runtime_of) -> None:
    people = [await register(staff["helper"], given, "Lima") for given in ("Ana", "João")]
    for person_id in people:
        await check_in(staff["helper"], person_id)
    await project()
    await board(staff["helper"])
    await project()
    async with runtime_of().pool.acquire() as db:
        rows = await db.fetch("SELECT person_id FROM rm_access_log.entries WHERE view = 'office_hours_board'")
    assert sorted(str(r["person_id"]) for r in rows) == sorted(people)


async def test_trainer_never_receives_social_legal_content(staff, project, runtime_of, clock) -> None:
    helper, trainer = staff["helper"], staff["trainer"]
    person_id = await register(helper, "Nadia", "Benali")
    cohort_id = await schedule(trainer)
    await enrol(trainer, cohort_id, person_id)
    consent = {"purpose": "share_office_hours_with_trainers", "evidence": "signed_form"}
    assert (await helper.post(f"/people/{person_id}/consents", json=consent, headers=key())).status_code == 201

    visit_id = await check_in(helper, person_id)
    assert (await helper.post(f"/office-hours/visits/{visit_id}/help", json=HELP)).status_code == 200
    referral = {"reason": SECRETS["reason"]}
    referred = await helper.post(f"/office-hours/visits/{visit_id}/referral", json=referral)
    assert referred.status_code == 201, referred.text

    ctx = ApplicationContext.from_runtime(runtime_of(), clock=clock)
    social_worker = Actor(UUID(staff["social_worker"].staff_id), frozenset({Role.SOCIAL_WORKER}))
    accept = AcceptReferral(
        UUID(referred.json()["ids"]["referral_id"]),
        CaseDomain.RESIDENCE_IMMIGRATION,
        social_worker.staff_id,
        SECRETS["summary"],
    )
    case_id = (await accept_referral(ctx, social_worker, accept)).case_id
    assert case_id is not None
    await add_note(ctx, social_worker, AddNote(case_id=case_id, note_id=uuid.uuid4(), text=SECRETS["note"]))
    await project()

    file = await staff["social_worker"].get(f"/people/{person_id}/file")
    assert file.status_code == 200 and SECRETS["note"] in file.text  # the content exists, for those who may see it

    history = await trainer.get(f"/people/{person_id}/training-history")
    assert history.status_code == 200, history.text
    assert history.json()["digital_help"] == [{"session_on": TODAY, "category": "online_procedure", "minutes": 25}]
    answers = [
        history,
        await trainer.get(f"/cohorts/{cohort_id}/roster?day={TODAY}"),
        await trainer.get(f"/people/{person_id}/file"),
        await trainer.get(BOARD),
        await trainer.get("/cohorts/mine"),
    ]
    assert (await roster(trainer, cohort_id))["learners"][0]["family_name"] == "Benali"
    for answer in answers:
        for secret in SECRETS.values():
            assert secret.split()[0] not in answer.text, answer.url

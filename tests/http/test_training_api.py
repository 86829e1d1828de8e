"""DigiLab over HTTP: cohorts, a whole group's day in one request, DigComp, the training history."""

from __future__ import annotations

import uuid

import pytest

COHORT = {"name": "DigiLab septembre", "site": "Liège Centre", "starts_on": "2026-08-24", "ends_on": "2026-09-18"}
TODAY = "2026-09-01"  # the test clock's day, a Tuesday
SATURDAY = "2026-08-29"
NAMES = [("Amina", "Diallo"), ("Oleksandr", "Kovalenko"), ("Mehmet", "Yilmaz"), ("Fatou", "Ndiaye"), ("Ana", "Lima")]


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def register(api, given_name: str, family_name: str) -> str:
    person = {"given_name": given_name, "family_name": family_name, "languages": ["fr"]}
    response = await api.post("/people", json=person, headers=key())
    assert response.status_code == 201, response.text
    return str(response.json()["ids"]["person_id"])


async def schedule(trainer, **changes) -> str:
    response = await trainer.post("/cohorts", json={**COHORT, **changes}, headers=key())
    assert response.status_code == 201, response.text
    return str(response.json()["ids"]["cohort_id"])


async def enrol(trainer, cohort_id: str, person_id: str) -> dict:
    response = await trainer.post(f"/cohorts/{cohort_id}/enrolments", json={"person_id": person_id}, headers=key())
    assert response.status_code == 201, response.text
    return response.json()


async def group(staff, size: int) -> tuple[str, dict[str, str]]:
    """A cohort of the trainer with ``size`` learners: person id -> training record id."""
    cohort_id = await schedule(staff["trainer"])
    records = {}
    for given, family in NAMES[:size]:
        person_id = await register(staff["helper"], given, family)
        records[person_id] = (await enrol(staff["trainer"], cohort_id, person_id))["ids"]["record_id"]
    return cohort_id, records


async def roster(api, cohort_id: str, day: str = TODAY) -> dict:
    response = await api.get(f"/cohorts/{cohort_id}/roster?day={day}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_trainer_records_a_whole_groups_day_in_one_request_and_the_roster_shows_it(
    staff, project, runtime_of
) -> None:
    cohort_id, records = await group(staff, 4)
    await project()

    response = await staff["trainer"].post(f"/cohorts/{cohort_id}/attendance", json={"day": TODAY}, headers=key())
    assert response.status_code == 200, response.text
    assert set(records.values()) <= set(response.json()["versions"])
    async with runtime_of().pool.acquire() as db:
        transactions = await db.fetchval(
            "SELECT count(DISTINCT transaction_id) FROM events WHERE topic LIKE '%AttendanceRecorded'"
        )
    assert transactions == 1

    await project()
    shown = await roster(staff["trainer"], cohort_id)
    assert shown["is_session_day"] is True
    assert {line["person_id"]: line["attendance"] for line in shown["learners"]} == dict.fromkeys(records, "present")
    assert {line["family_name"] for line in shown["learners"]} == {family for _, family in NAMES[:4]}


async def test_everyone_present_except_two(staff, project) -> None:
    cohort_id, records = await group(staff, 4)
    await project()
    absent, late, *_ = records
    day = {
        "day": TODAY,
        "default_status": "present",
        "exceptions": [
            {"person_id": absent, "status": "absent"},
            {"record_id": records[late], "status": "late", "hours": 3},
        ],
    }
    response = await staff["trainer"].post(f"/cohorts/{cohort_id}/attendance", json=day, headers=key())
    assert response.status_code == 200, response.text
    await project()
    marked = {line["person_id"]: line["attendance"] for line in (await roster(staff["trainer"], cohort_id))["learners"]}
    assert marked.pop(absent) == "absent" and marked.pop(late) == "late"
    assert set(marked.values()) == {"present"}


async def test_attendance_on_a_day_the_cohort_does_not_meet_is_refused_by_name(staff, project) -> None:
    cohort_id, _ = await group(staff, 2)
    await project()
    response = await staff["trainer"].post(f"/cohorts/{cohort_id}/attendance", json={"day": SATURDAY}, headers=key())
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/rule-broken" and "does not meet on 2026-08-29" in problem["detail"]


async def test_attendance_for_someone_not_enrolled_is_refused(staff, project) -> None:
    cohort_id, _ = await group(staff, 2)
    outsider = await register(staff["helper"], "Jean", "Dupont")
    await project()
    day = {"day": TODAY, "exceptions": [{"person_id": outsider, "status": "present"}]}
    response = await staff["trainer"].post(f"/cohorts/{cohort_id}/attendance", json=day, headers=key())
    assert response.status_code == 422 and response.json()["type"] == "/problems/rule-broken"

    _, other_records = await group(staff, 1)
    stranger_record = next(iter(other_records.values()))
    day = {"day": TODAY, "exceptions": [{"record_id": stranger_record, "status": "present"}]}
    response = await staff["trainer"].post(f"/cohorts/{cohort_id}/attendance", json=day, headers=key())
    assert response.status_code == 422 and "holds no seat" in response.json()["detail"]


async def test_enrolment_beyond_capacity_goes_to_the_waiting_list(staff, project) -> None:
    cohort_id = await schedule(staff["trainer"], capacity=2)
    people = [await register(staff["helper"], given, family) for given, family in NAMES[:3]]
    answers = [await enrol(staff["trainer"], cohort_id, person_id) for person_id in people]
    assert [a["seated"] for a in answers] == [True, True, False]
    assert answers[2]["waiting_list_place"] == 1 and answers[2]["ids"]["record_id"] is None
    await project()
    shown = await roster(staff["trainer"], cohort_id)
    assert [w["person_id"] for w in shown["waiting_list"]] == [people[2]]

    leaving = answers[0]["ids"]["record_id"]
    withdrawal = {"record_id": leaving, "reason": "found a job"}
    response = await staff["trainer"].post(f"/cohorts/{cohort_id}/withdrawals", json=withdrawal, headers=key())
    assert response.status_code == 200, response.text
    assert response.json()["ids"]["promoted_person_id"] == people[2]


async def test_withdrawal_names_the_cohort_of_the_record(staff) -> None:
    _, records = await group(staff, 1)
    other_cohort = await schedule(staff["trainer"])
    withdrawal = {"record_id": next(iter(records.values())), "reason": "moved away"}
    response = await staff["trainer"].post(f"/cohorts/{other_cohort}/withdrawals", json=withdrawal, headers=key())
    assert response.status_code == 422 and "another cohort" in response.json()["detail"]


async def test_retried_attendance_returns_the_same_answer_and_writes_once(staff, project, runtime_of) -> None:
    cohort_id, records = await group(staff, 3)
    await project()
    headers = {"Idempotency-Key": "attendance-2026-09-01"}
    first = await staff["trainer"].post(f"/cohorts/{cohort_id}/attendance", json={"day": TODAY}, headers=headers)
    again = await staff["trainer"].post(f"/cohorts/{cohort_id}/attendance", json={"day": TODAY}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    async with runtime_of().pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM events WHERE topic LIKE '%AttendanceRecorded'") == len(records)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"day": TODAY, "exceptions": [{"person_id": str(uuid.uuid4()), "status": "asleep"}]},
            "exceptions[0].status",
            "asleep",
        ),
        (
            {"day": TODAY, "exceptions": [{"status": "absent"}]},
            "exceptions[0]",
            "exactly one of record_id or person_id",
        ),
        ({"day": "01/09/2026"}, "day", "date"),
        ({"day": TODAY, "mood": "sunny"}, "data", "unknown field `mood`"),
    ],
)
async def test_an_invalid_attendance_request_names_the_field(staff, body, field, message) -> None:
    cohort_id = await schedule(staff["trainer"])
    response = await staff["trainer"].post(f"/cohorts/{cohort_id}/attendance", json=body, headers=key())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["field"] == field and message in error["message"]


async def test_digcomp_progress_shows_in_the_training_history(staff, project) -> None:
    _, records = await group(staff, 1)
    person_id, record_id = next(iter(records.items()))
    for kind, levels in (("initial", {"1.1": 2, "3.1": 1}), ("final", {"1.1": 4, "3.1": 3})):
        response = await staff["trainer"].post(
            f"/training-records/{record_id}/assessments", json={"kind": kind, "levels": levels}, headers=key()
        )
        assert response.status_code == 201, response.text
    await project()
    response = await staff["trainer"].get(f"/people/{person_id}/training-history")
    assert response.status_code == 200, response.text
    [cohort] = response.json()["cohorts"]
    assert [(c["competence"], c["gain"]) for c in cohort["competences"]] == [("1.1", 2), ("3.1", 2)]


async def test_an_unknown_digcomp_level_names_the_field(staff) -> None:
    response = await staff["trainer"].post(
        f"/training-records/{uuid.uuid4()}/assessments", json={"kind": "initial", "levels": {"1.1": 9}}
    )
    assert response.status_code == 422 and "levels" in str(response.json()["errors"])


async def test_completion_with_a_stale_version_gets_409_with_the_current_version(staff) -> None:
    _, records = await group(staff, 1)
    record_id = next(iter(records.values()))
    completion = {"certificate_reference": "DL-2026-09-001"}
    url = f"/training-records/{record_id}/completion"
    response = await staff["trainer"].post(url, json=completion, headers={"If-Match": '"4"'})
    assert response.status_code == 409
    assert response.json()["current_version"] == 1 and response.headers["ETag"] == '"1"'
    response = await staff["trainer"].post(url, json=completion, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'


async def test_social_worker_sees_training_only_with_the_persons_consent(staff, project) -> None:
    _, records = await group(staff, 1)
    person_id = next(iter(records))
    await project()
    url = f"/people/{person_id}/training-history"
    assert (await staff["social_worker"].get(url)).status_code == 403
    consent = {"purpose": "share_training_with_social_legal", "evidence": "signed_form"}
    given = await staff["social_worker"].post(f"/people/{person_id}/consents", json=consent, headers=key())
    assert given.status_code == 201, given.text
    response = await staff["social_worker"].get(url)
    assert response.status_code == 200, response.text
    assert len(response.json()["cohorts"]) == 1
    assert response.json()["digital_help"] == []


async def test_trainer_sees_only_their_cohorts_and_names_only_their_learners(staff, project) -> None:
    mine, _ = await group(staff, 2)
    theirs = await schedule(staff["trainer"], trainer_ids=[staff["social_worker"].staff_id])
    stranger = await register(staff["helper"], "Lucía", "García")
    await enrol(staff["trainer"], theirs, stranger)
    await project()
    response = await staff["trainer"].get("/cohorts/mine")
    assert response.status_code == 200
    assert [(c["cohort_id"], c["seats_taken"]) for c in response.json()] == [(mine, 2)]
    [line] = (await roster(staff["trainer"], theirs))["learners"]
    assert line["person_id"] == stranger and line["given_name"] is None


@pytest.mark.parametrize("role", ["admin", "dpo", "social_worker"])
async def test_roster_is_refused_to_roles_without_training_access(staff, project, role) -> None:
    cohort_id, _ = await group(staff, 1)
    await project()
    response = await staff[role].get(f"/cohorts/{cohort_id}/roster")
    assert response.status_code == 403


async def test_every_learner_shown_on_a_roster_is_an_access(staff, project, runtime_of) -> None:
    cohort_id, records = await group(staff, 3)
    await project()
    await roster(staff["trainer"], cohort_id)
    await project()
    async with runtime_of().pool.acquire() as db:
        rows = await db.fetch("SELECT person_id FROM rm_access_log.entries WHERE view = 'roster'")
    assert sorted(str(r["person_id"]) for r in rows) == sorted(records)

"""DigiLab over HTTP: cohorts, a whole group's day in one request, DigComp, the training history."""

from __future__ import annotations

import uuid

import pytest

from domain.policy import Role
from service.staff.accounts import StaffAccounts
from tests.http.conftest import PASSWORD, Api

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
    completion = {"certificate_reference": "DL-2026-09-001", "reason": "Cours suivi à distance, travaux rendus"}
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


async def another_trainer(client, runtime_of, clock) -> Api:
    member = await StaffAccounts(runtime_of().pool).create(
        "other.trainer", "Other Trainer", PASSWORD, [Role.TRAINER], clock()
    )
    answer = await client.post(
        "/auth/sign-in", json={"username": "other.trainer", "password": PASSWORD, "mode": "bearer"}
    )
    assert answer.status_code == 200, answer.text
    return Api(client, answer.json()["token"], str(member.staff_id))


async def test_trainer_sees_only_their_cohorts_and_not_another_trainers_roster(
    staff, project, client, runtime_of, clock
) -> None:
    mine, _ = await group(staff, 2)
    colleague = await another_trainer(client, runtime_of, clock)
    theirs = await schedule(colleague)
    stranger = await register(staff["helper"], "Lucía", "García")
    await enrol(colleague, theirs, stranger)
    await project()
    response = await staff["trainer"].get("/cohorts/mine")
    assert response.status_code == 200
    assert [(c["cohort_id"], c["seats_taken"]) for c in response.json()] == [(mine, 2)]
    refused = await staff["trainer"].get(f"/cohorts/{theirs}/roster?day={TODAY}")
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/forbidden"
    enrolling = await staff["trainer"].post(
        f"/cohorts/{theirs}/enrolments", json={"person_id": stranger}, headers=key()
    )
    assert enrolling.status_code == 403


async def test_a_trainer_cannot_open_the_training_of_someone_not_hers_and_nothing_is_recorded(
    staff, project, runtime_of
) -> None:
    _, records = await group(staff, 1)
    learner = next(iter(records))
    stranger = await register(staff["helper"], "Lucía", "García")
    await project()
    assert (await staff["trainer"].get(f"/people/{learner}/training-history")).status_code == 200
    refused = await staff["trainer"].get(f"/people/{stranger}/training-history")
    assert refused.status_code == 403, refused.text
    assert "García" not in refused.text
    await project()
    async with runtime_of().pool.acquire() as db:
        rows = await db.fetch(
            "SELECT view, basis FROM rm_access_log.entries WHERE person_id = $1 AND view = 'training_history'",
            uuid.UUID(stranger),
        )
    assert rows == []


async def test_the_training_history_names_the_learner_by_course_details_only(staff, project) -> None:
    cohort_id = await schedule(staff["trainer"])
    person = {
        "given_name": "Amina",
        "family_name": "Diallo",
        "languages": ["ar", "fr"],
        "preferred_language": "ar",
        "contact": {"phone": "+32 470 12 34 56", "email": "amina@example.org", "address": "Rue Saint-Gilles 12"},
    }
    registered = await staff["helper"].post("/people", json=person, headers=key())
    assert registered.status_code == 201, registered.text
    person_id, file_number = registered.json()["ids"]["person_id"], registered.json()["ids"]["file_number"]
    await enrol(staff["trainer"], cohort_id, person_id)
    await project()
    response = await staff["trainer"].get(f"/people/{person_id}/training-history")
    assert response.status_code == 200, response.text
    learner = response.json()["learner"]
    assert (learner["given_name"], learner["family_name"], learner["file_number"]) == ("Amina", "Diallo", file_number)
    assert learner["preferred_language"] == "ar" and learner["phone"]
    assert "amina@example.org" not in response.text and "Saint-Gilles" not in response.text


async def test_a_trainer_finds_a_person_by_exact_file_number_to_enrol_and_the_look_up_is_an_access(
    staff, project, runtime_of
) -> None:
    cohort_id = await schedule(staff["trainer"])
    registered = await staff["helper"].post(
        "/people",
        json={"given_name": "Oleksandr", "family_name": "Kovalenko", "contact": {"email": "o.k@example.org"}},
        headers=key(),
    )
    person_id, file_number = registered.json()["ids"]["person_id"], registered.json()["ids"]["file_number"]
    await project()
    url = f"/cohorts/{cohort_id}/enrolment-lookup"
    found = await staff["trainer"].post(url, json={"file_number": f" {file_number} "})
    assert found.status_code == 200, found.text
    candidate = found.json()
    assert candidate["learner"]["family_name"] == "Kovalenko" and candidate["in_cohort"] is None
    assert "o.k@example.org" not in found.text
    nobody = await staff["trainer"].post(url, json={"file_number": "1999-99999"})
    assert nobody.status_code == 404
    wrong = await staff["trainer"].post(url, json={"file_number": "Kovalenko"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "file_number"
    await project()
    async with runtime_of().pool.acquire() as db:
        [row] = await db.fetch(
            "SELECT purpose, basis FROM rm_access_log.entries WHERE person_id = $1", uuid.UUID(person_id)
        )
    assert (row["purpose"], row["basis"]) == ("training", "enrolling")


async def test_the_waiting_list_is_managed_from_the_api(staff, project) -> None:
    cohort_id = await schedule(staff["trainer"], capacity=2)
    seated = await register(staff["helper"], *NAMES[0])
    first, chosen = await register(staff["helper"], *NAMES[1]), await register(staff["helper"], *NAMES[2])
    await enrol(staff["trainer"], cohort_id, seated)
    for place, person_id in enumerate((first, chosen), start=1):
        waiting = await staff["trainer"].post(
            f"/cohorts/{cohort_id}/waiting-list", json={"person_id": person_id}, headers=key()
        )
        assert waiting.status_code == 201, waiting.text
        assert waiting.json()["place"] == place
    again = await staff["trainer"].post(f"/cohorts/{cohort_id}/waiting-list", json={"person_id": first}, headers=key())
    assert again.status_code == 422
    seat = await staff["trainer"].post(f"/cohorts/{cohort_id}/waiting-list/{chosen}/seat", headers=key())
    assert seat.status_code == 201, seat.text
    assert seat.json()["seated"] is True and seat.json()["ids"]["record_id"]
    full = await staff["trainer"].post(f"/cohorts/{cohort_id}/waiting-list/{first}/seat", headers=key())
    assert full.status_code == 422 and "full" in full.json()["detail"]
    await project()
    shown = await roster(staff["trainer"], cohort_id)
    assert [w["person_id"] for w in shown["waiting_list"]] == [first]
    assert shown["waiting_list"][0]["family_name"] == NAMES[1][1]  # a trainer names the people she is enrolling
    removed = await staff["trainer"].post(f"/cohorts/{cohort_id}/waiting-list/{first}/removal", headers=key())
    assert removed.status_code == 200, removed.text
    await project()
    assert (await roster(staff["trainer"], cohort_id))["waiting_list"] == []
    gone = await staff["trainer"].post(f"/cohorts/{cohort_id}/waiting-list/{first}/removal", headers=key())
    assert gone.status_code == 422


async def attend(staff, cohort_id: str, record_id: str) -> None:
    day = {"day": TODAY, "exceptions": [{"record_id": record_id, "status": "present"}], "default_status": None}
    response = await staff["trainer"].post(f"/cohorts/{cohort_id}/attendance", json=day, headers=key())
    assert response.status_code == 200, response.text


async def test_completion_below_the_attendance_threshold_needs_a_reason_which_the_history_shows(staff, project) -> None:
    cohort_id, records = await group(staff, 1)
    person_id, record_id = next(iter(records.items()))
    await project()
    await attend(staff, cohort_id, record_id)  # 1 session of 20: 5 %
    url = f"/training-records/{record_id}/completion"
    refused = await staff["trainer"].post(url, json={"certificate_reference": "DL-2026-09-002"}, headers=key())
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"] == "/problems/rule-broken"
    assert [e["field"] for e in problem["errors"]] == ["reason"] and "1 of 20" in problem["detail"]
    reason = "Hospitalisée deux semaines ; exercices faits à la maison"
    done = await staff["trainer"].post(
        url, json={"certificate_reference": "DL-2026-09-002", "reason": reason}, headers=key()
    )
    assert done.status_code == 200, done.text
    await project()
    [cohort] = (await staff["trainer"].get(f"/people/{person_id}/training-history")).json()["cohorts"]
    assert (cohort["status"], cohort["completion_reason"]) == ("completed", reason)


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

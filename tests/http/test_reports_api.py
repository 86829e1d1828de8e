"""The caseload, the access log and the statistics over HTTP."""

from __future__ import annotations

from tests.http.test_cases_api import a_case, open_case
from tests.http.test_people_and_case_file import PERSON, register


async def test_break_glass_reading_is_flagged_for_the_dpo_and_only_the_dpo_reads_a_persons_log(staff, project) -> None:
    person_id, _ = await a_case(staff)
    await project()
    reason = "Collègue absente, audience au tribunal demain"
    response = await staff["other_social_worker"].post(f"/people/{person_id}/file/break-glass", json={"reason": reason})
    assert response.status_code == 200 and response.json()["break_glass"] is True
    await project()
    for role in ("social_worker", "other_social_worker", "trainer", "helper", "admin"):
        refused = await staff[role].get(f"/access-log/people/{person_id}")
        assert refused.status_code == 403, role
        assert reason not in refused.text
    log = (await staff["dpo"].get(f"/access-log/people/{person_id}")).json()
    flagged = [e for e in log if e["break_glass"]]
    assert [(e["staff_id"], e["view"], e["reason"]) for e in flagged] == [
        (staff["other_social_worker"].staff_id, "case_file", reason)
    ]
    assert all(not e["break_glass"] for e in log if e["staff_id"] != staff["other_social_worker"].staff_id)
    await project()
    oversight = (await staff["dpo"].get(f"/access-log/people/{person_id}")).json()
    assert [(e["view"], e["basis"]) for e in oversight if e["staff_id"] == staff["dpo"].staff_id] == [
        ("access_log", "dpo_oversight")
    ]


async def test_the_dpo_lists_what_one_staff_member_read_and_others_see_only_their_own(staff, project) -> None:
    person_id, _ = await a_case(staff)
    await project()
    reason = "Remplacement pendant les congés"
    await staff["other_social_worker"].post(f"/people/{person_id}/file/break-glass", json={"reason": reason})
    await project()
    colleague = staff["other_social_worker"].staff_id
    by_staff = await staff["dpo"].get(f"/access-log/staff/{colleague}")
    assert by_staff.status_code == 200, by_staff.text
    assert [(e["person_id"], e["reason"]) for e in by_staff.json()] == [(person_id, reason)]
    assert (await staff["social_worker"].get(f"/access-log/staff/{colleague}")).status_code == 403
    mine = (await staff["other_social_worker"].get("/access-log/mine")).json()
    assert [(e["person_id"], e["break_glass"], e["reason"]) for e in mine] == [(person_id, True, None)]
    assert (await staff["helper"].get("/access-log/mine")).json() == []
    assert (await staff["admin"].get("/access-log/mine")).status_code == 403


async def test_caseload_lists_overdue_follow_ups_first_and_is_for_social_workers_only(staff, project) -> None:
    sw = staff["social_worker"]
    calm = await register(sw, given_name="Oksana", family_name="Kovalenko")
    urgent = await register(sw, given_name="Mamadou", family_name="Diallo")
    calm_case, urgent_case = await open_case(sw, calm), await open_case(sw, urgent)
    await sw.post(f"/cases/{calm_case}/follow-ups", json={"due_on": "2026-09-20", "description": "Relancer"})
    await sw.post(f"/cases/{urgent_case}/follow-ups", json={"due_on": "2026-08-28", "description": "Recours"})
    await project()
    response = await sw.get("/caseload")
    assert response.status_code == 200, response.text
    lines = [(c["given_name"], c["overdue_follow_ups"], c["next_follow_up"]) for c in response.json()["cases"]]
    assert lines == [("Mamadou", 1, "2026-08-28"), ("Oksana", 0, "2026-09-20")]
    theirs = (await staff["other_social_worker"].get("/caseload")).json()
    assert theirs["cases"] == [] and theirs["referrals_waiting"] == [] and theirs["follow_ups"] == []
    for role in ("trainer", "helper", "dpo", "admin"):
        assert (await staff[role].get("/caseload")).status_code == 403, role
    await project()
    views = [e["view"] for e in (await sw.get("/access-log/mine")).json()]
    assert views.count("caseload") == 2  # one access per person shown


async def test_statistics_hold_no_person_id_nor_name_and_are_not_for_trainers(staff, project) -> None:
    person_ids = [await register(staff["helper"], given_name=f"Amina{n}", family_name="Yilmaz") for n in range(3)]
    _, case_id = await a_case(staff)
    await project()
    response = await staff["social_worker"].get("/statistics?period_from=2026-09&period_to=2026-09")
    assert response.status_code == 200, response.text
    overview = next(t for t in response.json()["tables"] if t["key"] == "overview")
    new_people = overview["rows"][0]["cells"][[c["key"] for c in overview["columns"]].index("new_people")]
    assert new_people == {"value": None, "suppressed": True}  # four people: fewer than five, never published
    for person_id in person_ids:
        assert person_id not in response.text
    assert case_id not in response.text and "Yilmaz" not in response.text and PERSON["family_name"] not in response.text
    for role in ("dpo", "admin"):
        assert (await staff[role].get("/statistics?period_from=2026-09&period_to=2026-09")).status_code == 200
    for role in ("trainer", "helper"):
        assert (await staff[role].get("/statistics?period_from=2026-09&period_to=2026-09")).status_code == 403
    bad = await staff["dpo"].get("/statistics?period_from=2026-13&period_to=2026-09")
    assert bad.status_code in (400, 422) and "period_from" in bad.text
    backwards = await staff["dpo"].get("/statistics?period_from=2026-09&period_to=2026-08")
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "period_to"


async def test_the_dpo_issues_a_frozen_report_and_a_retry_answers_the_same_report(staff, project) -> None:
    await register(staff["helper"])
    await project()
    period = {"period_from": "2026-09", "period_to": "2026-09"}
    headers = {"Idempotency-Key": "report-2026-09"}
    first = await staff["dpo"].post("/statistics/reports", json=period, headers=headers)
    again = await staff["dpo"].post("/statistics/reports", json=period, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    other = await staff["dpo"].post("/statistics/reports", json={**period, "period_from": "2026-08"}, headers=headers)
    assert other.status_code == 422 and other.json()["type"] == "/problems/idempotency-key-reused"
    report_id = first.json()["report_id"]
    await register(staff["helper"], given_name="Ahmed")
    await project()
    issued = await staff["social_worker"].get(f"/statistics/reports/{report_id}")
    assert issued.status_code == 200 and issued.json() == first.json()  # frozen: the new person is not in it
    assert (await staff["social_worker"].post("/statistics/reports", json=period)).status_code == 403
    assert (await staff["trainer"].get(f"/statistics/reports/{report_id}")).status_code == 403

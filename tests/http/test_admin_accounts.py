"""The admin's accounts over HTTP: the last admin stays, every account has a role, a way back in, sites."""

from __future__ import annotations

import asyncio

import pytest

from service.staff.accounts import LOCK_AFTER, StaffAccounts
from tests.http.conftest import PASSWORD

NEW_PASSWORD = "une phrase toute neuve"


async def bearer(client, username: str, password: str = PASSWORD):
    return await client.post("/auth/sign-in", json={"username": username, "password": password, "mode": "bearer"})


def fields(response) -> list[str]:
    return [e["field"] for e in response.json().get("errors", [])]


async def test_the_only_admin_can_neither_drop_the_admin_role_nor_be_deactivated(staff) -> None:
    admin = staff["admin"]
    dropped = await admin.request("PATCH", f"/staff/{admin.staff_id}", json={"roles": ["trainer"]})
    assert dropped.status_code == 422 and fields(dropped) == ["roles"], dropped.text
    deactivated = await admin.request("PATCH", f"/staff/{admin.staff_id}", json={"active": False})
    assert deactivated.status_code == 422 and fields(deactivated) == ["active"], deactivated.text
    me = await admin.get("/auth/me")
    assert me.status_code == 200 and me.json()["roles"] == ["admin"]


async def test_with_a_second_admin_the_first_may_step_down(staff, client) -> None:
    admin = staff["admin"]
    second = {"username": "second.admin", "display_name": "Second", "password": PASSWORD, "roles": ["admin"]}
    assert (await admin.post("/staff", json=second)).status_code == 201
    dropped = await admin.request("PATCH", f"/staff/{admin.staff_id}", json={"roles": ["dpo"]})
    assert dropped.status_code == 200, dropped.text
    assert (await bearer(client, "second.admin")).status_code == 200


async def test_two_admins_taking_each_others_role_at_once_leave_one_admin(staff, client, runtime_of) -> None:
    first = staff["admin"]
    created = await first.post(
        "/staff", json={"username": "other.admin", "display_name": "Other", "password": PASSWORD, "roles": ["admin"]}
    )
    second_id = created.json()["staff_id"]
    token = (await bearer(client, "other.admin")).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    answers = await asyncio.gather(
        first.request("PATCH", f"/staff/{second_id}", json={"roles": ["trainer"]}),
        client.patch(f"/staff/{first.staff_id}", json={"roles": ["trainer"]}, headers=headers),
    )
    assert sorted(a.status_code for a in answers) in ([200, 403], [200, 422]), [a.text for a in answers]
    admins = [m for m in await StaffAccounts(runtime_of().pool).all() if "admin" in m.roles and m.active]
    assert len(admins) == 1


async def test_an_account_needs_a_role(staff) -> None:
    new = {"username": "sans.role", "display_name": "Sans Rôle", "password": PASSWORD, "roles": []}
    refused = await staff["admin"].post("/staff", json=new)
    assert refused.status_code == 422 and fields(refused) == ["roles"], refused.text


async def test_a_taken_username_is_a_conflict_that_says_so(staff) -> None:
    taken = {"username": "helper", "display_name": "Autre", "password": PASSWORD, "roles": ["trainer"]}
    refused = await staff["admin"].post("/staff", json=taken)
    assert refused.status_code == 409 and "user name is taken" in refused.json()["detail"]


async def test_a_reset_password_ends_the_sessions_and_is_recorded(staff, client, runtime_of) -> None:
    helper = staff["helper"]
    reset = await staff["admin"].post(f"/staff/{helper.staff_id}/password", json={"password": NEW_PASSWORD})
    assert reset.status_code == 200, reset.text
    assert reset.json()["password_temporary"] is True
    assert (await helper.get("/auth/me")).status_code == 401, "the old session ended"
    assert (await bearer(client, "helper")).status_code == 401, "the old password no longer works"
    assert (await bearer(client, "helper", NEW_PASSWORD)).status_code == 200
    async with runtime_of().pool.acquire() as db:
        audit = await db.fetch(
            "SELECT actor_id::text, action FROM staff_audit WHERE staff_id = $1", reset.json()["staff_id"]
        )
    assert [(r["actor_id"], r["action"]) for r in audit] == [(staff["admin"].staff_id, "password_reset")]


async def test_a_too_short_temporary_password_names_the_field(staff) -> None:
    refused = await staff["admin"].post(f"/staff/{staff['trainer'].staff_id}/password", json={"password": "court"})
    assert refused.status_code in (400, 422) and fields(refused) == ["password"], refused.text


async def test_the_admin_unlocks_a_locked_out_account_and_it_is_recorded(staff, client, runtime_of) -> None:
    for _ in range(LOCK_AFTER):
        await bearer(client, "trainer", "wrong guess, again")
    assert (await bearer(client, "trainer")).status_code == 401, "locked"
    listed = {m["username"]: m for m in (await staff["admin"].get("/staff")).json()}
    assert listed["trainer"]["locked_until"] is not None and listed["helper"]["locked_until"] is None
    unlocked = await staff["admin"].post(f"/staff/{staff['trainer'].staff_id}/unlock")
    assert unlocked.status_code == 200 and unlocked.json()["locked_until"] is None, unlocked.text
    assert (await bearer(client, "trainer")).status_code == 200
    async with runtime_of().pool.acquire() as db:
        actions = await db.fetch("SELECT action FROM staff_audit WHERE staff_id = $1", unlocked.json()["staff_id"])
    assert [r["action"] for r in actions] == ["unlocked"]


@pytest.mark.parametrize(
    ("state", "detail"),
    [
        ("UPDATE staff SET roles = '{}' WHERE username = 'dpo'", "no role"),
        ("UPDATE staff SET roles = '{archivist}' WHERE username = 'dpo'", "no role"),
        ("UPDATE staff SET active = false WHERE username = 'dpo'", "wrong"),
        ("UPDATE staff SET password_temporary = true WHERE username = 'dpo'", None),
    ],
)
async def test_signing_in_never_answers_500_whatever_the_account_state(
    staff, client, runtime_of, state, detail
) -> None:
    async with runtime_of().pool.acquire() as db:
        await db.execute(state)
    for mode in ("bearer", "cookie"):
        answer = await client.post("/auth/sign-in", json={"username": "dpo", "password": PASSWORD, "mode": mode})
        if detail is None:
            assert answer.status_code == 200, answer.text
        else:
            assert answer.status_code == 401 and detail in answer.json()["detail"], answer.text


async def test_the_admin_gives_an_account_its_site_from_the_centres_list(staff) -> None:
    admin, helper = staff["admin"], staff["helper"]
    moved = await admin.request("PATCH", f"/staff/{helper.staff_id}", json={"site": "Seraing"})
    assert moved.status_code == 200 and moved.json()["site"] == "Seraing", moved.text
    unknown = await admin.request("PATCH", f"/staff/{helper.staff_id}", json={"site": "Liege"})
    assert unknown.status_code == 422 and fields(unknown) == ["site"], unknown.text
    back = await admin.request("PATCH", f"/staff/{helper.staff_id}", json={"site": None})
    assert back.status_code == 200 and back.json()["site"] is None
    new = {"username": "au.centre", "display_name": "Au Centre", "password": PASSWORD, "roles": ["office_hours_helper"]}
    created = await admin.post("/staff", json={**new, "site": "Liège centre"})
    assert created.status_code == 201 and created.json()["site"] == "Liège centre", created.text

"""Sign-in: cookie sessions with CSRF, bearer tokens, throttling, lock-out, idle timeout, sign-out."""

from __future__ import annotations

from functools import partial

from litestar.testing import AsyncTestClient

from domain.policy import Role
from service.app import create_app
from service.staff.accounts import LOCK_AFTER, StaffAccounts
from service.storage.runtime import open_runtime
from tests.http.conftest import PASSWORD, no_wait


async def make_staff(runtime_of, clock, username: str = "marie", roles=(Role.SOCIAL_WORKER,)):
    return await StaffAccounts(runtime_of().pool).create(username, "Marie Dupont", PASSWORD, roles, clock())


async def cookie_sign_in(client, username: str = "marie", password: str = PASSWORD):
    return await client.post("/auth/sign-in", json={"username": username, "password": password})


async def test_cookie_session_is_httponly_strict_and_needs_csrf_for_changes(client, runtime_of, clock) -> None:
    await make_staff(runtime_of, clock)
    response = await cookie_sign_in(client)
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    csrf = response.json()["csrf_token"]
    assert (await client.get("/auth/me")).json()["username"] == "marie"
    refused = await client.post("/people", json={"given_name": "A", "family_name": "B"})
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    accepted = await client.post(
        "/people", json={"given_name": "A", "family_name": "B"}, headers={"X-CSRF-Token": csrf}
    )
    assert accepted.status_code == 201, accepted.text


async def test_secure_cookie_outside_development(database_url, master_key, clock, runtime_of, gdpr) -> None:
    app = create_app(
        partial(open_runtime, database_url, master_key, clock=clock),
        gdpr=gdpr,
        run_projections=False,
        clock=clock,
        secure_cookies=True,
        sign_in_delay=no_wait,
    )
    await make_staff(runtime_of, clock)
    async with AsyncTestClient(app) as client:
        response = await cookie_sign_in(client)
    assert "secure" in response.headers["set-cookie"].lower()


async def test_wrong_password_and_unknown_user_get_the_same_answer(client, runtime_of, clock) -> None:
    await make_staff(runtime_of, clock)
    wrong_password = await cookie_sign_in(client, password="not the password")
    unknown_user = await cookie_sign_in(client, username="nobody")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()


async def test_repeated_failures_lock_the_account_for_a_while(client, runtime_of, clock) -> None:
    await make_staff(runtime_of, clock)
    for _ in range(LOCK_AFTER):
        assert (await cookie_sign_in(client, password="guessing badly")).status_code == 401
    assert (await cookie_sign_in(client)).status_code == 401, "locked: even the right password is refused"
    clock.advance(minutes=16)
    assert (await cookie_sign_in(client)).status_code == 200


async def test_sign_out_closes_the_session_on_the_server(client, runtime_of, clock) -> None:
    await make_staff(runtime_of, clock)
    bearer = await client.post("/auth/sign-in", json={"username": "marie", "password": PASSWORD, "mode": "bearer"})
    headers = {"Authorization": f"Bearer {bearer.json()['token']}"}
    assert (await client.get("/auth/me", headers=headers)).status_code == 200
    assert (await client.post("/auth/sign-out", headers=headers)).status_code == 204
    assert (await client.get("/auth/me", headers=headers)).status_code == 401


async def test_idle_session_expires(client, runtime_of, clock) -> None:
    await make_staff(runtime_of, clock)
    bearer = await client.post("/auth/sign-in", json={"username": "marie", "password": PASSWORD, "mode": "bearer"})
    headers = {"Authorization": f"Bearer {bearer.json()['token']}"}
    clock.advance(minutes=29)
    assert (await client.get("/auth/me", headers=headers)).status_code == 200
    clock.advance(minutes=31)
    expired = await client.get("/auth/me", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


async def test_deactivated_staff_is_signed_out_and_cannot_sign_in(client, staff, runtime_of, clock) -> None:
    member = await make_staff(runtime_of, clock)
    bearer = await client.post("/auth/sign-in", json={"username": "marie", "password": PASSWORD, "mode": "bearer"})
    headers = {"Authorization": f"Bearer {bearer.json()['token']}"}
    response = await staff["admin"].request(
        "PATCH", f"/staff/{member.staff_id}", json={"active": False}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert (await client.get("/auth/me", headers=headers)).status_code == 401
    assert (await cookie_sign_in(client)).status_code == 401


async def test_only_the_admin_manages_accounts_and_sees_no_beneficiary(staff) -> None:
    new = {"username": "jean", "display_name": "Jean", "password": PASSWORD, "roles": ["trainer"]}
    assert (await staff["social_worker"].post("/staff", json=new)).status_code == 403
    created = await staff["admin"].post("/staff", json=new)
    assert created.status_code == 201 and created.json()["roles"] == ["trainer"]
    stale = await staff["admin"].request(
        "PATCH", f"/staff/{created.json()['staff_id']}", json={"roles": ["dpo"]}, headers={"If-Match": '"5"'}
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    assert (await staff["admin"].post("/people", json={"given_name": "A", "family_name": "B"})).status_code == 403


async def test_health_and_readiness(client, project) -> None:
    assert (await client.get("/health")).json() == {"status": "ok", "database": "ok"}
    await project()
    ready = await client.get("/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


async def test_metrics_hold_route_templates_not_raw_paths(staff, client) -> None:
    await staff["helper"].get("/people/6b0f0a4e-8a3a-4d43-9f3b-2f0f7f0c2b11")
    metrics = (await client.get("/metrics")).text
    assert 'route="/people/{person_id:uuid}"' in metrics
    assert "6b0f0a4e" not in metrics

"""A database the service has lost answers 503 with Retry-After, never 500."""

from __future__ import annotations

import asyncio
import uuid


async def lose_the_database(app, client) -> None:
    """Close the app's pool on the app's own event loop (the test client runs it in another thread)."""
    await asyncio.to_thread(client.blocking_portal.call, app.state.services.runtime.pool.close)


async def test_an_api_request_without_its_database_answers_503_with_retry_after(app, client, staff) -> None:
    await lose_the_database(app, client)

    response = await staff["social_worker"].get(f"/people/{uuid.uuid4()}")

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["type"] == "/problems/unavailable"


async def test_a_command_without_its_database_answers_503(app, client, staff) -> None:
    await lose_the_database(app, client)

    response = await staff["social_worker"].post("/people", json={"given_name": "Awa", "family_name": "Diallo"})

    assert response.status_code == 503
    assert "Awa" not in response.text

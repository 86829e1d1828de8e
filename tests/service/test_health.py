from __future__ import annotations

from functools import partial

from litestar.testing import AsyncTestClient

from service.app import create_app
from service.keys.master_key import MasterKey
from service.runtime import open_runtime


async def test_health_checks_the_database(database_url: str, master_key: MasterKey) -> None:
    app = create_app(partial(open_runtime, database_url, master_key))
    async with AsyncTestClient(app) as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}

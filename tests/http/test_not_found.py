"""A 404 names the kind of record that was asked for, never one behind it."""

from __future__ import annotations

import uuid

import pytest


@pytest.mark.parametrize("path", ["/people/{id}", "/people/{id}/file"])
async def test_an_unknown_person_is_not_found_as_a_person(staff, path: str) -> None:
    unknown = uuid.uuid4()

    response = await staff["social_worker"].get(path.format(id=unknown))

    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "Person" in detail and "ConsentRecord" not in detail


async def test_an_unknown_person_s_access_log_is_not_found_as_a_person(staff) -> None:
    response = await staff["dpo"].get(f"/access-log/people/{uuid.uuid4()}")

    assert response.status_code == 404
    assert "Person" in response.json()["detail"]

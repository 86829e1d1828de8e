"""Fixtures of the application-service tests: a context on the real store, and staff."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid4

import pytest

from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.runtime import Runtime

if TYPE_CHECKING:
    from tests.conftest import FakeClock


def staff(*roles: Role) -> Actor:
    return Actor(staff_id=uuid4(), roles=frozenset(roles))


@pytest.fixture
def ctx(runtime: Runtime, clock: FakeClock) -> ApplicationContext:
    return ApplicationContext.from_runtime(runtime, clock=clock)


@pytest.fixture
def social_worker() -> Actor:
    return staff(Role.SOCIAL_WORKER)


@pytest.fixture
def other_social_worker() -> Actor:
    return staff(Role.SOCIAL_WORKER)


@pytest.fixture
def trainer() -> Actor:
    return staff(Role.TRAINER)


@pytest.fixture
def helper() -> Actor:
    return staff(Role.OFFICE_HOURS_HELPER)


@pytest.fixture
def dpo() -> Actor:
    return staff(Role.DPO)


@pytest.fixture
def admin() -> Actor:
    return staff(Role.ADMIN)

from __future__ import annotations

import pytest

from service.repository import Repository
from service.runtime import Runtime


@pytest.fixture
def repository(runtime: Runtime) -> Repository:
    return Repository(runtime.store)

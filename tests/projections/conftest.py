from __future__ import annotations

import pytest

from service.storage.repository import Repository
from service.storage.runtime import Runtime


@pytest.fixture
def repository(runtime: Runtime) -> Repository:
    return Repository(runtime.store)

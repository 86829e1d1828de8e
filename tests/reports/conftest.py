"""The API on a fresh database (tests/http's fixtures), and a repository to write a history fast."""

from __future__ import annotations

import pytest

from service.storage.repository import Repository
from service.storage.runtime import Runtime
from tests.http.conftest import app as app
from tests.http.conftest import client as client
from tests.http.conftest import gdpr as gdpr
from tests.http.conftest import project as project
from tests.http.conftest import runtime_of as runtime_of
from tests.http.conftest import staff as staff


@pytest.fixture
def repository(runtime: Runtime) -> Repository:
    return Repository(runtime.store)

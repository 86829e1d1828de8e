"""Every route of the API, gathered for the app."""

from __future__ import annotations

from typing import Any

from service.http.routes import auth, case_file, operations, people, staff

ALL_ROUTES: list[Any] = [*operations.ROUTES, *auth.ROUTES, *staff.ROUTES, *people.ROUTES, *case_file.ROUTES]

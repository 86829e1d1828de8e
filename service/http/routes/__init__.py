"""Every route of the API, gathered for the app."""

from __future__ import annotations

from typing import Any

from service.http.routes import (
    access_log,
    auth,
    case_file,
    case_notes,
    caseload,
    cases,
    cohorts,
    dpo,
    dpo_erasure,
    dpo_people,
    dpo_requests,
    office_hours,
    operations,
    people,
    referrals,
    roster,
    staff,
    statistics,
    training,
)

ALL_ROUTES: list[Any] = [*operations.ROUTES, *auth.ROUTES, *staff.ROUTES, *people.ROUTES, *case_file.ROUTES]
ALL_ROUTES += [*cohorts.ROUTES, *roster.ROUTES, *training.ROUTES, *office_hours.ROUTES]
ALL_ROUTES += [
    *cases.ROUTES,
    *case_notes.ROUTES,
    *referrals.ROUTES,
    *caseload.ROUTES,
    *access_log.ROUTES,
    *statistics.ROUTES,
]
ALL_ROUTES += [*dpo_requests.ROUTES, *dpo_erasure.ROUTES, *dpo_people.ROUTES, *dpo.ROUTES]

"""Every route of the API, gathered for the app."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.routes import HTTPRoute

from service.http.routes import (
    access_log,
    appointments,
    auth,
    case_file,
    case_notes,
    caseload,
    cases,
    certificates,
    cohorts,
    documents,
    dpo,
    dpo_erasure,
    dpo_people,
    dpo_requests,
    office_hours,
    operations,
    people,
    printouts,
    referrals,
    reminders,
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
ALL_ROUTES += [*printouts.ROUTES, *certificates.ROUTES]
ALL_ROUTES += [*appointments.ROUTES, *reminders.ROUTES, *documents.ROUTES]
ALL_ROUTES += [*dpo_requests.ROUTES, *dpo_erasure.ROUTES, *dpo_people.ROUTES, *dpo.ROUTES]


def _answering_options_for_every_method(router: Router) -> Router:
    """Litestar answers OPTIONS on a path with the methods of the first handler registered there.

    Its OPTIONS handler is made with the path's first route and kept when a second handler joins
    the path (``GET`` and ``POST /staff``), so ``Allow`` would leave the second one out. Each
    route is made again here from its own handlers, with an OPTIONS handler that sees them all.
    """
    for index, route in enumerate(router.routes):
        if isinstance(route, HTTPRoute):
            handlers = [handler for handler in route.route_handlers if handler.http_methods != {"OPTIONS"}]
            router.routes[index] = HTTPRoute(path=route.path, route_handlers=handlers)
    return router


ALL_ROUTES = [_answering_options_for_every_method(r) if isinstance(r, Router) else r for r in ALL_ROUTES]

"""The case file: one timeline of a person, filtered by what the reader may see."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose
from service.application.views import case_file as views
from service.application.views.case_file import CaseFile
from service.http.openapi import area
from service.http.wire import Request, ShortText


class BreakGlass(Request, frozen=True):
    """Reading outside one's caseload: the reason is written down and flagged for the DPO."""

    reason: ShortText
    purpose: ReadPurpose = ReadPurpose.FOLLOW_UP


@get("/")
async def case_file(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> CaseFile:
    return await views.case_file(ctx, actor, person_id, purpose)


@post("/break-glass", status_code=200)
async def case_file_break_glass(
    person_id: FromPath[UUID],
    data: JSONBody[BreakGlass],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
) -> CaseFile:
    return await views.case_file(ctx, actor, person_id, data.purpose, data.reason)


ROUTES = [
    Router(
        "/people/{person_id:uuid}/file",
        route_handlers=[case_file, case_file_break_glass],
        tags=["case file"],
        opt=area(people=True),
    )
]

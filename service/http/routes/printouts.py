"""A cohort's printed sheets: the day's signature sheet and the month's attendance summary, as PDF or XLSX.

Printing one reads every learner on it (their name and file number): each is an access
event, as the roster is. No role guard: trainers and helpers may print, for the learners
the access policy lets them read.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.certificate import DocumentLanguage
from service.application import printouts
from service.application.context import Actor, ApplicationContext
from service.http.deps import Services
from service.http.openapi import area
from service.http.printed import PDF, XLSX, Format, answered_as, download
from service.printing.attendance_summary import attendance_summary_pdf, attendance_summary_xlsx
from service.printing.signature_sheet import signature_sheet_pdf, signature_sheet_xlsx

_MONTH = r"^[12]\d{3}-(0[1-9]|1[0-2])$"


@get(
    "/attendance-sheet",
    operation_class=answered_as(PDF, XLSX, description="The signature sheet, as PDF or XLSX (``format``)."),
)
async def attendance_sheet(
    cohort_id: FromPath[UUID],
    day: FromQuery[date],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    services: NamedDependency[Services],
    format: FromQuery[Format] = Format.PDF,
    language: FromQuery[DocumentLanguage] = DocumentLanguage.FR,
) -> Response[bytes]:
    """The day's signature sheet: each learner enrolled, with a box to sign, and a line for the trainer.

    ``day`` must be one of the cohort's session days (422 naming ``day`` otherwise). In French, or in
    ``language``.
    """
    sheet = await printouts.signature_sheet(ctx, actor, cohort_id, day, services.settings.controller_name)
    words = str(language)
    if format is Format.XLSX:
        return download(signature_sheet_xlsx(sheet, words), XLSX, f"feuille-presence-{day.isoformat()}.xlsx")
    return download(signature_sheet_pdf(sheet, words), PDF, f"feuille-presence-{day.isoformat()}.pdf")


@get(
    "/attendance-summary",
    operation_class=answered_as(PDF, XLSX, description="The month's attendance summary, as PDF or XLSX (``format``)."),
)
async def attendance_summary(
    cohort_id: FromPath[UUID],
    month: Annotated[str, QueryParameter(pattern=_MONTH)],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    services: NamedDependency[Services],
    format: FromQuery[Format] = Format.PDF,
    language: FromQuery[DocumentLanguage] = DocumentLanguage.FR,
) -> Response[bytes]:
    """The month's hours per learner, sessions attended among those held, rates, and absences with their reason.

    ``month`` is YYYY-MM. Sessions up to today count as held. The XLSX adds the absences and the
    day-by-day detail on sheets of their own.
    """
    first = date(int(month[:4]), int(month[5:7]), 1)
    summary = await printouts.month_summary(ctx, actor, cohort_id, first, services.settings.controller_name)
    words = str(language)
    if format is Format.XLSX:
        return download(attendance_summary_xlsx(summary, words), XLSX, f"releve-presences-{month}.xlsx")
    return download(attendance_summary_pdf(summary, words), PDF, f"releve-presences-{month}.pdf")


ROUTES = [
    Router(
        "/cohorts/{cohort_id:uuid}",
        route_handlers=[attendance_sheet, attendance_summary],
        tags=["printouts"],
        opt=area(people=True),
    )
]

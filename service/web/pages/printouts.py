"""Printed outputs from the pages: a cohort's sheets, a learner's certificates, and the public verification page.

The trainer's cohort page links to ``/ui/cohorts/{id}/documents`` (the day's signature sheet,
the month's summary, as PDF or XLSX); the learner's training page links to
``/ui/people/{id}/certificates`` (issue, download, revoke). The QR code of a certificate leads
to ``/verification/{id}``: public, in French first, and it names no one.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.certificate import CertificateKind, DocumentLanguage
from domain.policy import Role
from projections.certificates import CertificateStatus
from service.application import certificates, printouts
from service.application.context import ApplicationContext
from service.http.deps import Services
from service.http.printed import PDF, XLSX, Format, download
from service.printing.attendance_summary import attendance_summary_pdf, attendance_summary_xlsx, month_label
from service.printing.certificate import certificate_pdf
from service.printing.signature_sheet import signature_sheet_pdf, signature_sheet_xlsx
from service.web.errors import shown_again
from service.web.kept import Kept
from service.web.viewer import SHORT_LENGTH, Form, Viewer, language_of, page, pages_for, render
from service.words.translator import Translator


@get("/ui/cohorts/{cohort_id:uuid}/documents")
async def documents_page(
    cohort_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """What can be printed for the cohort: the signature sheet of a session day, the summary of a month."""
    calendar = await printouts.cohort_calendar(ctx, viewer.principal.actor, cohort_id)
    t = Translator(viewer.language)
    months = [(m, month_label(t, m)) for m in calendar.months]
    return page(
        viewer,
        "printouts/documents.html",
        "print.documents.title",
        calendar=calendar,
        months=months,
        suggested_month=calendar.suggested_day.replace(day=1),
    )


async def _suggested_day(ctx: ApplicationContext, viewer: Viewer, cohort_id: UUID) -> date:
    return (await printouts.cohort_calendar(ctx, viewer.principal.actor, cohort_id)).suggested_day


@get("/ui/cohorts/{cohort_id:uuid}/attendance-sheet")
async def sheet_download(
    cohort_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    day: FromQuery[date | None] = None,
    format: FromQuery[Format] = Format.PDF,
) -> Response[bytes]:
    """``day``: a session day; without one (a bookmark), the day the documents page suggests."""
    day = day or await _suggested_day(ctx, viewer, cohort_id)
    sheet = await printouts.signature_sheet(
        ctx, viewer.principal.actor, cohort_id, day, services.settings.controller_name
    )
    if format is Format.XLSX:
        return download(signature_sheet_xlsx(sheet, viewer.language), XLSX, f"feuille-presence-{day}.xlsx")
    return download(signature_sheet_pdf(sheet, viewer.language), PDF, f"feuille-presence-{day}.pdf")


@get("/ui/cohorts/{cohort_id:uuid}/attendance-summary")
async def summary_download(
    cohort_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    month: FromQuery[date | None] = None,
    format: FromQuery[Format] = Format.PDF,
) -> Response[bytes]:
    """``month``: its first day, as the documents page's choice sends it; without one, the suggested month."""
    month = month or (await _suggested_day(ctx, viewer, cohort_id)).replace(day=1)
    summary = await printouts.month_summary(
        ctx, viewer.principal.actor, cohort_id, month, services.settings.controller_name
    )
    name = f"releve-presences-{month:%Y-%m}"
    if format is Format.XLSX:
        return download(attendance_summary_xlsx(summary, viewer.language), XLSX, f"{name}.xlsx")
    return download(attendance_summary_pdf(summary, viewer.language), PDF, f"{name}.pdf")


async def _certificates_page(
    viewer: Viewer, ctx: ApplicationContext, person_id: UUID, done: str = "", kept: Kept | None = None
) -> Template:
    learner = await certificates.learner_certificates(ctx, viewer.principal.actor, person_id)
    return page(
        viewer,
        "printouts/certificates.html",
        "certificate.page.title",
        learner=learner,
        kinds=list(CertificateKind),
        languages=list(DocumentLanguage),
        may_issue=viewer.has(Role.TRAINER),
        done=done,
        kept=kept,
    )


@get("/ui/people/{person_id:uuid}/certificates")
async def certificates_page(
    person_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str] = "",
) -> Template:
    """The learner's certificates: issue one, download one, revoke one issued by mistake."""
    return await _certificates_page(viewer, ctx, person_id, done if done in ("issued", "revoked") else "")


@post("/ui/people/{person_id:uuid}/certificates")
async def issue_certificate(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        kind = form.choice("kind", CertificateKind)
        cohort_id = form.uuid("cohort_id")
        language = form.get("language", "").strip()
        asked = certificates.IssueCertificate(
            person_id, cohort_id, kind, form.one_of("language", DocumentLanguage, language) if language else None
        )
        issued = await certificates.issue_certificate(
            ctx,
            viewer.principal.actor,
            asked,
            services.gdpr_tools.signer.certificates,
            services.settings.controller_name,
            idempotency_key=form.key(viewer),
        )
        return Redirect(f"/ui/people/{issued.person_id}/certificates?done=issued", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _certificates_page(viewer, ctx, person_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@get("/ui/certificates/{certificate_id:uuid}/pdf")
async def certificate_download(
    certificate_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
) -> Response[bytes]:
    found = await certificates.certificate_to_print(
        ctx, viewer.principal.actor, certificate_id, services.gdpr_tools.signer.certificates
    )
    address = f"{services.settings.public_url.rstrip('/')}/verification/{certificate_id}"
    return download(certificate_pdf(found.signed, address, found.revoked_on), PDF, f"attestation-{certificate_id}.pdf")


@post("/ui/certificates/{certificate_id:uuid}/revocation")
async def revoke_certificate(
    certificate_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """The form sits on the learner's page (``person_id``), which comes back with the reason typed if it fails."""
    person_id = form.uuid("person_id")

    async def attempt() -> Response[Any]:
        asked = certificates.RevokeCertificate(certificate_id, form.text("reason", SHORT_LENGTH, required=True))
        await certificates.revoke_certificate(ctx, viewer.principal.actor, asked, idempotency_key=form.key(viewer))
        return Redirect(f"/ui/people/{person_id}/certificates?done=revoked", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _certificates_page(viewer, ctx, person_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@get("/verification/{certificate_id:uuid}")
async def verification_page(
    certificate_id: FromPath[UUID], request: Request[Any, Any, Any], services: NamedDependency[Services]
) -> Template:
    """Public, no sign-in: is this certificate genuine and valid? Only its kind and dates, never a name."""
    found = await certificates.verification(services.context(), certificate_id)
    status = 404 if found.status is CertificateStatus.UNKNOWN else 200
    return render(
        "printouts/verification.html",
        language=language_of(request),
        title="certificate.verification.title",
        found=found,
        status=status,
    )


ROUTES = [
    Router(
        "/",
        route_handlers=[documents_page, sheet_download, summary_download],
        guards=pages_for(Role.TRAINER),
        include_in_schema=False,
    ),
    # A learner's certificates: who may read or change them, the access policy decides per person.
    Router(
        "/",
        route_handlers=[certificates_page, issue_certificate, certificate_download, revoke_certificate],
        guards=pages_for(Role.TRAINER, Role.OFFICE_HOURS_HELPER, Role.SOCIAL_WORKER),
        include_in_schema=False,
    ),
    Router("/", route_handlers=[verification_page], include_in_schema=False),
]

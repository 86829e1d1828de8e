"""Erasure (Art. 17): a dry run naming the person, the confirmation by their file number, then the signed receipt.

Before anything is erased, the DPO sees whom: name, file number and birth date, with the
restriction (Art. 18) and the legal holds. The confirmation is the file number, which the DPO
reads on the page (as the API asks for it). The receipt can be downloaded, as its signed JSON
and as a printable document, now and later (from the person's page).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import MediaType, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from domain.policy import Role
from service.application.context import ApplicationContext
from service.application.views import access_log
from service.application.views.dpo import DpoPerson, person_for_rights_request
from service.gdpr import receipts
from service.gdpr.erasure import erase_confirmed, plan_erasure
from service.gdpr.html import receipt_html
from service.gdpr.receipts import ErasureReceipt, erasure_receipt
from service.http.deps import Services
from service.storage.repository import AggregateNotFoundError
from service.web.errors import shown_again
from service.web.kept import Kept
from service.web.viewer import Form, Viewer, page, pages_for


async def _plan_page(viewer: Viewer, ctx: ApplicationContext, person_id: UUID, kept: Kept | None = None) -> Template:
    actor = viewer.principal.actor
    receipt = await erasure_receipt(ctx, actor, person_id)
    if receipt is not None:
        return page(viewer, "dpo/erased.html", "dpo.erased_title", person_id=person_id, receipt=receipt)
    person = await person_for_rights_request(ctx, actor, person_id)
    plan = await plan_erasure(ctx, actor, person_id)
    return page(viewer, "dpo/erasure_plan.html", "erasure.title", plan=plan, person=person, kept=kept)


@get("/{person_id:uuid}/erasure", include_in_schema=False)
async def dry_run(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    return await _plan_page(viewer, ctx, person_id)


@post("/{person_id:uuid}/erasure", include_in_schema=False)
async def confirm(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Erase once the file number typed is the person's; else the dry run again, with what was typed."""
    actor = viewer.principal.actor

    async def attempt() -> Response[Any]:
        before: DpoPerson | None = None
        if await erasure_receipt(ctx, actor, person_id) is None:
            before = await person_for_rights_request(ctx, actor, person_id)  # named on the receipt page, never kept
        typed = form.text("confirm_file_number", 20, required=True)
        erased = await erase_confirmed(ctx, actor, person_id, typed, services.gdpr_tools)
        return await _receipt_page(viewer, ctx, erased.receipt, before)

    async def again(kept: Kept) -> Template:
        return await _plan_page(viewer, ctx, person_id, kept)

    return await shown_again(form, viewer, attempt, again)


async def _receipt_page(
    viewer: Viewer, ctx: ApplicationContext, receipt: ErasureReceipt, before: DpoPerson | None
) -> Template:
    return page(
        viewer,
        "dpo/receipt.html",
        "erasure.receipt",
        receipt=receipt,
        person=before,
        erased_by=await _staff_name(viewer, ctx, receipt),
    )


async def _staff_name(viewer: Viewer, ctx: ApplicationContext, receipt: ErasureReceipt) -> str | None:
    names = {s.staff_id: s.display_name for s in await access_log.staff_names(ctx, viewer.principal.actor)}
    return names.get(receipt.erased_by)


async def _receipt(viewer: Viewer, ctx: ApplicationContext, person_id: UUID) -> ErasureReceipt:
    found = await erasure_receipt(ctx, viewer.principal.actor, person_id)
    if found is None:
        raise AggregateNotFoundError("ErasureReceipt", person_id)
    return found


@get("/{person_id:uuid}/receipt.json", include_in_schema=False)
async def receipt_json(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[bytes]:
    """The signed receipt as the file to keep (``suivi receipt verify`` checks it)."""
    receipt = await _receipt(viewer, ctx, person_id)
    disposition = f'attachment; filename="recu-effacement-{receipt.receipt_id}.json"'
    return Response(receipts.encode(receipt), media_type=MediaType.JSON, headers={"Content-Disposition": disposition})


@get("/{person_id:uuid}/receipt", include_in_schema=False)
async def receipt_printable(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[str]:
    """The receipt as a document to print (or save as PDF from the browser)."""
    receipt = await _receipt(viewer, ctx, person_id)
    staff = {s.staff_id: s.display_name for s in await access_log.staff_names(ctx, viewer.principal.actor)}
    return Response(receipt_html(receipt, viewer.language, staff=staff), media_type=MediaType.HTML)


ROUTES = [
    Router(
        "/ui/dpo/people",
        route_handlers=[dry_run, confirm, receipt_json, receipt_printable],
        guards=pages_for(Role.DPO),
    )
]

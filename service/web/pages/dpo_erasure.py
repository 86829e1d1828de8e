"""Erasure (Art. 17): a dry run first, then the confirmation typed twice, then the signed receipt."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from domain.policy import Role
from service.application.context import ApplicationContext
from service.application.views.dpo import file_numbers
from service.gdpr import receipts
from service.gdpr.erasure import erase, plan_erasure
from service.http.deps import Services
from service.web.viewer import Form, Viewer, page, pages_for


def confirmation_code(person_id: UUID) -> str:
    """What the DPO types, twice: the first eight characters of the person's id."""
    return str(person_id)[:8]


@get("/{person_id:uuid}/erasure", include_in_schema=False)
async def dry_run(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    plan = await plan_erasure(ctx, viewer.principal.actor, person_id)
    number = (await file_numbers(ctx, viewer.principal.actor, [person_id])).get(person_id)
    return page(
        viewer,
        "dpo/erasure_plan.html",
        "erasure.title",
        plan=plan,
        code=confirmation_code(person_id),
        mismatch=False,
        file_number=number,
    )


@post("/{person_id:uuid}/erasure", include_in_schema=False)
async def confirm(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Template:
    code = confirmation_code(person_id)
    if form.get("confirm_1", "").strip() != code or form.get("confirm_2", "").strip() != code:
        plan = await plan_erasure(ctx, viewer.principal.actor, person_id)
        number = (await file_numbers(ctx, viewer.principal.actor, [person_id])).get(person_id)
        return page(
            viewer, "dpo/erasure_plan.html", "erasure.title", plan=plan, code=code, mismatch=True, file_number=number
        )
    receipt = await erase(ctx, viewer.principal.actor, person_id, services.gdpr_tools)
    return page(
        viewer, "dpo/receipt.html", "erasure.receipt", receipt=receipt, document=receipts.encode(receipt).decode()
    )


ROUTES = [Router("/ui/dpo/people", route_handlers=[dry_run, confirm], guards=pages_for(Role.DPO))]

"""The DPO's subject access export (Art. 15 and 20) and erasure (Art. 17).

The export is built from the person's events, not from the read models, and making it is
recorded as an access. Erasure asks the DPO to type the person's file number as
confirmation; a legal hold refuses it (409, naming the hold and its basis). The answer is
the signed receipt, which holds no personal data. Afterwards every view of the person
answers 410 Gone with the receipt's id.
"""

from __future__ import annotations

import enum
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import MediaType, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.gdpr.erasure import ConfirmationMismatchError, ErasurePlan, erase_confirmed, plan_erasure
from service.gdpr.export import export_person
from service.gdpr.export_model import SubjectExport
from service.gdpr.html import export_html, receipt_html
from service.gdpr.receipts import ErasureReceipt, erasure_receipt
from service.http.deps import Command, Services
from service.http.guards import requires
from service.http.openapi import area
from service.http.wire import Request
from service.storage.repository import AggregateNotFoundError


class Language(enum.StrEnum):
    FR = "fr"
    EN = "en"


class ErasureConfirmation(Request, frozen=True):
    confirm_file_number: Annotated[str, msgspec.Meta(min_length=1, max_length=20, examples=["2026-00042"])]
    """The person's file number, typed by the DPO: erasure cannot be undone."""


@get("/{person_id:uuid}/export")
async def export(
    person_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> SubjectExport:
    """Everything Suivi holds about the person, as versioned JSON (schema in the README)."""
    return await export_person(ctx, actor, person_id)


@get("/{person_id:uuid}/export.html", media_type=MediaType.HTML)
async def export_document(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    language: FromQuery[Language] = Language.FR,
) -> str:
    """The same export as a printable document to hand to the person (French, or English on request)."""
    return export_html(await export_person(ctx, actor, person_id), language=str(language))


@get("/{person_id:uuid}/erasure-plan")
async def erasure_plan(
    person_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> ErasurePlan:
    """Dry run: what an erasure would make unreadable or delete, and the legal holds that would refuse it."""
    return await plan_erasure(ctx, actor, person_id)


@post(
    "/{person_id:uuid}/erasure",
    responses={200: ResponseSpec(ErasureReceipt, description="Erased before: the receipt issued then.")},
)
async def erasure(
    person_id: FromPath[UUID],
    data: JSONBody[ErasureConfirmation],
    services: NamedDependency[Services],
    command: NamedDependency[Command],
) -> Response[ErasureReceipt]:
    """Erase the person and answer the signed receipt (201); a repeated erasure answers the same receipt (200).

    Erasure is idempotent by nature, so the Idempotency-Key is only checked for its form.
    """
    try:
        erased = await erase_confirmed(
            command.ctx, command.actor, person_id, data.confirm_file_number, services.gdpr_tools
        )
    except ConfirmationMismatchError as mismatch:
        field = "confirm_file_number"
        raise ValidationException(
            f"{field} {mismatch}", extra=[{"key": field, "source": "body", "message": str(mismatch)}]
        ) from None
    return Response(erased.receipt, status_code=200 if erased.repeated else 201)


@get("/{person_id:uuid}/erasure-receipt")
async def receipt(
    person_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> ErasureReceipt:
    """The signed receipt of an erased person (404 while the person is not erased)."""
    return await _receipt(ctx, actor, person_id)


@get("/{person_id:uuid}/erasure-receipt.html", media_type=MediaType.HTML)
async def receipt_document(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    language: FromQuery[Language] = Language.FR,
) -> str:
    """The same receipt as a printable document (French, or English on request)."""
    return receipt_html(await _receipt(ctx, actor, person_id), language=str(language))


async def _receipt(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> ErasureReceipt:
    found = await erasure_receipt(ctx, actor, person_id)
    if found is None:
        raise AggregateNotFoundError("ErasureReceipt", person_id)
    return found


ROUTES = [
    Router(
        "/dpo/people",
        route_handlers=[export, export_document, erasure_plan, erasure, receipt, receipt_document],
        guards=[requires(Role.DPO)],
        tags=["dpo"],
        opt=area(people=True),
    )
]

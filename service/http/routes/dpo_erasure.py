"""The DPO's subject access export (Art. 15 and 20) and erasure (Art. 17).

The export is built from the person's events, not from the read models, and making it is
recorded as an access. Erasure asks the DPO to type the person's file number as
confirmation; a legal hold refuses it (409, naming the hold and its basis). The answer is
the signed receipt, which holds no personal data. Afterwards every view of the person
answers 410 Gone with the receipt's id.
"""

from __future__ import annotations

import enum
import hmac
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import MediaType, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, JSONBody

from domain.person import Person
from service.application.context import ApplicationContext
from service.gdpr.erasure import ErasurePlan, erase, plan_erasure
from service.gdpr.export import export_person
from service.gdpr.export_model import SubjectExport
from service.gdpr.guard import require_dpo
from service.gdpr.html import export_html
from service.gdpr.receipts import ErasureReceipt, receipt_for
from service.http.deps import Services
from service.http.headers import IdempotencyKey, idempotency_key
from service.http.security import Principal
from service.http.wire import Request


class Language(enum.StrEnum):
    FR = "fr"
    EN = "en"


class ErasureConfirmation(Request, frozen=True):
    confirm_file_number: Annotated[str, msgspec.Meta(min_length=1, max_length=20, examples=["2026-00042"])]
    """The person's file number, typed by the DPO: erasure cannot be undone."""


@get("/dpo/people/{person_id:uuid}/export", tags=["dpo"])
async def export(
    person_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], principal: NamedDependency[Principal]
) -> SubjectExport:
    """Everything Suivi holds about the person, as versioned JSON (schema in the README)."""
    require_dpo(principal.actor, "read")
    return await export_person(ctx, principal.actor, person_id)


@get("/dpo/people/{person_id:uuid}/export.html", media_type=MediaType.HTML, tags=["dpo"])
async def export_document(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    language: FromQuery[Language] = Language.FR,
) -> str:
    """The same export as a printable document to hand to the person (French, or English on request)."""
    require_dpo(principal.actor, "read")
    return export_html(await export_person(ctx, principal.actor, person_id), language=str(language))


@get("/dpo/people/{person_id:uuid}/erasure-plan", tags=["dpo"])
async def erasure_plan(
    person_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], principal: NamedDependency[Principal]
) -> ErasurePlan:
    """Dry run: what an erasure would make unreadable or delete, and the legal holds that would refuse it."""
    require_dpo(principal.actor, "read")
    return await plan_erasure(ctx, principal.actor, person_id)


@post("/dpo/people/{person_id:uuid}/erasure", tags=["dpo"])
async def erasure(
    person_id: FromPath[UUID],
    data: JSONBody[ErasureConfirmation],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[ErasureReceipt]:
    """Erase the person and answer the signed receipt (201); a repeated erasure answers the same receipt (200).

    Erasure is idempotent by nature, so the Idempotency-Key is only checked for its form.
    """
    require_dpo(principal.actor)
    idempotency_key(key)
    earlier = await receipt_for(ctx.pool, person_id)
    if earlier is not None:
        return Response(earlier, status_code=200)
    person = await ctx.repository.get(Person, person_id)  # 404, or 410 if erased meanwhile
    if not hmac.compare_digest(person.file_number.encode(), data.confirm_file_number.strip().encode()):
        message = "does not match the person's file number; nothing was erased"
        raise ValidationException(
            f"confirm_file_number {message}",
            extra=[{"key": "confirm_file_number", "source": "body", "message": message}],
        )
    receipt = await erase(ctx, principal.actor, person_id, services.gdpr_tools)
    return Response(receipt, status_code=201)


ROUTES = [export, export_document, erasure_plan, erasure]

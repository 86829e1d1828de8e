"""Notes, follow-ups and document references on a case: each safe to repeat.

Each entry carries its own id: chosen by the client, or derived from the Idempotency-Key
(a fresh one without a key), so a retried request never writes the entry twice and two
social workers writing at once both get theirs.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.case import DocumentKind
from service.application.case_notes import (
    AddNote,
    MarkFollowUpDone,
    ReferenceDocument,
    SetFollowUp,
    add_note,
    mark_follow_up_done,
    reference_document,
    set_follow_up,
)
from service.application.context import Actor, ApplicationContext
from service.http.deps import Services
from service.http.headers import IdempotencyKey, IfMatch, expecting, idempotency_key
from service.http.routes.cases import OnCase, answer
from service.http.security import Principal
from service.http.wire import Changed, LongText, ShortText

_IDS = UUID("0b6c3f1e-93f4-4d0e-8a57-51c0de5e2a10")  # namespace of ids derived from an Idempotency-Key


class NewNote(OnCase, frozen=True, kw_only=True):
    text: LongText
    note_id: UUID | None = None


class NewFollowUp(OnCase, frozen=True, kw_only=True):
    due_on: date
    description: ShortText
    follow_up_id: UUID | None = None


class FollowUpDone(OnCase, frozen=True, kw_only=True):
    result: ShortText | None = None


class NewDocument(OnCase, frozen=True, kw_only=True):
    """Where a paper is kept (kind and reference), never the file itself."""

    kind: DocumentKind
    reference: ShortText
    document_id: UUID | None = None


def _entry_id(
    ctx: ApplicationContext, given: UUID | None, kind: str, actor: Actor, case_id: UUID, key: str | None
) -> UUID:
    if given is not None:
        return given
    return ctx.new_id() if key is None else uuid5(_IDS, f"{kind}:{actor.staff_id}:{case_id}:{key}")


@post("/cases/{case_id:uuid}/notes", tags=["cases"])
async def note(
    case_id: FromPath[UUID],
    data: JSONBody[NewNote],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    key = idempotency_key(key)
    note_id = _entry_id(ctx, data.note_id, "note", principal.actor, case_id, key)
    command = AddNote(case_id, data.break_glass_reason, note_id=note_id, text=data.text)
    outcome = await add_note(expecting(ctx, case_id, if_match), principal.actor, command, idempotency_key=key)
    return await answer(services, principal, outcome, "case_note", data.break_glass_reason, note_id=note_id)


@post("/cases/{case_id:uuid}/follow-ups", tags=["cases"])
async def follow_up(
    case_id: FromPath[UUID],
    data: JSONBody[NewFollowUp],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    key = idempotency_key(key)
    follow_up_id = _entry_id(ctx, data.follow_up_id, "follow_up", principal.actor, case_id, key)
    command = SetFollowUp(
        case_id, data.break_glass_reason, follow_up_id=follow_up_id, due_on=data.due_on, description=data.description
    )
    outcome = await set_follow_up(expecting(ctx, case_id, if_match), principal.actor, command, idempotency_key=key)
    return await answer(
        services, principal, outcome, "case_follow_up", data.break_glass_reason, follow_up_id=follow_up_id
    )


@post("/cases/{case_id:uuid}/follow-ups/{follow_up_id:uuid}/done", status_code=200, tags=["cases"])
async def follow_up_done(
    case_id: FromPath[UUID],
    follow_up_id: FromPath[UUID],
    data: JSONBody[FollowUpDone],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    command = MarkFollowUpDone(case_id, data.break_glass_reason, follow_up_id=follow_up_id, result=data.result or "")
    outcome = await mark_follow_up_done(
        expecting(ctx, case_id, if_match), principal.actor, command, idempotency_key=idempotency_key(key)
    )
    return await answer(services, principal, outcome, "case_follow_up", data.break_glass_reason)


@post("/cases/{case_id:uuid}/documents", tags=["cases"])
async def document(
    case_id: FromPath[UUID],
    data: JSONBody[NewDocument],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    key = idempotency_key(key)
    document_id = _entry_id(ctx, data.document_id, "document", principal.actor, case_id, key)
    command = ReferenceDocument(
        case_id, data.break_glass_reason, document_id=document_id, kind=data.kind, reference=data.reference
    )
    outcome = await reference_document(expecting(ctx, case_id, if_match), principal.actor, command, idempotency_key=key)
    return await answer(services, principal, outcome, "case_document", data.break_glass_reason, document_id=document_id)


ROUTES = [note, follow_up, follow_up_done, document]

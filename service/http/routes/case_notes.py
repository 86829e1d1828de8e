"""Notes, follow-ups and document references on a case: each safe to repeat.

Each entry carries its own id: chosen by the client, or derived from the Idempotency-Key
(a fresh one without a key), so a retried request never writes the entry twice and two
social workers writing at once both get theirs.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from litestar import Response, Router, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.case import DocumentKind
from domain.policy import Role
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
from service.http.deps import Command
from service.http.guards import requires
from service.http.headers import IfMatch
from service.http.openapi import area
from service.http.routes.cases import OnCase, case_changed
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


def _entry_id(command: Command, given: UUID | None, kind: str, case_id: UUID) -> UUID:
    if given is not None:
        return given
    key = command.idempotency_key
    return command.ctx.new_id() if key is None else uuid5(_IDS, f"{kind}:{command.actor.staff_id}:{case_id}:{key}")


@post("/{case_id:uuid}/notes")
async def note(
    case_id: FromPath[UUID], data: JSONBody[NewNote], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    note_id = _entry_id(command, data.note_id, "note", case_id)
    adding = AddNote(case_id, data.break_glass_reason, note_id=note_id, text=data.text)
    outcome = await add_note(
        command.on(case_id, if_match), command.actor, adding, idempotency_key=command.idempotency_key
    )
    return case_changed(outcome, note_id=note_id)


@post("/{case_id:uuid}/follow-ups")
async def follow_up(
    case_id: FromPath[UUID], data: JSONBody[NewFollowUp], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    follow_up_id = _entry_id(command, data.follow_up_id, "follow_up", case_id)
    setting = SetFollowUp(
        case_id, data.break_glass_reason, follow_up_id=follow_up_id, due_on=data.due_on, description=data.description
    )
    ctx = command.on(case_id, if_match)
    outcome = await set_follow_up(ctx, command.actor, setting, idempotency_key=command.idempotency_key)
    return case_changed(outcome, follow_up_id=follow_up_id)


@post("/{case_id:uuid}/follow-ups/{follow_up_id:uuid}/done", status_code=200)
async def follow_up_done(
    case_id: FromPath[UUID],
    follow_up_id: FromPath[UUID],
    data: JSONBody[FollowUpDone],
    command: NamedDependency[Command],
    if_match: IfMatch = None,
) -> Response[Changed]:
    done = MarkFollowUpDone(case_id, data.break_glass_reason, follow_up_id=follow_up_id, result=data.result or "")
    ctx = command.on(case_id, if_match)
    return case_changed(await mark_follow_up_done(ctx, command.actor, done, idempotency_key=command.idempotency_key))


@post("/{case_id:uuid}/documents")
async def document(
    case_id: FromPath[UUID], data: JSONBody[NewDocument], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    document_id = _entry_id(command, data.document_id, "document", case_id)
    referencing = ReferenceDocument(
        case_id, data.break_glass_reason, document_id=document_id, kind=data.kind, reference=data.reference
    )
    ctx = command.on(case_id, if_match)
    outcome = await reference_document(ctx, command.actor, referencing, idempotency_key=command.idempotency_key)
    return case_changed(outcome, document_id=document_id)


# Only social workers write to cases; which cases, the access policy decides.
ROUTES = [
    Router(
        "/cases",
        route_handlers=[note, follow_up, follow_up_done, document],
        guards=[requires(Role.SOCIAL_WORKER)],
        tags=["cases"],
        opt=area(people=True, restricted=True),
    )
]

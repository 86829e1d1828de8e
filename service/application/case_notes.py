"""Notes, follow-ups and document references on a case.

All are repeated on a concurrency conflict: each carries its own id chosen by the
caller, so two social workers writing at once both get their entry, and a repeat never
records the same note twice (``Case.add_note`` ignores a note id it already holds).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from domain.case import Case, DocumentKind
from service.application.cases import CaseChanged, CaseCommand, change_case
from service.application.context import Actor, ApplicationContext


class AddNote(CaseCommand, frozen=True, kw_only=True):
    view: ClassVar[str] = "case_note"
    note_id: UUID
    text: str


class SetFollowUp(CaseCommand, frozen=True, kw_only=True):
    view: ClassVar[str] = "case_follow_up"
    follow_up_id: UUID
    due_on: date
    description: str


class MarkFollowUpDone(CaseCommand, frozen=True, kw_only=True):
    view: ClassVar[str] = "case_follow_up"
    follow_up_id: UUID
    result: str = ""


class ReferenceDocument(CaseCommand, frozen=True, kw_only=True):
    """Where a paper is kept (kind and reference), never the file itself."""

    view: ClassVar[str] = "case_document"

    document_id: UUID
    kind: DocumentKind
    reference: str


async def add_note(
    ctx: ApplicationContext, actor: Actor, command: AddNote, *, idempotency_key: str | None = None
) -> CaseChanged:
    def change(case: Case, at: datetime) -> None:
        case.add_note(command.note_id, command.text, at, actor.staff_id)

    return await change_case(ctx, actor, command, change, idempotency_key=idempotency_key, repeatable=True)


async def set_follow_up(
    ctx: ApplicationContext, actor: Actor, command: SetFollowUp, *, idempotency_key: str | None = None
) -> CaseChanged:
    def change(case: Case, at: datetime) -> None:
        case.set_follow_up(command.follow_up_id, command.due_on, command.description, at, actor.staff_id)

    return await change_case(ctx, actor, command, change, idempotency_key=idempotency_key, repeatable=True)


async def mark_follow_up_done(
    ctx: ApplicationContext, actor: Actor, command: MarkFollowUpDone, *, idempotency_key: str | None = None
) -> CaseChanged:
    def change(case: Case, at: datetime) -> None:
        case.mark_follow_up_done(command.follow_up_id, command.result, at, actor.staff_id)

    return await change_case(ctx, actor, command, change, idempotency_key=idempotency_key, repeatable=True)


async def reference_document(
    ctx: ApplicationContext, actor: Actor, command: ReferenceDocument, *, idempotency_key: str | None = None
) -> CaseChanged:
    def change(case: Case, at: datetime) -> None:
        if any(d.document_id == command.document_id for d in case.documents):
            return  # already referenced by an earlier attempt
        case.reference_document(command.document_id, command.kind, command.reference, at, actor.staff_id)

    return await change_case(ctx, actor, command, change, idempotency_key=idempotency_key, repeatable=True)

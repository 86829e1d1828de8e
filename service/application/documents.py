"""Attaching documents (scans) to a case or to a person's identity file, and new versions of them.

The file is streamed, never held: the door (the API or a page) parses its form as it arrives
and hands the file part to ``store_file``, which finds its type from the content, strips image
metadata on the fly (``service.documents.content``) and seals it chunk by chunk under the
person's key (``service.documents.store``). The person, the case and the policy are checked
before a byte is read. Once the fields are in, the document's event (and, for a deadline on a
case, the case's follow-up, and a break-glass audit) is appended in one append; if that
append fails, or anything else does, the chunks written are discarded: nothing stays
half-written.

Writing follows the policy: a paper of a case is a social-legal write (the case in one's own
caseload, or a written break-glass reason); an identity paper is an identity write (social
workers and office-hours helpers). A closed case takes no new paper until it is reopened.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

import asyncpg
import msgspec

from domain.access import AccessRecord
from domain.base import Category, SuiviAggregate
from domain.case import Case, CaseClosedError
from domain.document import TITLE_LENGTH, Document, DocumentKind, DocumentWithdrawnError
from domain.errors import DomainError, InvalidValueError
from domain.person import Person
from service.application.authorisation import (
    authorise,
    person_of,
    person_open_to,
    relation_to,
    social_legal_retention_years,
)
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.running import Decision, Outcome, execute, versions_of
from service.documents.content import MediaType, RefusedContentError, cleaned
from service.documents.store import StoredContent
from service.storage.eventstore.records import ConcurrencyError
from service.storage.repository import AggregateNotFoundError

FILE = "file"
TEXT_FIELDS = ("title", "kind", "deadline", "break_glass_reason")
REASON_LENGTH = 280  # as a break-glass reason anywhere else
"""The form's fields besides the file (``break_glass_reason`` only for a write outside one's caseload)."""


class DocumentTooLargeError(DomainError):
    """The file is over the centre's limit (``SUIVI_DOCUMENT_MAX_BYTES``): 413 in the API."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the file is larger than {max_bytes} bytes")
        self.max_bytes = max_bytes


StoreFile = Callable[[Mapping[str, str], AsyncIterator[bytes]], Awaitable[None]]
"""Given the fields read before the file part, and the file part as it arrives, store it."""


class UploadForm(Protocol):
    """A form read as it arrives: ``read`` hands the file part to ``store_file``, with the fields
    read before it, and returns every other field, whatever its place."""

    @property
    def is_form(self) -> bool:
        """Whether the body is a form at all (so it may carry a break-glass reason)."""
        ...

    async def read(self, store_file: StoreFile) -> Mapping[str, str]: ...


class AttachTo(msgspec.Struct, frozen=True, kw_only=True):
    """Where the document goes: a case, or (no case) the person's identity file; or, naming a
    document, a new version of it."""

    case_id: UUID | None = None
    person_id: UUID | None = None
    document_id: UUID | None = None


class DocumentChanged(Outcome, frozen=True):
    document_id: UUID
    version: int
    case_id: UUID | None = None
    follow_up_id: UUID | None = None
    """The case's follow-up the deadline became."""
    break_glass: bool = False


@dataclass
class _Target:
    person: Person
    case: Case | None
    document: Document | None
    category: Category
    break_glass: bool


async def attach_document(
    ctx: ApplicationContext,
    actor: Actor,
    to: AttachTo,
    form: UploadForm,
    *,
    max_bytes: int,
    idempotency_key: str | None = None,
    key_of_form: Callable[[Mapping[str, str]], str | None] | None = None,
) -> DocumentChanged:
    """Attach a new document (``to.case_id`` or ``to.person_id``) or a new version (``to.document_id``).

    Raises ``InvalidValueError`` naming ``file`` (not a PDF, JPEG or PNG, or empty, or none
    sent), ``title``, ``kind`` or ``deadline``; ``DocumentTooLargeError`` over ``max_bytes``.
    A write outside one's caseload needs the form's ``break_glass_reason``, sent before the file.
    ``key_of_form``: the idempotency key found in the form (a page's one-time token), when there is one.
    """
    try:
        known: _Target | None = await _target(ctx, actor, to, None)
    except NotAuthorisedError:
        if not form.is_form:
            raise
        known = None  # outside one's caseload: the form's break-glass reason may allow it
    targets: list[_Target] = []
    stored: list[tuple[MediaType, StoredContent]] = []
    written: list[tuple[UUID, int]] = []

    async def store_file(before: Mapping[str, str], chunks: AsyncIterator[bytes]) -> None:
        if targets:
            raise InvalidValueError("send one file only", field=FILE)
        if len(before.get("break_glass_reason", "")) > REASON_LENGTH:
            raise InvalidValueError(f"the reason is kept under {REASON_LENGTH} characters", field="break_glass_reason")
        # Who may write here is known once the break-glass reason (sent before the file) is in.
        target = known or await _target(ctx, actor, to, before.get("break_glass_reason") or None)
        targets.append(target)
        if target.document is not None:
            document_id, version = target.document.id, target.document.next_version
        else:
            document_id, version = ctx.new_id(), 1
        try:
            media_type, content = await cleaned(chunks, max_bytes=max_bytes)
            content_stored = await ctx.documents.write(document_id, version, target.person.id, content)
            # Only once written: a version number another upload holds is refused, and its file stays.
            written.append((document_id, version))
            stored.append((media_type, content_stored))
        except RefusedContentError as refused:
            raise _refusal(refused, max_bytes) from None
        except asyncpg.UniqueViolationError:
            # Another new version of this document is being stored under the same number.
            raise ConcurrencyError(document_id, version - 1, version) from None

    try:
        fields = await form.read(store_file)
        if not stored:
            raise InvalidValueError("choose the file to attach", field=FILE)
        (document_id, version), (media_type, content) = written[0], stored[0]
        if key_of_form is not None:
            idempotency_key = key_of_form(fields) or idempotency_key
        result = await _record(
            ctx, actor, targets[0], document_id, version, media_type, content, fields, idempotency_key
        )
    except BaseException:
        for document_id, version in written:
            await ctx.documents.discard(document_id, version)
        raise
    if (result.document_id, result.version) != (document_id, version):
        await ctx.documents.discard(document_id, version)  # a replay: the first attempt's file is the one kept
    return result


async def _target(ctx: ApplicationContext, actor: Actor, to: AttachTo, break_glass_reason: str | None) -> _Target:
    """Load and authorise where the document goes (the case or the person first, then the document)."""
    if to.case_id is not None:
        authorise(actor, Category.SOCIAL_LEGAL)  # the roles first: refused before anything is read
        case = await ctx.repository.get(Case, to.case_id)
        person = await person_of(ctx, case.person_id)
        relation = relation_to(
            actor,
            case=case,
            person=person,
            break_glass_reason=break_glass_reason,
            on=ctx.clock().date(),
            kept_years=social_legal_retention_years(ctx),
        )
        grant = authorise(actor, Category.SOCIAL_LEGAL, relation)
        person.ensure_processing_allowed(actor.is_dpo)
        if case.closed:
            raise CaseClosedError(f"case {case.id} is closed")
        document = await _document_under(ctx, to.document_id, case.id, person.id)
        return _Target(person, case, document, Category.SOCIAL_LEGAL, grant.break_glass)
    if to.person_id is None:
        raise InvalidValueError("name the case or the person the document belongs to", field="person_id")
    authorise(actor, Category.IDENTITY)
    person = await person_open_to(ctx, actor, to.person_id)
    document = await _document_under(ctx, to.document_id, None, person.id)
    return _Target(person, None, document, Category.IDENTITY, False)


async def _document_under(
    ctx: ApplicationContext, document_id: UUID | None, case_id: UUID | None, person_id: UUID
) -> Document | None:
    """The document a new version is for: it must be the case's (or, without a case, the person's own)."""
    if document_id is None:
        return None
    document = await ctx.repository.get(Document, document_id)
    if document.case_id != case_id or document.person_id != person_id:
        raise AggregateNotFoundError("Document", document_id)
    if document.withdrawn:
        raise DocumentWithdrawnError(f"document {document_id} was withdrawn")
    return document


async def _record(
    ctx: ApplicationContext,
    actor: Actor,
    target: _Target,
    document_id: UUID,
    version: int,
    media_type: MediaType,
    content: StoredContent,
    fields: Mapping[str, str],
    idempotency_key: str | None,
) -> DocumentChanged:
    """Append the document's event (with the deadline's follow-up and a break-glass audit) in one append."""
    new = target.document is None
    title = fields.get("title", "") if new else ""
    kind = _kind(fields.get("kind", "")) if new else DocumentKind.OTHER
    deadline = _deadline(fields.get("deadline", "")) if new else None
    if new and not title.strip():
        raise InvalidValueError("title must not be blank", field="title")
    if len(title.strip()) > TITLE_LENGTH:
        raise InvalidValueError(f"title must be at most {TITLE_LENGTH} characters", field="title")
    follow_up_id = ctx.new_id() if new and deadline is not None and target.case is not None else None
    # What the upload is, for its Idempotency-Key: where it goes, the file's digest and the fields
    # (never the new document's id, drawn afresh by each attempt, so that a retry is a replay).
    where = target.document.id if target.document else (target.case.id if target.case else target.person.id)
    command = _Recorded(where, content.sha256, title, str(kind), deadline)

    async def decide(at: datetime) -> Decision[DocumentChanged]:
        changed: list[SuiviAggregate] = []
        if target.document is None:
            document = Document.attach(
                document_id,
                target.person.id,
                case_id=None if target.case is None else target.case.id,
                title=title,
                kind=kind,
                deadline=deadline,
                follow_up_id=follow_up_id,
                media_type=str(media_type),
                size=content.size,
                sha256=content.sha256,
                at=at,
                by=actor.staff_id,
            )
        else:
            document = target.document
            document.add_version(version, str(media_type), content.size, content.sha256, at, actor.staff_id)
        changed.append(document)
        if follow_up_id is not None and target.case is not None and deadline is not None:
            target.case.set_follow_up(follow_up_id, deadline, title, at, actor.staff_id)
            changed.append(target.case)
        if target.break_glass:
            changed.append(_break_glass_record(ctx, actor, target, at, fields.get("break_glass_reason")))
        result = DocumentChanged(
            versions=versions_of(*changed[:2]),
            document_id=document_id,
            version=version,
            case_id=None if target.case is None else target.case.id,
            follow_up_id=follow_up_id,
            break_glass=target.break_glass,
        )
        return Decision(tuple(changed), result)

    return await execute(
        ctx, actor, command, decide, DocumentChanged, idempotency_key=idempotency_key, repeatable=False
    )


class _Recorded(msgspec.Struct, frozen=True):
    """What identifies an upload for its Idempotency-Key."""

    attached_to: UUID
    sha256: str
    title: str
    kind: str
    deadline: date | None


def _break_glass_record(
    ctx: ApplicationContext, actor: Actor, target: _Target, at: datetime, reason: str | None
) -> AccessRecord:
    return AccessRecord.record(
        ctx.new_id(),
        target.person.id,
        actor.staff_id,
        "case_document",
        "follow_up",
        "break_glass",
        at,
        break_glass=True,
        reason=reason,
    )


def _refusal(refused: RefusedContentError, max_bytes: int) -> DomainError:
    if refused.reason == "too_large":
        return DocumentTooLargeError(max_bytes)
    if refused.reason == "empty":
        return InvalidValueError("the file is empty", field=FILE)
    return InvalidValueError("the file is not a PDF, JPEG or PNG", field=FILE)


def _kind(value: str) -> DocumentKind:
    try:
        return DocumentKind(value.strip())
    except ValueError:
        raise InvalidValueError("kind must be one of the kinds of document", field="kind") from None


def _deadline(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidValueError("deadline must be a date (2026-12-31)", field="deadline") from None

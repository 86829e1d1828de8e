"""Reading documents: the list of a case's or a person's documents, and a version's content.

Both are reads of the person's data: they go through the need-to-know policy and are
recorded (``open_for_reading``). A document's category decides: a case's papers are
social-legal (the social worker's caseload, or a break-glass reason; never a trainer, never
the office-hours helper), identity scans are identity data read in full (a trainer reads only
a course's details of the identity: never a scan). The DPO reads documents only through the
subject-access export. A reader refused by their roles alone is refused before anything is
read or recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.base import Category
from domain.case import Case
from domain.document import Document, DocumentKind, may_download
from domain.policy import Relation
from projections.documents import documents_of
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.reading import ReadGrant, ReadPurpose, open_for_reading
from service.storage.repository import AggregateNotFoundError

_ANY_RELATION = Relation(in_own_caseload=True, in_own_cohort=True, break_glass_reason="role check")
"""The most a staff member could stand to a person: for the check on the roles alone."""


class VersionShown(msgspec.Struct, frozen=True):
    number: int
    media_type: str
    size: int
    sha256: str
    uploaded_by: UUID
    uploaded_at: datetime


class DocumentShown(msgspec.Struct, frozen=True):
    document_id: UUID
    category: str
    title: str
    kind: DocumentKind
    deadline: date | None
    versions: list[VersionShown]
    """Oldest first: the last is the current scan."""
    case_id: UUID | None = None
    follow_up_id: UUID | None = None


class DocumentList(msgspec.Struct, frozen=True):
    person_id: UUID
    documents: list[DocumentShown]
    case_id: UUID | None = None
    break_glass: bool = False


class DocumentContent:
    """A version's content, decrypted chunk by chunk as it is sent (never gathered)."""

    def __init__(self, document: Document, version: int, chunks: AsyncIterator[bytes]) -> None:
        self.document = document
        self.version = document.version_numbered(version)
        self.chunks = chunks

    @property
    def media_type(self) -> str:
        assert self.version is not None
        return self.version.media_type


def ensure_roles_may_download(actor: Actor, categories: frozenset[Category] = Document.CATEGORIES) -> None:
    """Refuse, before anything is read or recorded, a reader whose roles never download these categories."""
    if not any(may_download(actor.roles, _ANY_RELATION, category) for category in categories):
        raise NotAuthorisedError(min(categories), action="read")


async def case_documents(
    ctx: ApplicationContext,
    actor: Actor,
    case_id: UUID,
    purpose: ReadPurpose = ReadPurpose.FOLLOW_UP,
    break_glass_reason: str | None = None,
) -> DocumentList:
    """The case's documents (social-legal), recorded as a read of the person's file."""
    ensure_roles_may_download(actor, frozenset({Category.SOCIAL_LEGAL}))
    case = await ctx.repository.get(Case, case_id)
    assert case.person_id is not None
    grant = await _opened(
        ctx, actor, case.person_id, "case_documents", purpose, Category.SOCIAL_LEGAL, break_glass_reason
    )
    async with ctx.pool.acquire() as db:
        registered = await documents_of(db, case.person_id, case_id=case_id)
    shown = [await _shown(ctx, r.document_id) for r in registered]
    return DocumentList(case.person_id, [d for d in shown if d is not None], case_id, grant.break_glass)


async def person_documents(
    ctx: ApplicationContext,
    actor: Actor,
    person_id: UUID,
    purpose: ReadPurpose = ReadPurpose.FOLLOW_UP,
    break_glass_reason: str | None = None,
) -> DocumentList:
    """The person's documents the reader may download: identity scans, and their cases' papers
    when the reader reads the person's social-legal data."""
    ensure_roles_may_download(actor)
    grant = await open_for_reading(ctx, actor, person_id, "documents", purpose, break_glass_reason=break_glass_reason)
    readable = {str(c) for c in Document.CATEGORIES if grant.may_read(c)}
    async with ctx.pool.acquire() as db:
        registered = await documents_of(db, person_id)
    shown = [await _shown(ctx, r.document_id) for r in registered if r.category in readable]
    return DocumentList(person_id, [d for d in shown if d is not None], None, grant.break_glass)


async def document_content(
    ctx: ApplicationContext,
    actor: Actor,
    document_id: UUID,
    version: int,
    purpose: ReadPurpose = ReadPurpose.FOLLOW_UP,
    break_glass_reason: str | None = None,
    *,
    case_id: UUID | None = None,
    person_id: UUID | None = None,
) -> DocumentContent:
    """One version's content, as a recorded read. ``case_id`` or ``person_id``: the path it was
    asked under, which must be the document's (else 404). Raises ``DocumentGoneError`` (410) once
    the person is erased or the content purged."""
    ensure_roles_may_download(actor)
    if case_id is not None:  # the case (and the reader's standing to it) first, then its document
        case = await ctx.repository.get(Case, case_id)
        assert case.person_id is not None
        category, person_id = Category.SOCIAL_LEGAL, case.person_id
    elif person_id is not None:
        category = Category.IDENTITY
    else:
        found = await ctx.repository.get(Document, document_id)
        assert found.person_id is not None
        category, person_id, case_id = found.category, found.person_id, found.case_id
    ensure_roles_may_download(actor, frozenset({category}))
    await _opened(ctx, actor, person_id, "document", purpose, category, break_glass_reason)
    document = await ctx.repository.get(Document, document_id)
    under = document.case_id == case_id and document.person_id == person_id and document.category == category
    if not under or document.withdrawn or document.version_numbered(version) is None:
        raise AggregateNotFoundError("Document", document_id)
    chunks = await ctx.documents.read(document.id, version, person_id)
    return DocumentContent(document, version, chunks)


async def _opened(
    ctx: ApplicationContext,
    actor: Actor,
    person_id: UUID,
    view: str,
    purpose: ReadPurpose,
    category: Category,
    break_glass_reason: str | None,
) -> ReadGrant:
    grant = await open_for_reading(
        ctx, actor, person_id, view, purpose, needs=category, break_glass_reason=break_glass_reason
    )
    if not grant.may_read(category):  # a narrow scope of the category is not the document
        raise NotAuthorisedError(category, action="read")
    return grant


async def _shown(ctx: ApplicationContext, document_id: UUID) -> DocumentShown | None:
    try:
        document = await ctx.repository.get(Document, document_id)
    except AggregateNotFoundError:
        return None
    if document.withdrawn:
        return None
    versions = [
        VersionShown(v.number, v.media_type, v.size, v.sha256, v.uploaded_by, v.uploaded_at) for v in document.versions
    ]
    return DocumentShown(
        document.id,
        str(document.category),
        document.title,
        document.kind,
        document.deadline,
        versions,
        document.case_id,
        document.follow_up_id,
    )

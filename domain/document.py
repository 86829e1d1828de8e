"""A document (a scan): a paper of a person's case, or of their identity file, in versions.

A new scan of the same letter is a new version of the same document, so its history stays
whole. The events say what the file is (its format, size and SHA-256 digest), never what it
holds: the bytes are kept apart, encrypted under the person's key, and destroyed with it.

The category of a document decides who reads it, as for the rest of the person's data: a
paper of a case is social-legal data (never a trainer's), a scan of an identity paper (an ID
card, a residence permit) is identity data, which only those who read the identity in full
may download.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

import msgspec
from eventsourcing.domain import CanMutateAggregate, DomainEvent

from domain.base import Category, SuiviAggregate, aware, required_text
from domain.case_values import DocumentKind
from domain.errors import DomainError, InvalidValueError
from domain.policy import Relation, Role, Scope, may_read

__all__ = ["Document", "DocumentKind", "DocumentVersion", "DocumentWithdrawnError", "may_download"]

TITLE_LENGTH = 200
FORMATS = frozenset({"application/pdf", "image/jpeg", "image/png"})
"""The media types a scan may have (found from its content, never from its name)."""


class DocumentWithdrawnError(DomainError):
    """The document was withdrawn: nothing more is added to it."""


class DocumentVersion(msgspec.Struct, frozen=True):
    """One scan of the document: which one, its format, its size and its digest, who brought it and when."""

    number: int
    media_type: str
    size: int
    sha256: str
    uploaded_by: UUID
    uploaded_at: datetime


def may_download(roles: frozenset[Role], relation: Relation, category: Category) -> bool:
    """A scan is read whole: only a full read of its category allows it (never a narrow scope, such
    as the course details a trainer reads of the identity, nor the DPO's export-only reading)."""
    return may_read(roles, relation, category, Scope.ALL)


class Document(SuiviAggregate):
    CATEGORY = Category.SOCIAL_LEGAL  # the default; each document's own category decides (category_of)
    CATEGORIES: ClassVar[frozenset[Category]] = frozenset({Category.SOCIAL_LEGAL, Category.IDENTITY})

    def __init__(self) -> None:
        self.person_id: UUID | None = None
        self.case_id: UUID | None = None
        self.category = Category.SOCIAL_LEGAL
        self.title = ""
        self.kind = DocumentKind.OTHER
        self.deadline: date | None = None
        self.follow_up_id: UUID | None = None
        self.versions: tuple[DocumentVersion, ...] = ()
        self.withdrawn = False

    @property
    def latest(self) -> DocumentVersion:
        return self.versions[-1]

    def version_numbered(self, number: int) -> DocumentVersion | None:
        return next((v for v in self.versions if v.number == number), None)

    class Attached(SuiviAggregate.Created):
        person_id: UUID
        case_id: UUID | None
        category: Category
        title: str
        kind: DocumentKind
        deadline: date | None
        follow_up_id: UUID | None
        """The case's follow-up the deadline became (set in the same append)."""
        media_type: str
        size: int
        sha256: str
        attached_by: UUID

        def apply(self, document: Document) -> None:
            document.person_id = self.person_id
            document.case_id = self.case_id
            document.category = Category(self.category)
            document.title = self.title
            document.kind = DocumentKind(self.kind)
            document.deadline = self.deadline
            document.follow_up_id = self.follow_up_id
            first = DocumentVersion(1, self.media_type, self.size, self.sha256, self.attached_by, self.timestamp)
            document.versions = (first,)

    class VersionAdded(SuiviAggregate.Event):
        version: int
        media_type: str
        size: int
        sha256: str
        added_by: UUID

        def apply(self, document: Document) -> None:
            added = DocumentVersion(
                self.version, self.media_type, self.size, self.sha256, self.added_by, self.timestamp
            )
            document.versions += (added,)

    class Withdrawn(SuiviAggregate.Event):
        """Attached by mistake (the wrong person's paper, say): no longer listed, its files no longer read."""

        reason: str
        withdrawn_by: UUID

        def apply(self, document: Document) -> None:
            document.withdrawn = True

    @classmethod
    def attach(
        cls,
        document_id: UUID,
        person_id: UUID,
        *,
        case_id: UUID | None,
        title: str,
        kind: DocumentKind,
        deadline: date | None,
        follow_up_id: UUID | None,
        media_type: str,
        size: int,
        sha256: str,
        at: datetime,
        by: UUID,
    ) -> Document:
        """Attach to a case (social-legal) or, without a case, to the person's identity file."""
        category = Category.IDENTITY if case_id is None else Category.SOCIAL_LEGAL
        return cls._create(
            cls.Attached,
            id=document_id,
            timestamp=aware(at),
            person_id=person_id,
            case_id=case_id,
            category=category,
            title=_title(title),
            kind=DocumentKind(kind),
            deadline=deadline,
            follow_up_id=follow_up_id,
            media_type=_format(media_type),
            size=_size(size),
            sha256=_digest(sha256),
            attached_by=by,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id

    def category_of(self, event: DomainEvent | CanMutateAggregate[UUID]) -> Category:
        if isinstance(event, Document.Attached):  # applied only after this question is asked
            return Category(event.category)
        return self.category

    @property
    def next_version(self) -> int:
        return len(self.versions) + 1

    def add_version(self, number: int, media_type: str, size: int, sha256: str, at: datetime, by: UUID) -> None:
        """A new scan of the same paper; ``number`` must be the next one (the caller stored its file under it)."""
        self._ensure_not_withdrawn()
        if number != self.next_version:
            raise InvalidValueError(f"document {self.id} expects version {self.next_version}", field="version")
        self.trigger_event(
            self.VersionAdded,
            timestamp=aware(at),
            version=number,
            media_type=_format(media_type),
            size=_size(size),
            sha256=_digest(sha256),
            added_by=by,
        )

    def withdraw(self, reason: str, at: datetime, by: UUID) -> None:
        if self.withdrawn:
            return
        self.trigger_event(self.Withdrawn, timestamp=aware(at), reason=required_text(reason, "reason"), withdrawn_by=by)

    def _ensure_not_withdrawn(self) -> None:
        if self.withdrawn:
            raise DocumentWithdrawnError(f"document {self.id} was withdrawn")


def _title(title: str) -> str:
    text = title.strip()
    if not text:
        raise InvalidValueError("title must not be blank", field="title")
    if len(text) > TITLE_LENGTH:
        raise InvalidValueError(f"title must be at most {TITLE_LENGTH} characters", field="title")
    return text


def _format(media_type: str) -> str:
    if media_type not in FORMATS:
        raise InvalidValueError("the file is not a PDF, JPEG or PNG", field="file")
    return media_type


def _size(size: int) -> int:
    if size <= 0:
        raise InvalidValueError("the file is empty", field="file")
    return size


def _digest(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise InvalidValueError("sha256 must be 64 lower-case hexadecimal digits", field="sha256")
    return sha256

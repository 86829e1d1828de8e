"""The Document aggregate: its category from where it is attached, versions in order, no bytes in events."""

from __future__ import annotations

import typing
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from domain.base import Category
from domain.case_values import DocumentKind
from domain.document import Document, DocumentWithdrawnError, may_download
from domain.errors import InvalidValueError
from domain.policy import Relation, Role

AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
DIGEST = "a" * 64
STAFF = uuid4()


def attached(case: bool = True, **changes) -> Document:
    values = {
        "case_id": uuid4() if case else None,
        "title": "Décision du CPAS",
        "kind": DocumentKind.DECISION_LETTER,
        "deadline": date(2026, 12, 20),
        "follow_up_id": None,
        "media_type": "application/pdf",
        "size": 1234,
        "sha256": DIGEST,
        "at": AT,
        "by": STAFF,
        **changes,
    }
    return Document.attach(uuid4(), uuid4(), **values)


def test_a_case_paper_is_social_legal_and_an_identity_scan_is_identity() -> None:
    paper, scan = attached(case=True), attached(case=False, kind=DocumentKind.IDENTITY_DOCUMENT)
    assert paper.category is Category.SOCIAL_LEGAL and scan.category is Category.IDENTITY
    [event] = scan.collect_events()
    assert scan.category_of(event) is Category.IDENTITY and scan.subject_of(event) == scan.person_id


def test_a_new_version_keeps_the_first_and_must_be_the_next_number() -> None:
    document = attached()
    document.add_version(2, "image/jpeg", 99, "b" * 64, AT, STAFF)
    assert [(v.number, v.media_type) for v in document.versions] == [(1, "application/pdf"), (2, "image/jpeg")]
    with pytest.raises(InvalidValueError) as refused:
        document.add_version(2, "image/png", 5, "c" * 64, AT, STAFF)
    assert refused.value.field == "version"


def test_the_events_hold_what_the_file_is_never_its_bytes() -> None:
    for event in (Document.Attached, Document.VersionAdded, Document.Withdrawn):
        hints = typing.get_type_hints(event)
        assert bytes not in hints.values() and bytearray not in hints.values(), event
    assert {"media_type", "size", "sha256"} <= set(typing.get_type_hints(Document.Attached))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"media_type": "text/html"}, "file"),
        ({"size": 0}, "file"),
        ({"sha256": "x"}, "sha256"),
    ],
)
def test_what_the_domain_refuses_names_its_field(changes: dict, field: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        attached(**changes)
    assert refused.value.field == field


def test_a_withdrawn_document_takes_no_new_version() -> None:
    document = attached()
    document.withdraw("mauvaise personne", AT, STAFF)
    with pytest.raises(DocumentWithdrawnError):
        document.add_version(2, "application/pdf", 10, DIGEST, AT, STAFF)


def test_only_a_full_read_of_its_category_downloads_a_document() -> None:
    caseload, nobody = Relation(in_own_caseload=True), Relation()
    learner = Relation(in_own_cohort=True)
    assert may_download(frozenset({Role.SOCIAL_WORKER}), caseload, Category.SOCIAL_LEGAL)
    assert not may_download(frozenset({Role.SOCIAL_WORKER}), nobody, Category.SOCIAL_LEGAL)
    assert may_download(frozenset({Role.SOCIAL_WORKER}), Relation(break_glass_reason="congé"), Category.SOCIAL_LEGAL)
    assert not may_download(frozenset({Role.TRAINER}), learner, Category.SOCIAL_LEGAL)
    assert not may_download(frozenset({Role.TRAINER}), learner, Category.IDENTITY)  # course details only
    assert not may_download(frozenset({Role.OFFICE_HOURS_HELPER}), nobody, Category.SOCIAL_LEGAL)
    assert may_download(frozenset({Role.OFFICE_HOURS_HELPER}), nobody, Category.IDENTITY)
    assert not may_download(frozenset({Role.DPO}), nobody, Category.IDENTITY)  # through the export only

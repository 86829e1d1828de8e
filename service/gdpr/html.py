"""The printable documents: the person's export ("Vos données chez nous"), the record of processing, erasure receipts.

Both are Jinja templates (``service/gdpr/templates/``) that speak through the same vocabulary as
the pages (``service.words``): every event is a sentence, every value a word, every date as the
reader writes it, staff members by name. The person's export is written for the person (GDPR
Art. 12: clear and plain language): no record names, ids or program values. Everything is escaped;
the documents have no scripts and no outside links. The JSON export keeps its schema.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from uuid import UUID

import msgspec
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain.person import PersonDetails
from service.gdpr.export_model import Section, SubjectExport
from service.gdpr.guard import SYSTEM_DPO_ID
from service.gdpr.receipts import ErasureReceipt, encode
from service.gdpr.register import RecordOfProcessing
from service.words.catalogue import language_or_default
from service.words.events import Happening
from service.words.translator import Translator

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True)


class IdentityInWords(msgspec.Struct, frozen=True):
    at: object
    details: list[tuple[str, str]]
    reason: str | None


def export_html(export: SubjectExport, language: str = "fr", *, staff: Mapping[UUID, str] | None = None) -> str:
    """The person's export as a document they can read; ``staff``: display names of the staff members it names."""
    t = Translator(language_or_default(language))
    names = {SYSTEM_DPO_ID: t("role.dpo"), **(staff or {})}
    sections = [s for s in Section if s is not Section.IDENTITY]
    happenings = {
        section: [Happening(e.event, e.at, e.record_id, e.by, e.facts, str(section)) for e in export.entries(section)]
        for section in sections
    }
    narrator = t.narrator(names, [h for section in sections for h in happenings[section]])
    identity = [
        IdentityInWords(
            v.valid_from, narrator.details(PersonDetails, msgspec.to_builtins(v.details), {"file_number"}), v.reason
        )
        for v in export.identity
    ]
    told = [(str(section), narrator.tell_all(happenings[section])) for section in sections]
    page = _environment().get_template("export.html")
    return page.render(t=t, title=t("export.title"), export=export, identity=identity, sections=told)


def register_html(register: RecordOfProcessing, language: str = "fr") -> str:
    """The record of processing activities (Art. 30), in the reader's language."""
    t = Translator(language_or_default(language))
    page = _environment().get_template("register.html")
    return page.render(t=t, title=t("processing.title"), record=t.record(register), generated_at=register.generated_at)


def receipt_html(receipt: ErasureReceipt, language: str = "fr", *, staff: Mapping[UUID, str] | None = None) -> str:
    """An erasure receipt to print and file: what was done, when and by whom, then the signed facts to verify it.

    The receipt holds no personal data (the person is erased): the signed JSON is printed whole,
    so that the paper copy can be checked with ``suivi receipt verify``.
    """
    t = Translator(language_or_default(language))
    names = {SYSTEM_DPO_ID: t("role.dpo"), **(staff or {})}
    page = _environment().get_template("receipt.html")
    return page.render(
        t=t,
        title=t("receipt.title"),
        receipt=receipt,
        erased_by=names.get(receipt.erased_by, t("event.who.unknown")),
        document=encode(receipt).decode(),
    )

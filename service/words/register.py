"""The record of processing (Art. 30) in the reader's words, for the DPO's page and the printed document.

The record itself (``service.gdpr.register``) is data written once in English, for machines and
auditors; here each activity, each security measure and each list is worded in the reader's
language. An activity or a measure this vocabulary does not know is shown as it was written, and
a test fails until it has its words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from service.words.translator import Translator

ACTIVITIES: dict[str, tuple[str, str | None]] = {
    "DigiLab digital-skills training": ("training", "training"),
    "Office hours (permanences)": ("office_hours", "office_hours"),
    "Social-legal follow-up": ("social_legal", "social_legal"),
    "Data-protection rights and accountability": ("gdpr", None),
}
"""Each activity of the record, by its name there: its words (``processing.<key>.*``) and its retention period."""

SECURITY: dict[str, str] = {
    "encryption per person": "processing.security.encryption",
    "access log": "processing.security.access_log",
    "tamper evidence": "processing.security.tamper_evidence",
    "blind index": "processing.security.blind_index",
    "need-to-know": "processing.security.need_to_know",
    "erasure ledger": "processing.security.erasure",
    "signed erasure receipts": "processing.security.receipts",
}
"""Each security measure of the record, by how it begins there, and its words."""


class _Activity(Protocol):
    name: str
    purpose: str
    legal_basis: str
    data_subjects: list[str]
    data_categories: list[str]
    recipients: list[str]
    retention: str


@dataclass(frozen=True)
class ActivityInWords:
    name: str
    purpose: str
    legal_basis: str
    subjects: str
    categories: str
    recipients: str
    retention: str


@dataclass(frozen=True)
class RecordInWords:
    controller: str
    dpo_contact: str
    activities: list[ActivityInWords]
    security: list[str]
    consent_purposes: str
    external_recipients: str
    read_models: str
    events: list[tuple[str, str]]
    transfers: str


def activity_known(name: str) -> bool:
    return name in ACTIVITIES


def measure_key(measure: str) -> str | None:
    return next((key for start, key in SECURITY.items() if measure.startswith(start)), None)


def record_in_words(t: Translator, record: Any) -> RecordInWords:
    """``record``: a ``RecordOfProcessing``."""
    years: Mapping[str, int] = record.retention_years
    bodies = ", ".join(t.of("organisation_to", kind) for kind in record.external_recipients)
    return RecordInWords(
        controller=record.controller,
        dpo_contact=record.dpo_contact.strip() or t("processing.dpo_missing"),
        activities=[_activity(t, a, years, bodies) for a in record.activities],
        security=[t(key) if (key := measure_key(m)) else m for m in record.security_measures],
        consent_purposes=", ".join(t.inline("purpose", p) for p in record.consent_purposes),
        external_recipients=", ".join(t.of("organisation", kind) for kind in record.external_recipients),
        read_models=", ".join(t.of("readmodel", name, fallback="readmodel.other") for name in record.read_models),
        events=[
            (t.of("category", category), ", ".join(t.inline("kind", kind) for kind in kinds))
            for category, kinds in record.event_types_by_category.items()
            if kinds
        ],
        transfers=_transfers(t, record.transfers_outside_eu),
    )


def _transfers(t: Translator, transfers: str) -> str:
    return t("processing.transfers.none") if transfers == "none" else transfers


def _activity(t: Translator, activity: _Activity, years: Mapping[str, int], bodies: str) -> ActivityInWords:
    known = ACTIVITIES.get(activity.name)
    if known is None:  # written as it is in the record, until this vocabulary knows it
        return ActivityInWords(
            activity.name,
            activity.purpose,
            activity.legal_basis,
            ", ".join(activity.data_subjects),
            ", ".join(activity.data_categories),
            ", ".join(activity.recipients),
            activity.retention,
        )
    key, period = known
    subjects = [t("processing.people")]
    if len(activity.data_subjects) > 1:
        subjects.append(t("processing.staff_as_readers"))
    retention = t(f"processing.{key}.retention")
    if period is not None:
        retention = t(f"processing.{key}.retention", years=t.count("years", years[period]))
    return ActivityInWords(
        name=t(f"processing.{key}.name"),
        purpose=t(f"processing.{key}.purpose"),
        legal_basis=t(f"processing.{key}.legal_basis"),
        subjects=" ; ".join(subjects) if t.language == "fr" else "; ".join(subjects),
        categories=", ".join(t.inline("category", c) for c in activity.data_categories),
        recipients=t(f"processing.{key}.recipients", bodies=bodies)
        if key == "social_legal"
        else t(f"processing.{key}.recipients"),
        retention=retention,
    )

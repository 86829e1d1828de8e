"""The record of processing activities (Art. 30), built from the settings and the code.

Purposes and legal bases are written here, once; everything that can be read from the code
is: the event types per category (from ``domain/``), the recipients (the organisation kinds
a referral can name), the consent purposes, the read models (``service.readmodels.registry``) and the
retention periods (from the settings).
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime

import msgspec

import domain
from domain.base import Category, SuiviAggregate
from domain.consent import Purpose
from domain.organisations import OrganisationKind
from service.readmodels.registry import PROJECTION_SCHEMAS
from service.settings import Settings

REGISTER_SCHEMA = "suivi.record-of-processing"


class Activity(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    purpose: str
    legal_basis: str
    data_subjects: list[str]
    data_categories: list[str]
    recipients: list[str]
    retention: str


class RecordOfProcessing(msgspec.Struct, frozen=True, kw_only=True):
    schema: str = REGISTER_SCHEMA
    version: int = 1
    generated_at: datetime
    controller: str
    dpo_contact: str
    activities: list[Activity]
    event_types_by_category: dict[str, list[str]]
    consent_purposes: list[str]
    external_recipients: list[str]
    read_models: list[str]
    retention_years: dict[str, int]
    security_measures: list[str]
    transfers_outside_eu: str = "none"


def event_types_by_category() -> dict[str, list[str]]:
    found: dict[str, set[str]] = {str(c): set() for c in Category}
    for module in pkgutil.iter_modules(domain.__path__):
        for value in vars(importlib.import_module(f"domain.{module.name}")).values():
            if not (isinstance(value, type) and issubclass(value, SuiviAggregate) and value is not SuiviAggregate):
                continue
            for name, event in vars(value).items():
                if (
                    isinstance(event, type)
                    and issubclass(event, SuiviAggregate.Event)
                    and name not in ("Event", "Created")
                ):
                    category = getattr(event, "CATEGORY", None) or value.CATEGORY
                    found[str(category)].add(event.__qualname__)
    return {category: sorted(events) for category, events in found.items()}


def record_of_processing(settings: Settings, generated_at: datetime) -> RecordOfProcessing:
    years = {
        "social_legal": settings.retention_social_legal_years,
        "training": settings.retention_training_years,
        "office_hours": settings.retention_office_hours_years,
        "identity_only": settings.retention_identity_only_years,
    }
    recipients = [str(kind) for kind in OrganisationKind]
    people = ["beneficiaries (newcomers, jobseekers, long-term unemployed, NEET, others)"]
    activities = [
        Activity(
            name="DigiLab digital-skills training",
            purpose="run one-month DigComp 2.2 courses: enrolment, attendance, assessments, certificates",
            legal_basis="Art. 6(1)(e) public-interest task (subsidised training); Art. 6(1)(a) consent for sharing",
            data_subjects=people,
            data_categories=["identity", "training", "consent"],
            recipients=["trainers of the person's cohort", "social workers with the person's consent"],
            retention=f"{years['training']} years after the last cohort",
        ),
        Activity(
            name="Office hours (permanences)",
            purpose="individual help with software, online procedures and questions; referral to the social-legal "
            "service",
            legal_basis="Art. 6(1)(e) public-interest task",
            data_subjects=people,
            data_categories=["identity", "office_hours"],
            recipients=["office-hours helpers", "trainers (digital-help topics, with consent)"],
            retention=f"{years['office_hours']} years after the last visit",
        ),
        Activity(
            name="Social-legal follow-up",
            purpose="follow-up on housing, residence, work, benefits, health, family and debt; referrals",
            legal_basis="Art. 6(1)(e) public-interest task; Art. 9(2)(h) and (g) for special categories; "
            "Art. 6(1)(a) consent for external referrals",
            data_subjects=people,
            data_categories=["identity", "social_legal", "consent"],
            recipients=[
                "the person's social worker",
                *[f"external: {r} (with consent or a written reason)" for r in recipients],
            ],
            retention=f"{years['social_legal']} years after the last case closes",
        ),
        Activity(
            name="Data-protection rights and accountability",
            purpose="answer rights requests, log every read of a file, keep legal holds and erasure receipts",
            legal_basis="Art. 6(1)(c) legal obligation (GDPR Art. 5(2), 12 to 22, 30)",
            data_subjects=[*people, "staff (as authors of access records)"],
            data_categories=["gdpr", "access"],
            recipients=["the DPO"],
            retention="as long as the person's other data; erased with it",
        ),
    ]
    return RecordOfProcessing(
        generated_at=generated_at,
        controller=settings.controller_name,
        dpo_contact=settings.dpo_contact,
        activities=activities,
        event_types_by_category=event_types_by_category(),
        consent_purposes=[str(p) for p in Purpose],
        external_recipients=recipients,
        read_models=sorted(PROJECTION_SCHEMAS),
        retention_years=years,
        security_measures=[
            "encryption per person: every personal event and read-model field under the person's own AES-256-GCM "
            "key, wrapped by a master key kept apart from the database; erasure destroys the key",
            "access log: every read of a person's data is recorded (who, when, view, purpose, basis); break-glass "
            "reads need a written reason and are flagged to the DPO",
            "tamper evidence: per-stream hash chains and Ed25519-signed checkpoints of the log (`suivi verify`)",
            "blind index: search by keyed HMAC of normalised name tokens and birth date, no plaintext",
            "need-to-know policy per role and category; restriction (Art. 18) blocks all but the DPO",
            "erasure ledger outside the database, re-applied after a restore (`suivi restore-check`)",
            "signed erasure receipts without personal data",
        ],
    )

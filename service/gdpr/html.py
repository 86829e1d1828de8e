"""Printable HTML for the export (French by default, English on request) and the record of processing.

One small translation table; event names and facts are shown as recorded, with labels for
the sections and headings. Everything is escaped; the page has no scripts and no outside links.
"""

from __future__ import annotations

from html import escape
from typing import Any

import msgspec

from service.gdpr.export_model import ExportEntry, Section, SubjectExport
from service.gdpr.register import RecordOfProcessing

LANGUAGES = ("fr", "en")

WORDS: dict[str, tuple[str, str]] = {
    "title": ("Vos données chez nous", "Your data held by us"),
    "intro": (
        "Ce document reprend tout ce que le centre enregistre à votre sujet (RGPD, articles 15 et 20).",
        "This document lists everything the centre records about you (GDPR Articles 15 and 20).",
    ),
    "file_number": ("Numéro de dossier", "File number"),
    "generated_at": ("Document établi le", "Document made on"),
    "restricted": ("Traitement limité", "Processing restricted"),
    "yes": ("oui", "yes"),
    "no": ("non", "no"),
    "legal_holds": ("Conservations légales", "Legal holds"),
    "identity": ("Identité et corrections", "Identity and corrections"),
    "valid_from": ("Depuis le", "From"),
    "reason": ("Motif", "Reason"),
    "when": ("Date", "Date"),
    "what": ("Quoi", "What"),
    "by": ("Par (membre du personnel)", "By (staff member)"),
    "details": ("Détails", "Details"),
    "cohorts": ("Sessions DigiLab", "DigiLab cohorts"),
    "recipients": ("Destinataires de vos données", "Recipients of your data"),
    "none": ("rien", "nothing"),
    Section.CONSENTS: ("Consentements", "Consents"),
    Section.TRAINING: ("Formation DigiLab", "DigiLab training"),
    Section.OFFICE_HOURS: ("Permanences", "Office hours"),
    Section.SOCIAL_LEGAL: ("Suivi social et juridique", "Social-legal follow-up"),
    Section.REFERRALS: ("Orientations", "Referrals"),
    Section.ACCESS_LOG: ("Qui a consulté votre dossier", "Who read your file"),
    Section.RIGHTS_REQUESTS: ("Vos demandes (droits RGPD)", "Your requests (GDPR rights)"),
    Section.GDPR: ("Limitation et conservation", "Restriction and holds"),
    "register": ("Registre des activités de traitement", "Record of processing activities"),
    "controller": ("Responsable du traitement", "Controller"),
    "dpo": ("Délégué à la protection des données", "Data-protection officer"),
    "purpose": ("Finalité", "Purpose"),
    "legal_basis": ("Base légale", "Legal basis"),
    "subjects": ("Personnes concernées", "Data subjects"),
    "categories": ("Catégories de données", "Data categories"),
    "retention": ("Durée de conservation", "Retention"),
    "security": ("Mesures de sécurité", "Security measures"),
    "events": ("Types d'événements par catégorie", "Event types by category"),
}

_STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}th,td{border:1px solid #999;padding:.3em;
text-align:left;vertical-align:top}h2{page-break-after:avoid}@media print{body{margin:0}}"""


def t(key: str, language: str) -> str:
    french, english = WORDS[key]
    return english if language == "en" else french


def _page(title: str, body: list[str], language: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "<br>".join(f"{escape(str(k))}: {_value(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return escape(str(value))


def _table(headers: list[str], rows: list[list[str]], language: str) -> str:
    if not rows:
        return f"<p>{t('none', language)}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (
        f"<table><tr>{head}</tr>"
        + "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
        + "</table>"
    )


def _entries(entries: list[ExportEntry], language: str) -> str:
    rows = [
        [escape(e.at.strftime("%Y-%m-%d %H:%M")), escape(e.event), escape(str(e.by or "")), _value(e.facts)]
        for e in entries
    ]
    return _table([t("when", language), t("what", language), t("by", language), t("details", language)], rows, language)


def export_html(export: SubjectExport, language: str = "fr") -> str:
    language = language if language in LANGUAGES else "fr"
    yes_no = t("yes" if export.restricted else "no", language)
    body = [
        f"<h1>{t('title', language)}</h1><p>{t('intro', language)}</p>",
        f"<p>{t('file_number', language)}: <strong>{escape(export.file_number)}</strong><br>"
        f"{t('generated_at', language)}: {escape(export.generated_at.strftime('%Y-%m-%d %H:%M'))}<br>"
        f"{t('restricted', language)}: {yes_no}</p>",
        f"<h2>{t('identity', language)}</h2>",
        _table(
            [t("valid_from", language), t("details", language), t("reason", language)],
            [
                [
                    escape(v.valid_from.strftime("%Y-%m-%d")),
                    _value(msgspec.to_builtins(v.details)),
                    escape(v.reason or ""),
                ]
                for v in export.identity
            ],
            language,
        ),
    ]
    if export.legal_holds:
        body.append(f"<h2>{t('legal_holds', language)}</h2>")
        body.append(
            _table(
                [t("legal_basis", language), t("details", language)],
                [[escape(h.basis), escape(h.note)] for h in export.legal_holds],
                language,
            )
        )
    for section in Section:
        if section is Section.IDENTITY:
            continue
        body.append(f"<h2>{t(section, language)}</h2>")
        body.append(_entries(export.entries(section), language))
        if section is Section.TRAINING and export.cohorts:
            body.append(f"<h3>{t('cohorts', language)}</h3>")
            body.append(
                _table(
                    [t("what", language), t("when", language)],
                    [[escape(f"{c.name} ({c.site})"), f"{c.starts_on} &ndash; {c.ends_on}"] for c in export.cohorts],
                    language,
                )
            )
        if section is Section.REFERRALS:
            body.append(f"<h3>{t('recipients', language)}</h3>")
            body.append(
                _table(
                    [t("when", language), t("what", language), t("reason", language)],
                    [
                        [
                            escape(r.sent_at.strftime("%Y-%m-%d")),
                            escape(f"{r.organisation_kind}: {r.organisation_name or ''}"),
                            escape(r.override_reason or ""),
                        ]
                        for r in export.recipients
                    ],
                    language,
                )
            )
    return _page(t("title", language), body, language)


def register_html(register: RecordOfProcessing, language: str = "fr") -> str:
    language = language if language in LANGUAGES else "fr"
    body = [
        f"<h1>{t('register', language)}</h1>",
        f"<p>{t('controller', language)}: {escape(register.controller)}<br>"
        f"{t('dpo', language)}: {escape(register.dpo_contact or '-')}<br>"
        f"{t('generated_at', language)}: {escape(register.generated_at.strftime('%Y-%m-%d'))}</p>",
    ]
    for activity in register.activities:
        body.append(f"<h2>{escape(activity.name)}</h2>")
        body.append(
            _table(
                [t("what", language), t("details", language)],
                [
                    [t("purpose", language), escape(activity.purpose)],
                    [t("legal_basis", language), escape(activity.legal_basis)],
                    [t("subjects", language), _value(activity.data_subjects)],
                    [t("categories", language), _value(activity.data_categories)],
                    [t("recipients", language), _value(activity.recipients)],
                    [t("retention", language), escape(activity.retention)],
                ],
                language,
            )
        )
    body.append(
        f"<h2>{t('security', language)}</h2><ul>"
        + "".join(f"<li>{escape(m)}</li>" for m in register.security_measures)
        + "</ul>"
    )
    body.append(f"<h2>{t('events', language)}</h2>")
    body.append(
        _table(
            [t("categories", language), t("what", language)],
            [[escape(c), _value(e)] for c, e in register.event_types_by_category.items()],
            language,
        )
    )
    return _page(t("register", language), body, language)

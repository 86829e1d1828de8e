"""Every event type, field and enumeration value of ``domain/`` has its words, in French and in English.

A new event, field or value without words fails here, before any page shows it raw.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
import string
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

import domain
from service.application.reading import ReadPurpose
from service.gdpr.export import EXPORT_BASIS, EXPORT_PURPOSE, EXPORT_VIEW
from service.gdpr.register import record_of_processing
from service.readmodels.registry import PROJECTION_SCHEMAS
from service.settings import Settings
from service.words.catalogue import LANGUAGES, Catalogue, every_key, plural_keys, words
from service.words.events import Happening
from service.words.register import activity_known, measure_key
from service.words.translator import Translator
from service.words.values import ENUM_KINDS, NOT_SHOWN, STAFF_FIELDS, is_actor, nested_struct, struct_fields
from tests.domain.test_event_contract import event_classes
from tests.web.test_crawl import raw_tokens

ROOT = Path(__file__).parents[2]
MESSAGES = words()
WHEN = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)


def _domain_enums() -> list[type[enum.Enum]]:
    found = []
    for module in pkgutil.iter_modules(domain.__path__):
        loaded = importlib.import_module(f"domain.{module.name}")
        found += [
            v
            for v in vars(loaded).values()
            if isinstance(v, type) and issubclass(v, enum.Enum) and v.__module__ == loaded.__name__
        ]
    return found


def _fields(kind: type, owner: str) -> list[tuple[str, str, Any]]:
    """Every field of an event or a structure, nested structures included: (owner, field, type)."""
    found = []
    for name, annotation in struct_fields(kind).items():
        inner = nested_struct(annotation)
        if inner is not None:
            found += _fields(inner, inner.__qualname__)
        found.append((owner, name, annotation))
    return found


def _sample(annotation: Any, name: str) -> Any:
    """A stored value for a field of this type, as a read model or the export holds it."""
    special = {"nationality": "TN", "languages": ["ar", "fr"], "preferred_language": "ar", "competence": "1.1"}
    if name in special:
        return special[name]
    inner = nested_struct(annotation)
    if inner is not None:
        return {n: _sample(a, n) for n, a in struct_fields(inner).items()}
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    kind = args[0] if typing.get_origin(annotation) in (typing.Union, __import__("types").UnionType) else annotation
    if typing.get_origin(kind) is tuple:
        return [_sample(typing.get_args(kind)[0], name)]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return next(iter(kind)).value
    samples = {bool: True, int: 3, Decimal: "4", date: "2026-12-03", datetime: WHEN.isoformat(), UUID: str(uuid4())}
    return samples.get(kind, "Texte écrit par le personnel")


def test_every_event_type_has_a_sentence_and_a_name_in_both_languages() -> None:
    missing = [
        f"{prefix}.{event.__qualname__}"
        for event in event_classes()
        for prefix in ("event", "kind")
        if not all(MESSAGES.get(f"{prefix}.{event.__qualname__}", ("", ""))[i].strip() for i in range(len(LANGUAGES)))
    ]
    assert missing == []


def test_every_field_of_every_event_has_a_name_or_is_never_shown() -> None:
    t = Translator("fr")
    unnamed = []
    for event in event_classes():
        for owner, name, annotation in _fields(event, event.__qualname__):
            if name in NOT_SHOWN or is_actor(name) or nested_struct(annotation) is not None:
                continue
            specific, general = f"field.{owner}.{name}", f"field.{name}"
            if specific not in t.catalogue and general not in t.catalogue:
                unnamed.append(f"{owner}.{name}")
    assert unnamed == []


def test_every_identifier_field_names_a_staff_member_or_is_never_shown() -> None:
    shown_ids = [
        f"{owner}.{name}"
        for event in event_classes()
        for owner, name, annotation in _fields(event, event.__qualname__)
        if UUID
        in (
            annotation,
            *typing.get_args(annotation),
            *[a for t in typing.get_args(annotation) for a in typing.get_args(t)],
        )
        and name not in NOT_SHOWN
        and name not in STAFF_FIELDS
        and not is_actor(name)
    ]
    assert shown_ids == []


def test_every_enumeration_value_of_the_domain_has_words_in_both_languages() -> None:
    missing = []
    for kind in _domain_enums():
        prefix = ENUM_KINDS.get(kind)
        if prefix is None:
            missing.append(kind.__qualname__)
            continue
        missing += [f"{prefix}.{v.value}" for v in kind if f"{prefix}.{v.value}" not in MESSAGES]
    assert missing == []


def test_every_message_has_the_same_placeholders_in_every_language() -> None:
    def names(text: str) -> set[str]:
        return {n for _, n, _, _ in string.Formatter().parse(text) if n}

    for key, texts in every_key().items():
        assert all(text.strip() for text in texts), key
        assert len({frozenset(names(text)) for text in texts}) == 1, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_event_told_with_every_field_shows_no_raw_token(language: str) -> None:
    t = Translator(language)
    actor = uuid4()
    narrator = t.narrator({actor: "Sophie Lambert"})
    for event in event_classes():
        body = {
            name: _sample(annotation, name)
            for name, annotation in struct_fields(event).items()
            if name not in NOT_SHOWN
        }
        told = narrator.tell(Happening(event.__qualname__, WHEN, uuid4(), actor, body))
        shown = " ".join([told.text, *(f"{label} {value}" for label, value in told.details)])
        assert raw_tokens(shown, language) == [], (event.__qualname__, shown)
        if "{who}" in MESSAGES[f"event.{event.__qualname__}"][0]:
            assert "Sophie Lambert" in told.text, event.__qualname__


def test_plurals_follow_the_language_and_nothing_found_says_so() -> None:
    fr, en = Translator("fr"), Translator("en")
    assert fr.count("people", 1) == "1 personne" and fr.count("people", 3) == "3 personnes"
    assert en.count("people", 1) == "1 person" and en.count("people", 3) == "3 people"
    assert fr("search.nothing") == "Aucune personne trouvée."
    assert not [k for k in every_key() if "(s)" in " ".join(every_key()[k])]


def test_dates_numbers_countries_languages_and_competences_read_as_the_reader_writes_them() -> None:
    fr, en = Translator("fr"), Translator("en")
    assert fr.date(date(2026, 12, 3)) == "03/12/2026" == en.date(date(2026, 12, 3))
    assert fr.moment(WHEN) == "03/12/2026 14:05"  # in Liège's time zone
    assert fr.number(Decimal("1234.5")) == "1\u202f234,5" and en.number(Decimal("1234.5")) == "1,234.5"
    assert (fr.country("TN"), en.country("TN")) == ("Tunisie", "Tunisia")
    assert (fr.languages(["ar", "fr"]), en.languages(["ar", "fr"])) == ("arabe, français", "Arabic, French")
    assert fr.competence("1.1").startswith("1.1 Naviguer") and en.competence("1.1").startswith("1.1 Browsing")
    assert fr.level(3) == "3 (intermédiaire)"


def test_the_access_log_reads_its_bases_as_words() -> None:
    t = Translator("fr")
    record = uuid4()
    basis = f"caseload;consent:{record}:2"
    assert t.basis(basis, None, {f"{record}:2": date(2026, 12, 3)}) == (
        "personne suivie dans ses dossiers, consentement du 03/12/2026"
    )
    assert (
        t.basis("break_glass", "urgence : expulsion demain") == "accès exceptionnel\u00a0: urgence : expulsion demain"
    )
    assert not raw_tokens(t.basis(f"consent:{record}:9"), "fr")


def test_every_view_purpose_and_basis_the_access_log_can_hold_has_words() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "service").rglob("*.py"))
    views = set(re.findall(r'open_for_reading\(\s*ctx,\s*actor,\s*\w+,\s*"(\w+)"', source))
    views |= set(re.findall(r'open_each\(\s*ctx,\s*actor,[^"]*?"(\w+)"', source, re.S))
    views |= set(re.findall(r'view: ClassVar\[str\] = "(\w+)"', source)) | {"access_log", EXPORT_VIEW}
    assert {"case_file", "caseload", "case_note"} <= views
    assert [v for v in views if f"view.{v}" not in MESSAGES] == []
    purposes = {str(p) for p in ReadPurpose} | {EXPORT_PURPOSE}
    assert [p for p in purposes if f"read_purpose.{p}" not in MESSAGES] == []
    bases = {"caseload", "cohort", "role", "break_glass", "dpo_oversight", EXPORT_BASIS}
    assert [b for b in bases if f"access_basis.{b}" not in MESSAGES] == []
    assert [s for s in PROJECTION_SCHEMAS if f"readmodel.{s}" not in MESSAGES] == []


def test_the_record_of_processing_has_words_for_every_activity_and_measure() -> None:
    register = record_of_processing(Settings.from_env({}), WHEN)
    assert [a.name for a in register.activities if not activity_known(a.name)] == []
    assert [m for m in register.security_measures if measure_key(m) is None] == []
    for language in LANGUAGES:
        record = Translator(language).record(register)
        shown = " ".join(
            [record.dpo_contact, *record.security, record.read_models, record.consent_purposes]
            + [
                " ".join(msgspec.structs.asdict(a).values())
                if isinstance(a, msgspec.Struct)
                else " ".join(vars(a).values())
                for a in record.activities
            ]
        )
        assert raw_tokens(shown, language) == [], shown
    assert Translator("fr").record(register).dpo_contact == "non renseigné"


def test_every_key_is_in_every_language_with_as_many_forms() -> None:
    catalogues = [Catalogue(language) for language in LANGUAGES]
    keys = set(every_key())
    assert [(k, c.language) for k in sorted(keys) for c in catalogues if k not in c] == []
    for key in plural_keys():
        assert all(c.plural(key, 1) and c.plural(key, 2) for c in catalogues), key
        assert all(c.get(key) is None for c in catalogues), key  # a plural message is never also a singular one


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_key_is_worded_twice_in_a_catalogue(language: str) -> None:
    text = (ROOT / "service" / "words" / "locale" / f"{language}.po").read_text()
    keys = re.findall(r'^msgid "(.+)"$', text, re.M)
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []

"""``t``: the reader's vocabulary, as templates use it.

``t("file.title")`` a message; ``t.of("purpose", "contact_sms")`` an enumeration value;
``t.count("people", 3)`` a quantity with its plural; ``t.date(d)``, ``t.moment(dt)``,
``t.number(n)``, ``t.country("TN")``, ``t.language_name("ar")``, ``t.competence("1.1")``;
``t.timeline(entries, staff)`` a case file's events as sentences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from datetime import date as Day
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.digcomp import AREAS, COMPETENCES, band
from service.words import formatting
from service.words.catalogue import Catalogue
from service.words.events import Happening, Narrator, Told, access_basis
from service.words.register import RecordInWords, record_in_words

_COMPETENCES = {c.code: c for c in COMPETENCES}
_AREAS = {a.code: a for a in AREAS}


class Translator:
    """Every word and value of one page or document, in the reader's language."""

    def __init__(self, language: str) -> None:
        self.catalogue = Catalogue(language)
        self.language = self.catalogue.language
        self.locale = self.catalogue.locale

    # ---- messages
    def __call__(self, key: str, **values: object) -> str:
        text = self.catalogue.get(key)
        if text is None:
            text = key  # shown as it is, so that a test (and a reader) sees what is missing
        return text.format(**values) if values else text

    def of(self, kind: str, value: object, fallback: str | None = None) -> str:
        """An enumeration value in words (``kind.value``); ``fallback``: the key to use for an unknown value."""
        key = f"{kind}.{value}"
        if key in self.catalogue:
            return self(key)
        if fallback is not None:
            return self(fallback)
        return "—" if value is None or value == "" else str(value)

    def words(self, kind: str, values: Iterable[object]) -> str:
        """Several enumeration values, in words, one after the other."""
        return ", ".join(self.of(kind, v) for v in values) or "—"

    def inline(self, kind: str, value: object) -> str:
        """An enumeration value inside a sentence: "partage de la formation..." after a colon."""
        words = self.of(kind, value)
        return words[:1].lower() + words[1:] if words[1:2].islower() else words

    def plural(self, key: str, n: int | Decimal, **values: object) -> str:
        text = self.catalogue.plural(key, n)
        return key if text is None else text.format(n=self.number(n), **values)

    def count(self, kind: str, n: int | Decimal) -> str:
        """``count("people", 3)`` -> "3 personnes"."""
        return self.plural(f"quantity.{kind}", n)

    def yes_no(self, value: bool) -> str:
        return self("yes") if value else self("no")

    # ---- dates, numbers, names
    def date(self, value: date | datetime | str | None) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return formatting.day(value, self.locale)

    def long_date(self, value: Day | datetime) -> str:
        return formatting.long_day(value.date() if isinstance(value, datetime) else value, self.locale)

    def moment(self, value: datetime | None) -> str:
        return "—" if value is None else formatting.moment(value, self.locale)

    def time(self, value: datetime | None) -> str:
        return "—" if value is None else formatting.clock_time(value, self.locale)

    def number(self, value: int | float | Decimal | None) -> str:
        return "—" if value is None else formatting.number(value, self.locale)

    def percent(self, rate: float | None) -> str:
        """0.853 -> "85 %"."""
        return "—" if rate is None else self("format.percent", n=self.number(round(rate * 100)))

    def country(self, code: str | None) -> str:
        return "—" if not code else formatting.country(code, self.locale)

    def language_name(self, code: str | None) -> str:
        return "—" if not code else formatting.language(code, self.locale)

    def languages(self, codes: Iterable[str]) -> str:
        return ", ".join(self.language_name(c) for c in codes) or "—"

    def competence(self, code: str) -> str:
        """ "1.1 Naviguer, rechercher et filtrer..."; an unknown code as it was recorded."""
        found = _COMPETENCES.get(code)
        if found is None:
            return code
        return f"{found.code} {found.title_fr if self.language == 'fr' else found.title}"

    def area(self, code: str) -> str:
        found = _AREAS.get(code)
        if found is None:
            return code
        return f"{found.code}. {found.title_fr if self.language == 'fr' else found.title}"

    def level(self, level: int | str | None) -> str:
        """3 -> "3 (intermédiaire)"."""
        if level is None or level == "":
            return "—"
        n = int(level)
        try:
            return f"{n} ({self.of('band', band(n))})"
        except ValueError:
            return str(n)

    def gain(self, gain: int | None) -> str:
        """The change between two levels: "+2", "0", "-1"."""
        if gain is None:
            return "—"
        return f"+{self.number(gain)}" if gain > 0 else ("0" if gain == 0 else f"-{self.number(-gain)}")

    # ---- events and the access log
    def narrator(self, staff: Mapping[UUID, str] | Mapping[str, str], happenings: Iterable[Happening] = ()) -> Narrator:
        return Narrator(self, staff, happenings)

    def timeline(self, entries: Iterable[Any], staff: Mapping[UUID, str] | Mapping[str, str]) -> list[Told]:
        """A case file's entries (``kind``, ``recorded_at``, ``stream_id``, ``actor_id``, ``body``) as sentences."""
        happenings = [
            Happening(e.kind, e.recorded_at, e.stream_id, getattr(e, "actor_id", None), e.body, e.category)
            for e in entries
        ]
        return self.narrator(staff, happenings).tell_all(happenings)

    def basis(self, basis: str, reason: str | None = None, consents: Mapping[str, Day] | None = None) -> str:
        """An access log's basis in words; ``consents``: ``"<record>:<version>"`` -> the day it was given."""
        known = consents or {}
        return access_basis(self, basis, reason, lambda record, version: known.get(f"{record}:{version}"))

    def record(self, register: Any) -> RecordInWords:
        """The record of processing (a ``RecordOfProcessing``) in words."""
        return record_in_words(self, register)

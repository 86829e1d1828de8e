"""Events told as sentences: "Sophie Lambert a ajouté une note", then the event's details in words.

A timeline (the case file, the export) is told as a whole, because some events speak of
earlier ones: a withdrawal names the consents it ends by their version, and the access log
cites a consent by its record and version ("consentement du 03/12/2026").
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import domain
from domain.base import SuiviAggregate
from service.words.values import Fields, is_actor, struct_fields

if TYPE_CHECKING:
    from service.words.translator import Translator


@functools.cache
def event_classes() -> dict[str, type]:
    """Every event class of ``domain/`` by the name the read models and the export store (``Case.NoteAdded``)."""
    found: dict[str, type] = {}
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
                    found[event.__qualname__] = event
    return found


@dataclass(frozen=True)
class Happening:
    """One event as a timeline holds it: its kind, when, in which record, who caused it and its fields."""

    kind: str
    at: datetime
    record_id: UUID | None
    actor_id: UUID | None
    body: Mapping[str, Any]
    category: str = ""


@dataclass(frozen=True)
class Told:
    """An event in words: the sentence, and the details worth reading under it."""

    at: datetime
    category: str
    kind: str
    text: str
    details: list[tuple[str, str]] = field(default_factory=list)


class Narrator:
    """Tells the events of one timeline in the reader's words, naming staff members by display name."""

    def __init__(
        self, t: Translator, staff: Mapping[UUID, str] | Mapping[str, str], happenings: Iterable[Happening] = ()
    ) -> None:
        self._t = t
        self._staff = {str(k): v for k, v in staff.items()}
        self._consents: dict[tuple[str, int], tuple[str, date | None]] = {}
        versions: dict[str, int] = {}
        for h in happenings:
            if not h.kind.startswith("ConsentRecord.") or h.record_id is None:
                continue
            record = str(h.record_id)
            versions[record] = versions.get(record, 0) + 1
            if h.kind == "ConsentRecord.Given":
                given_on = h.body.get("given_on")
                day = date.fromisoformat(str(given_on)) if given_on else None
                self._consents[(record, versions[record])] = (str(h.body.get("purpose", "")), day)

    def staff_name(self, staff_id: UUID | str | None) -> str:
        if staff_id is None:
            return self._t("event.who.unknown")
        return self._staff.get(str(staff_id)) or self._t("event.who.unknown")

    def consent_day(self, record_id: str, version: int) -> date | None:
        found = self._consents.get((record_id, version))
        return None if found is None else found[1]

    def tell(self, h: Happening) -> Told:
        t = self._t
        event = event_classes().get(h.kind)
        key = f"event.{h.kind}"
        if event is None or key not in t.catalogue:
            return Told(h.at, h.category, h.kind, t("event.unknown"))
        body = h.body
        actor = h.actor_id or next((body[k] for k in body if is_actor(k) and body[k]), None)
        acted = None if actor is None else str(actor)
        fields = Fields(t, self.staff_name, self._special(h))
        values = {"who": self.staff_name(actor)}
        said = set()  # fields inside structures that the sentence already says
        if h.kind == "Referral.Made" and (body.get("destination") or {}).get("organisation_kind"):
            key = f"{key}.external"
            values["organisation"] = t.of("organisation_to", body["destination"]["organisation_kind"])
            said.add("organisation_kind")
        for placeholder, (struct, inner, kind) in _NESTED.items():
            if isinstance(body.get(struct), Mapping) and placeholder in _placeholders(t(key)):
                values[placeholder] = t.inline(kind, body[struct].get(inner))
                said.add(inner)
        if h.kind == "AccessRecord.Recorded":
            values["view"] = t.of("view", body.get("view"), fallback="view.other")
            return Told(h.at, h.category, h.kind, _sentence(t(key, **values)), self._access_details(body))
        placeholders = _placeholders(t(key))
        for name in placeholders - values.keys():
            values[name] = fields.value(name, _annotation(event, name), body.get(name), inline=True) or "—"
        skip = frozenset((placeholders - set(_NESTED)) | said)
        return Told(h.at, h.category, h.kind, _sentence(t(key, **values)), fields.of(event, body, skip, acted))

    def details(self, owner: type, body: Mapping[str, Any], skip: Iterable[str] = ()) -> list[tuple[str, str]]:
        """The fields of a structure (e.g. a person's details) in words, as an event's details are."""
        nowhere = Happening("", datetime.min, None, None, body)
        return Fields(self._t, self.staff_name, self._special(nowhere)).of(owner, body, frozenset(skip))

    def tell_all(self, happenings: Iterable[Happening]) -> list[Told]:
        return [self.tell(h) for h in happenings]

    def _special(self, h: Happening) -> dict[str, Any]:
        t = self._t
        record = "" if h.record_id is None else str(h.record_id)

        def purposes(versions: list[int]) -> str:
            found = [self._consents.get((record, int(v))) for v in versions]
            words = [t.inline("purpose", f[0]) if f else t("event.consent.unknown_purpose") for f in found]
            return ", ".join(dict.fromkeys(words))

        def consent(basis: Mapping[str, Any]) -> str:
            day = self.consent_day(str(basis.get("consent_record_id")), int(basis.get("given_version") or 0))
            purpose = t.inline("purpose", basis.get("purpose"))
            return purpose if day is None else f"{purpose} ({t('access_basis.consent', day=t.date(day))})"

        return {
            "nationality": t.country,
            "languages": lambda codes: t.languages(codes),
            "preferred_language": t.language_name,
            "competence": t.competence,
            "level": t.level,
            "minutes": lambda n: t.count("minutes", int(n)),
            "hours": lambda n: t.count("hours", Decimal(str(n))),
            "months": lambda n: t.count("months", int(n)),
            "session_days": lambda days: t.count("days", len(days)),
            "given_versions": purposes,
            "consent": consent,
            "purpose": (lambda p: t.of("read_purpose", p, fallback="read_purpose.other"))
            if h.kind == "AccessRecord.Recorded"
            else (lambda p: t.inline("purpose", p)),
            "evidence": lambda e: t.inline("evidence", e),
            # a document's file: its format in words, its size in kilobytes
            "media_type": lambda m: t.of("documents.format", m),
            "size": lambda n: t("documents.size_kb", size=t.number(max(1, round(int(n) / 1024)))),
        }

    def _access_details(self, body: Mapping[str, Any]) -> list[tuple[str, str]]:
        t = self._t
        return [
            (t("log.purpose"), t.of("read_purpose", body.get("purpose"), "read_purpose.other")),
            (t("log.basis"), self.basis(str(body.get("basis", "")), body.get("reason"))),
        ]

    def basis(self, basis: str, reason: str | None = None) -> str:
        """``caseload;consent:<record>:<version>`` -> "dossier suivi, consentement du 03/12/2026"."""
        return access_basis(self._t, basis, reason, self.consent_day)


def access_basis(t: Translator, basis: str, reason: str | None, consent_day: Any) -> str:
    """The basis of a reading in words; ``consent_day(record, version)`` dates the consents it cites."""
    words = []
    for part in filter(None, basis.split(";")):
        if part.startswith("consent:"):
            _, record, version = [*part.split(":"), "", ""][:3]
            day = consent_day(record, int(version)) if version.isdigit() else None
            words.append(
                t("access_basis.consent_undated") if day is None else t("access_basis.consent", day=t.date(day))
            )
        elif part == "break_glass" and reason:
            words.append(t("access_basis.break_glass_reason", reason=reason))
        else:
            words.append(t.of("access_basis", part, fallback="access_basis.other"))
    return ", ".join(words) or t("access_basis.role")


_NESTED: dict[str, tuple[str, str, str]] = {
    "document": ("document", "kind", "document"),
    "help": ("help", "category", "request"),
    "basis": ("hold", "basis", "basis"),
}
"""A sentence's placeholder taken from a structure: placeholder -> (field, its field, the value's words)."""


def _sentence(text: str) -> str:
    """A sentence begins with a capital, also when it begins with "un membre du personnel"."""
    return text[:1].upper() + text[1:]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _annotation(event: type, name: str) -> Any:
    return struct_fields(event).get(name, str)

"""The catalogue: every message of the pages and the printed documents, one gettext ``.po`` file per language.

``service/words/locale/<language>.po`` is read through Babel the first time a language is asked
for (no build step, no ``.mo`` file). A message is found by its key (``"file.title"``); a message
with a number has plural forms (``"quantity.people"``: "1 personne", "3 personnes"), chosen by the
``Plural-Forms`` rule of the language's catalogue. French is the reference; a test checks that
every key has a text in every language. A third language is one more ``.po`` file.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALES = {"fr": "fr_BE", "en": "en_GB"}
"""The Babel locale of each language: Belgian French, and the English of a European reader."""
LOCALE_DIR = Path(__file__).parent / "locale"


def language_or_default(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class _Messages:
    singular: dict[str, str]
    plural: dict[str, tuple[str, ...]]
    plural_index: Callable[[int], int]


@functools.cache
def _messages(language: str) -> _Messages:
    with (LOCALE_DIR / f"{language}.po").open("rb") as po:
        catalog = read_po(po, locale=LOCALES[language])
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or not message.string:
            continue  # the header, or a message not worded yet in this language
        if isinstance(message.id, tuple):
            plural[str(message.id[0])] = tuple(str(s) for s in message.string)
        else:
            singular[str(message.id)] = str(message.string)
    return _Messages(singular, plural, gettext.c2py(catalog.plural_expr))


class Catalogue:
    """The messages of one language."""

    def __init__(self, language: str) -> None:
        self.language = language_or_default(language)
        self.locale = Locale.parse(LOCALES[self.language])
        self._messages = _messages(self.language)

    def get(self, key: str) -> str | None:
        return self._messages.singular.get(key)

    def plural(self, key: str, n: int | Decimal) -> str | None:
        forms = self._messages.plural.get(key)
        if forms is None:
            return None
        whole = int(n) if n == int(n) else 2  # a part of an hour or a day reads as several
        return forms[min(self._messages.plural_index(whole), len(forms) - 1)]

    def __contains__(self, key: str) -> bool:
        return key in self._messages.singular or key in self._messages.plural


def every_key() -> Mapping[str, tuple[str, ...]]:
    """Every key with its texts in every language, plural forms one after the other (for the tests)."""
    keys = {key: None for language in LANGUAGES for key in _keys(language)}
    return {key: tuple(text for language in LANGUAGES for text in _texts(language, key)) for key in keys}


def words() -> dict[str, tuple[str, ...]]:
    """Every singular message by key, one text per language (a plural message by its singular)."""
    found: dict[str, tuple[str, ...]] = {}
    for key in {key: None for language in LANGUAGES for key in _keys(language)}:
        found[key] = tuple(_texts(language, key)[0] if _texts(language, key) else "" for language in LANGUAGES)
    return found


def plural_keys() -> frozenset[str]:
    return frozenset(key for language in LANGUAGES for key in _messages(language).plural)


def _keys(language: str) -> list[str]:
    messages = _messages(language)
    return [*messages.singular, *messages.plural]


def _texts(language: str, key: str) -> tuple[str, ...]:
    messages = _messages(language)
    if key in messages.singular:
        return (messages.singular[key],)
    return messages.plural.get(key, ())

"""Every word the staff interface shows, French first, English second: the one translation catalogue.

Templates and handlers say ``t("key")``; enum values are looked up as ``"<kind>.<value>"``
(``t.of("attendance", "present")``). A missing key shows the key itself, and a test checks
that every key used in the templates is here.
"""

from __future__ import annotations

from service.web.catalogue_words import WORDS

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


def language_or_default(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """``t("key")`` in the reader's language; ``t.of(kind, value)`` for an enum value."""

    def __init__(self, language: str) -> None:
        self.language = language_or_default(language)
        self._index = LANGUAGES.index(self.language)

    def __call__(self, key: str, **values: object) -> str:
        words = WORDS.get(key)
        text = key if words is None else words[self._index]
        return text.format(**values) if values else text

    def of(self, kind: str, value: object) -> str:
        key = f"{kind}.{value}"
        return self(key) if key in WORDS else str(value)

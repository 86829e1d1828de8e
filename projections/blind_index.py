"""Keyed HMACs of normalised search terms: searchable without storing the terms."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from projections.text import tokens, trigrams


class BlindIndex:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, kind: str, value: str) -> bytes:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).digest()[:16]

    def name_tokens(self, *names: str) -> set[bytes]:
        return {self._mac("name", token) for name in names for token in tokens(name)}

    def trigram_tokens(self, *names: str) -> set[bytes]:
        return {self._mac("tri", gram) for name in names for token in tokens(name) for gram in trigrams(token)}

    def birth_date(self, born: date) -> bytes:
        return self._mac("birth", born.isoformat())

    def file_number(self, file_number: str) -> bytes:
        return self._mac("file", file_number.strip())

    def national_number(self, niss: str) -> bytes:
        """``niss``: the 11 digits, as the service stores them."""
        return self._mac("niss", niss)

    def pseudonym(self, value: str) -> bytes:
        """A stable keyed pseudonym, for counting distinct things without keeping them."""
        return self._mac("pseudonym", value)

"""Normalising names for search: case, accents and small typing mistakes do not matter."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """'Müller-Öztürk' -> 'muller ozturk'. Ligatures and accents fold to plain letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("æ", "ae").replace("œ", "oe")
    return " ".join(part for part in _SEPARATORS.split(stripped) if part)


def tokens(text: str) -> list[str]:
    return normalise(text).split()


def trigrams(token: str) -> set[str]:
    """Overlapping three-letter pieces, padded so that short names still have some."""
    padded = f"  {token} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}

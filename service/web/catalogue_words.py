"""Every message of the catalogue, key -> (French, English), for tests and tools that look words up.

The words live in ``service/words/locale/*.po``; a message with plural forms is given by its singular.
"""

from __future__ import annotations

from service.words.catalogue import words

WORDS: dict[str, tuple[str, ...]] = words()

"""The pages' vocabulary: ``t`` in every template is a ``Translator`` of the reader's language.

The words themselves live in ``service.words``, below the doors, because the printed documents
(the export, the record of processing) speak through the same vocabulary as the pages.
"""

from __future__ import annotations

from service.words.catalogue import DEFAULT_LANGUAGE, LANGUAGES, language_or_default
from service.words.translator import Translator

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Translator", "language_or_default"]

"""Text catalogues in French and English, one mechanism for the survey pages, the e-mails and the reports."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("fr", "en")


class Catalog:
    """Texts by key and language; an unknown language reads English."""

    def __init__(self, entries: Mapping[str, Mapping[str, str]]) -> None:
        missing = [
            f"{key} ({language})" for key, texts in entries.items() for language in LANGUAGES if language not in texts
        ]
        if missing:
            raise ValueError(f"texts missing a translation: {', '.join(missing)}")
        self.entries = entries

    def text(self, key: str, language: str, **values: object) -> str:
        """The text of `key` in `language`, with `values` substituted."""
        texts = self.entries[key]
        chosen = texts["fr"] if language == "fr" else texts["en"]
        return chosen.format(**values) if values else chosen

"""One text mechanism for pages, e-mails and reports: complete in both languages, or refused at import."""

from __future__ import annotations

import pytest

from symmetry.texts import Catalog


def test_a_missing_translation_is_refused() -> None:
    with pytest.raises(ValueError, match=r"texts missing a translation: thanks \(en\)"):
        Catalog({"thanks": {"fr": "Merci"}})


def test_texts_are_chosen_by_language_and_filled() -> None:
    catalog = Catalog({"hello": {"fr": "Bonjour {name}", "en": "Hello {name}"}})
    assert catalog.text("hello", "fr", name="Ana") == "Bonjour Ana"
    assert catalog.text("hello", "de", name="Ana") == "Hello Ana"

"""The pages' translations: every message of the code and templates translated, none left over, none broken."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from surveys.i18n import LOCALE_DIR, translation

ROOT = Path(__file__).parents[3]
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords, comment_tags=(), strip_comment_tags=True
        )
        if message
    }


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_every_message_of_the_pages_is_in_the_french_catalog_and_nothing_else() -> None:
    catalog = _catalog("fr")
    translated = {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}
    extracted = _extracted()
    assert extracted, "the extraction found nothing: babel.cfg no longer matches the sources"
    assert sorted(extracted - translated) == [], "messages missing from fr: run `make messages` and translate them"
    assert sorted(translated - extracted) == [], "messages no longer used: run `make messages`"


def test_every_french_message_is_translated_with_the_same_placeholders() -> None:
    for message in _catalog("fr"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert "fuzzy" not in message.flags, ids[0]
        assert all(strings), f"untranslated: {ids[0]!r}"
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= expected | {""}, (ids[0], string)
            assert {name for name in expected if name} <= set(PLACEHOLDER.findall(string)) | {"num"}, (ids[0], string)


def test_french_plurals_follow_the_french_rule() -> None:
    french = translation("fr")
    assert french.ngettext("%(num)s page", "%(num)s pages", 1) == "%(num)s page"
    assert french.ngettext("%(num)s page", "%(num)s pages", 0) == "%(num)s page"  # zero is singular in French
    assert french.ngettext("%(num)s page", "%(num)s pages", 2) == "%(num)s pages"
    assert translation("en").ngettext("%(num)s page", "%(num)s pages", 0) == "%(num)s pages"

"""The pages' and reports' translations: every message of the code and templates translated, none left over, none
broken."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from reports.i18n import LOCALE_DIR as REPORTS_LOCALE_DIR
from reports.i18n import translator
from surveys.catalog import LOCALE_DIR, translation

ROOT = Path(__file__).parents[3]
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@dataclass(frozen=True)
class Domain:
    """One gettext catalog of the project: where its messages come from and where it is."""

    name: str
    config: str
    keywords: dict[str, tuple[int, ...] | None]
    catalog: Path


GETTEXT = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
DOMAINS = [
    Domain(
        "messages",
        "babel.cfg",
        {**GETTEXT, "tr": None, "trn": (1, 2)},
        LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po",
    ),
    Domain(
        "reports",
        "babel-reports.cfg",
        {**GETTEXT, "t": None, "tn": (1, 2), "plural": (1, 2)},
        REPORTS_LOCALE_DIR / "fr" / "LC_MESSAGES" / "reports.po",
    ),
]


def _extracted(domain: Domain) -> set[str]:
    with (ROOT / domain.config).open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            ROOT, method_map, options_map, keywords=domain.keywords, comment_tags=(), strip_comment_tags=True
        )
        if message
    }


def _catalog(domain: Domain):  # type: ignore[no-untyped-def]
    with domain.catalog.open("rb") as handle:
        return read_po(handle, locale="fr")


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
def test_every_message_of_the_code_is_in_the_french_catalog_and_nothing_else(domain: Domain) -> None:
    catalog = _catalog(domain)
    translated = {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}
    extracted = _extracted(domain)
    assert extracted, f"the extraction found nothing: {domain.config} no longer matches the sources"
    assert sorted(extracted - translated) == [], "messages missing from fr: run `make messages` and translate them"
    assert sorted(translated - extracted) == [], "messages no longer used: run `make messages`"


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda domain: domain.name)
def test_every_french_message_is_translated_with_the_same_placeholders(domain: Domain) -> None:
    for message in _catalog(domain):
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


def test_every_report_message_formats_in_both_languages() -> None:
    """A literal percent sign written alone, or a placeholder the code does not pass, breaks at render time."""
    for message in _catalog(DOMAINS[1]):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        names = {name for name in PLACEHOLDER.findall(ids[-1]) if name} | {"num"}
        for text in (*ids, *strings):
            text % dict.fromkeys(names, 1)  # raises on a lone "%" or an unknown placeholder


def test_french_plurals_follow_the_french_rule() -> None:
    french = translation("fr")
    assert french.ngettext("%(num)s page", "%(num)s pages", 1) == "%(num)s page"
    assert french.ngettext("%(num)s page", "%(num)s pages", 0) == "%(num)s page"  # zero is singular in French
    assert french.ngettext("%(num)s page", "%(num)s pages", 2) == "%(num)s pages"
    assert translation("en").ngettext("%(num)s page", "%(num)s pages", 0) == "%(num)s pages"


def test_reports_plurals_follow_each_language() -> None:
    french, english = translator("fr"), translator("en")
    singular, plural = "+ %(num)s team under %(threshold)s", "+ %(num)s teams under %(threshold)s"
    assert french.plural(singular, plural, 1, threshold=5) == "+ 1 équipe sous 5"
    assert french.plural(singular, plural, 0, threshold=5) == "+ 0 équipe sous 5"
    assert french.plural(singular, plural, 3, threshold=5) == "+ 3 équipes sous 5"
    assert english.plural(singular, plural, 1, threshold=5) == "+ 1 team under 5"
    assert english.plural(singular, plural, 0, threshold=5) == "+ 0 teams under 5"

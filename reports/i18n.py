"""The reports' texts in French and English through gettext, and locale-aware number and date formatting.

The English texts are the messages themselves, in the code and the templates (``t("...")``, ``t.plural(...)``,
``N_("...")`` for those chosen at run time); ``make messages`` extracts them with Babel into
``reports/locale/reports.pot`` and updates ``reports/locale/fr/LC_MESSAGES/reports.po``, which ``make`` compiles.
Placeholders are ``%(name)s``; a literal percent sign is ``%%``.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as gettext_module
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "reports"


def N_(message: str) -> str:  # the name Babel's extraction looks for
    """Mark `message` for extraction; it is translated where it is shown."""
    return message


def load_catalog(locale_dir: Path, domain: str, language: str) -> gettext_module.NullTranslations:
    """The compiled catalog of `domain` in `language`; English, the messages' own language, translates to itself.

    A compiled catalog older than its ``.po`` (or missing, as after a bare ``pip install``) is compiled again in
    memory, so that nothing shows yesterday's translation.
    """
    if language == "en":
        return gettext_module.NullTranslations()
    source = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
    compiled = source.with_suffix(".mo")
    if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
        with compiled.open("rb") as handle:
            return gettext_module.GNUTranslations(handle)
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


@functools.cache
def _catalog(language: Language) -> gettext_module.NullTranslations:
    return load_catalog(LOCALE_DIR, DOMAIN, language)


@dataclass(frozen=True, slots=True)
class Translator:
    """Texts and number formats of one language."""

    language: Language

    def __call__(self, message: str, **values: object) -> str:
        """`message` in the translator's language, with `values` substituted."""
        return _catalog(self.language).gettext(message) % values

    def plural(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The form of `singular` or `plural` that `count` takes in the language, with ``num`` set to `count`."""
        return _catalog(self.language).ngettext(singular, plural, count) % {"num": count, **values}

    def label(self, text: str) -> str:
        """`text` followed by a colon, with the space French typography puts before it."""
        return text + (" :" if self.language == "fr" else ":")

    def quoted(self, text: str) -> str:
        """`text` between the language's quotation marks, as the messages quote a dimension ("« Écoute »")."""
        return f"« {text} »" if self.language == "fr" else f"“{text}”"

    def number(self, value: float | None, digits: int = 1) -> str:
        """A decimal in the language's convention ("3,4" in French), with a true minus sign; a dash when missing."""
        if value is None or not math.isfinite(value):
            return "–"
        rounded = round(value, digits) + 0.0  # adding 0.0 turns a rounded -0.0 into 0.0
        text = format_decimal(abs(rounded), format=f"#,##0.{'0' * digits}", locale=_LOCALES[self.language])
        return ("−" if rounded < 0 else "") + text

    def signed(self, value: float | None, digits: int = 1) -> str:
        """A decimal with an explicit sign, for gaps."""
        if value is None or not math.isfinite(value):
            return "–"
        return ("+" if round(value, digits) > 0 else "") + self.number(value, digits)

    def interval(self, ci: tuple[float, float] | None, digits: int = 1) -> str:
        """An interval as "[low ; high]" in French, "[low, high]" in English."""
        if ci is None or not all(math.isfinite(v) for v in ci):
            return "–"
        separator = " ; " if self.language == "fr" else ", "
        return f"[{self.number(ci[0], digits)}{separator}{self.number(ci[1], digits)}]"

    def percent(self, share: float) -> str:
        """A share of 1 as a whole percentage ("42 %" in French, with a space that does not break; "42%" in English)."""
        return format_percent(
            share, format="#,##0\u00a0%" if self.language == "fr" else "#,##0%", locale=_LOCALES[self.language]
        )

    def pvalue(self, value: float) -> str:
        """A p-value, with "< 0.001" below a thousandth."""
        if value < 0.001:
            return "< " + self.number(0.001, 3)
        return self.number(value, 3)

    def date(self, value: dt.date) -> str:
        """A long date in the language's convention."""
        return format_date(value, format="long", locale=_LOCALES[self.language])


@functools.cache
def translator(language: Language) -> Translator:
    """The one translator of `language`.

    Charts that format their numbers with it compare equal across reports, so the scatter that a wave's team
    reports share is drawn once (``reports/charts.py``).
    """
    return Translator(language)

"""The reports' texts in French and English, and locale-aware number and date formatting."""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from typing import Literal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from reports.messages import MESSAGES
from symmetry.texts import Catalog

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


CATALOG = Catalog(MESSAGES)


@dataclass(frozen=True, slots=True)
class Translator:
    """Texts and number formats of one language."""

    language: Language

    def __call__(self, key: str, **values: object) -> str:
        """The text of `key`, with `values` substituted."""
        return CATALOG.text(key, self.language, **values)

    def label(self, key: str) -> str:
        """The text of `key` followed by a colon, with the space French typography puts before it."""
        return self(key) + (" :" if self.language == "fr" else ":")

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

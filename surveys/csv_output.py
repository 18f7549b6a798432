"""CSV files the app writes, safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by spreadsheets as a
formula (CSV injection: a team named ``=HYPERLINK(...)`` in a roster would run in HR's spreadsheet); such a cell
is written with a leading apostrophe, which spreadsheets show as text (OWASP's advice).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """The cell as text, defused when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_rows(handle: IO[str], header: list[str], rows: Iterable[Iterable[object]]) -> None:
    """A header and rows, every cell made spreadsheet-safe."""
    writer = csv.writer(handle)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)

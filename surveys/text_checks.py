"""One check for every piece of text a user gives (roster cells, names, slugs).

No control characters, and a length the column holds. A failure names the field and never quotes a long value.
"""

from __future__ import annotations

import re
import unicodedata

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters no one types (tab, line feed and carriage return aside); PostgreSQL refuses NUL outright."""


def text_problem(value: str, max_length: int) -> str | None:
    """Why `value` cannot be stored in a column of `max_length` characters, or None."""
    if CONTROL.search(value):
        return "contains a control character (such as NUL)"
    if len(value) > max_length:
        return f"longer than {max_length} characters ({len(value)})"
    return None


def checked_text(value: str, *, field: str, max_length: int) -> str:
    """`value` unchanged, or a ValueError naming `field`."""
    problem = text_problem(value, max_length)
    if problem is not None:
        raise ValueError(f"{field}: {problem}")
    return value


def slugify(text: str) -> str:
    """An ASCII file-name fragment: "Île-de-France" -> "ile-de-france"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")

"""One check for every piece of text a user gives (roster cells, names, slugs).

No control characters, and a length the column holds. A failure names the field and never quotes a long value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from surveys.explained import N_, Explained, field_problem

EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}$")
"""An address one can send to: one @, a dot in the domain, none of the separators a pasted list carries."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters no one types (tab, line feed and carriage return aside); PostgreSQL refuses NUL outright."""


def text_problem(value: str, max_length: int) -> Explained | None:
    """Why `value` cannot be stored in a column of `max_length` characters, or None."""
    if CONTROL.search(value):
        return Explained(N_("contains a control character (such as NUL)"))
    if len(value) > max_length:
        return Explained(
            N_("longer than %(max_length)s characters (%(length)s)"), max_length=max_length, length=len(value)
        )
    return None


def malformed_email(value: str) -> Explained:
    """What is wrong with a value that is not an e-mail address (quoted, and cut short)."""
    return Explained(N_("malformed e-mail %(value)s"), value=repr(value[:100]))


def checked_text(value: str, *, field: str, max_length: int) -> str:
    """`value` unchanged, or a ValueError naming `field`."""
    problem = text_problem(value, max_length)
    if problem is not None:
        raise field_problem(field, problem)
    return value


def checked_date(value: str, *, field: str) -> dt.date:
    """The date `value` gives as YYYY-MM-DD, or a refusal naming `field`."""
    value = value.strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise field_problem(field, not_a_date(value)) from None


def not_a_date(value: str) -> Explained:
    """What is wrong with a value that is not a date (quoted, and cut short)."""
    return Explained(N_("a date as YYYY-MM-DD, got %(value)s"), value=repr(value[:20]))


def slugify(text: str) -> str:
    """An ASCII file-name fragment: "Île-de-France" -> "ile-de-france"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")

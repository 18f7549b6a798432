"""Reading instrument files (TOML), with every problem reported by its location, never a traceback.

A problem is an :class:`surveys.explained.Explained` (``dimensions[2] (trust).label: missing the en text``): its
``str()`` is English for the command and the logs, a page shows it in its reader's language.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from surveys.explained import N_, Explained, field_problem
from surveys.text_checks import text_problem
from symmetry.domain import (
    CUSTOMER_OUTCOMES,
    EMPLOYEE_OUTCOMES,
    SCALES,
    CommentItem,
    Dimension,
    Instrument,
    Item,
    Respondent,
    Voice,
)

INSTRUMENTS_DIR = Path(__file__).parent
LANGUAGES = ("fr", "en")
MIRRORED_VOICES = (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER)
TOP_LEVEL_KEYS = {"key", "title", "dimensions", "outcomes", "comments", "short_customer"}
DIMENSION_KEYS = {"key", "label", *(voice.value for voice in MIRRORED_VOICES)}
ITEM_KEYS = {*LANGUAGES, "reverse_keyed"}
OUTCOME_KEYS = {"key", "scale", *LANGUAGES}
COMMENT_KEYS = {"key", "respondent", "max_length", *LANGUAGES}
SHORT_CUSTOMER_KEYS = {"dimensions", "outcomes"}
COMMENT_LENGTH_CAP = 2000
"""No comment may be longer than this, whatever the file says: long texts identify their authors."""
KEY_LENGTH_CAP = 56
"""Keys name stored rows of 64 characters (a comment's ``comment.<key>``, a result's measure): at most this long."""
TEXT_LENGTH_CAP = 1000
"""A question, a label or a title longer than this is a mistake in the file."""
RESERVED_DIMENSION_KEYS = frozenset({"overall"})
"""The results store the overall score under this measure, beside the dimensions."""
FILE_SIZE_CAP = 256 * 1024
"""An instrument file is a few kilobytes; a larger one is not an instrument (checked before it is parsed)."""


class InstrumentError(ValueError):
    """An instrument file that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: list[Explained]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(str(problem) for problem in problems))


class _Problems(list[Explained]):
    def add(self, where: str, problem: str | Explained, **values: object) -> None:
        """One problem at `where`: `problem` is marked with ``N_`` and filled with `values`."""
        self.append(field_problem(where, Explained(problem, **values) if isinstance(problem, str) else problem))

    def unknown_keys(self, table: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            if key == "items":
                self.add(
                    where,
                    N_(
                        "unknown key %(key)s (an item belongs inside a dimension, as employee, mirror or customer, "
                        "or in [[outcomes]])"
                    ),
                    key=repr(key),
                )
            else:
                self.add(where, N_("unknown key %(key)s"), key=repr(key))

    def key(self, table: dict[str, Any], field: str) -> str | None:
        """The table's ``key`` (at `field`), a simple name of at most :data:`KEY_LENGTH_CAP` characters, or None."""
        key = table.get("key")
        if not isinstance(key, str) or not key.isidentifier():
            self.add(field, N_("missing or not a simple name"))
            return None
        too_long = text_problem(key, KEY_LENGTH_CAP)
        if too_long is not None:
            self.add(field, too_long)
            return None
        return key

    def texts(self, table: Any, where: str) -> dict[str, str]:
        if not isinstance(table, dict):
            self.add(where, N_("expected a table with the texts in fr and en"))
            return {}
        texts = {}
        for language in LANGUAGES:
            text = table.get(language)
            if not isinstance(text, str) or not text.strip():
                self.add(where, N_("missing the %(language)s text"), language=language)
                continue
            unusable = text_problem(text.strip(), TEXT_LENGTH_CAP)
            if unusable is not None:
                self.add(f"{where}.{language}", unusable)
            else:
                texts[language] = text.strip()
        return texts

    def tables(self, document: dict[str, Any], name: str) -> list[dict[str, Any]]:
        value = document.get(name, [])
        if not isinstance(value, list) or not all(isinstance(table, dict) for table in value):
            self.add(name, N_("expected an array of tables ([[%(name)s]])"), name=name)
            return []
        return value


def _dimensions(document: dict[str, Any], problems: _Problems) -> tuple[list[Dimension], list[Item]]:
    dimensions: list[Dimension] = []
    items: list[Item] = []
    for position, table in enumerate(problems.tables(document, "dimensions"), start=1):
        named = table.get("key")
        where = f"dimensions[{position}]" + (f" ({named})" if isinstance(named, str) else "")
        key = problems.key(table, f"{where}.key")
        if key is None:
            continue
        if any(d.key == key for d in dimensions):
            problems.add(f"{where}.key", N_("%(key)s is used twice"), key=repr(key))
        if key in RESERVED_DIMENSION_KEYS:
            problems.add(f"{where}.key", N_("%(key)s is reserved for the overall score"), key=repr(key))
        problems.unknown_keys(table, DIMENSION_KEYS, where)
        dimensions.append(Dimension(key, problems.texts(table.get("label"), f"{where}.label")))
        for voice in MIRRORED_VOICES:
            item_table = table.get(voice.value)
            if item_table is None:
                problems.add(where, N_("no %(voice)s item"), voice=voice.value)
                continue
            if isinstance(item_table, dict):
                problems.unknown_keys(item_table, ITEM_KEYS, f"{where}.{voice.value}")
            reverse_keyed = isinstance(item_table, dict) and item_table.get("reverse_keyed", False)
            if not isinstance(reverse_keyed, bool):
                problems.add(f"{where}.{voice.value}.reverse_keyed", N_("expected true or false"))
            items.append(
                Item(
                    id=f"{key}.{voice.value}",
                    voice=voice,
                    scale=SCALES["likert5"],
                    text=problems.texts(item_table, f"{where}.{voice.value}"),
                    dimension=key,
                    reverse_keyed=reverse_keyed is True,
                )
            )
    if not dimensions:
        problems.add("dimensions", N_("the instrument has none"))
    return dimensions, items


def _outcomes(document: dict[str, Any], problems: _Problems) -> list[Item]:
    items: list[Item] = []
    known = CUSTOMER_OUTCOMES | EMPLOYEE_OUTCOMES
    for position, table in enumerate(problems.tables(document, "outcomes"), start=1):
        where = f"outcomes[{position}]"
        outcome = table.get("key")
        problems.unknown_keys(table, OUTCOME_KEYS, where)
        if not isinstance(outcome, str) or outcome not in known:
            problems.add(
                f"{where}.key",
                N_("unknown outcome %(outcome)s (known: %(known)s)"),
                outcome=repr(outcome),
                known=", ".join(sorted(known)),
            )
            continue
        scale = SCALES.get(str(table.get("scale")))
        if scale is None:
            problems.add(
                f"{where}.scale",
                N_("unknown scale %(scale)s (known: %(known)s)"),
                scale=repr(table.get("scale")),
                known=", ".join(SCALES),
            )
            continue
        if any(item.outcome == outcome for item in items):
            problems.add(f"{where}.key", N_("%(key)s is used twice"), key=repr(outcome))
        items.append(
            Item(
                id=f"outcome.{outcome}",
                voice=Voice.OUTCOME,
                scale=scale,
                text=problems.texts(table, where),
                outcome=str(outcome),
            )
        )
    return items


def _comments(document: dict[str, Any], problems: _Problems) -> list[CommentItem]:
    comments: list[CommentItem] = []
    for position, table in enumerate(problems.tables(document, "comments"), start=1):
        where = f"comments[{position}]"
        problems.unknown_keys(table, COMMENT_KEYS, where)
        key = problems.key(table, f"{where}.key")
        respondent, max_length = table.get("respondent"), table.get("max_length", 1000)
        if key is None:
            continue
        if any(comment.id == f"comment.{key}" for comment in comments):
            problems.add(f"{where}.key", N_("%(key)s is used twice"), key=repr(key))
        if not isinstance(respondent, str) or respondent not in {r.value for r in Respondent}:
            problems.add(
                f"{where}.respondent", N_("expected 'employee' or 'customer', got %(value)s"), value=repr(respondent)
            )
            continue
        if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= COMMENT_LENGTH_CAP:
            problems.add(f"{where}.max_length", N_("expected a whole number from 1 to %(cap)s"), cap=COMMENT_LENGTH_CAP)
            continue
        comments.append(CommentItem(f"comment.{key}", Respondent(respondent), problems.texts(table, where), max_length))
    return comments


def _names(table: dict[str, Any], field: str, where: str, problems: _Problems) -> list[str] | None:
    """The list of names at `table[field]`, each once; None (with the problem) when it is not one."""
    value = table.get(field, [])
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        problems.add(where, N_("expected a list of names"))
        return None
    for name in sorted({name for name in value if value.count(name) > 1}):
        problems.add(where, N_("%(key)s is used twice"), key=repr(name))
    return list(dict.fromkeys(value))


def _short_customer(
    document: dict[str, Any], dimensions: list[Dimension], outcomes: list[Item], problems: _Problems
) -> frozenset[str] | None:
    """The item ids of the short customer form (``[short_customer]``), or None when the file has none.

    It lists the dimensions whose customer item it asks (at least one) and the customer outcomes it keeps, each one
    the instrument has; a short form that asks every customer question is refused, as it would not be shorter.
    """
    table = document.get("short_customer")
    if table is None:
        return None
    if not isinstance(table, dict):
        problems.add("short_customer", N_("expected a table ([short_customer])"))
        return None
    problems.unknown_keys(table, SHORT_CUSTOMER_KEYS, "short_customer")
    asked = _names(table, "dimensions", "short_customer.dimensions", problems)
    kept = _names(table, "outcomes", "short_customer.outcomes", problems)
    if asked is None or kept is None:
        return None
    known = [dimension.key for dimension in dimensions]
    if not asked:
        problems.add("short_customer.dimensions", N_("empty: the short form asks at least one dimension"))
    for name in asked:
        if name not in known:
            problems.add(
                "short_customer.dimensions",
                N_("unknown dimension %(dimension)s (known: %(known)s)"),
                dimension=repr(name),
                known=", ".join(known),
            )
    customer_outcomes = [item.outcome for item in outcomes if item.respondent is Respondent.CUSTOMER]
    for name in kept:
        if name not in customer_outcomes:
            problems.add(
                "short_customer.outcomes",
                N_("%(outcome)s is not a customer outcome of this instrument (known: %(known)s)"),
                outcome=repr(name),
                known=", ".join(str(outcome) for outcome in customer_outcomes) or "-",
            )
    if set(known) <= set(asked) and set(customer_outcomes) <= set(kept):
        problems.add("short_customer", N_("it asks every customer question: the short form would not be shorter"))
    return frozenset([*(f"{name}.{Voice.CUSTOMER.value}" for name in asked), *(f"outcome.{name}" for name in kept)])


def parse_instrument(document: dict[str, Any], source: str, *, version: int = 0) -> Instrument:
    """Build an instrument from a parsed document, or raise InstrumentError listing every problem."""
    problems = _Problems()
    problems.unknown_keys(document, TOP_LEVEL_KEYS, "top level")
    key = problems.key(document, "key")
    title = problems.texts(document.get("title"), "title")
    dimensions, items = _dimensions(document, problems)
    outcomes = _outcomes(document, problems)
    comments = _comments(document, problems)
    short_customer = _short_customer(document, dimensions, outcomes, problems)
    if problems:
        raise InstrumentError(source, list(problems))
    return Instrument(
        key=str(key),
        version=version,
        title=title,
        dimensions=tuple(dimensions),
        items=(*items, *outcomes),
        comments=tuple(comments),
        short_customer=short_customer,
    )


def instrument_path(name_or_path: str | Path) -> Path:
    """The file of a shipped instrument name (``"attention"``), or the given path."""
    path = Path(name_or_path)
    return path if path.suffix == ".toml" else INSTRUMENTS_DIR / f"{name_or_path}.toml"


def document_of(content: bytes, source: str) -> dict[str, Any]:
    """The TOML document a file holds, or InstrumentError: empty, too large, not UTF-8 text, not TOML."""
    if len(content) > FILE_SIZE_CAP:
        raise InstrumentError(source, [Explained(N_("larger than %(size)s KiB"), size=FILE_SIZE_CAP // 1024)])
    if not content.strip():
        raise InstrumentError(source, [Explained(N_("the file is empty"))])
    try:
        text = content.decode("utf-8-sig")  # an editor's byte-order mark is not content
    except UnicodeDecodeError as error:
        raise InstrumentError(
            source, [Explained(N_("not UTF-8 text (byte %(position)s); save the file as UTF-8"), position=error.start)]
        ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InstrumentError(source, [Explained(N_("not valid TOML: %(error)s"), error=str(error))]) from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise InstrumentError(source, [Explained(N_("nested too deeply to be an instrument"))]) from None
    unstorable = [field_problem(where, problem) for where, problem in _unstorable(document, "", 0)]
    if unstorable:
        raise InstrumentError(source, unstorable)
    return document


NESTING_CAP = 8
"""An instrument nests three levels deep (``dimensions[1].employee.fr``); far deeper is not an instrument."""


def _unstorable(value: Any, where: str, depth: int) -> Iterator[tuple[str, Explained]]:
    """Where TOML gave what a definition stored as JSON cannot hold: dates, times, infinities, NaN, deep nesting."""
    if depth > NESTING_CAP:
        yield where, Explained(N_("nested too deeply to be an instrument"))
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _unstorable(inner, f"{where}.{key}" if where else str(key), depth + 1)
    elif isinstance(value, list):
        for position, inner in enumerate(value, start=1):
            yield from _unstorable(inner, f"{where}[{position}]", depth + 1)
    elif not isinstance(value, str | int | float) or (isinstance(value, float) and not math.isfinite(value)):
        yield where, Explained(N_("a date, a time or an infinite number, which an instrument cannot hold"))


def read_document(name_or_path: str | Path) -> tuple[dict[str, Any], Instrument]:
    """The raw definition and the validated (unregistered) instrument of a name or a path."""
    path = instrument_path(name_or_path)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise InstrumentError(str(path), [Explained(N_("file not found"))]) from None
    document = document_of(content, str(path))
    return document, parse_instrument(document, str(path))


def load_instrument(name_or_path: str | Path) -> Instrument:
    """Load a shipped instrument by name (``"attention"``) or any instrument file by path."""
    return read_document(name_or_path)[1]

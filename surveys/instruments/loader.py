"""Reading instrument files (TOML), with every problem reported by its location, never a traceback."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

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
TOP_LEVEL_KEYS = {"key", "title", "dimensions", "outcomes", "comments"}
DIMENSION_KEYS = {"key", "label", *(voice.value for voice in MIRRORED_VOICES)}
ITEM_KEYS = {*LANGUAGES, "reverse_keyed"}
OUTCOME_KEYS = {"key", "scale", *LANGUAGES}
COMMENT_KEYS = {"key", "respondent", "max_length", *LANGUAGES}
COMMENT_LENGTH_CAP = 2000
"""No comment may be longer than this, whatever the file says: long texts identify their authors."""


class InstrumentError(ValueError):
    """An instrument file that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class _Problems(list[str]):
    def unknown_keys(self, table: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            hint = ""
            if key == "items":
                hint = " (an item belongs inside a dimension, as employee, mirror or customer, or in [[outcomes]])"
            self.append(f"{where}: unknown key {key!r}{hint}")

    def texts(self, table: Any, where: str) -> dict[str, str]:
        if not isinstance(table, dict):
            self.append(f"{where}: expected a table with the texts in {' and '.join(LANGUAGES)}")
            return {}
        texts = {}
        for language in LANGUAGES:
            text = table.get(language)
            if not isinstance(text, str) or not text.strip():
                self.append(f"{where}: missing the {language} text")
            else:
                texts[language] = text.strip()
        return texts

    def tables(self, document: dict[str, Any], name: str) -> list[dict[str, Any]]:
        value = document.get(name, [])
        if not isinstance(value, list) or not all(isinstance(table, dict) for table in value):
            self.append(f"{name}: expected an array of tables ([[{name}]])")
            return []
        return value


def _dimensions(document: dict[str, Any], problems: _Problems) -> tuple[list[Dimension], list[Item]]:
    dimensions: list[Dimension] = []
    items: list[Item] = []
    for position, table in enumerate(problems.tables(document, "dimensions"), start=1):
        key = table.get("key")
        where = f"dimensions[{position}]" + (f" ({key})" if isinstance(key, str) else "")
        if not isinstance(key, str) or not key.isidentifier():
            problems.append(f"{where}.key: missing or not a simple name")
            continue
        if any(d.key == key for d in dimensions):
            problems.append(f"{where}.key: {key!r} is used twice")
        problems.unknown_keys(table, DIMENSION_KEYS, where)
        dimensions.append(Dimension(key, problems.texts(table.get("label"), f"{where}.label")))
        for voice in MIRRORED_VOICES:
            item_table = table.get(voice.value)
            if item_table is None:
                problems.append(f"{where}: no {voice.value} item")
                continue
            if isinstance(item_table, dict):
                problems.unknown_keys(item_table, ITEM_KEYS, f"{where}.{voice.value}")
            reverse_keyed = isinstance(item_table, dict) and item_table.get("reverse_keyed", False)
            if not isinstance(reverse_keyed, bool):
                problems.append(f"{where}.{voice.value}.reverse_keyed: expected true or false")
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
        problems.append("dimensions: the instrument has none")
    return dimensions, items


def _outcomes(document: dict[str, Any], problems: _Problems) -> list[Item]:
    items: list[Item] = []
    known = CUSTOMER_OUTCOMES | EMPLOYEE_OUTCOMES
    for position, table in enumerate(problems.tables(document, "outcomes"), start=1):
        where = f"outcomes[{position}]"
        outcome = table.get("key")
        problems.unknown_keys(table, OUTCOME_KEYS, where)
        if not isinstance(outcome, str) or outcome not in known:
            problems.append(f"{where}.key: unknown outcome {outcome!r} (known: {', '.join(sorted(known))})")
            continue
        scale = SCALES.get(str(table.get("scale")))
        if scale is None:
            problems.append(f"{where}.scale: unknown scale {table.get('scale')!r} (known: {', '.join(SCALES)})")
            continue
        if any(item.outcome == outcome for item in items):
            problems.append(f"{where}.key: {outcome!r} is used twice")
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
        key, respondent, max_length = table.get("key"), table.get("respondent"), table.get("max_length", 1000)
        if not isinstance(key, str) or not key.isidentifier():
            problems.append(f"{where}.key: missing or not a simple name")
            continue
        if not isinstance(respondent, str) or respondent not in {r.value for r in Respondent}:
            problems.append(f"{where}.respondent: expected 'employee' or 'customer', got {respondent!r}")
            continue
        if not isinstance(max_length, int) or not 1 <= max_length <= COMMENT_LENGTH_CAP:
            problems.append(f"{where}.max_length: expected a whole number from 1 to {COMMENT_LENGTH_CAP}")
            continue
        comments.append(CommentItem(f"comment.{key}", Respondent(respondent), problems.texts(table, where), max_length))
    return comments


def parse_instrument(document: dict[str, Any], source: str, *, version: int = 0) -> Instrument:
    """Build an instrument from a parsed document, or raise InstrumentError listing every problem."""
    problems = _Problems()
    problems.unknown_keys(document, TOP_LEVEL_KEYS, "top level")
    key = document.get("key")
    if not isinstance(key, str) or not key.isidentifier():
        problems.append("key: missing or not a simple name")
    title = problems.texts(document.get("title"), "title")
    dimensions, items = _dimensions(document, problems)
    outcomes = _outcomes(document, problems)
    comments = _comments(document, problems)
    if problems:
        raise InstrumentError(source, list(problems))
    return Instrument(
        key=str(key),
        version=version,
        title=title,
        dimensions=tuple(dimensions),
        items=(*items, *outcomes),
        comments=tuple(comments),
    )


def instrument_path(name_or_path: str | Path) -> Path:
    """The file of a shipped instrument name (``"attention"``), or the given path."""
    path = Path(name_or_path)
    return path if path.suffix == ".toml" else INSTRUMENTS_DIR / f"{name_or_path}.toml"


def read_document(name_or_path: str | Path) -> tuple[dict[str, Any], Instrument]:
    """The raw definition and the validated (unregistered) instrument of a name or a path."""
    path = instrument_path(name_or_path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstrumentError(str(path), ["file not found"]) from None
    except tomllib.TOMLDecodeError as error:
        raise InstrumentError(str(path), [f"not valid TOML: {error}"]) from None
    return document, parse_instrument(document, str(path))


def load_instrument(name_or_path: str | Path) -> Instrument:
    """Load a shipped instrument by name (``"attention"``) or any instrument file by path."""
    return read_document(name_or_path)[1]

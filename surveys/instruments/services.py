"""Loading instruments from their TOML files, with every problem reported by its location."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.instruments.models import InstrumentVersion
from symmetry.domain import CUSTOMER_OUTCOMES, EMPLOYEE_OUTCOMES, SCALES, Dimension, Instrument, Item, Voice

INSTRUMENTS_DIR = Path(__file__).parent
LANGUAGES = ("fr", "en")
MIRRORED_VOICES = (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER)


class InstrumentError(ValueError):
    """An instrument file that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _texts(table: Any, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(table, dict):
        problems.append(f"{where}: expected a table with the texts in {', '.join(LANGUAGES)}")
        return {}
    texts = {}
    for language in LANGUAGES:
        text = table.get(language)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: missing the {language} text")
        else:
            texts[language] = text.strip()
    return texts


def parse_instrument(document: dict[str, Any], source: str) -> Instrument:
    """Build an instrument from a parsed TOML document, or raise InstrumentError listing every problem."""
    problems: list[str] = []
    key, version = document.get("key"), document.get("version")
    if not isinstance(key, str) or not key:
        problems.append("key: missing")
    if not isinstance(version, int) or version < 1:
        problems.append("version: must be a positive integer")
    title = _texts(document.get("title"), "title", problems)

    dimensions: list[Dimension] = []
    items: list[Item] = []
    for position, table in enumerate(document.get("dimensions", []), start=1):
        where = f"dimensions[{position}]"
        dimension_key = table.get("key")
        if not isinstance(dimension_key, str) or not dimension_key:
            problems.append(f"{where}.key: missing")
            continue
        if any(d.key == dimension_key for d in dimensions):
            problems.append(f"{where}.key: {dimension_key!r} is used twice")
        dimensions.append(Dimension(dimension_key, _texts(table.get("label"), f"{where}.label", problems)))
        for voice in MIRRORED_VOICES:
            if voice.value not in table:
                problems.append(f"{where} ({dimension_key}): no {voice.value} item")
                continue
            item_table = table[voice.value]
            items.append(
                Item(
                    id=f"{dimension_key}.{voice.value}",
                    voice=voice,
                    scale=SCALES["likert5"],
                    text=_texts(item_table, f"{where}.{voice.value}", problems),
                    dimension=dimension_key,
                    reverse_keyed=bool(item_table.get("reverse_keyed", False))
                    if isinstance(item_table, dict)
                    else False,
                )
            )
    if not dimensions:
        problems.append("dimensions: the instrument has none")

    for position, table in enumerate(document.get("outcomes", []), start=1):
        where = f"outcomes[{position}]"
        outcome = table.get("key")
        if outcome not in CUSTOMER_OUTCOMES | EMPLOYEE_OUTCOMES:
            known = ", ".join(sorted(CUSTOMER_OUTCOMES | EMPLOYEE_OUTCOMES))
            problems.append(f"{where}.key: unknown outcome {outcome!r} (known: {known})")
            continue
        scale = SCALES.get(table.get("scale", ""))
        if scale is None:
            problems.append(f"{where}.scale: unknown scale {table.get('scale')!r} (known: {', '.join(SCALES)})")
            continue
        items.append(
            Item(
                id=f"outcome.{outcome}",
                voice=Voice.OUTCOME,
                scale=scale,
                text=_texts(table, where, problems),
                outcome=outcome,
            )
        )
    if problems:
        raise InstrumentError(source, problems)
    return Instrument(
        key=str(key), version=int(str(version)), title=title, dimensions=tuple(dimensions), items=tuple(items)
    )


def load_instrument(name_or_path: str | Path) -> Instrument:
    """Load a shipped instrument by name (``"attention"``) or any instrument file by path."""
    return load_document(name_or_path)[1]


def instrument_checksum(document: dict[str, Any]) -> str:
    """SHA-256 of a definition in a canonical JSON form."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load_document(name_or_path: str | Path) -> tuple[dict[str, Any], Instrument]:
    """The raw definition and the validated instrument of a shipped name or a path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = INSTRUMENTS_DIR / f"{name_or_path}.toml"
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstrumentError(str(path), ["file not found"]) from None
    except tomllib.TOMLDecodeError as error:
        raise InstrumentError(str(path), [f"not valid TOML: {error}"]) from None
    return document, parse_instrument(document, str(path))


async def register_instrument(session: AsyncSession, name_or_path: str | Path) -> tuple[InstrumentVersion, Instrument]:
    """Store an instrument file's version, or return the stored one when the file has not changed.

    A stored version is frozen: a file that changed without a new version number is refused.
    """
    document, instrument = load_document(name_or_path)
    checksum = instrument_checksum(document)
    stored = await session.scalar(
        sa.select(InstrumentVersion).where(
            InstrumentVersion.key == instrument.key, InstrumentVersion.version == instrument.version
        )
    )
    if stored is None:
        stored = InstrumentVersion(
            key=instrument.key, version=instrument.version, definition=document, checksum=checksum
        )
        session.add(stored)
        await session.flush()
    elif stored.checksum != checksum:
        raise InstrumentError(
            str(name_or_path),
            [
                f"version {instrument.version} of {instrument.key!r} is already stored with other content; "
                "give the edited file a new version number"
            ],
        )
    return stored, instrument


def stored_instrument(version: InstrumentVersion) -> Instrument:
    """The instrument of a stored version."""
    return parse_instrument(version.definition, f"{version.key} v{version.version}")

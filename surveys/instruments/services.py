"""Instrument versions in the database: registered from their files, frozen once a wave uses them."""

from __future__ import annotations

import collections
import functools
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.explained import N_, Explained, field_problem
from surveys.instruments.loader import load_instrument, parse_instrument, read_document
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.schemas import InstrumentChoice, Registered, Registration, VersionRow
from surveys.waves.models import Wave
from symmetry.domain import CustomerForm, Instrument, Respondent, Voice

SHIPPED = "attention"
"""The instrument shipped with Symmetry (``surveys/instruments/attention.toml``), a new wave's default."""


def instrument_checksum(document: dict[str, Any]) -> str:
    """SHA-256 of a definition in a canonical JSON form."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def register_instrument(
    session: AsyncSession, source: str | Path | dict[str, Any], *, source_name: str = "document"
) -> tuple[InstrumentVersion, Instrument]:
    """Store an instrument as a version and return it with the parsed instrument.

    `source` is a shipped instrument's name, a file's path, or a document already read from TOML (an upload:
    `source_name` then names it in the problems). The same content returns the version that already holds it.
    New content updates the latest version in place while no wave uses it; once a wave does, that version is
    frozen and new content becomes a new version. Raises InstrumentError, storing nothing, when it cannot be used.
    """
    if isinstance(source, dict):
        document, parsed = source, parse_instrument(source, source_name)
    else:
        document, parsed = read_document(source)
    checksum = instrument_checksum(document)
    versions = list(
        await session.scalars(
            sa.select(InstrumentVersion)
            .where(InstrumentVersion.key == parsed.key)
            .order_by(InstrumentVersion.version.desc())
        )
    )
    stored = next((version for version in versions if version.checksum == checksum), None)
    if stored is None and versions and not await is_frozen(session, versions[0]):
        stored = versions[0]
        stored.definition, stored.checksum = document, checksum
    if stored is None:
        stored = InstrumentVersion(
            key=parsed.key,
            version=versions[0].version + 1 if versions else 1,
            definition=document,
            checksum=checksum,
        )
        session.add(stored)
    await session.flush()
    return stored, stored_instrument(stored)


async def is_frozen(session: AsyncSession, version: InstrumentVersion) -> bool:
    """Whether a wave uses this version, which then may never change."""
    used = await session.scalar(sa.select(sa.exists().where(Wave.instrument_version_id == version.id)))
    return bool(used)


_IN_USE: dict[uuid.UUID, Instrument] = {}
"""The instruments of the versions open waves use, parsed once per process (such a version never changes)."""
_IN_USE_SIZE = 64


async def instrument_in_use(session: AsyncSession, version_id: uuid.UUID) -> Instrument:
    """The instrument of a version an open wave uses: read and parsed once per process, not at every answer."""
    instrument = _IN_USE.get(version_id)
    if instrument is None:
        instrument = stored_instrument(await session.get_one(InstrumentVersion, version_id))
        if len(_IN_USE) >= _IN_USE_SIZE:
            del _IN_USE[next(iter(_IN_USE))]
        _IN_USE[version_id] = instrument
    return instrument


def stored_instrument(version: InstrumentVersion) -> Instrument:
    """The instrument of a stored version."""
    return parse_instrument(version.definition, f"{version.key} v{version.version}", version=version.version)


async def store_instrument(session: AsyncSession, document: dict[str, Any], source_name: str) -> Registered:
    """Register a document read from a file (:func:`register_instrument`) and say what that did."""
    checksum = instrument_checksum(document)
    held = await session.scalar(sa.select(InstrumentVersion.id).where(InstrumentVersion.checksum == checksum).limit(1))
    key = document.get("key")
    latest = (
        await session.scalar(sa.select(sa.func.max(InstrumentVersion.version)).where(InstrumentVersion.key == key))
        if isinstance(key, str)
        else None
    )
    stored, _ = await register_instrument(session, document, source_name=source_name)
    if held is not None:
        outcome = Registration.UNCHANGED
    else:
        outcome = Registration.UPDATED if stored.version == latest else Registration.NEW
    return Registered(id=stored.id, key=stored.key, version=stored.version, outcome=outcome)


@functools.cache
def shipped_checksum() -> str:
    """The checksum of the shipped instrument's content (its file does not change while the process runs)."""
    return instrument_checksum(read_document(SHIPPED)[0])


async def version_rows(session: AsyncSession) -> list[VersionRow]:
    """Every stored version, by key and newest first, with its questions counted and whether a wave uses it."""
    versions = await session.scalars(
        sa.select(InstrumentVersion).order_by(InstrumentVersion.key, InstrumentVersion.version.desc())
    )
    used = set(await session.scalars(sa.select(Wave.instrument_version_id).distinct()))
    rows: list[VersionRow] = []
    for version in versions:
        instrument = stored_instrument(version)
        voices = collections.Counter(item.voice.value for item in instrument.items)
        rows.append(
            VersionRow(
                id=version.id,
                key=version.key,
                version=version.version,
                title=instrument.title,
                dimensions=len(instrument.dimensions),
                items={voice.value: voices[voice.value] for voice in Voice},
                comments={respondent.value: len(instrument.comments_for(respondent)) for respondent in Respondent},
                customer_questions=len(instrument.items_for(Respondent.CUSTOMER)),
                short_customer_questions=short_customer_questions(instrument),
                frozen=version.id in used,
                latest=not rows or rows[-1].key != version.key,
                shipped=version.checksum == shipped_checksum(),
            )
        )
    return rows


def short_customer_questions(instrument: Instrument) -> int | None:
    """How many closed questions the instrument's short customer form asks; None when it has none."""
    if instrument.short_customer is None:
        return None
    return len(instrument.asked_items(Respondent.CUSTOMER, CustomerForm.SHORT))


async def instrument_choices(session: AsyncSession) -> list[InstrumentChoice]:
    """What a new wave may use: the shipped instrument first (stored or not), then each key's latest version."""
    rows = [row for row in await version_rows(session) if row.latest or row.shipped]
    rows.sort(key=lambda row: not row.shipped)
    choices = [
        InstrumentChoice(
            value=str(row.id),
            key=row.key,
            version=row.version,
            title=row.title,
            shipped=row.shipped,
            customer_questions=row.customer_questions,
            short_customer_questions=row.short_customer_questions,
        )
        for row in rows
    ]
    if not any(row.shipped for row in rows):
        shipped = load_instrument(SHIPPED)
        choices.insert(
            0,
            InstrumentChoice(
                value=SHIPPED,
                key=SHIPPED,
                version=None,
                title=shipped.title,
                shipped=True,
                customer_questions=len(shipped.items_for(Respondent.CUSTOMER)),
                short_customer_questions=short_customer_questions(shipped),
            ),
        )
    return choices


async def chosen_version(session: AsyncSession, value: str) -> InstrumentVersion:
    """The version a new wave's form chose: a stored version's id, or the shipped instrument (stored if needed)."""
    if value in ("", SHIPPED):
        return (await register_instrument(session, SHIPPED))[0]
    try:
        version = await session.get(InstrumentVersion, uuid.UUID(value))
    except ValueError:
        version = None
    if version is None:
        raise field_problem("instrument", Explained(N_("no such instrument version")))
    return version

"""Instrument versions in the database: registered from their files, frozen once a wave uses them."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.instruments.loader import parse_instrument, read_document
from surveys.instruments.models import InstrumentVersion
from surveys.waves.models import Wave
from symmetry.domain import Instrument


def instrument_checksum(document: dict[str, Any]) -> str:
    """SHA-256 of a definition in a canonical JSON form."""
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def register_instrument(session: AsyncSession, name_or_path: str | Path) -> tuple[InstrumentVersion, Instrument]:
    """Store the instrument file's content as a version and return it with the parsed instrument.

    The same content returns the version that already holds it. New content updates the latest version in
    place while no wave uses it; once a wave does, that version is frozen and new content becomes a new version.
    """
    document, parsed = read_document(name_or_path)
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

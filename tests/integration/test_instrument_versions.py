"""Instrument versions: the same file is reused, an edit changes an unused version, a used version is frozen."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.instruments.loader import INSTRUMENTS_DIR
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import register_instrument
from surveys.org.models import Organisation
from surveys.waves.services import create_wave


def edited_copy(tmp_path: Path) -> Path:
    edited = tmp_path / "attention.toml"
    text = (INSTRUMENTS_DIR / "attention.toml").read_text(encoding="utf-8")
    edited.write_text(text.replace("My manager takes the time", "My manager always takes the time"), encoding="utf-8")
    return edited


async def versions(session: AsyncSession) -> list[int]:
    return list(await session.scalars(sa.select(InstrumentVersion.version).order_by(InstrumentVersion.version)))


async def test_registering_the_same_file_twice_reuses_the_stored_version(session: AsyncSession) -> None:
    first, instrument = await register_instrument(session, "attention")
    second, _ = await register_instrument(session, "attention")
    assert first.id == second.id
    assert (first.version, instrument.version) == (1, 1)
    assert await versions(session) == [1]


async def test_an_edit_changes_a_version_no_wave_uses(session: AsyncSession, tmp_path: Path) -> None:
    await register_instrument(session, "attention")
    stored, instrument = await register_instrument(session, edited_copy(tmp_path))
    assert stored.version == 1
    assert instrument.item_by_id("listening.employee").text["en"].startswith("My manager always")
    assert await versions(session) == [1]


async def test_a_version_used_by_a_wave_is_frozen_and_an_edit_makes_a_new_one(
    session: AsyncSession, tmp_path: Path
) -> None:
    original, _ = await register_instrument(session, "attention")
    organisation = Organisation(id=uuid.uuid4(), slug="frozen", name="Frozen")
    session.add(organisation)
    await session.flush()
    await create_wave(
        session,
        organisation,
        name="W",
        instrument_version_id=original.id,
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 1, 2),
    )
    checksum = original.checksum
    edited, instrument = await register_instrument(session, edited_copy(tmp_path))
    assert (edited.version, instrument.version) == (2, 2)
    assert original.checksum == checksum
    assert await versions(session) == [1, 2]
    again, _ = await register_instrument(session, "attention")
    assert again.id == original.id

"""A stored instrument version is frozen: the same file is reused, an edited file needs a new version."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import INSTRUMENTS_DIR, InstrumentError, register_instrument


async def test_registering_the_same_file_twice_reuses_the_stored_version(session: AsyncSession) -> None:
    first, _ = await register_instrument(session, "attention")
    second, _ = await register_instrument(session, "attention")
    assert first.id == second.id
    assert await session.scalar(sa.select(sa.func.count()).select_from(InstrumentVersion)) == 1


async def test_an_edited_file_with_the_same_version_is_refused(session: AsyncSession, tmp_path: Path) -> None:
    await register_instrument(session, "attention")
    edited = tmp_path / "attention.toml"
    text = (INSTRUMENTS_DIR / "attention.toml").read_text(encoding="utf-8")
    edited.write_text(text.replace("My manager takes the time", "My manager always takes the time"), encoding="utf-8")
    with pytest.raises(InstrumentError, match="give the edited file a new version number"):
        await register_instrument(session, edited)
    bumped = tmp_path / "attention-v2.toml"
    bumped.write_text(edited.read_text(encoding="utf-8").replace("version = 1", "version = 2"), encoding="utf-8")
    stored, instrument = await register_instrument(session, bumped)
    assert (stored.version, instrument.version) == (2, 2)

"""Two operators at once: a double launch invites everyone once, a double close closes once."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.org.models import Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave
from surveys.waves.services import WaveStateError, close_wave, create_wave, launch_wave


async def _draft(settings: Settings) -> uuid.UUID:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="twice", name="Twice")
            team = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id="T", name="T")
            session.add_all([organisation, team])
            await session.flush()
            session.add_all(
                Employee(organisation_id=organisation.id, team_id=team.id, email=f"e{i}@x.example", language="en")
                for i in range(5)
            )
            version, _ = await register_instrument(session, "attention")
            wave = await create_wave(session, organisation, name="W", instrument_version_id=version.id,
                                     opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 1, 31))  # fmt: skip
            return wave.id
    finally:
        await config.get_engine().dispose()


async def test_two_launches_at_once_invite_everyone_once(clean_database: Settings) -> None:
    wave_id = await _draft(clean_database)
    config = alchemy_config(clean_database)

    async def attempt(action: Callable[[AsyncSession, Wave], Awaitable[object]]) -> str:
        """The action in a transaction of its own: "done", or "refused" when the wave's state forbids it."""
        async with config.get_session() as session:
            try:
                async with session.begin():
                    await action(session, await session.get_one(Wave, wave_id))
            except WaveStateError:
                return "refused"
            return "done"

    try:
        assert sorted(await asyncio.gather(attempt(launch_wave), attempt(launch_wave))) == ["done", "refused"]
        async with config.get_session() as session:
            assert await session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 5
        assert sorted(await asyncio.gather(attempt(close_wave), attempt(close_wave))) == ["done", "refused"]
    finally:
        await config.get_engine().dispose()


async def test_a_second_invitation_of_a_person_in_a_wave_is_refused_by_the_database(clean_database: Settings) -> None:
    wave_id = await _draft(clean_database)
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session, session.begin():
            await launch_wave(session, await session.get_one(Wave, wave_id))
        async with config.get_session() as session, session.begin():
            first = (await session.scalars(sa.select(Invitation).limit(1))).one()
            skip = {"id", "sa_orm_sentinel", "token_hash"}
            copy = {c.name: getattr(first, c.key) for c in Invitation.__table__.columns if c.name not in skip}
            duplicate = sa.insert(Invitation).values(id=uuid.uuid4(), token_hash="x" * 64, **copy)
            with pytest.raises(IntegrityError):
                await session.execute(duplicate)
    finally:
        await config.get_engine().dispose()

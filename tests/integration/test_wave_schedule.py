"""Waves open and close by themselves on their dates where their organisation is, never a day early.

Two organisations a day apart (Kiritimati, UTC+14, and UTC-12: at any instant their dates differ by one or two
days) hold waves with the same dates: the scheduler opens and closes only those whose date has come there.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.org.models import Employee, Organisation, Team
from surveys.org.services import checked_time_zone, local_today
from surveys.settings import Settings
from surveys.waves.actions import launch
from surveys.waves.models import Wave, WaveState
from surveys.waves.services import create_wave, launch_wave, schedule_wave
from surveys.worker.queue import InlineJobs, JobRequest

EAST, WEST = "Pacific/Kiritimati", "Etc/GMT+12"


def test_a_date_is_read_where_the_organisation_is() -> None:
    instant = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)
    assert local_today("Europe/Paris", instant) == dt.date(2026, 12, 2)
    assert local_today("America/Montreal", instant) == dt.date(2026, 12, 1)
    assert local_today(EAST, instant) - local_today(WEST, instant) == dt.timedelta(days=1)
    eleven = dt.datetime(2026, 12, 1, 11, tzinfo=dt.UTC)  # 1 am tomorrow in the east, 11 pm yesterday in the west
    assert local_today(EAST, eleven) - local_today(WEST, eleven) == dt.timedelta(days=2)
    assert checked_time_zone("Europe/Paris") == "Europe/Paris"
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        checked_time_zone("Mars/Olympus")


async def _organisation(settings: Settings, time_zone: str) -> dict[str, uuid.UUID]:
    """An organisation in `time_zone` with a scheduled wave opening and an open wave closing on the same dates."""
    config = alchemy_config(settings)
    west_today = local_today(WEST)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(slug=f"org-{uuid.uuid4().hex[:8]}", name=time_zone, time_zone=time_zone)
            session.add(organisation)
            await session.flush()
            team = Team(organisation_id=organisation.id, external_id="T1", name="Team")
            session.add(team)
            await session.flush()
            session.add(Employee(organisation_id=organisation.id, team_id=team.id, email="a@x.example", language="fr"))
            version, _ = await register_instrument(session, "attention")
            # Opens on the east's today: come in the east, tomorrow or later in the west.
            opening = await create_wave(
                session, organisation, name="Opening", instrument_version_id=version.id,
                opens_on=local_today(EAST), closes_on=local_today(EAST) + dt.timedelta(days=20),
            )  # fmt: skip
            await schedule_wave(session, opening)
            # Closes on the west's today: still open there, past its date in the east.
            closing = await create_wave(
                session, organisation, name="Closing", instrument_version_id=version.id,
                opens_on=west_today - dt.timedelta(days=10), closes_on=west_today,
            )  # fmt: skip
            await launch_wave(session, closing)
            # A lead's launch: in the west its opening date is still to come, so it is scheduled instead.
            draft = await create_wave(
                session, organisation, name="Draft", instrument_version_id=version.id,
                opens_on=local_today(EAST), closes_on=local_today(EAST) + dt.timedelta(days=20),
            )  # fmt: skip
            await launch(session, draft, settings, actor="test")
            return {"opening": opening.id, "closing": closing.id, "draft": draft.id}
    finally:
        await config.get_engine().dispose()


async def _states(settings: Settings, ids: dict[str, uuid.UUID]) -> dict[str, WaveState]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            rows = await session.execute(sa.select(Wave.id, Wave.state).where(Wave.id.in_(ids.values())))
            by_id = dict(rows.all())
            return {name: by_id[wave_id] for name, wave_id in ids.items()}
    finally:
        await config.get_engine().dispose()


async def test_the_scheduler_opens_and_closes_each_wave_on_its_organisations_dates(clean_database: Settings) -> None:
    east = await _organisation(clean_database, EAST)
    west = await _organisation(clean_database, WEST)
    assert (await _states(clean_database, east))["draft"] is WaveState.OPEN  # its date has come in the east
    assert (await _states(clean_database, west))["draft"] is WaveState.SCHEDULED  # not yet in the west
    jobs = InlineJobs(clean_database)
    try:
        await jobs.run(JobRequest("open_and_close_due_waves", key="schedule"))
    finally:
        await jobs.close()
    assert await _states(clean_database, east) == {
        "opening": WaveState.OPEN, "closing": WaveState.CLOSED, "draft": WaveState.OPEN,
    }  # fmt: skip
    assert await _states(clean_database, west) == {
        "opening": WaveState.SCHEDULED, "closing": WaveState.OPEN, "draft": WaveState.SCHEDULED,
    }  # fmt: skip

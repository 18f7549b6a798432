"""On the embedded default (no queue, no worker), `symmetry serve` opens a wave by itself on its opening date,
and closes one past its closing date, with its results: the web process runs the scheduler."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import sqlalchemy as sa

from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.org.models import Employee, Organisation, Team
from surveys.org.services import local_today
from surveys.settings import Settings
from surveys.waves.models import Wave, WaveState
from surveys.waves.services import create_wave, launch_wave, schedule_wave
from tests.operator.test_deployment import Deployment, free_port, wait_for
from tests.support import run_sync


async def _waves(settings: Settings) -> tuple[uuid.UUID, uuid.UUID]:
    """A wave scheduled to open today, and an open one whose closing date was yesterday."""
    config = alchemy_config(settings)
    today = local_today("Europe/Paris")
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(slug="embedded", name="Embedded", time_zone="Europe/Paris")
            session.add(organisation)
            await session.flush()
            team = Team(organisation_id=organisation.id, external_id="T1", name="Team")
            session.add(team)
            await session.flush()
            session.add(Employee(organisation_id=organisation.id, team_id=team.id, email="a@x.example", language="fr"))
            version, _ = await register_instrument(session, "attention")
            opening = await create_wave(
                session, organisation, name="Opening", instrument_version_id=version.id,
                opens_on=today, closes_on=today + dt.timedelta(days=14),
            )  # fmt: skip
            await schedule_wave(session, opening)
            closing = await create_wave(
                session, organisation, name="Closing", instrument_version_id=version.id,
                opens_on=today - dt.timedelta(days=14), closes_on=today - dt.timedelta(days=1),
            )  # fmt: skip
            await launch_wave(session, closing)
            return opening.id, closing.id
    finally:
        await config.get_engine().dispose()


async def _state(settings: Settings, wave_id: uuid.UUID) -> WaveState:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return WaveState(await session.scalar(sa.select(Wave.state).where(Wave.id == wave_id)))
    finally:
        await config.get_engine().dispose()


def test_the_web_process_of_the_embedded_default_opens_and_closes_waves_on_their_dates(
    clean_database: Settings, tmp_path: Path
) -> None:
    opening, closing = run_sync(_waves(clean_database))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SYMMETRY_")},
        "SYMMETRY_ENVIRONMENT": "test",
        "SYMMETRY_DATABASE_URL": clean_database.database_url,
        "SYMMETRY_SECRET_KEY": "one-process",
        "SYMMETRY_JOBS": "inline",
        "SYMMETRY_SWEEP_SECONDS": "0.5",
        "SYMMETRY_REPORTS_DIR": str(tmp_path / "reports"),
    }
    deployment = Deployment(env, tmp_path)
    try:
        deployment.serve(free_port())
        wait_for(lambda: run_sync(_state(clean_database, opening)) is WaveState.OPEN, 60, "the wave to open")
        wait_for(lambda: run_sync(_state(clean_database, closing)) is WaveState.CLOSED, 120, "the wave to close")
    finally:
        deployment.stop_all()

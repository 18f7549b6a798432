"""Two waves of one organisation: `analyze` of the second gives each team's trend and the cross-lagged test."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import numpy as np
from click.testing import CliRunner

from surveys.cli import symmetry
from surveys.collection.services import submit_response
from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.actions import close
from surveys.waves.services import create_wave, launch_wave
from symmetry.domain import Respondent
from symmetry.simulation import GenerativeModel, Simulator
from tests.support import run_sync

TEAMS = 8


async def _two_waves(settings: Settings) -> None:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="twice", name="Twice")
            session.add(organisation)
            await session.flush()
            teams = [
                Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id=f"T{j}", name=f"Team {j}")
                for j in range(TEAMS)
            ]
            session.add_all(teams)
            await session.flush()
            for j, team in enumerate(teams):
                session.add_all(
                    Employee(
                        organisation_id=organisation.id, team_id=team.id, email=f"e{j}.{i}@x.example", language="en"
                    )
                    for i in range(6)
                )
                session.add_all(
                    Customer(
                        organisation_id=organisation.id, team_id=team.id, email=f"c{j}.{i}@x.example", language="en"
                    )
                    for i in range(8)
                )
            version, instrument = await register_instrument(session, "attention")
            position = {team.id: j for j, team in enumerate(teams)}
            simulator = Simulator(instrument, GenerativeModel(), TEAMS, np.random.default_rng(4))
            for name, opens in (("Spring", dt.date(2026, 3, 1)), ("Autumn", dt.date(2026, 9, 1))):
                wave = await create_wave(session, organisation, name=name, instrument_version_id=version.id,
                                         opens_on=opens, closes_on=opens + dt.timedelta(days=20))  # fmt: skip
                for invitation in await launch_wave(session, wave):
                    draw = simulator.employee if invitation.respondent is Respondent.EMPLOYEE else simulator.customer
                    await submit_response(session, invitation.token, draw(position[invitation.team_id]))
                await close(session, wave, settings, actor="test")
    finally:
        await config.get_engine().dispose()


def test_second_wave_analysis_carries_trends_and_the_lagged_comparison(cli_env: dict[str, str]) -> None:
    settings = Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"])
    run_sync(_two_waves(settings))
    first = json.loads(CliRunner().invoke(symmetry, ["analyze", "Spring", "--json"], env=cli_env).output)
    assert first["organisation"]["across_waves"] is None
    result = CliRunner().invoke(symmetry, ["analyze", "Autumn", "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    across = document["organisation"]["across_waves"]
    assert across["previous_wave"] == "Spring"
    assert sorted(across["trends"]) == [f"T{j}" for j in range(TEAMS)]
    t0 = across["trends"]["T0"]
    assert t0["employee"][0] == first["teams"]["T0"]["overall"]["employee"]["mean"]
    assert t0["employee"][1] == document["teams"]["T0"]["overall"]["employee"]["mean"]
    assert across["lagged"]["teams"] == TEAMS
    assert 0 <= across["lagged"]["pvalue"] <= 1
    text = CliRunner().invoke(symmetry, ["analyze", "Autumn"], env=cli_env)
    assert "Across waves (since Spring, 8 teams in both)" in text.output

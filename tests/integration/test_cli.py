"""The ``symmetry`` command as an operator uses it: the demo end to end, the schema, and clear errors."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from pypdf import PdfReader

from surveys.cli import symmetry
from surveys.collection.models import Response
from surveys.db import alchemy_config
from surveys.org.models import Organisation, Team
from surveys.results.models import TeamResultRow
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave, WaveState


async def _counts(settings: Settings) -> dict[str, object]:
    engine = alchemy_config(settings).get_engine()
    try:
        async with engine.connect() as connection:

            async def count(model: type) -> int:
                return int(await connection.scalar(sa.select(sa.func.count()).select_from(model)) or 0)

            return {
                "organisations": await count(Organisation),
                "teams": await count(Team),
                "responses": await count(Response),
                "answered": await connection.scalar(
                    sa.select(sa.func.count()).select_from(Invitation).where(Invitation.answered)
                ),
                "results": await count(TeamResultRow),
                "wave_states": (await connection.scalars(sa.select(Wave.state))).all(),
            }
    finally:
        await engine.dispose()


def summary_numbers(output: str) -> list[str]:
    return re.findall(r"Linkage.*|Responses.*", output)


def test_demo_runs_end_to_end_and_is_reproducible(cli_env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    arguments = ["demo", "--teams", "6", "--seed", "3", "--out", str(tmp_path / "out"), "--workers", "2"]
    first = runner.invoke(symmetry, arguments, env=cli_env)
    assert first.exit_code == 0, first.output
    assert "Linkage across" in first.output
    assert "95% CI" in first.output

    team_reports = sorted((tmp_path / "out" / "teams").glob("*.pdf"))
    assert len(team_reports) == 6
    organisation = PdfReader(io.BytesIO((tmp_path / "out" / "organisation-en.pdf").read_bytes()))
    organisation_text = " ".join(page.extract_text() for page in organisation.pages)
    assert "Horizon Services" in organisation_text
    assert "correlation" in organisation_text
    # Team reports are in their manager's language: the demo's roster is French.
    team_text = " ".join(page.extract_text() for page in PdfReader(team_reports[0]).pages)
    assert "Écart de perception" in team_text
    assert "D'une vague à l'autre" in team_text  # the trend since the demo's earlier wave
    # The demo's first branches decided an action after the earlier wave: re-measured on both sides.
    followed = [
        text
        for text in (" ".join(page.extract_text() for page in PdfReader(path).pages) for path in team_reports)
        if "Depuis vos actions" in text
    ]
    assert followed and all(re.search(r"collaborateurs\s+\S+\s+\[", text) for text in followed)
    assert all("pas la preuve qu'une action les a" in text for text in followed)
    assert "realistic model" in first.output
    assert "the previous wave, Demo " in first.output

    counts = asyncio.run(_counts(Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"])))
    assert counts["organisations"] == 1
    assert counts["teams"] == 6 + 1 + 1  # branches, one region, the head office
    assert counts["responses"] == counts["answered"]
    assert counts["responses"] > 6 * 10
    assert counts["results"] > 6 * 7
    assert counts["wave_states"] == [WaveState.CLOSED, WaveState.CLOSED]  # six months apart, for the trends

    stale = tmp_path / "out" / "teams" / "B099-from-a-larger-run.pdf"
    stale.write_bytes(b"%PDF-stale")
    second = runner.invoke(symmetry, arguments, env=cli_env)
    assert second.exit_code == 0, second.output
    assert "Replaced the previous demo organisation." in second.output
    assert summary_numbers(second.output) == summary_numbers(first.output)
    assert not stale.exists()
    assert len(list((tmp_path / "out" / "teams").glob("*.pdf"))) == 6
    assert (
        asyncio.run(_counts(Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"])))[
            "organisations"
        ]
        == 1
    )


def test_db_upgrade_reports_the_revision(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(symmetry, ["db", "upgrade"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "Database schema at head." in result.output


@pytest.mark.parametrize(
    ("arguments", "env", "message"),
    [
        (["db", "upgrade"], {"SYMMETRY_PORT": "eighty"}, "SYMMETRY_PORT: Expected `int`"),
        (["db", "upgrade"], {"SYMMETRY_ENVIRONMENT": "production"}, "SYMMETRY_SECRET_KEY must be set"),
        (["demo", "--lang", "de"], {}, "Invalid value for '--lang'"),
        (["demo", "--teams", "2"], {}, "Invalid value for '--teams'"),
    ],
)
def test_bad_configuration_or_options_give_a_clear_error(
    arguments: list[str], env: dict[str, str], message: str
) -> None:
    result = CliRunner().invoke(symmetry, arguments, env=env)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_unreachable_database_is_a_clear_error() -> None:
    env = {"SYMMETRY_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:9/absent", "SYMMETRY_ENVIRONMENT": "test"}
    result = CliRunner().invoke(symmetry, ["db", "upgrade"], env={**env, "SYMMETRY_LANGUAGE": "en"})
    assert result.exit_code == 1
    assert "cannot reach the database" in result.output
    locale = {"SYMMETRY_LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "fr_FR.UTF-8"}
    french = CliRunner().invoke(symmetry, ["db", "upgrade"], env={**env, **locale})
    assert french.exit_code == 1 and "impossible de joindre la base de données" in french.output

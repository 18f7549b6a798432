"""What users can send that the app must refuse cleanly: named problems, nothing stored, never a 500 or traceback."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from surveys.cli import symmetry
from surveys.csv_output import spreadsheet_safe
from surveys.db import alchemy_config
from surveys.org.models import Team
from surveys.settings import Settings
from tests.integration.world import World, client_for

HEADER = b"external_id,name,parent_external_id\n"
BAD_ROSTERS = {
    "nul": (HEADER + b"X,Bad\x00name,\n", "teams.csv, row 2, column name: contains a control character"),
    "huge": (HEADER + b"X," + b"n" * 140_000 + b",\n", "teams.csv, row 2: unreadable CSV"),
    "long name": (HEADER + b"X," + b"n" * 201 + b",\n", "teams.csv, row 2, column name: longer than 200 characters"),
    "long id": (HEADER + b"x" * 101 + b",Name,\n", "teams.csv, row 2, column external_id: longer than 100 characters"),
}


async def _team_count(settings: Settings) -> int:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return int(await session.scalar(sa.select(sa.func.count()).select_from(Team)) or 0)
    finally:
        await config.get_engine().dispose()


@pytest.mark.parametrize("case", sorted(BAD_ROSTERS))
async def test_a_bad_roster_upload_is_a_422_naming_file_row_and_column_and_stores_nothing(
    world: World, case: str
) -> None:
    content, expected = BAD_ROSTERS[case]
    settings: Settings = world.app.state.settings
    before = await _team_count(settings)
    client = await client_for(world.app, "hr_lead")
    try:
        form = await client.get("/org/import")
        organisation = re.search(r'<option value="([^"]+)">Alpha</option>', form.text)
        assert organisation
        response = await client.post(
            "/org/import",
            data={"_csrf_token": client.cookies["csrftoken"], "organisation_id": organisation.group(1)},
            files=[("files", ("teams.csv", content, "text/csv"))],
            headers={"Accept-Language": "en"},
        )
    finally:
        await client.__aexit__(None, None, None)
    assert response.status_code == 422
    assert expected in response.text
    assert "n" * 300 not in response.text  # the value is not quoted back
    assert await _team_count(settings) == before


@pytest.mark.parametrize("case", sorted(BAD_ROSTERS))
def test_a_bad_roster_on_the_command_line_is_a_clear_message_without_traceback(
    cli_env: dict[str, str], tmp_path: Path, case: str
) -> None:
    content, expected = BAD_ROSTERS[case]
    teams = tmp_path / "teams.csv"
    teams.write_bytes(content)
    result = CliRunner().invoke(symmetry, ["org", "import", str(teams), "--org", "corp"], env=cli_env)
    assert result.exit_code == 1
    assert expected in result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)


def test_a_long_organisation_name_or_wave_name_is_refused_with_the_option_named(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    teams = tmp_path / "teams.csv"
    teams.write_bytes(HEADER + b"T,Team,\n")
    runner = CliRunner()
    result = runner.invoke(symmetry, ["org", "import", str(teams), "--org", "corp", "--name", "N" * 201], env=cli_env)
    assert result.exit_code == 1 and "--name: longer than 200 characters" in result.output
    assert runner.invoke(symmetry, ["org", "import", str(teams), "--org", "corp"], env=cli_env).exit_code == 0
    created = runner.invoke(
        symmetry,
        ["wave", "create", "W" * 201, "--org", "corp", "--opens", "2026-01-01", "--closes", "2026-01-31"],
        env=cli_env,
    )
    assert created.exit_code != 0 and "name: longer than 200 characters" in created.output
    assert "Traceback" not in created.output


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_defused(value: str) -> None:
    assert spreadsheet_safe(value) == "'" + value
    assert spreadsheet_safe("Lyon") == "Lyon" and spreadsheet_safe(3) == "3"


def test_open_link_files_defuse_formulas_and_stay_inside_their_folder(cli_env: dict[str, str], tmp_path: Path) -> None:
    teams = tmp_path / "teams.csv"
    teams.write_text('external_id,name,parent_external_id\n../../escape,=HYPERLINK("http://evil"),\n', encoding="utf-8")
    people = tmp_path / "employees.csv"
    people.write_text("email,team,language\na@corp.example,../../escape,fr\n", encoding="utf-8")
    runner = CliRunner()
    assert (
        runner.invoke(symmetry, ["org", "import", str(teams), str(people), "--org", "corp"], env=cli_env).exit_code == 0
    )
    window = ["--org", "corp", "--opens", "2026-01-01", "--closes", "2026-01-31"]
    assert runner.invoke(symmetry, ["wave", "create", "W", *window], env=cli_env).exit_code == 0
    assert runner.invoke(symmetry, ["wave", "launch", "W"], env=cli_env).exit_code == 0
    out = tmp_path / "deep" / "open"
    result = runner.invoke(symmetry, ["wave", "open-links", "W", "--out", str(out)], env=cli_env)
    assert result.exit_code == 0, result.output
    with (out / "open-links.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["team_name"] == '\'=HYPERLINK("http://evil")'
    assert all((out / rows[0][column]).parent == out for column in ("qr_svg", "qr_png"))
    assert not list(tmp_path.glob("*.svg"))

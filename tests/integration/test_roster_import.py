"""Roster import: every problem with file, row and column and nothing changed; dry runs; re-imports that keep
identities; a whole roster from one XLSX workbook."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import Workbook

from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.settings import Settings
from tests.support import run_sync


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


async def _snapshot(settings: Settings) -> dict[str, object]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            teams = {t.external_id: (t.id, t.name, t.parent_id) for t in await session.scalars(sa.select(Team))}
            return {
                "organisations": list(await session.scalars(sa.select(Organisation.slug))),
                "teams": teams,
                "employees": {
                    e.email: (e.team_id, e.language, e.active) for e in await session.scalars(sa.select(Employee))
                },
                "customers": len(list(await session.scalars(sa.select(Customer)))),
            }
    finally:
        await config.get_engine().dispose()


def snapshot(env: dict[str, str]) -> dict[str, object]:
    return run_sync(_snapshot(Settings(environment="test", database_url=env["SYMMETRY_DATABASE_URL"])))


def test_a_roster_with_errors_lists_every_problem_and_changes_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    teams = write(
        tmp_path / "teams.csv",
        "external_id,name,parent_external_id,manager_email\n"
        "HQ,Head office,,boss@corp.example\n"
        "A,Team A,B,\n"
        "B,Team B,A,\n"
        "C,Team C,ZZ,not-an-email\n"
        "HQ,Again,,\n",
    )
    employees = write(
        tmp_path / "employees.csv",
        "email,team,language\nana@corp.example,HQ,fr\nana@corp.example,HQ,en\nbad@,HQ,fr\nbob@corp.example,NOPE,de\n",
    )
    result = CliRunner().invoke(symmetry, ["org", "import", str(teams), str(employees), "--org", "corp"], env=cli_env)
    assert result.exit_code == 1
    for expected in [
        "Nothing imported: 8 problems.",
        "teams.csv, row 5, column manager_email: malformed e-mail 'not-an-email'",
        "teams.csv, row 6, column external_id: duplicate team 'HQ' (first at teams.csv, row 2)",
        "teams.csv, row 5, column parent_external_id: unknown parent team 'ZZ'",
        "teams.csv, row 3, column parent_external_id: cycle in the hierarchy: A -> B -> A",
        "employees.csv, row 3, column email: duplicate e-mail 'ana@corp.example' (first at employees.csv, row 2)",
        "employees.csv, row 4, column email: malformed e-mail 'bad@'",
        "employees.csv, row 5, column team: unknown team 'NOPE'",
        "employees.csv, row 5, column language: expected fr or en, got 'de'",
    ]:
        assert expected in result.output
    assert "Traceback" not in result.output
    assert snapshot(cli_env) == {"organisations": [], "teams": {}, "employees": {}, "customers": 0}


def test_dry_run_shows_the_changes_and_saves_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    teams = write(tmp_path / "teams.csv", "external_id,name,parent_external_id\nHQ,Head office,\nA,Team A,HQ\n")
    result = CliRunner().invoke(symmetry, ["org", "import", str(teams), "--org", "corp", "--dry-run"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "Would change (dry run, nothing saved):" in result.output
    assert "teams created: 2" in result.output
    assert snapshot(cli_env)["teams"] == {}


def test_reimport_renames_and_moves_teams_keeping_them_and_deactivates_leavers(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    first_teams = write(
        tmp_path / "teams.csv", "external_id,name,parent_external_id\nHQ,Head office,\nN,North,HQ\nA,Team A,N\n"
    )
    first_people = write(
        tmp_path / "employees.csv", "email,team,language\nana@corp.example,A,fr\nbob@corp.example,A,en\n"
    )
    assert (
        runner.invoke(
            symmetry, ["org", "import", str(first_teams), str(first_people), "--org", "corp"], env=cli_env
        ).exit_code
        == 0
    )
    before = snapshot(cli_env)
    second_teams = write(
        tmp_path / "teams2.csv", "external_id,name,parent_external_id\nHQ,Head office,\nN,North,HQ\nA,Team Alpha,HQ\n"
    )
    second_people = write(tmp_path / "staff.csv", "email,team,language\nana@corp.example,N,en\n")
    result = runner.invoke(
        symmetry, ["org", "import", str(second_teams), str(second_people), "--org", "corp"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    assert "teams renamed: A" in result.output and "teams moved: A" in result.output
    assert "employees deactivated: 1" in result.output
    after = snapshot(cli_env)
    teams_before, teams_after = before["teams"], after["teams"]
    assert isinstance(teams_before, dict) and isinstance(teams_after, dict)
    assert teams_after["A"][0] == teams_before["A"][0]  # same identity
    assert teams_after["A"][1:] == ("Team Alpha", teams_after["HQ"][0])
    employees = after["employees"]
    assert isinstance(employees, dict)
    assert employees["ana@corp.example"] == (teams_after["N"][0], "en", True)
    assert employees["bob@corp.example"][2] is False


def test_a_whole_roster_from_one_workbook(cli_env: dict[str, str], tmp_path: Path) -> None:
    workbook = Workbook()
    teams = workbook.active
    assert teams is not None
    teams.title = "Équipes"
    teams.append(["External ID", "Name", "Parent External ID", "Manager Email"])
    teams.append(["HQ", "Siège", None, "dg@corp.example"])
    for j in range(20):
        teams.append([f"T{j:02d}", f"Agence {j}", "HQ", f"resp{j}@corp.example"])
    staff = workbook.create_sheet("Salariés")
    staff.append(["Email", "Team", "Language"])
    for i in range(200):
        staff.append([f"p{i}@corp.example", f"T{i % 20:02d}", "fr"])
    clients = workbook.create_sheet("Clients")
    clients.append(["email", "team", "language"])
    clients.append(["c1@mail.example", "T01", "en"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    result = CliRunner().invoke(symmetry, ["org", "import", str(path), "--org", "corp"], env=cli_env)
    assert result.exit_code == 0, result.output
    after = snapshot(cli_env)
    assert len(after["teams"]) == 21  # type: ignore[arg-type]
    assert len(after["employees"]) == 200  # type: ignore[arg-type]
    assert after["customers"] == 1


def test_unreadable_files_are_named(cli_env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "roster.xlsx"
    broken.write_bytes(b"not a workbook")
    odd = write(tmp_path / "people.csv", "email,team,language\na@corp.example,HQ,fr\n")
    result = CliRunner().invoke(symmetry, ["org", "import", str(broken), str(odd), "--org", "corp"], env=cli_env)
    assert result.exit_code == 1
    assert "roster.xlsx: not a readable XLSX workbook" in result.output
    assert "people.csv, row 1: cannot tell what this table holds" in result.output

"""``symmetry wave links`` and ``open-links`` on a demo wave left open, and the links they write, opened."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import TestClient

from surveys.app import create_app
from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.settings import Settings
from surveys.waves.models import Wave
from tests.support import run_sync


@pytest.fixture
def open_demo(cli_env: dict[str, str], tmp_path: Path) -> str:
    result = CliRunner().invoke(symmetry, ["demo", "--teams", "4", "--seed", "9", "--leave-open"], env=cli_env)
    assert result.exit_code == 0, result.output
    match = re.search(r"Wave '([^']+)' is open", result.output)
    assert match, result.output
    return match.group(1)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_personal_links_open_the_form_and_replace_earlier_links(
    open_demo: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    first = runner.invoke(symmetry, ["wave", "links", open_demo, "--out", str(tmp_path / "links.csv")], env=cli_env)
    assert first.exit_code == 0, first.output
    rows = read_csv(tmp_path / "links.csv")
    assert rows
    assert set(rows[0]) == {"email", "language", "respondent", "team", "link"}
    assert {row["respondent"] for row in rows} == {"employee", "customer"}
    assert all(row["link"].startswith("http://127.0.0.1:8000/r/") for row in rows)

    # Again: everyone who has not answered holds the link just written, so nobody's is replaced.
    kept = runner.invoke(symmetry, ["wave", "links", open_demo, "--out", str(tmp_path / "none.csv")], env=cli_env)
    assert kept.exit_code == 0, kept.output
    assert read_csv(tmp_path / "none.csv") == []
    assert "0 personal links written" in kept.output
    assert f"{len(rows)} people already hold a valid link and are not in the file (--reissue" in kept.output
    arguments = ["wave", "links", open_demo, "--out", str(tmp_path / "again.csv"), "--reissue"]
    second = runner.invoke(symmetry, arguments, env=cli_env)
    assert second.exit_code == 0
    assert f"{len(rows)} links already out no longer work" in second.output
    settings = Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"])
    old, new = rows[0], next(row for row in read_csv(tmp_path / "again.csv") if row["email"] == rows[0]["email"])
    with TestClient(app=create_app(settings)) as client:
        fresh = client.get(new["link"].removeprefix("http://127.0.0.1:8000"))
        assert fresh.status_code == 200
        assert f'<html lang="{new["language"]}">' in fresh.text
        stale = client.get(old["link"].removeprefix("http://127.0.0.1:8000"))
        assert stale.status_code == 404


def test_open_links_come_with_qr_codes(open_demo: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "open"
    result = CliRunner().invoke(symmetry, ["wave", "open-links", open_demo, "--out", str(out)], env=cli_env)
    assert result.exit_code == 0, result.output
    rows = read_csv(out / "open-links.csv")
    assert [row["team"] for row in rows] == ["B001", "B002", "B003", "B004"]
    for row in rows:
        assert (out / row["qr_svg"]).read_bytes().lstrip().startswith(b"<?xml") or b"<svg" in (
            out / row["qr_svg"]
        ).read_bytes()
        assert (out / row["qr_png"]).read_bytes().startswith(b"\x89PNG")
        assert row["one_answer_per_browser"] == "True"
    # Links that exist keep their codes (the printed cards), and take the option given now.
    again = CliRunner().invoke(
        symmetry, ["wave", "open-links", open_demo, "--out", str(tmp_path / "again"), "--allow-repeat"], env=cli_env
    )
    assert again.exit_code == 0 and "4 existing links changed their one-answer-per-browser setting" in again.output
    repeat = read_csv(tmp_path / "again" / "open-links.csv")
    assert [row["link"] for row in repeat] == [row["link"] for row in rows]
    assert {row["one_answer_per_browser"] for row in repeat} == {"False"}
    kept = CliRunner().invoke(symmetry, ["wave", "open-links", open_demo, "--out", str(tmp_path / "kept")], env=cli_env)
    assert "changed" not in kept.output
    assert {row["one_answer_per_browser"] for row in read_csv(tmp_path / "kept" / "open-links.csv")} == {"False"}


def test_a_waves_introduction_is_written_checked_and_refused_once_closed(
    open_demo: str, cli_env: dict[str, str]
) -> None:
    runner = CliRunner()
    assert runner.invoke(symmetry, ["wave", "introduction", open_demo], env=cli_env).exit_code == 2  # nothing given
    long = runner.invoke(symmetry, ["wave", "introduction", open_demo, "--fr", "x" * 1001], env=cli_env)
    assert long.exit_code == 1 and "introduction_fr: longer than 1000 characters (1001)" in long.output
    done = runner.invoke(
        symmetry, ["wave", "introduction", open_demo, "--fr", "Merci à tous.", "--en", "Thanks all."], env=cli_env
    )
    assert done.exit_code == 0, done.output
    only_en = runner.invoke(symmetry, ["wave", "introduction", open_demo, "--en", ""], env=cli_env)
    assert only_en.exit_code == 0
    settings = Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"])
    assert run_sync(_introductions(settings, open_demo)) == ("Merci à tous.", "")  # French kept, English removed
    assert runner.invoke(symmetry, ["wave", "close", open_demo], env=cli_env).exit_code == 0
    late = runner.invoke(symmetry, ["wave", "introduction", open_demo, "--fr", "Trop tard"], env=cli_env)
    assert late.exit_code == 1 and "its introduction can no longer change" in late.output
    assert run_sync(_introductions(settings, open_demo)) == ("Merci à tous.", "")


async def _introductions(settings: Settings, name: str) -> tuple[str, str]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            wave = (await session.scalars(sa.select(Wave).where(Wave.name == name))).one()
            return wave.introduction_fr, wave.introduction_en
    finally:
        await config.get_engine().dispose()


def test_unknown_wave_is_a_clear_error(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        symmetry, ["wave", "links", "No such wave", "--out", str(tmp_path / "x.csv")], env=cli_env
    )
    assert result.exit_code == 2
    assert "no wave 'No such wave'" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_the_commands_speak_french_in_a_french_locale_and_english_when_asked(
    open_demo: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    french = {**cli_env, "SYMMETRY_LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "fr_FR.UTF-8"}
    refused = CliRunner().invoke(symmetry, ["wave", "launch", open_demo], env=french)
    assert refused.exit_code == 1
    assert f"la vague '{open_demo}' est « ouverte » : seule une vague en brouillon ou programmée" in refused.output
    status = CliRunner().invoke(symmetry, ["wave", "status", open_demo], env=french)
    assert (
        status.exit_code == 0 and "Collaborateurs invités" in status.output and "E-mails : en attente" in status.output
    )
    links = CliRunner().invoke(symmetry, ["wave", "links", open_demo, "--out", str(tmp_path / "l.csv")], env=french)
    assert links.exit_code == 0 and "liens personnels écrits dans" in links.output
    again = CliRunner().invoke(symmetry, ["wave", "links", open_demo, "--out", str(tmp_path / "m.csv")], env=french)
    assert "ont déjà un lien valide et ne sont pas dans le fichier" in again.output
    missing = CliRunner().invoke(symmetry, ["wave", "status", "Nope"], env={**french, "SYMMETRY_LANGUAGE": "en"})
    assert missing.exit_code == 2 and "no wave 'Nope'" in missing.output  # the setting wins over the locale


def test_operators_list_waves_organisations_and_users_as_tables_or_json(
    open_demo: str, cli_env: dict[str, str]
) -> None:
    runner = CliRunner()
    waves = json.loads(runner.invoke(symmetry, ["wave", "list", "--json"], env=cli_env).output)
    newest = waves[0]
    assert (newest["name"], newest["state"], newest["organisation"]) == (open_demo, "open", "demo")
    assert {wave["state"] for wave in waves} == {"open", "closed"} and all(wave["invitations"] > 0 for wave in waves)
    table = runner.invoke(symmetry, ["wave", "list", "--org", "demo"], env=cli_env)
    assert table.exit_code == 0 and open_demo in table.output and "open" in table.output
    unknown = runner.invoke(symmetry, ["wave", "list", "--org", "nope"], env=cli_env)
    assert unknown.exit_code == 2 and "no organisation 'nope' (known: demo)" in unknown.output

    (organisation,) = json.loads(runner.invoke(symmetry, ["org", "list", "--json"], env=cli_env).output)
    assert organisation["slug"] == "demo" and organisation["waves"] == 2
    assert organisation["teams"] > 4 and organisation["employees"] > 0 and organisation["customers"] > 0

    created = runner.invoke(
        symmetry, ["user", "create", "Lead@Demo.example", "--role", "hr_lead", "--org", "demo"], env=cli_env,
        input="a long enough password\na long enough password\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    users = json.loads(runner.invoke(symmetry, ["user", "list", "--json"], env=cli_env).output)
    assert users == [
        {"email": "lead@demo.example", "role": "hr_lead", "organisation": "demo", "active": True, "language": None}
    ]
    listed = runner.invoke(symmetry, ["user", "list", "--org", "demo"], env={**cli_env, "SYMMETRY_LANGUAGE": "fr"})
    assert "lead@demo.example" in listed.output and "responsable RH" in listed.output and "oui" in listed.output


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["notanemail"], "malformed e-mail 'notanemail'"),
        (["someone@demo.example", "--role", "manager"], "a manager belongs to an organisation"),
        (["someone@demo.example", "--role", "viewer", "--org", "nope"], "no organisation 'nope'"),
    ],
)
def test_an_account_is_checked_before_its_password_is_asked_for(
    cli_env: dict[str, str], arguments: list[str], said: str
) -> None:
    result = CliRunner().invoke(symmetry, ["user", "create", *arguments], env=cli_env, input="")
    assert result.exit_code == 2 and said in result.output
    assert "Password" not in result.output  # refused before any prompt


def test_a_waves_closing_date_moves_later_only_while_it_is_to_close(open_demo: str, cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    (open_wave,) = [w for w in json.loads(runner.invoke(symmetry, ["wave", "list", "--json"], env=cli_env).output)
                    if w["name"] == open_demo]  # fmt: skip
    later = (dt.date.fromisoformat(open_wave["closes_on"]) + dt.timedelta(days=7)).isoformat()
    moved = runner.invoke(symmetry, ["wave", "extend", open_demo, "--closes", later], env=cli_env)
    assert moved.exit_code == 0, moved.output
    assert f"now closes on {later}" in moved.output
    waves = json.loads(runner.invoke(symmetry, ["wave", "list", "--json"], env=cli_env).output)
    assert next(w["closes_on"] for w in waves if w["name"] == open_demo) == later
    earlier = runner.invoke(symmetry, ["wave", "extend", open_demo, "--closes", open_wave["closes_on"]], env=cli_env)
    assert earlier.exit_code == 1 and f"closes_on: a date after the current closing date ({later})" in earlier.output
    closed = next(w["name"] for w in waves if w["state"] == "closed")
    refused = runner.invoke(symmetry, ["wave", "extend", closed, "--closes", later], env=cli_env)
    assert refused.exit_code == 1 and "its closing date can no longer change" in refused.output

"""No release shows a withheld team's count or any employee figure of it: CLI, stored document, pages, PDFs.

The wave of ``test_report_render``: Little branch (LOW) has 3 employee answers of 3 invited, under the threshold
of 5; Head office has one employee invited who did not answer. Every surface is read as its user reads it.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.app import create_app
from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.org.models import Team
from surveys.reporting import services
from surveys.results.models import WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.models import Wave as WaveModel
from surveys.waves.status import wave_status
from symmetry.disclosure import DisclosureRules
from tests.integration import test_report_render as rendering
from tests.integration.test_report_render import WAVE, Wave, render, team_file, text_of
from tests.support import run_sync

PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def pinned_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "renderer_fingerprint", lambda: "renderer under test")


@pytest.fixture
def closed_wave(clean_database: Settings) -> Wave:
    return Wave(clean_database, run_sync(rendering._build(clean_database, close_it=True)))


def _cells(output: str, name: str) -> list[str]:
    """The cells of the status table's row of a team, as `symmetry wave status` prints it."""
    line = next(line for line in output.splitlines() if name in line)
    return [cell.strip() for cell in re.split(r"[│|]", line) if cell.strip()]


def test_the_cli_says_fewer_than_5_and_counts_the_teams_shown_only(closed_wave: Wave, cli_env: dict[str, str]) -> None:
    status = CliRunner().invoke(symmetry, ["wave", "status", WAVE], env=cli_env)
    assert status.exit_code == 0, status.output
    low = _cells(status.output, "Little branch (LOW)")
    assert low[1:4] == ["3", "fewer than 5", "–"]  # invited, answered, rate
    head = _cells(status.output, "Head office (HQ)")
    assert head[2] == "27 + 2 teams under 5"  # BIG 14, MID 7, OTH 6; LOW and the head office's own person
    assert "an exact small count would tell who answered" in status.output

    document = json.loads(CliRunner().invoke(symmetry, ["analyze", WAVE, "--json"], env=cli_env).output)
    entry = document["teams"]["LOW"]
    assert entry["suppressed"] and entry["employee_respondents"] is None
    rows = [entry["overall"], *entry["dimensions"].values()]
    assert all(row["employee"] is None and row["mirror"] is None for row in rows)
    assert all(row["perception_gap"] is None and row["symmetry_gap"] is None for row in rows)
    assert "enps" not in entry["outcomes"] and "engagement" not in entry["outcomes"]
    # Organisation-wide figures count the teams shown only: alpha's n is theirs, not theirs plus LOW's 3.
    assert document["organisation"]["reliability"]["employee"]["n"] == 27
    text = CliRunner().invoke(symmetry, ["analyze", WAVE], env=cli_env).output
    assert "Every figure below comes from the teams shown only" in text


async def _low_team_and_a_lead(closed_wave: Wave) -> uuid.UUID:
    config = alchemy_config(closed_wave.settings)
    try:
        async with config.get_session() as session, session.begin():
            low = await session.scalar(sa.select(Team).where(Team.external_id == "LOW"))
            assert low is not None
            await create_user(
                session, email="lead@acme.example", password=PASSWORD, role=Role.HR_LEAD,
                organisation_id=low.organisation_id,
            )  # fmt: skip
            return low.id
    finally:
        await config.get_engine().dispose()


async def _sign_in_lead(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    """Sign in the lead that :func:`_low_team_and_a_lead` created; the sign-in must land on the dashboard."""
    await client.get("/login")
    signed_in = await client.post(
        "/login",
        data={"email": "lead@acme.example", "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
    )
    assert signed_in.status_code == 200 and "/login" not in str(signed_in.url)


async def test_the_pages_say_fewer_than_5_and_show_no_employee_figure(closed_wave: Wave) -> None:
    low = await _low_team_and_a_lead(closed_wave)
    async with AsyncTestClient(app=create_app(closed_wave.settings)) as client:
        await _sign_in_lead(client)
        rates = await client.get(f"/waves/{closed_wave.wave_id}")
        row = re.search(r"Little branch.*?</tr>", rates.text, re.S)
        assert row is not None and "moins de 5" in row.group(0)
        assert not re.search(r"<td>3</td>\s*<td>3</td>", row.group(0))
        assert "27 + 2 équipes sous 5" in rates.text
        results = await client.get(f"/waves/{closed_wave.wave_id}/teams/{low}")
        assert results.status_code == 200
        assert "Aucun chiffre collaborateur de cette équipe n'est affiché" in results.text
        assert "<td>employee</td>" not in results.text and "<td>mirror</td>" not in results.text


def test_the_reports_show_no_count_or_employee_figure_of_the_withheld_team(
    closed_wave: Wave, cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    assert render(cli_env, out).exit_code == 0
    low = text_of(team_file(out, "LOW"))
    assert "3 employees were invited: fewer than the 5 answers" in low and not re.search(
        r"\b3 employees? answered", low
    )
    english, french = text_of(out / "organisation-en.pdf"), text_of(out / "organisation-fr.pdf")
    assert "Little branch 8 withheld" in english and "Little branch 8 non affiché" in french
    # The rates count the teams shown only: 27 of the 28 invited there, and the two others by number.
    assert "Head office 31 27 + 2 teams under 5 100%" in english
    assert "Head office 31 27 + 2 équipes sous 5 100" in french


async def test_lowering_the_threshold_after_close_shows_no_count_the_reports_withhold(closed_wave: Wave) -> None:
    # The wave was analysed at 5: its status keeps LOW's 3 hidden even under today's threshold of 3.
    config = alchemy_config(closed_wave.settings)
    try:
        async with config.get_session() as session:
            wave = await session.get_one(WaveModel, closed_wave.wave_id)
            status = await wave_status(session, wave, rules=DisclosureRules(anonymity_threshold=3))
    finally:
        await config.get_engine().dispose()
    low = next(row for row in status.rows if row.external_id == "LOW")
    assert low.employees_answered_label == "fewer than 5" and status.anonymity_threshold == 5


async def _stored_document(closed_wave: Wave) -> dict[str, Any]:
    config = alchemy_config(closed_wave.settings)
    try:
        async with config.get_session() as session:
            return (await session.get_one(WaveAnalysisRecord, closed_wave.wave_id)).document
    finally:
        await config.get_engine().dispose()


def _dashboard_row(html: str, name: str) -> str:
    """The cells of one team's heatmap row."""
    match = re.search(rf"<th scope=\"row\">(?:<a[^>]*>)?{name}[^<]*(?:</a>)?</th>(.*?)</tr>", html, re.S)
    assert match, f"no row for {name}"
    return match.group(1)


async def test_the_results_dashboard_marks_the_withheld_team_and_pools_the_teams_shown_only(closed_wave: Wave) -> None:
    await _low_team_and_a_lead(closed_wave)
    document = await _stored_document(closed_wave)
    shown = {key: team for key, team in document["teams"].items() if not team["suppressed"]}
    respondents = sum(team["employee_respondents"] for team in shown.values())
    expected = sum(team["overall"]["employee"]["mean"] * team["employee_respondents"] for team in shown.values())
    async with AsyncTestClient(app=create_app(closed_wave.settings)) as client:
        await _sign_in_lead(client)
        board = await client.get(f"/waves/{closed_wave.wave_id}/results", headers={"Accept-Language": "en"})
        assert board.status_code == 200, board.text
        headline = re.search(r"Employees: attention received</span><strong>([\d.]+)</strong>", board.text)
        assert headline and float(headline.group(1)) == pytest.approx(expected / respondents, abs=0.05)
        assert f"{respondents} employees of" in board.text  # the teams shown only: never LOW's 3
        for voice in ("employee", "mirror", "perception_gap"):  # the employee side of LOW is withheld
            page = await client.get(f"/waves/{closed_wave.wave_id}/results?voice={voice}&sort=overall")
            assert page.status_code == 200
            row = _dashboard_row(page.text, "Little branch")
            assert 'class="withheld"' in row and not re.search(r'class="(heat|gap)-\d"', row)  # no figure at all
            assert re.search(r"<td>–</td>", row) and "<td>3</td>" not in row  # no count either
        bad = await client.get(f"/waves/{closed_wave.wave_id}/results?voice=salary")
        assert bad.status_code == 400 and "voice" in bad.text
        unknown = await client.get(f"/waves/{closed_wave.wave_id}/results?branch=NOPE")
        assert unknown.status_code == 400 and "branch" in unknown.text


async def test_team_pages_show_the_stored_figures_and_branches_pooled(closed_wave: Wave) -> None:
    await _low_team_and_a_lead(closed_wave)
    document = await _stored_document(closed_wave)
    config = alchemy_config(closed_wave.settings)
    try:
        async with config.get_session() as session:
            ids = dict((await session.execute(sa.select(Team.external_id, Team.id))).all())
            parents = dict((await session.execute(sa.select(Team.external_id, Team.parent_id))).all())
    finally:
        await config.get_engine().dispose()
    shown = next(key for key, team in document["teams"].items() if not team["suppressed"])
    branch = next(key for key, team_id in ids.items() if team_id in set(parents.values()))  # a team with teams under it
    async with AsyncTestClient(app=create_app(closed_wave.settings)) as client:
        await _sign_in_lead(client)
        team = await client.get(f"/waves/{closed_wave.wave_id}/teams/{ids[shown]}", headers={"Accept-Language": "en"})
        assert team.status_code == 200
        overall = document["teams"][shown]["overall"]["employee"]
        first = re.search(r"Overall</th>\s*<td><strong>([\d.]+)</strong>", team.text)
        assert first and first.group(1) == f"{overall['mean']:.1f}"
        assert "The three voices" in team.text and "Beside the branch and the organisation" in team.text
        pooled = await client.get(f"/waves/{closed_wave.wave_id}/teams/{ids[branch]}")
        assert pooled.status_code == 200 and "réunies" in pooled.text  # a branch: its teams shown, pooled
        assert "pas encore clôturée" not in pooled.text


def _chart_pixels(html: str) -> list[Any]:
    """Each chart of a page, decoded from its data URI, as (height x width x 3) arrays."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    return [
        np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"), dtype=float)
        for data in re.findall(r'<img src="data:image/jpeg;base64,([^"]+)" alt="[^"]{40,}"', html)
    ]


async def test_the_web_charts_draw_the_released_teams_only(closed_wave: Wave) -> None:
    from reports.charts import SCREEN_WIDTH_IN
    from reports.context import organisation_scatter
    from reports.i18n import translator
    from symmetry.linkage import TeamPoint

    low = await _low_team_and_a_lead(closed_wave)
    document = await _stored_document(closed_wave)
    points = [
        TeamPoint(key, team["overall"]["employee"]["mean"], team["overall"]["customer"]["mean"], 0)
        for key, team in document["teams"].items()
        if team["overall"]["employee"] is not None and team["overall"]["customer"] is not None
    ]
    assert "LOW" not in {point.team for point in points} and len(points) == document["organisation"]["linkage"]["teams"]
    expected = organisation_scatter(points, translator("en"), SCREEN_WIDTH_IN)
    async with AsyncTestClient(app=create_app(closed_wave.settings)) as client:
        await _sign_in_lead(client)
        board = await client.get(f"/waves/{closed_wave.wave_id}/results", headers={"Accept-Language": "en"})
        (scatter,) = _chart_pixels(board.text)
        # The same points as the stored linkage's, drawn as the organisation report draws them (JPEG noise aside).
        assert scatter.shape == expected.pixels().shape
        assert float(abs(scatter - expected.pixels()).mean()) < 1.0
        withheld = await client.get(f"/waves/{closed_wave.wave_id}/teams/{low}")
        (mirror,) = _chart_pixels(withheld.text)
        # Its customers' voice only: not one pixel in the employees' blue or the mirror's orange, legend included.
        assert _pixels_of(mirror, "#009E73") > 50
        assert _pixels_of(mirror, "#0072B2") == 0 and _pixels_of(mirror, "#E69F00") == 0
        shown = next(key for key, team in document["teams"].items() if not team["suppressed"])
        config = alchemy_config(closed_wave.settings)
        try:
            async with config.get_session() as session:
                shown_id = await session.scalar(sa.select(Team.id).where(Team.external_id == shown))
        finally:
            await config.get_engine().dispose()
        (all_voices,) = _chart_pixels((await client.get(f"/waves/{closed_wave.wave_id}/teams/{shown_id}")).text)
        assert all(_pixels_of(all_voices, colour) > 50 for colour in ("#009E73", "#0072B2", "#E69F00"))


def _pixels_of(pixels: Any, colour: str) -> int:
    """How many pixels are within JPEG noise of `colour`."""
    import numpy as np

    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    return int((abs(pixels - rgb).max(axis=2) < 40).sum())


async def test_raising_the_threshold_after_close_withholds_on_the_pages_too(closed_wave: Wave) -> None:
    import msgspec

    await _low_team_and_a_lead(closed_wave)
    document = await _stored_document(closed_wave)
    config = alchemy_config(closed_wave.settings)
    try:
        async with config.get_session() as session:
            ids = dict((await session.execute(sa.select(Team.external_id, Team.id))).all())
    finally:
        await config.get_engine().dispose()
    counts = {
        key: team["employee_respondents"] for key, team in document["teams"].items() if team["employee_respondents"]
    }
    key, count = min(counts.items(), key=lambda item: item[1])  # the smallest team shown at close
    stricter = msgspec.structs.replace(
        closed_wave.settings, anonymity_threshold=count + 1, comment_threshold=max(count + 1, 10)
    )
    async with AsyncTestClient(app=create_app(stricter)) as client:
        await _sign_in_lead(client)
        page = await client.get(f"/waves/{closed_wave.wave_id}/teams/{ids[key]}", headers={"Accept-Language": "en"})
        # Shown when the wave closed; under today's threshold its page withholds it, as its report now would.
        assert page.status_code == 200 and "No employee figure of this team is shown" in page.text
        assert f"{count} employees answered" not in page.text

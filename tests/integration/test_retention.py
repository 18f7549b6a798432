"""Retention on the demo: short periods delete exactly what expired, the closed waves' results stay, it is audited."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from surveys.audit.models import AuditEvent
from surveys.cli import symmetry
from surveys.collection.models import Comment, Response
from surveys.db import alchemy_config
from surveys.mail.models import EmailDelivery
from surveys.org.models import Customer, Employee
from surveys.privacy.jobs import apply_retention
from surveys.reporting.models import ReportRecord
from surveys.results.models import TeamResultRow, WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave
from tests.support import run_sync

SHORT = ["--invitations", "30", "--answers", "30", "--comments", "30", "--reports", "30", "--people", "30"]


async def _facts(settings: Settings) -> dict[str, Any]:
    """Row counts by wave, counted here from the tables, independently of the retention code."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            # The demo's waves by age (their names and dates follow today's date): the earlier one, then the latest.
            ordered = list(await session.scalars(sa.select(Wave).order_by(Wave.closes_on)))
            waves = {"earlier": ordered[0].id, "latest": ordered[1].id}

            async def count(model: type, *where: Any) -> int:
                return int(await session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)

            facts: dict[str, Any] = {
                "earlier closed on": ordered[0].closes_on,
                "earlier name": ordered[0].name,
                "latest name": ordered[1].name,
            }
            for name, wave_id in waves.items():
                facts[name] = {
                    "responses": await count(Response, Response.wave_id == wave_id),
                    "comments": await count(
                        Comment, Comment.response_id.in_(sa.select(Response.id).where(Response.wave_id == wave_id))
                    ),
                    "named invitations": await count(
                        Invitation,
                        Invitation.wave_id == wave_id,
                        Invitation.employee_id.is_not(None) | Invitation.customer_id.is_not(None),
                    ),
                    "invitations": await count(Invitation, Invitation.wave_id == wave_id),
                    "answered": await count(Invitation, Invitation.wave_id == wave_id, Invitation.answered),
                    "reports": await count(ReportRecord, ReportRecord.wave_id == wave_id),
                    "team results": await count(TeamResultRow, TeamResultRow.wave_id == wave_id),
                    "analysis": await count(WaveAnalysisRecord, WaveAnalysisRecord.wave_id == wave_id),
                    "report files": [
                        path for path in await session.scalars(
                            sa.select(ReportRecord.path).where(ReportRecord.wave_id == wave_id)
                        ) if path
                    ],
                }  # fmt: skip
            facts["people"] = await count(Employee) + await count(Customer)
            facts["emails"] = await count(EmailDelivery)
            facts["runs"] = [
                e.details
                for e in await session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "retention.run"))
            ]
            return facts
    finally:
        await config.get_engine().dispose()


@pytest.fixture
def demo(cli_env: dict[str, str], tmp_path: Path) -> Settings:
    result = CliRunner().invoke(symmetry, ["demo", "--teams", "4", "--seed", "9", "--out", str(tmp_path)], env=cli_env)
    assert result.exit_code == 0, result.output
    settings = Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"])
    earlier = run_sync(_facts(settings))["earlier name"]
    arguments = ["report", "render", earlier, "--out", str(tmp_path / "rendered"), "--workers", "1"]
    rendered = CliRunner().invoke(symmetry, arguments, env=cli_env)
    assert rendered.exit_code == 0, rendered.output
    return settings


def test_a_retention_run_deletes_what_expired_and_keeps_the_results(demo: Settings, cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    shown = json.loads(runner.invoke(symmetry, ["retention", "show", "--json"], env=cli_env).output)
    assert shown == [{"organisation": "demo", "people": 365, "invitations": 90, "answers": 730, "comments": 365,
                      "reports": 730, "audit": 365}]  # fmt: skip
    bad = runner.invoke(symmetry, ["retention", "set", "--org", "demo", "--answers", "0"], env=cli_env)
    assert bad.exit_code == 2 and "answers: a number of days from 1 to 36500, or never" in bad.output
    assert json.loads(runner.invoke(symmetry, ["retention", "show", "--json"], env=cli_env).output) == shown
    changed = runner.invoke(symmetry, ["retention", "set", "--org", "demo", *SHORT, "--audit", "never"], env=cli_env)
    assert changed.exit_code == 0, changed.output

    before = run_sync(_facts(demo))
    old, recent = before["earlier"], before["latest"]  # closed six months ago, and today
    assert old["responses"] and old["comments"] and old["named invitations"] and old["reports"]
    today = before["earlier closed on"] + dt.timedelta(days=31)  # the old wave's data is 31 days past its closing
    dry = runner.invoke(
        symmetry, ["retention", "run", "--org", "demo", "--dry-run", "--today", today.isoformat()], env=cli_env
    )
    assert dry.exit_code == 0, dry.output
    assert f"anonymous answers: {old['responses']}" in dry.output and f"comments: {old['comments']}" in dry.output
    assert f"invitations tied to a person: {old['named invitations']}" in dry.output
    assert f"reports: {old['reports']}" in dry.output
    assert run_sync(_facts(demo)) == before  # a dry run deletes nothing

    done = runner.invoke(symmetry, ["retention", "run", "--org", "demo", "--today", today.isoformat()], env=cli_env)
    assert done.exit_code == 0, done.output
    after = run_sync(_facts(demo))
    gone = after["earlier"]
    assert gone["responses"] == gone["comments"] == gone["named invitations"] == gone["reports"] == 0
    assert not any(Path(path).exists() for path in old["report files"])  # the PDF files too
    # What the wave computed, and its rates, stay: invitations are kept, tied to nobody.
    for kept in ("team results", "analysis", "invitations", "answered"):
        assert gone[kept] == old[kept] > 0, kept
    assert after["latest"] == recent  # the recent wave is untouched
    assert after["emails"] <= before["emails"]
    (run,) = after["runs"]
    assert run["answers"] == old["responses"] and run["comments"] == old["comments"]
    assert run["invitations"] == old["named invitations"] and run["reports"] == old["reports"]

    # The stored results stand: analysing the wave again (or the next one, whose trends it feeds) is refused.
    for wave in (after["earlier name"], after["latest name"]):
        refused = runner.invoke(symmetry, ["analyze", wave], env=cli_env)
        assert refused.exit_code == 1 and "deleted under the retention policy" in refused.output, refused.output
    assert run_sync(_facts(demo)) == after

    again = runner.invoke(symmetry, ["retention", "run", "--org", "demo", "--today", today.isoformat()], env=cli_env)
    assert "anonymous answers: 0" in again.output and len(run_sync(_facts(demo))["runs"]) == 1  # nothing: no event
    future = runner.invoke(symmetry, ["retention", "run", "--today", "2030-01-01"], env=cli_env)
    assert future.exit_code == 2 and "--dry-run" in future.output


def test_the_scheduled_run_applies_each_policy_once_a_day(demo: Settings, cli_env: dict[str, str]) -> None:
    keep_all_but_invitations = ["--invitations", "30"] + [
        option for kind in ("people", "answers", "comments", "reports", "audit") for option in (f"--{kind}", "never")
    ]
    arguments = ["retention", "set", "--org", "demo", *keep_all_but_invitations]
    changed = CliRunner().invoke(symmetry, arguments, env=cli_env)
    assert changed.exit_code == 0, changed.output
    before = run_sync(_facts(demo))

    async def twice() -> list[dict[str, int]]:
        config = alchemy_config(demo)
        try:
            ctx = {"session_maker": config.create_session_maker(), "settings": demo}
            return [await apply_retention(ctx), await apply_retention(ctx)]
        finally:
            await config.get_engine().dispose()

    first, second = run_sync(twice())
    assert first == {"organisations": 1} and second == {"organisations": 0}
    after = run_sync(_facts(demo))
    # Today's run untied the invitations of the wave closed six months ago, and nothing else; the second did nothing.
    assert after["runs"] == [{"invitations": before["earlier"]["named invitations"]}]
    assert after["earlier"] == before["earlier"] | {"named invitations": 0}
    assert after["latest"] == before["latest"] and after["people"] == before["people"]

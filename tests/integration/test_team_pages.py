"""A team's page and a reader's list of teams, read on the demo's second wave as a lead, a manager and a viewer.

Each figure is checked against the stored documents of both waves, and each comment against the team's own stored
comments: the page shows the change since the previous wave, the team's comments from the threshold up only, and
a manager their own teams only.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.app import create_app
from surveys.cli import symmetry
from surveys.collection.models import Comment, Response
from surveys.db import alchemy_config
from surveys.org.models import Organisation, Team
from surveys.results.models import WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.models import Wave
from symmetry.domain import Respondent
from tests.integration.test_action_plans import PASSWORD, _signed_in
from tests.support import run_sync


async def _world(settings: Settings) -> dict[str, Any]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = (await session.scalars(sa.select(Organisation))).one()
            teams = {team.external_id: team for team in await session.scalars(sa.select(Team))}
            region = next(team for team in teams.values() if team.external_id.startswith("R"))
            branch = next(team for team in teams.values() if team.parent_id == region.id)
            for email, role in (
                ("lead@horizon.example", Role.HR_LEAD),
                ("viewer@horizon.example", Role.VIEWER),
                (region.manager_email, Role.MANAGER),
                (branch.manager_email, Role.MANAGER),
            ):
                await create_user(
                    session, email=email, password=PASSWORD, role=role, organisation_id=organisation.id
                )  # fmt: skip
            waves = list(await session.scalars(sa.select(Wave).order_by(Wave.closes_on)))
            records = [await session.get(WaveAnalysisRecord, wave.id) for wave in waves]
            documents = [record.document if record else None for record in records]
            comments: dict[str, Counter[str]] = {}
            for key, text in await session.execute(
                sa.select(Team.external_id, Comment.text)
                .join(Response, Response.id == Comment.response_id)
                .join(Team, Team.id == Response.team_id)
                .where(Response.wave_id == waves[-1].id, Response.respondent == Respondent.EMPLOYEE)
            ):
                comments.setdefault(key, Counter())[text.strip()] += 1
            return {
                "waves": waves,
                "documents": documents,
                "teams": teams,
                "region": region,
                "branch": branch,
                "comments": comments,
            }
    finally:
        await config.get_engine().dispose()


def test_team_pages_show_the_change_since_last_wave_the_teams_own_comments_and_a_managers_teams(
    cli_env: dict[str, str], clean_database: Settings, tmp_path: object
) -> None:
    demo = CliRunner().invoke(symmetry, ["demo", "--teams", "12", "--seed", "5", "--out", str(tmp_path)], env=cli_env)
    assert demo.exit_code == 0, demo.output
    run_sync(_walk(clean_database))


def _number(text: str) -> float:
    return float(text.replace("−", "-").replace("+", "").replace(",", "."))


async def _walk(settings: Settings) -> None:
    world = await _world(settings)
    first, second = world["waves"]
    before, after = (document["teams"] for document in world["documents"])
    app = create_app(settings)
    lead = await _signed_in(app, "lead@horizon.example")
    threshold = settings.comment_threshold
    comments_seen, teams_under_threshold = 0, 0
    try:
        for key, team in world["teams"].items():
            if key not in after:
                continue  # a branch: no own answers
            page = await lead.get(f"/waves/{second.id}/teams/{team.id}", headers={"Accept-Language": "en"})
            assert page.status_code == 200
            since = re.search(r'<h2 id="since">Since ([^<]+)</h2>(.*?)</table>', page.text, re.S)
            assert since and since.group(1) == first.name
            overall = re.search(
                r"Overall</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", since.group(2), re.S
            )
            assert overall
            for cell, voice in zip(overall.groups(), ("employee", "mirror", "customer"), strict=True):
                then, now = before[key]["overall"][voice], after[key]["overall"][voice]
                if then is None or now is None:  # withheld in either wave: no change can be shown
                    assert cell.strip() == '<span class="muted">–</span>', (key, voice, cell)
                    continue
                shown = re.search(r"<strong>([^<]+)</strong>", cell)
                assert shown and abs(_number(shown.group(1)) - (now["mean"] - then["mean"])) < 0.051, (key, voice)
            listed = re.search(r'<ul class="comments">(.*?)</ul>', page.text, re.S)
            released = after[key]["employee_respondents"]
            if released is not None and released >= threshold:
                texts = (
                    [unescape(text) for text in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)] if listed else []
                )
                written = world["comments"].get(key, Counter())
                assert Counter(texts) <= written, key  # this team's words, nobody else's
                assert len(texts) == min(12, written.total())
                comments_seen += len(texts)
            else:
                assert listed is None and f"Comments are shown from {threshold} employee answers" in page.text
                teams_under_threshold += 1
        assert comments_seen > 0 and teams_under_threshold > 0, "the demo no longer tries both sides of the rule"
    finally:
        await lead.__aexit__(None, None, None)

    viewer = await _signed_in(app, "viewer@horizon.example")
    try:
        some = next(team for key, team in world["teams"].items() if key in after)
        page = await viewer.get(f"/waves/{second.id}/teams/{some.id}")
        assert page.status_code == 200 and 'id="comments"' not in page.text  # comments go where reports go
    finally:
        await viewer.__aexit__(None, None, None)

    region, branch = world["region"], world["branch"]
    manager = await _signed_in(app, region.manager_email)
    try:
        listing = await manager.get(f"/waves/{second.id}/teams")
        assert listing.status_code == 200
        names = re.findall(r'<a href="/waves/[^"]+/teams/[^"]+">([^<]+)</a>', listing.text)
        mine = {team.name for team in world["teams"].values() if team.id == region.id or team.parent_id == region.id}
        assert set(names) == mine and names[0] == region.name  # their region first, then its branches
        others = [team for team in world["teams"].values() if team.name not in mine and team.external_id in after]
        assert others, "the demo has a single region"
        refused = await manager.get(f"/waves/{second.id}/teams/{others[0].id}")
        assert refused.status_code == 403
    finally:
        await manager.__aexit__(None, None, None)
    single = await _signed_in(app, branch.manager_email)
    try:  # a manager of one team is taken to its page at once
        opened = await single.get(f"/waves/{second.id}/teams", follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == f"/waves/{second.id}/teams/{branch.id}"
    finally:
        await single.__aexit__(None, None, None)


def test_an_open_waves_participation_counts_the_teams_over_the_threshold_only(
    cli_env: dict[str, str], clean_database: Settings, tmp_path: object
) -> None:
    demo = CliRunner().invoke(
        symmetry, ["demo", "--teams", "12", "--seed", "5", "--leave-open", "--out", str(tmp_path)], env=cli_env
    )
    assert demo.exit_code == 0, demo.output
    run_sync(_open_walk(clean_database))


async def _open_walk(settings: Settings) -> None:
    from surveys.waves.models import Invitation, WaveState

    world = await _world(settings)
    wave = next(wave for wave in world["waves"] if wave.state is WaveState.OPEN)
    threshold = settings.anonymity_threshold
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            counts = {
                team_id: (int(invited), int(answered or 0))
                for team_id, invited, answered in await session.execute(
                    sa.select(
                        Invitation.team_id, sa.func.count(), sa.func.sum(sa.case((Invitation.answered, 1), else_=0))
                    )
                    .where(Invitation.wave_id == wave.id, Invitation.respondent == Respondent.EMPLOYEE)
                    .group_by(Invitation.team_id)
                )
            }
    finally:
        await config.get_engine().dispose()
    teams = world["teams"].values()
    withheld = {team_id for team_id, (invited, answered) in counts.items() if answered < threshold}
    assert withheld and set(counts) - withheld, "the open demo no longer has teams on both sides of the threshold"

    def below(branch: Team) -> list[Team]:
        children = [team for team in teams if team.parent_id == branch.id]
        return [*children, *(grandchild for child in children for grandchild in below(child))]

    lead = await _signed_in(create_app(settings), "lead@horizon.example")
    try:
        page = await lead.get(f"/waves/{wave.id}/results", headers={"Accept-Language": "en"})
        assert page.status_code == 200 and "Participation so far" in page.text
        for branch in [team for team in teams if below(team)]:
            row = re.search(rf">{re.escape(branch.name)}</th>\s*<td>(\d+)</td>\s*<td>(\d+)(.*?)</td>", page.text, re.S)
            assert row, branch.name
            members = [team.id for team in below(branch) if team.id in counts]
            shown = [team_id for team_id in members if team_id not in withheld]
            # Every answer the row counts is a shown team's: nothing is left over to subtract a withheld count from.
            assert int(row.group(1)) == sum(counts[team_id][0] for team_id in members)
            assert int(row.group(2)) == sum(counts[team_id][1] for team_id in shown), branch.name
            hidden = len(members) - len(shown)
            assert (f"+ {hidden} team" in row.group(3)) == (hidden > 0), branch.name
    finally:
        await lead.__aexit__(None, None, None)

"""Action plans closed on both sides: a lead adds an action after the demo's first wave, and the second wave's team
page shows it beside the re-measured change, for employees and for customers; bad input stores nothing."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from surveys.accounts.models import Role, User
from surveys.accounts.services import create_user
from surveys.actions.models import ActionPlan
from surveys.app import create_app
from surveys.audit.models import AuditEvent
from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.org.models import Organisation, Team
from surveys.results.models import WaveAnalysisRecord
from surveys.settings import Settings
from surveys.waves.models import Wave
from tests.support import run_sync

PASSWORD = "a long enough password"


async def _setup(settings: Settings) -> dict[str, object]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = (await session.scalars(sa.select(Organisation))).one()
            await session.execute(sa.delete(ActionPlan))  # the demo's own actions: this test adds its own
            await create_user(
                session, email="lead@horizon.example", password=PASSWORD, role=Role.HR_LEAD,
                organisation_id=organisation.id,
            )  # fmt: skip
            waves = list(await session.scalars(sa.select(Wave).order_by(Wave.closes_on)))
            documents = [(await session.get_one(WaveAnalysisRecord, wave.id)).document for wave in waves]
            shown = next(
                key
                for key, team in documents[1]["teams"].items()
                if not documents[0]["teams"][key]["suppressed"] and not team["suppressed"]
            )
            team = (await session.scalars(sa.select(Team).where(Team.external_id == shown))).one()
            other = (  # another branch's manager: their subtree does not hold `team`
                await session.scalars(
                    sa.select(Team)
                    .where(Team.external_id.like("B%"), Team.external_id != shown)
                    .order_by(Team.external_id)
                )
            ).first()
            assert other is not None and other.manager_email
            await create_user(
                session, email=other.manager_email, password=PASSWORD, role=Role.MANAGER,
                organisation_id=organisation.id,
            )  # fmt: skip
            await create_user(
                session, email="viewer@horizon.example", password=PASSWORD, role=Role.VIEWER,
                organisation_id=organisation.id,
            )  # fmt: skip
            return {
                "waves": waves,
                "documents": documents,
                "team": team,
                "key": shown,
                "other_manager": other.manager_email,
                "region": team.parent_id,
                "other_branch": other.id,
            }
    finally:
        await config.get_engine().dispose()


async def _count(settings: Settings, model: type) -> int:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
    finally:
        await config.get_engine().dispose()


async def _signed_in(app: object, email: str) -> AsyncTestClient:  # type: ignore[type-arg]
    client = AsyncTestClient(app=app)  # type: ignore[arg-type]
    await client.__aenter__()
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": email, "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    return client


def test_an_action_after_wave_one_shows_the_change_at_wave_two_on_both_sides(
    cli_env: dict[str, str], clean_database: Settings, tmp_path: object
) -> None:
    demo = CliRunner().invoke(symmetry, ["demo", "--teams", "6", "--seed", "3", "--out", str(tmp_path)], env=cli_env)
    assert demo.exit_code == 0, demo.output
    run_sync(_walk(clean_database))


async def _walk(clean_database: Settings) -> None:
    world = await _setup(clean_database)
    first, second = world["waves"]  # type: ignore[misc]
    team: Team = world["team"]  # type: ignore[assignment]
    app = create_app(clean_database)
    client = await _signed_in(app, "lead@horizon.example")
    try:
        url = f"/waves/{first.id}/teams/{team.id}/actions"

        def form(**fields: str) -> dict[str, str]:
            base = {"dimension": "information", "title": "Weekly huddle", "owner": "Team manager", "due_on": ""}
            return {**base, **fields, "_csrf_token": client.cookies["csrftoken"]}

        for bad, said in (  # the lead reads French: each refusal names its field and says what is wrong, in French
            ({"title": ""}, "title : obligatoire (choisissez une action suggérée"),
            ({"dimension": "salary"}, "dimension : une valeur parmi "),
            ({"owner": "x\x00y"}, "owner : contient un caractère de contrôle"),
            ({"due_on": "next week"}, "due_on : une date au format AAAA-MM-JJ attendue, reçu &#39;next week&#39;"),
            ({"note": "n" * 2001}, "note : plus de 2000 caractères (2001)"),
        ):
            refused = await client.post(url, data=form(**bad))
            assert refused.status_code == 422 and said in refused.text, (bad, refused.text[-400:])
        assert await _count(clean_database, ActionPlan) == 0  # nothing stored on any error
        created = await client.post(
            url, data=form(note="Managers only: started after a tense month"), follow_redirects=False
        )
        assert created.status_code == 303
        again = await client.post(
            url, data=form(note="Managers only: started after a tense month"), follow_redirects=False
        )
        assert again.status_code == 303  # a double click lands on the same page
        assert await _count(clean_database, ActionPlan) == 1  # and adds nothing

        page = await client.get(f"/waves/{second.id}/teams/{team.id}", headers={"Accept-Language": "en"})
        assert page.status_code == 200 and "Weekly huddle" in page.text
        before = world["documents"][0]["teams"][world["key"]]["dimensions"]["information"]  # type: ignore[index]
        after = world["documents"][1]["teams"][world["key"]]["dimensions"]["information"]  # type: ignore[index]
        for voice, word in (("employee", "employees"), ("customer", "customers")):
            shift = after[voice]["mean"] - before[voice]["mean"]
            match = re.search(rf"{word}: ([+−]?[\d.]+) \[([−\d.]+), ([−\d.]+)\]", page.text)
            assert match, page.text[-3000:]
            shown = float(match.group(1).replace("−", "-").replace("+", ""))
            assert abs(shown - shift) < 0.051  # one decimal, as the page rounds
            low, high = (float(value.replace("−", "-")) for value in match.group(2, 3))
            assert low <= shown <= high and high - low > 0
        assert "not proof the action caused it" in page.text
        assert "Managers only: started after a tense month" in page.text  # the note, for leads and managers

        action_id = re.search(r"/actions/([0-9a-f-]{36})/status", page.text).group(1)  # type: ignore[union-attr]
        done = await client.post(
            f"/actions/{action_id}/status",
            data={"status": "done", "_csrf_token": client.cookies["csrftoken"]},
            follow_redirects=False,
        )
        assert done.status_code == 303
        odd = await client.post(
            f"/actions/{action_id}/status", data={"status": "finished", "_csrf_token": client.cookies["csrftoken"]}
        )
        assert odd.status_code == 422 and "status" in odd.text
        listing = await client.get("/actions?status=done", headers={"Accept-Language": "en"})
        assert "Weekly huddle" in listing.text and "<td>Information</td>" in listing.text  # the dimension's name
        assert "Weekly huddle" not in (await client.get("/actions?status=planned")).text
        region = await client.get(f"/actions?status=done&branch={world['region']}")  # its region: the team is below
        assert "Weekly huddle" in region.text and f"branch={world['region']}" in region.text
        assert "Weekly huddle" not in (await client.get(f"/actions?branch={world['other_branch']}")).text
        unknown = await client.get(f"/actions?branch={uuid.uuid4()}", headers={"Accept-Language": "en"})
        assert unknown.status_code == 400 and "branch: no such branch" in unknown.text
    finally:
        await client.__aexit__(None, None, None)

    viewer = await _signed_in(app, "viewer@horizon.example")
    try:  # a viewer reads the action and where it stands, never the manager's note, and cannot move it
        seen = await viewer.get(f"/waves/{second.id}/teams/{team.id}")
        assert seen.status_code == 200 and "Weekly huddle" in seen.text
        assert "started after a tense month" not in seen.text and f"/actions/{action_id}/status" not in seen.text
        assert 'href="/actions"' not in (await viewer.get("/dashboard")).text  # no actions list for viewers
    finally:
        await viewer.__aexit__(None, None, None)
    manager = await _signed_in(app, world["other_manager"])  # type: ignore[arg-type]
    try:  # another team's manager can neither add to this team nor move its action
        refused = await manager.post(
            f"/waves/{first.id}/teams/{team.id}/actions",
            data={"dimension": "information", "title": "x", "owner": "y", "_csrf_token": manager.cookies["csrftoken"]},
        )
        assert refused.status_code == 403
        moved = await manager.post(
            f"/actions/{action_id}/status", data={"status": "dropped", "_csrf_token": manager.cookies["csrftoken"]}
        )
        assert moved.status_code == 403
        unknown = await manager.post(
            f"/actions/{uuid.uuid4()}/status", data={"status": "done", "_csrf_token": manager.cookies["csrftoken"]}
        )
        assert unknown.status_code == 403 and unknown.text == moved.text
    finally:
        await manager.__aexit__(None, None, None)
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session:
            actions = list(
                await session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("action.%")))
            )
            assert sorted(actions) == ["action.create", "action.status"]
            assert (await session.scalars(sa.select(User.email))).all()
    finally:
        await config.get_engine().dispose()

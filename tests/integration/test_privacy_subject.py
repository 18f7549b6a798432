"""Access and erasure (RGPD articles 15 and 17) on the demo, by e-mail: what is held, exported, then nowhere."""

from __future__ import annotations

import json
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
from surveys.audit.models import AuditEvent
from surveys.audit.services import record
from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.models import metadata
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.results.models import TeamResultRow
from surveys.settings import Settings
from surveys.sso.models import SsoConfig
from surveys.waves.models import Invitation, Wave, WaveState
from tests.integration.test_action_plans import PASSWORD, _signed_in
from tests.support import run_sync


async def _people(settings: Settings) -> dict[str, Any]:
    """An employee invited to both waves, a customer, a branch manager (given an account), read from the tables."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = (await session.scalars(sa.select(Organisation))).one()
            employee = (await session.scalars(sa.select(Employee).order_by(Employee.email).limit(1))).one()
            customer = (
                await session.scalars(sa.select(Customer).where(Customer.email.is_not(None)).order_by(Customer.email))
            ).first()
            assert customer is not None and customer.email
            manager = (
                await session.scalars(sa.select(Team).where(Team.manager_email.is_not(None)).order_by(Team.name))
            ).first()
            assert manager is not None and manager.manager_email
            await create_user(
                session, email=manager.manager_email, password=PASSWORD, role=Role.MANAGER,
                organisation_id=organisation.id,
            )  # fmt: skip
            await create_user(
                session, email="admin@horizon.example", password=PASSWORD, role=Role.ADMIN, organisation_id=None
            )
            # Someone whose address holds the manager's: erasing the manager must not touch them.
            look_alike = f"sub.{manager.manager_email}"
            await create_user(
                session, email=look_alike, password=PASSWORD, role=Role.VIEWER, organisation_id=organisation.id
            )
            await record(session, actor="test", action="user.create", target=look_alike)
            session.add(
                SsoConfig(
                    organisation_id=organisation.id, issuer="https://login.horizon.example", client_id="symmetry",
                    client_secret_sealed=b"sealed",
                    email_roles={manager.manager_email: "hr_lead", look_alike: "viewer"},
                )
            )  # fmt: skip
            invitations = list(
                await session.scalars(sa.select(Invitation).where(Invitation.employee_id == employee.id))
            )
            return {
                "organisation_id": organisation.id,
                "employee": employee.email,
                "employee_team": (await session.get_one(Team, employee.team_id)).name,
                "employee_answered": sorted(invitation.answered for invitation in invitations),
                "customer": customer.email,
                "manager": manager.manager_email,
                "look_alike": look_alike,
            }
    finally:
        await config.get_engine().dispose()


async def _rows_naming(settings: Settings, email: str, *, other: str = "") -> list[str]:
    """The tables with a row holding the e-mail in any column, in any case: what a reader of the database sees.

    `other` is another person's address that holds this one (``sub.a@x.fr`` for ``a@x.fr``): not this person.
    """
    config = alchemy_config(settings)
    found = []
    try:
        async with config.get_session() as session:
            for table in metadata.sorted_tables:
                for row in await session.execute(sa.select(table)):
                    texts = (str(value).lower() for value in row)
                    if any(email in (text.replace(other, "") if other else text) for text in texts):
                        found.append(table.name)
    finally:
        await config.get_engine().dispose()
    return found


async def _kept(settings: Settings) -> dict[str, Any]:
    """What the closed waves' rates and results rest on: invitations and answered per wave, stored team results."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            closed = sa.select(Wave.id).where(Wave.state == WaveState.CLOSED)
            invitations = await session.execute(
                sa.select(Invitation.wave_id, sa.func.count(), sa.func.sum(sa.case((Invitation.answered, 1), else_=0)))
                .where(Invitation.wave_id.in_(closed))
                .group_by(Invitation.wave_id)
            )
            results = await session.scalar(sa.select(sa.func.count()).select_from(TeamResultRow))
            return {"invitations": sorted(map(tuple, invitations)), "results": results}
    finally:
        await config.get_engine().dispose()


@pytest.fixture
def demo(cli_env: dict[str, str], clean_database: Settings, tmp_path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(symmetry, ["demo", "--teams", "4", "--seed", "9", "--out", str(tmp_path)], env=cli_env)
    assert result.exit_code == 0, result.output
    return run_sync(_people(clean_database))


def test_export_then_erase_an_employee_a_customer_and_a_manager(
    demo: dict[str, Any], cli_env: dict[str, str], clean_database: Settings, tmp_path: Path
) -> None:
    runner = CliRunner()
    exported = runner.invoke(symmetry, ["privacy", "export", demo["employee"].upper()], env=cli_env)
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert data["email"] == demo["employee"]
    assert "cannot be found, exported or erased for one person" in data["answers"]
    (row,) = data["employee_of"]
    assert row["team"] == demo["employee_team"] and row["organisation"] == "Horizon Services (demo)"
    assert row["active"] is True
    assert sorted(invitation["answered"] for invitation in data["invitations"]) == demo["employee_answered"]
    assert len(data["invitations"]) == 2 and data["customer_of"] == [] and data["accounts"] == []

    copy = tmp_path / "copy.html"
    html = runner.invoke(
        symmetry, ["privacy", "export", demo["manager"], "--format", "html", "--lang", "fr", "--out", str(copy)],
        env=cli_env,
    )  # fmt: skip
    assert html.exit_code == 0, html.output
    text = copy.read_text()
    assert "Comptes (1)" in text and "Équipes dirigées (1)" in text and demo["manager"] in text

    customer = json.loads(runner.invoke(symmetry, ["privacy", "export", demo["customer"]], env=cli_env).output)
    assert len(customer["customer_of"]) == 1 and customer["invitations"]

    kept = run_sync(_kept(clean_database))
    for email in (demo["employee"], demo["customer"], demo["manager"]):
        assert run_sync(_rows_naming(clean_database, email)), email  # the test would see them
        erased = runner.invoke(symmetry, ["privacy", "erase", email, "--yes"], env=cli_env)
        assert erased.exit_code == 0, erased.output
        assert run_sync(_rows_naming(clean_database, email, other=demo["look_alike"])) == [], email
        again = json.loads(runner.invoke(symmetry, ["privacy", "export", email], env=cli_env).output)
        assert all(again[key] == [] for key in again if isinstance(again[key], list)), again
    assert run_sync(_kept(clean_database)) == kept  # the closed waves' rates and results stand
    # The look-alike address is another person: still there, in the accounts, the audit log and the SSO roles.
    assert sorted(run_sync(_rows_naming(clean_database, demo["look_alike"]))) == [
        "audit_event", "sso_config", "user_account"
    ]  # fmt: skip

    events = run_sync(_events(clean_database, "privacy.erase"))
    assert len(events) == 3 and all(event.target.startswith("erased-") for event in events)
    assert len({event.target for event in events}) == 3  # a pseudonym per erasure, not one per e-mail's hash
    manager_erasure = next(event for event in events if event.details.get("accounts"))
    assert manager_erasure.details["teams managed"] == 1
    exports = run_sync(_events(clean_database, "privacy.export"))
    assert exports and not any("@" in json.dumps(event.details) + (event.target or "") for event in exports)


def test_the_last_administrator_is_not_erased_and_bad_e_mails_are_refused(
    demo: dict[str, Any], cli_env: dict[str, str], clean_database: Settings
) -> None:
    runner = CliRunner()
    refused = runner.invoke(symmetry, ["privacy", "erase", "admin@horizon.example", "--yes"], env=cli_env)
    assert refused.exit_code == 1 and "last active administrator" in refused.output
    assert run_sync(_rows_naming(clean_database, "admin@horizon.example")) == ["user_account"]
    malformed = runner.invoke(symmetry, ["privacy", "erase", "not-an-email", "--yes"], env=cli_env)
    assert malformed.exit_code == 2 and "malformed e-mail 'not-an-email'" in malformed.output
    asked = runner.invoke(symmetry, ["privacy", "erase", demo["employee"]], env=cli_env, input="n\n")
    assert asked.exit_code == 1 and run_sync(_rows_naming(clean_database, demo["employee"]))  # answered no


def test_admins_export_and_erase_on_the_web_and_the_notice_says_the_policy(
    demo: dict[str, Any], cli_env: dict[str, str], clean_database: Settings
) -> None:
    runner = CliRunner()
    set_notice = runner.invoke(
        symmetry, ["privacy", "notice", "--org", "demo", "--contact", "dpo@horizon.example", "--fr",
                   "Notre délégué répond sous un mois."], env=cli_env,
    )  # fmt: skip
    assert set_notice.exit_code == 0, set_notice.output
    too_long = runner.invoke(symmetry, ["privacy", "notice", "--org", "demo", "--en", "x" * 2001], env=cli_env)
    assert too_long.exit_code == 2 and "en: longer than 2000 characters" in too_long.output
    retention = runner.invoke(symmetry, ["retention", "set", "--org", "demo", "--answers", "400"], env=cli_env)
    assert retention.exit_code == 0, retention.output
    run_sync(_on_the_web(clean_database, demo))


async def _on_the_web(settings: Settings, demo: dict[str, Any]) -> None:
    app = create_app(settings)
    notice = await _anonymous_get(app, f"/notice/{demo['organisation_id']}?lang=fr")
    assert "dpo@horizon.example" in notice and "Notre délégué répond sous un mois." in notice
    assert "Les réponses sont supprimées : 400 jours après la clôture de l'enquête" in notice  # the policy set above
    assert await _anonymous_get(app, f"/notice/{uuid.uuid4()}", status=404)

    manager = await _signed_in(app, demo["manager"])
    try:  # one client at a time: each runs the app's lifespan
        refused = await manager.post(
            "/admin/privacy/erase",
            data={"email": demo["employee"], "confirm": demo["employee"], "_csrf_token": manager.cookies["csrftoken"]},
        )
        assert refused.status_code == 403
    finally:
        await manager.__aexit__(None, None, None)
    assert await _rows_naming(settings, demo["employee"])

    admin = await _signed_in(app, "admin@horizon.example")
    try:
        csrf = admin.cookies["csrftoken"]
        page = await admin.post("/admin/privacy/subject", data={"email": demo["employee"], "_csrf_token": csrf})
        assert page.status_code == 200 and demo["employee_team"] in page.text
        download = await admin.post(
            "/admin/privacy/subject", data={"email": demo["employee"], "format": "json", "_csrf_token": csrf}
        )
        assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
        assert json.loads(download.text)["email"] == demo["employee"]
        bad = await admin.post("/admin/privacy/subject", data={"email": "nope", "_csrf_token": csrf})
        assert bad.status_code == 422 and "nope" in bad.text
        unconfirmed = await admin.post(
            "/admin/privacy/erase", data={"email": demo["employee"], "confirm": "other@x.fr", "_csrf_token": csrf}
        )
        assert unconfirmed.status_code == 422 and await _rows_naming(settings, demo["employee"])
        erased = await admin.post(
            "/admin/privacy/erase", data={"email": demo["employee"], "confirm": demo["employee"], "_csrf_token": csrf}
        )
        assert erased.status_code == 200 and await _rows_naming(settings, demo["employee"]) == []
    finally:
        await admin.__aexit__(None, None, None)


async def _anonymous_get(app: object, url: str, *, status: int = 200) -> str:
    async with AsyncTestClient(app=app) as client:  # type: ignore[arg-type]
        response = await client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response.text


async def _events(settings: Settings, action: str) -> list[AuditEvent]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return list(await session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))
    finally:
        await config.get_engine().dispose()

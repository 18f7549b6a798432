"""Single sign-on in headless Chromium: a real authorization-code flow through the test OpenID Connect provider,
from Symmetry's sign-in page to the provider's form and back to the dashboard with the mapped role."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import sqlalchemy as sa

from surveys.accounts.models import Role, User
from surveys.db import alchemy_config
from surveys.org.models import Organisation
from surveys.settings import Settings
from surveys.sso.config import SsoForm, check_form
from surveys.sso.services import save_config
from tests.browser.conftest import SCREENSHOTS, free_port, serving
from tests.oidc_provider import ProviderUser, running_provider
from tests.support import run_sync

CLIENT_ID = "symmetry-browser"
CLIENT_SECRET = "the browser test's client secret"


async def _organisation(settings: Settings, issuer: str) -> uuid.UUID:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="globex", name="Globex")
            session.add(organisation)
            await session.flush()
            form = SsoForm(
                issuer=issuer,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                domains=["globex.example"],
                role_claim="groups",
                role_map=["symmetry-hr=hr_lead"],
                local_passwords=False,
            )
            checked = check_form(form, environment=settings.environment, has_secret=False)
            await save_config(session, organisation, checked, actor="test", database_url=settings.database_url)
            return organisation.id
    finally:
        await config.get_engine().dispose()


async def _account(settings: Settings, email: str) -> tuple[Role, uuid.UUID | None] | None:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            row = (await session.execute(sa.select(User.role, User.organisation_id).where(User.email == email))).first()
            return (row[0], row[1]) if row else None
    finally:
        await config.get_engine().dispose()


def test_a_user_signs_in_through_the_provider_and_lands_on_the_dashboard_as_hr_lead(
    chromium: Any, clean_database: Settings
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    settings = msgspec.structs.replace(clean_database, public_url=f"http://127.0.0.1:{port}")
    callback = f"{settings.public_url}/sso/callback"
    with running_provider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[callback]) as provider:
        provider.add_user(ProviderUser(sub="someone-else", email="someone@globex.example"))
        provider.add_user(ProviderUser(sub="ines-1", email="ines@globex.example", groups=["symmetry-hr"]))
        organisation_id = run_sync(_organisation(settings, provider.issuer))
        with serving(settings, port=port) as url:
            context = chromium.new_context(locale="fr-FR")
            page = context.new_page()
            page.goto(f"{url}/login")
            page.fill("#identity", "ines@globex.example")
            page.click("form[action='/sso/start'] button[type=submit]")
            page.wait_for_url(f"{provider.issuer}/authorize?**")
            assert "Test identity provider" in page.inner_text("h1")
            page.screenshot(path=str(SCREENSHOTS / "sso-provider.png"), full_page=True)
            page.check("#user-ines-1")
            page.click("#consent")
            page.wait_for_url(f"{url}/dashboard")
            assert page.locator("h1").inner_text() == "Vagues d'enquête"
            assert "ines@globex.example (responsable RH)" in page.inner_text(".who")
            assert page.locator("nav a[href='/waves/new']").count() == 1  # a lead's menu
            page.screenshot(path=str(SCREENSHOTS / "sso-dashboard.png"), full_page=True)
            context.close()
    assert provider.refusals == []
    assert run_sync(_account(settings, "ines@globex.example")) == (Role.HR_LEAD, organisation_id)
    assert run_sync(_account(settings, "someone@globex.example")) is None

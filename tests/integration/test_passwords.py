"""Forgotten and changed passwords: a link e-mailed once, single use, expiring; the same answer for any address."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import msgspec
import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from surveys.accounts.models import PasswordReset
from surveys.app import create_app
from surveys.audit.models import AuditEvent
from surveys.db import alchemy_config
from surveys.settings import Settings
from tests.integration.mailbox import Inbox
from tests.integration.world import EMAILS, PASSWORD, World

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def mailing_app(world: World, smtp: tuple[Inbox, int]) -> Litestar:
    settings: Settings = world.app.state.settings
    return create_app(
        msgspec.structs.replace(
            settings, smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_starttls=False, public_url="https://s.example"
        )
    )


async def _form(client: AsyncTestClient, path: str, data: dict[str, str]) -> object:  # type: ignore[type-arg]
    await client.get("/login")
    return await client.post(path, data={**data, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)


async def _sign_in(app: Litestar, email: str, password: str) -> int:
    async with AsyncTestClient(app=app) as client:
        response = await _form(client, "/login", {"email": email, "password": password})
        return int(response.status_code)  # type: ignore[attr-defined]


async def _session_of(app: Litestar, email: str) -> str:
    """The session cookie of a fresh sign-in (another browser)."""
    async with AsyncTestClient(app=app) as client:
        await _form(client, "/login", {"email": email, "password": PASSWORD})
        return str(client.cookies["session"])


async def _dashboard_status(app: Litestar, session_cookie: str) -> int:
    async with AsyncTestClient(app=app, cookies={"session": session_cookie}) as client:
        return int((await client.get("/dashboard", follow_redirects=False)).status_code)


async def _wait_for_mail(inbox: Inbox, count: int) -> None:
    for _ in range(200):
        if len(inbox.messages) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(inbox.messages)} e-mails, expected {count}")


async def test_a_forgotten_password_is_reset_once_through_the_e_mailed_link(
    mailing_app: Litestar, smtp: tuple[Inbox, int], world: World
) -> None:
    inbox, _ = smtp
    # Someone holds a session opened with the old password (the one who learnt it, say).
    holder = await _session_of(mailing_app, EMAILS["hr_lead"])
    assert await _dashboard_status(mailing_app, holder) == 200
    async with AsyncTestClient(app=mailing_app) as client:
        asked = await _form(client, "/password/forgot", {"email": EMAILS["hr_lead"].upper()})
        unknown = await _form(client, "/password/forgot", {"email": "nobody@alpha.example"})
        assert asked.status_code == unknown.status_code == 200  # type: ignore[attr-defined]
        assert asked.text == unknown.text  # type: ignore[attr-defined]  # nothing tells whether the account exists
        await _wait_for_mail(inbox, 1)
        await asyncio.sleep(0.3)
        assert [message["To"] for message in inbox.messages] == [EMAILS["hr_lead"]]
        body = inbox.messages[0].get_body(("plain",))
        assert body is not None
        found = re.search(r"https://s\.example(/password/reset/\S+)", str(body.get_content()))
        assert found
        link = found.group(1)
        assert (await client.get(link)).status_code == 200
        mismatch = await _form(client, link, {"password": NEW_PASSWORD, "confirmation": "something else entirely"})
        assert mismatch.status_code == 422 and "confirmation" in mismatch.text  # type: ignore[attr-defined]
        short = await _form(client, link, {"password": "short", "confirmation": "short"})
        assert short.status_code == 422 and "au moins 12 caractères" in short.text  # type: ignore[attr-defined]
        done = await _form(client, link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
        assert done.status_code == 303 and done.headers["location"] == "/login?reset=done"  # type: ignore[attr-defined]
        again = await _form(
            client, link, {"password": "yet another passphrase", "confirmation": "yet another passphrase"}
        )
        assert again.status_code == 410  # type: ignore[attr-defined]
        assert (await client.get(link)).status_code == 410
    assert await _dashboard_status(mailing_app, holder) == 303  # that session ended with the old password
    assert await _sign_in(mailing_app, EMAILS["hr_lead"], NEW_PASSWORD) == 303
    assert await _sign_in(mailing_app, EMAILS["hr_lead"], PASSWORD) == 401
    settings: Settings = world.app.state.settings
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            actions = list(await session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.occurred_at)))
            hashes = list(await session.scalars(sa.select(PasswordReset.token_hash)))
    finally:
        await config.get_engine().dispose()
    assert "password.reset" in actions and actions.count("password.reset_requested") == 2
    assert all(h is None or (len(h) == 64 and h not in link) for h in hashes)  # only the hash is stored


async def test_an_expired_link_does_not_work(mailing_app: Litestar, smtp: tuple[Inbox, int], world: World) -> None:
    inbox, _ = smtp
    async with AsyncTestClient(app=mailing_app) as client:
        await _form(client, "/password/forgot", {"email": EMAILS["cx_lead"]})
        await _wait_for_mail(inbox, 1)
        await asyncio.sleep(0.3)
        body = inbox.messages[0].get_body(("plain",))
        assert body is not None
        found = re.search(r"(/password/reset/\S+)", str(body.get_content()))
        assert found
        settings: Settings = world.app.state.settings
        config = alchemy_config(settings)
        try:
            async with config.get_session() as session, session.begin():
                await session.execute(
                    sa.update(PasswordReset).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
                )
        finally:
            await config.get_engine().dispose()
        assert (await client.get(found.group(1))).status_code == 410
        tried = await _form(client, found.group(1), {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
        assert tried.status_code == 410  # type: ignore[attr-defined]
    assert await _sign_in(mailing_app, EMAILS["cx_lead"], PASSWORD) == 303


async def test_reset_requests_are_throttled_per_account(mailing_app: Litestar) -> None:
    async with AsyncTestClient(app=mailing_app) as client:
        statuses = [
            (await _form(client, "/password/forgot", {"email": EMAILS["viewer"]})).status_code  # type: ignore[attr-defined]
            for _ in range(4)
        ]
    assert statuses == [200, 200, 200, 429]


async def test_a_signed_in_user_changes_their_password_with_the_current_one(world: World) -> None:
    elsewhere = await _session_of(world.app, EMAILS["manager"])
    assert await _dashboard_status(world.app, elsewhere) == 200
    async with AsyncTestClient(app=world.app) as client:
        await _form(client, "/login", {"email": EMAILS["manager"], "password": PASSWORD})
        before = client.cookies["session"]
        wrong = await _form(
            client, "/account/password", {"current": "not it", "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
        )
        assert wrong.status_code == 422 and "current" in wrong.text  # type: ignore[attr-defined]
        changed = await _form(
            client, "/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
        )
        assert changed.status_code == 200 and "Votre mot de passe est changé" in changed.text  # type: ignore[attr-defined]
        assert client.cookies["session"] != before
        assert (await client.get("/dashboard", follow_redirects=False)).status_code == 200
        changer = str(client.cookies["session"])
    # The session opened elsewhere with the old password has ended; the one that changed it goes on.
    assert await _dashboard_status(world.app, elsewhere) == 303
    assert await _dashboard_status(world.app, changer) == 200
    assert await _sign_in(world.app, EMAILS["manager"], NEW_PASSWORD) == 303
    assert await _sign_in(world.app, EMAILS["manager"], PASSWORD) == 401

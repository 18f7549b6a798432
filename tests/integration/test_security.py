"""The web app as an attacker meets it: planted sessions, forged cookies, guessed passwords, framing, caching."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient

from surveys.app import create_app
from surveys.audit.models import AuditEvent
from surveys.db import alchemy_config
from surveys.security.models import StoreEntry, ThrottleWindow
from surveys.settings import Settings
from tests.integration.world import EMAILS, PASSWORD, World, client_for
from tests.support import redis_reachable, redis_test_url


async def _sign_in(client: AsyncTestClient, email: str, password: str) -> int:  # type: ignore[type-arg]
    await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=False,
    )
    return response.status_code


async def _rows(settings: Settings, statement: sa.Select) -> list:  # type: ignore[type-arg]
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return list((await session.execute(statement)).all())
    finally:
        await config.get_engine().dispose()


async def test_a_planted_session_id_is_never_adopted_and_sign_in_rotates_the_id(world: World) -> None:
    planted = "ab" * 32  # well formed, but never issued by the server
    async with AsyncTestClient(app=world.app) as victim:
        victim.cookies.set("session", planted, domain="testserver.local")
        assert await _sign_in(victim, EMAILS["hr_lead"], PASSWORD) == 303
        issued = victim.cookies["session"]
        assert issued != planted
        assert (await victim.get("/dashboard", follow_redirects=False)).status_code == 200
    async with AsyncTestClient(app=world.app) as attacker:
        attacker.cookies.set("session", planted, domain="testserver.local")
        assert (await attacker.get("/dashboard", follow_redirects=False)).status_code == 303  # to the sign-in page


async def test_signing_in_again_replaces_the_session_and_the_old_id_stops_working(world: World) -> None:
    async with AsyncTestClient(app=world.app) as browser:
        assert await _sign_in(browser, EMAILS["hr_lead"], PASSWORD) == 303
        first = browser.cookies["session"]
        assert await _sign_in(browser, EMAILS["cx_lead"], PASSWORD) == 303
        assert browser.cookies["session"] != first
    async with AsyncTestClient(app=world.app) as replay:
        replay.cookies.set("session", first, domain="testserver.local")
        assert (await replay.get("/dashboard", follow_redirects=False)).status_code == 303


@pytest.mark.parametrize(
    "cookie",
    ["x" * 5000, "%00%ff", "null", "'; DROP TABLE store_entry; --", "ab" * 31 + "zz", "%C3%A9t%C3%A9", "a=b; c"],
)
async def test_a_malformed_session_cookie_is_no_session_never_a_500(world: World, cookie: str) -> None:
    async with AsyncTestClient(app=world.app) as client:
        client.cookies.set("session", cookie, domain="testserver.local")
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/dashboard", follow_redirects=False)).status_code == 303
        assert (await client.get("/login")).status_code == 200


async def test_respondents_get_no_session_cookie_and_no_session_row(world: World) -> None:
    settings: Settings = world.app.state.settings
    async with AsyncTestClient(app=world.app) as client:
        response = await client.get("/r/not-a-token")
        assert "session" not in response.cookies
    assert await _rows(settings, sa.select(StoreEntry.id)) == []


async def test_a_session_opened_at_one_process_is_valid_at_another_and_after_a_restart(world: World) -> None:
    settings: Settings = world.app.state.settings
    client = await client_for(world.app, "hr_lead")
    try:
        other_process = create_app(settings)
        async with AsyncTestClient(app=other_process) as elsewhere:
            elsewhere.cookies.set("session", client.cookies["session"], domain="testserver.local")
            assert (await elsewhere.get("/dashboard", follow_redirects=False)).status_code == 200
    finally:
        await client.__aexit__(None, None, None)


async def test_fifty_wrong_passwords_then_the_right_one_is_refused_with_retry_after_and_audited(world: World) -> None:
    settings: Settings = world.app.state.settings
    statuses = []
    async with AsyncTestClient(app=world.app) as attacker:
        for _ in range(50):
            statuses.append(await _sign_in(attacker, EMAILS["hr_lead"], "guess"))
        response = await attacker.post(
            "/login",
            data={"email": EMAILS["hr_lead"], "password": PASSWORD, "_csrf_token": attacker.cookies["csrftoken"]},
            follow_redirects=False,
        )
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) > 0
        assert "session" not in response.cookies
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    events = [row[0] for row in await _rows(settings, sa.select(AuditEvent.action))]
    assert events.count("login.failure") == 5 and events.count("login.throttled") == 46
    # The counters hold no e-mail address: only keyed hashes.
    keys = [row[0] for row in await _rows(settings, sa.select(ThrottleWindow.key))]
    assert keys and all(EMAILS["hr_lead"] not in key and len(key) == 64 for key in keys)
    # Another account from elsewhere is not locked out by this one.
    async with AsyncTestClient(app=world.app) as colleague:
        assert await _sign_in(colleague, EMAILS["cx_lead"], PASSWORD) == 303


async def test_the_open_link_limit_holds_across_two_processes(world: World) -> None:
    settings: Settings = world.app.state.settings
    limited = Settings(
        environment="test", database_url=settings.database_url, secret_key="shared", open_link_rate_limit=10
    )
    first, second = create_app(limited), create_app(limited)
    statuses = []
    async with AsyncTestClient(app=first) as a, AsyncTestClient(app=second) as b:
        for i in range(20):
            response = await (a if i % 2 else b).get("/o/no-such-code")
            statuses.append(response.status_code)
    assert statuses[:10] == [404] * 10
    assert set(statuses[10:]) == {429}


async def test_every_response_carries_the_security_headers_and_pages_are_not_cached(world: World) -> None:
    async with AsyncTestClient(app=world.app) as client:
        for path in ["/login", "/r/some-token", "/health", "/no-such-page", "/static/survey.css"]:
            response = await client.get(path)
            headers = response.headers
            assert "frame-ancestors 'none'" in headers["content-security-policy"], path
            assert "script-src 'none'" in headers["content-security-policy"]
            assert "unsafe-inline" not in headers["content-security-policy"]
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"
            assert "strict-transport-security" not in headers  # not in production
            if not path.startswith("/static/"):
                assert headers["cache-control"] == "no-store", path
    production = Settings(
        environment="production", database_url=world.app.state.settings.database_url, secret_key="k" * 32
    )
    async with AsyncTestClient(app=create_app(production), base_url="https://testserver.local") as client:
        assert "max-age=" in (await client.get("/health")).headers["strict-transport-security"]


@pytest.mark.parametrize("path", ["/o/%00", "/r/%00", "/no-such-page", "/waves/not-a-uuid", "/o/" + "x" * 5000])
async def test_odd_paths_get_a_page_in_the_visitors_language_not_a_500(world: World, path: str) -> None:
    async with AsyncTestClient(app=world.app) as client:
        french = await client.get(path, headers={"accept-language": "fr-FR,fr;q=0.9"}, follow_redirects=False)
        english = await client.get(path, headers={"accept-language": "en"}, follow_redirects=False)
    assert french.status_code in {303, 400, 404}, (path, french.status_code)
    if french.status_code != 303:
        assert french.headers["content-type"].startswith("text/html")
        assert '<html lang="fr"' in french.text and '<html lang="en"' in english.text


async def test_an_unexpected_error_is_logged_with_its_traceback_and_answered_with_a_page(
    world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import surveys.collection.controllers as controllers

    async def broken(*_: object, **__: object) -> object:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(controllers, "invitation_questionnaire", broken)
    caplog.set_level(logging.ERROR, logger="surveys.errors")
    async with AsyncTestClient(app=world.app) as client:
        response = await client.get("/r/secret-token-value", headers={"accept-language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "fire" not in response.text
    record = next(r for r in caplog.records if r.name == "surveys.errors")
    assert record.exc_info is not None and "the disk is on fire" in str(record.exc_info[1])
    assert "/r/{token:str}" in record.getMessage() and "secret-token-value" not in caplog.text


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
async def test_with_redis_sessions_and_the_open_link_limit_are_shared_there(world: World) -> None:
    import secrets

    settings: Settings = world.app.state.settings
    shared = Settings(
        environment="test",
        database_url=settings.database_url,
        secret_key=secrets.token_urlsafe(16),  # fresh throttle keys whatever earlier runs left in Redis
        open_link_rate_limit=10,
        redis_url=redis_test_url(1),
        jobs="inline",
    )
    first, second = create_app(shared), create_app(shared)
    async with AsyncTestClient(app=first) as a, AsyncTestClient(app=second) as b:
        assert await _sign_in(a, EMAILS["hr_lead"], PASSWORD) == 303
        b.cookies.set("session", a.cookies["session"], domain="testserver.local")
        assert (await b.get("/dashboard", follow_redirects=False)).status_code == 200
        statuses = [(await (a if i % 2 else b).get("/o/no-such-code")).status_code for i in range(20)]
    assert statuses[:10] == [404] * 10 and set(statuses[10:]) == {429}
    assert await _rows(settings, sa.select(StoreEntry.id)) == []  # the sessions went to Redis

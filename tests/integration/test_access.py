"""Every route, walked with every role: who gets what, and refusals that never tell what exists."""

from __future__ import annotations

import re
import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient
from markupsafe import escape

from surveys.accounts.guards import REFUSAL as ENGLISH_REFUSAL
from surveys.catalog import translation
from tests.integration.world import EMAILS, SECRET, World, client_for

REFUSAL = str(escape(translation("fr").gettext(ENGLISH_REFUSAL)))  # as a French page shows it

ROLES = ["admin", "hr_lead", "cx_lead", "manager", "viewer", "other_org", "anonymous"]
ALL_SIGNED_IN = {"admin", "hr_lead", "cx_lead", "manager", "viewer", "other_org"}
LEADS = {"admin", "hr_lead", "cx_lead"}
ANY_LEADS = LEADS | {"other_org"}  # the other organisation's HR lead runs waves too, in their organisation only
OWN_ORG = {"admin", "hr_lead", "cx_lead", "manager", "viewer"}


def expected(method: str, path: str, role: str) -> set[int]:
    """Who gets what, route by route: the table this test holds the app to."""
    signed_in = role in ALL_SIGNED_IN
    to_login = {303}
    rules: dict[tuple[str, str], set[int]] = {
        ("GET", "/"): {302} if signed_in else to_login,
        ("GET", "/dashboard"): {200} if signed_in else to_login,
        ("GET", "/waves/new"): {200} if role in ANY_LEADS else ({403} if signed_in else to_login),
        ("POST", "/waves"): {422} if role in ANY_LEADS else ({403} if signed_in else to_login),
        ("GET", "/waves/{wave_id:uuid}"): {200} if role in OWN_ORG else ({403} if signed_in else to_login),
        ("GET", "/waves/{wave_id:uuid}/teams"): {200} if role in OWN_ORG else ({403} if signed_in else to_login),
        ("GET", "/waves/{wave_id:uuid}/teams/{team_id:uuid}"): (
            {200} if role in OWN_ORG - {"manager"} else ({403} if signed_in else to_login)
        ),
        ("POST", "/waves/{wave_id:uuid}/introduction"): (
            {303} if role in LEADS else ({403} if signed_in else to_login)  # both paragraphs emptied
        ),
        ("GET", "/waves/{wave_id:uuid}/emails"): {200} if role in LEADS else ({403} if signed_in else to_login),
        ("POST", "/waves/{wave_id:uuid}/closing-date"): (
            {422} if role in LEADS else ({403} if signed_in else to_login)  # no date given
        ),
        ("GET", "/waves/{wave_id:uuid}/confirm/{action:str}"): (
            {409} if role in LEADS else ({403} if signed_in else to_login)  # reminders without an SMTP server
        ),
        ("POST", "/waves/{wave_id:uuid}/{action:str}"): (
            {409} if role in LEADS else ({403} if signed_in else to_login)
        ),
        ("GET", "/waves/{wave_id:uuid}/reports"): (
            {200} if role in LEADS | {"manager"} else ({403} if signed_in else to_login)
        ),
        ("POST", "/waves/{wave_id:uuid}/reports/render"): (
            {303} if role in LEADS else ({403} if signed_in else to_login)
        ),
        ("GET", "/reports/{report_id:uuid}/download"): {403} if signed_in else to_login,  # no report in this world
        ("GET", "/waves/{wave_id:uuid}/exports"): (
            {409} if role in LEADS else ({403} if signed_in else to_login)  # the wave is open: nothing to export yet
        ),
        # Walked with responses.csv: response-level data is for admins only (the wave is open: 409 even for them).
        ("GET", "/waves/{wave_id:uuid}/exports/{file_name:str}"): (
            {409} if role == "admin" else ({403} if signed_in else to_login)
        ),
        ("GET", "/waves/{wave_id:uuid}/results"): {200} if role in LEADS else ({403} if signed_in else to_login),
        ("POST", "/waves/{wave_id:uuid}/teams/{team_id:uuid}/actions"): (
            {409} if role in LEADS else ({403} if signed_in else to_login)  # the wave is open; not the manager's team
        ),
        ("POST", "/actions/{action_id:uuid}/status"): {403} if signed_in else to_login,  # no such action
        ("GET", "/actions"): {200} if role in ANY_LEADS else ({403} if signed_in else to_login),
        ("GET", "/open-links"): (
            {200} if role == "admin" else ({303} if role in ANY_LEADS else ({403} if signed_in else to_login))
        ),
        ("GET", "/organisations/{organisation_id:uuid}/open-links"): (
            {200} if role in LEADS else ({403} if signed_in else to_login)
        ),
        ("POST", "/organisations/{organisation_id:uuid}/open-links"): (
            {303} if role in LEADS else ({403} if signed_in else to_login)
        ),
        # Until the walk's POST above has created the links (GETs are walked first), there is no link to show.
        ("GET", "/organisations/{organisation_id:uuid}/open-links/cards.pdf"): (
            {200, 404} if role in LEADS else ({403} if signed_in else to_login)
        ),
        ("GET", "/organisations/{organisation_id:uuid}/open-links/{team_id:uuid}/rotate"): (
            {200, 404} if role in LEADS else ({403} if signed_in else to_login)
        ),
        ("POST", "/organisations/{organisation_id:uuid}/open-links/{team_id:uuid}/rotate"): (
            {303} if role in LEADS else ({403} if signed_in else to_login)
        ),
        ("POST", "/organisations/{organisation_id:uuid}/open-links/{team_id:uuid}/repeat"): (
            {422} if role in LEADS else ({403} if signed_in else to_login)  # no choice given
        ),
        # Instrument versions are global: every organisation's leads see them all and preview them.
        ("GET", "/instruments"): {200} if role in ANY_LEADS else ({403} if signed_in else to_login),
        ("POST", "/instruments"): {422} if role in ANY_LEADS else ({403} if signed_in else to_login),  # no file
        ("GET", "/instruments/{version_id:uuid}/preview"): (
            {200} if role in ANY_LEADS else ({403} if signed_in else to_login)
        ),
        ("POST", "/instruments/{version_id:uuid}/preview"): (
            {422} if role in ANY_LEADS else ({403} if signed_in else to_login)  # no answers
        ),
        ("GET", "/instruments/{version_id:uuid}/preview/done"): (
            {200} if role in ANY_LEADS else ({403} if signed_in else to_login)
        ),
        ("GET", "/org/import"): {200} if role in ANY_LEADS else ({403} if signed_in else to_login),
        ("POST", "/org/import"): {422} if role in ANY_LEADS else ({403} if signed_in else to_login),
        ("GET", "/admin/users"): {200} if role == "admin" else ({403} if signed_in else to_login),
        ("POST", "/admin/users"): {422} if role == "admin" else ({403} if signed_in else to_login),
        ("POST", "/admin/users/{user_id:uuid}/role"): {303} if role == "admin" else ({403} if signed_in else to_login),
        ("GET", "/admin/audit"): {200} if role == "admin" else ({403} if signed_in else to_login),
        # Subject requests and notices: admins only; the notice itself is public (the survey pages link to it).
        ("GET", "/admin/privacy"): {200} if role == "admin" else ({403} if signed_in else to_login),
        ("POST", "/admin/privacy/subject"): {422} if role == "admin" else ({403} if signed_in else to_login),
        ("POST", "/admin/privacy/erase"): {422} if role == "admin" else ({403} if signed_in else to_login),
        ("POST", "/admin/privacy/notice/{organisation_id:uuid}"): (
            {303} if role == "admin" else ({403} if signed_in else to_login)  # nothing given: nothing changes
        ),
        ("GET", "/notice/{organisation_id:uuid}"): {200},
        # Single sign-on: only admins configure it (an empty form: 422); starting and completing it are public (no
        # address given: 422; a callback this session did not start: 400).
        ("GET", "/organisations/{organisation_id:uuid}/sso"): (
            {200} if role == "admin" else ({403} if signed_in else to_login)
        ),
        ("POST", "/organisations/{organisation_id:uuid}/sso"): (
            {422} if role == "admin" else ({403} if signed_in else to_login)
        ),
        ("POST", "/organisations/{organisation_id:uuid}/sso/remove"): (
            {303} if role == "admin" else ({403} if signed_in else to_login)  # none configured: nothing to remove
        ),
        ("POST", "/sso/start"): {422},
        ("GET", "/sso/callback"): {400},
        ("POST", "/logout"): {303},
        ("GET", "/login"): {200},
        ("GET", "/password/forgot"): {200},
        ("POST", "/password/forgot"): {200},
        ("GET", "/password/reset/{token:str}"): {410},
        ("POST", "/password/reset/{token:str}"): {422},
        ("GET", "/account/password"): {200} if signed_in else to_login,
        ("POST", "/account/password"): {422} if signed_in else to_login,
        ("POST", "/account/language"): {422} if signed_in else to_login,
        ("POST", "/login"): {401},
        ("GET", "/health"): {200},
        ("GET", "/schema"): {200},
        ("GET", "/schema/openapi.json"): {200},
        ("GET", "/schema/{path:str}"): {200},
        ("GET", "/thanks"): {200},
        ("GET", "/r/{token:str}"): {404},
        ("POST", "/r/{token:str}"): {404},
        ("GET", "/o/{code:str}"): {404},
        ("POST", "/o/{code:str}"): {404},
        ("GET", "/o/{code:str}/qr.svg"): {404},
        ("GET", "/o/{code:str}/qr.png"): {404},
        ("POST", "/api/v1/responses"): {404},
        ("GET", "/static/{file_path:path}"): {200},
    }
    return rules[method, path]


def concrete(path: str, world: World) -> str:
    values = {
        "wave_id": str(world.wave_id),
        "version_id": str(world.version_id),
        "organisation_id": str(world.alpha_id),
        "team_id": str(world.other_team),
        "user_id": str(world.viewer_id),
        "report_id": str(uuid.uuid4()),
        "action_id": str(uuid.uuid4()),
        "action": "remind",
        "file_name": "responses.csv",
        "token": "no-such-token",
        "code": "no-such-code",
        "file_path": "survey.css",
        "path": "openapi.json",
    }
    return re.sub(r"\{(\w+):\w+\}", lambda match: values[match.group(1)], path)


def routes(app: Litestar) -> list[tuple[str, str]]:
    found = set()
    for route in app.routes:
        for method in getattr(route, "methods", set()):
            if method not in {"HEAD", "OPTIONS"}:
                found.add((method, route.path))
    return sorted(found)


async def test_every_route_with_every_role(world: World) -> None:
    table_paths = {(m, p) for m, p in routes(world.app)}
    for method, path in table_paths:
        expected(method, path, "admin")  # a route missing from the table fails here: add it there
    for role in ROLES:
        client = await client_for(world.app, role)
        try:
            for method, path in sorted(table_paths):
                if path == "/logout":
                    continue  # would end this client's session; checked below
                url = concrete(path, world)
                if method == "GET":
                    response = await client.get(url, follow_redirects=False)
                elif path == "/api/v1/responses":
                    response = await client.post(url, json={"token": "no-such-token", "answers": {}})
                else:
                    data = {"_csrf_token": client.cookies.get("csrftoken", ""), "role": "viewer"}
                    response = await client.post(url, data=data, follow_redirects=False)
                assert response.status_code in expected(method, path, role), (role, method, url, response.status_code)
                if response.status_code == 403:
                    assert REFUSAL in response.text
                if role != "admin" and response.status_code < 400:
                    assert SECRET not in response.text, (role, url)
            logout = await client.post(
                "/logout", data={"_csrf_token": client.cookies.get("csrftoken", "")}, follow_redirects=False
            )
            assert logout.status_code == 303
            if role != "anonymous":
                assert (await client.get("/dashboard", follow_redirects=False)).status_code == 303
        finally:
            await client.__aexit__(None, None, None)


async def test_a_manager_sees_only_their_subtree(world: World) -> None:
    client = await client_for(world.app, "manager")
    try:
        page = await client.get(f"/waves/{world.wave_id}")
        assert page.status_code == 200
        assert "North one" in page.text and "North (N)" not in page.text.replace("<span", "")
        assert "South" not in page.text and "Head office" not in page.text
        assert (await client.get(f"/waves/{world.wave_id}/teams/{world.manager_team}")).status_code == 200
        refused = await client.get(f"/waves/{world.wave_id}/teams/{world.other_team}")
        missing = await client.get(f"/waves/{world.wave_id}/teams/{uuid.uuid4()}")
        elsewhere = await client.get(f"/waves/{uuid.uuid4()}")
        assert refused.status_code == missing.status_code == elsewhere.status_code == 403
        assert refused.text == missing.text == elsewhere.text  # nothing tells what exists
    finally:
        await client.__aexit__(None, None, None)


async def test_wrong_password_is_refused_and_audited(world: World) -> None:
    async with AsyncTestClient(app=world.app) as client:
        await client.get("/login")
        wrong = await client.post(
            "/login", data={"email": EMAILS["hr_lead"], "password": "nope", "_csrf_token": client.cookies["csrftoken"]}
        )
        unknown = await client.post(
            "/login",
            data={"email": "ghost@alpha.example", "password": "nope", "_csrf_token": client.cookies["csrftoken"]},
        )
    assert wrong.status_code == unknown.status_code == 401
    refusal = "Adresse e-mail ou mot de passe incorrect."
    assert refusal in wrong.text and refusal in unknown.text
    admin = await client_for(world.app, "admin")
    try:
        audit = await admin.get("/admin/audit")
        assert audit.text.count("login.failure") == 2
        assert "login.success" in audit.text
    finally:
        await admin.__aexit__(None, None, None)


async def test_a_lead_cannot_act_on_another_organisation(world: World) -> None:
    client = await client_for(world.app, "other_org")
    try:
        token = client.cookies["csrftoken"]
        alpha = await client.get("/dashboard")
        assert "Spring" not in alpha.text and "Beta wave" in alpha.text
        created = await client.post(
            "/waves",
            data={
                "_csrf_token": token,
                "organisation_id": str(world.alpha_id),
                "name": "Intrusion",
                "opens_on": "2026-05-01",
                "closes_on": "2026-05-31",
            },
            follow_redirects=False,
        )
        assert created.status_code == 403
        launched = await client.post(
            f"/waves/{world.wave_id}/close", data={"_csrf_token": token}, follow_redirects=False
        )
        assert launched.status_code == 403
    finally:
        await client.__aexit__(None, None, None)

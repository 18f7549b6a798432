"""Single sign-on against a real OpenID Connect provider started for each test (tests/oidc_provider.py).

Every sign-in goes the whole way over HTTP: Symmetry's start, the provider's form, its redirect, Symmetry's callback,
which exchanges the code and checks the ID token. Refusals show a page, create no account and sign nobody in.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import AsyncTestClient
from markupsafe import escape

from surveys.accounts.models import PasswordReset, Role, User
from surveys.accounts.services import create_user
from surveys.app import create_app
from surveys.audit.models import AuditEvent
from surveys.catalog import translation
from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.explained import Explained
from surveys.org.models import Organisation
from surveys.settings import Settings
from surveys.sso.config import SsoConfigError, SsoForm, check_form, issuer_problem
from surveys.sso.flow import FAILED
from surveys.sso.models import SsoConfig, SsoDomain
from surveys.sso.services import account_for, save_config
from tests.oidc_provider import OidcProvider, ProviderUser, running_provider
from tests.support import run_sync

CLIENT_ID = "symmetry-test-client"
CLIENT_SECRET = "the client secret, never shown"
PASSWORD = "a long enough password"
ADMIN = "admin@acme.example"


@dataclass
class Site:
    app: Litestar
    settings: Settings
    provider: OidcProvider
    acme_id: uuid.UUID
    other_id: uuid.UUID


async def _in_session(settings: Settings, work: Any) -> Any:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            return await work(session)
    finally:
        await config.get_engine().dispose()


async def configure(
    settings: Settings, organisation_id: uuid.UUID, issuer: str, *, local_passwords: bool = True, **fields: Any
) -> None:
    form = SsoForm(
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        domains=fields.get("domains", ["acme.example"]),
        role_claim=fields.get("role_claim", "groups"),
        role_map=fields.get("role_map", ["symmetry-hr=hr_lead", "symmetry-cx=cx_lead"]),
        email_roles=fields.get("email_roles", []),
        local_passwords=local_passwords,
    )

    async def save(session: Any) -> None:
        organisation = await session.get(Organisation, organisation_id)
        checked = check_form(form, environment=settings.environment, has_secret=False)
        await save_config(session, organisation, checked, actor="test", database_url=settings.database_url)

    await _in_session(settings, save)


@pytest.fixture
def provider(clean_database: Settings) -> Iterator[OidcProvider]:
    callback = f"{clean_database.public_url}/sso/callback"
    with running_provider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[callback]) as provider:
        yield provider


@pytest.fixture
async def site(clean_database: Settings, provider: OidcProvider) -> Site:
    async def build(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
        acme = Organisation(id=uuid.uuid4(), slug="acme", name="Acme")
        other = Organisation(id=uuid.uuid4(), slug="other", name="Other")
        session.add_all([acme, other])
        await session.flush()
        await create_user(session, email=ADMIN, password=PASSWORD, role=Role.ADMIN, organisation_id=None)
        return acme.id, other.id

    acme_id, other_id = await _in_session(clean_database, build)
    await configure(clean_database, acme_id, provider.issuer)
    return Site(create_app(clean_database), clean_database, provider, acme_id, other_id)


def visitor(site: Site) -> AsyncTestClient[Litestar]:
    """A browser of its own, on an app of its own: two test clients never share one app's lifespan."""
    return AsyncTestClient(app=create_app(site.settings))


@pytest.fixture
async def client(site: Site) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=site.app) as test_client:
        yield test_client


def french(message: str | Explained) -> str:
    """A message as the (French, by default) page shows it, escaped."""
    gettext = translation("fr").gettext
    return str(escape(message.render(gettext) if isinstance(message, Explained) else gettext(message)))


async def at_provider(
    client: AsyncTestClient[Litestar], provider: OidcProvider, identity: str, sub: str, *, consent: str = "yes"
) -> str:
    """Start at Symmetry, be `sub` at the provider: the callback URL (path and query) the provider redirects to."""
    await client.get("/login")
    started = await client.post(
        "/sso/start", data={"identity": identity, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False
    )
    assert started.status_code == 200, started.text
    link = re.search(r'<a id="continue" class="button primary" href="([^"]+)">', started.text)
    assert link is not None
    authorize = html.unescape(link.group(1))
    assert f'<meta http-equiv="refresh" content="0; url={link.group(1)}">' in started.text
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{provider.issuer}/authorize?")
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    async with httpx.AsyncClient(trust_env=False) as browser:
        page = await browser.get(authorize)
        assert page.status_code == 200, page.text
        hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
        fields = {name: html.unescape(value) for name, value in hidden}
        answer = await browser.post(f"{provider.issuer}/authorize", data={**fields, "user": sub, "consent": consent})
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["location"])
    assert callback.path == "/sso/callback"
    return f"{callback.path}?{callback.query}"


async def sign_in(
    client: AsyncTestClient[Litestar], provider: OidcProvider, user: ProviderUser, identity: str | None = None
) -> httpx.Response:
    callback = await at_provider(client, provider, identity or user.email, user.sub)
    return await client.get(callback, follow_redirects=False)


async def accounts(settings: Settings) -> dict[str, tuple[Role, uuid.UUID | None]]:
    async def read(session: Any) -> dict[str, tuple[Role, uuid.UUID | None]]:
        rows = await session.execute(sa.select(User.email, User.role, User.organisation_id))
        return {email: (role, organisation) for email, role, organisation in rows}

    result: dict[str, tuple[Role, uuid.UUID | None]] = await _in_session(settings, read)
    return result


async def audit(settings: Settings) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    async def read(session: Any) -> list[tuple[str, str, str | None, dict[str, Any]]]:
        rows = await session.execute(
            sa.select(AuditEvent.action, AuditEvent.actor, AuditEvent.target, AuditEvent.details).order_by(
                AuditEvent.occurred_at
            )
        )
        return [tuple(row) for row in rows]

    result: list[tuple[str, str, str | None, dict[str, Any]]] = await _in_session(settings, read)
    return result


async def signed_in(client: AsyncTestClient[Litestar]) -> bool:
    return (await client.get("/dashboard", follow_redirects=False)).status_code == 200


async def test_first_sign_in_creates_a_viewer_and_lands_on_the_dashboard(
    site: Site, client: AsyncTestClient[Litestar]
) -> None:
    alice = site.provider.add_user(ProviderUser(sub="alice-1", email="Alice@Acme.example"))
    response = await sign_in(client, site.provider, alice, identity="alice@acme.example")
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    dashboard = await client.get("/dashboard")
    assert dashboard.status_code == 200 and "alice@acme.example" in dashboard.text
    assert (await accounts(site.settings))["alice@acme.example"] == (Role.VIEWER, site.acme_id)
    events = await audit(site.settings)
    assert ("user.create", "sso", "alice@acme.example", {"role": "viewer", "via": "sso"}) in events
    assert ("login.success", "alice@acme.example", None, {"method": "sso"}) in events
    # Nothing the flow carried is kept: no code, no token, no secret in the audit log.
    trail = json.dumps([list(event) for event in events])
    assert site.provider.issued_codes and all(code not in trail for code in site.provider.issued_codes)
    assert all(token not in trail for token in site.provider.access_tokens)
    assert CLIENT_SECRET not in trail
    # The account has no password: the password form never signs it in.
    refused = await client.post(
        "/login",
        data={"email": "alice@acme.example", "password": "!sso", "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=False,
    )
    assert refused.status_code == 401


async def test_the_organisation_is_found_by_its_slug_too(site: Site, client: AsyncTestClient[Litestar]) -> None:
    user = site.provider.add_user(ProviderUser(sub="s-1", email="sam@acme.example"))
    response = await sign_in(client, site.provider, user, identity="ACME")
    assert response.status_code == 303
    assert "sam@acme.example" in await accounts(site.settings)


async def test_a_mapped_claim_gives_hr_lead_and_each_sign_in_applies_the_mapping(
    site: Site, client: AsyncTestClient[Litestar]
) -> None:
    bob = site.provider.add_user(ProviderUser(sub="bob-1", email="bob@acme.example", groups=["staff", "symmetry-hr"]))
    assert (await sign_in(client, site.provider, bob)).status_code == 303
    assert (await accounts(site.settings))["bob@acme.example"] == (Role.HR_LEAD, site.acme_id)
    assert (await client.get("/waves/new")).status_code == 200  # a lead's page
    bob.groups = ["staff", "symmetry-cx"]
    async with visitor(site) as again:
        assert (await sign_in(again, site.provider, bob)).status_code == 303
    assert (await accounts(site.settings))["bob@acme.example"][0] is Role.CX_LEAD
    bob.groups = ["staff"]
    async with visitor(site) as lowered:
        assert (await sign_in(lowered, site.provider, bob)).status_code == 303
        assert (await lowered.get("/waves/new")).status_code == 403
    assert (await accounts(site.settings))["bob@acme.example"][0] is Role.VIEWER
    changes = [event[3] for event in await audit(site.settings) if event[0] == "user.role_change"]
    assert changes == [
        {"from": "hr_lead", "to": "cx_lead", "via": "sso"},
        {"from": "cx_lead", "to": "viewer", "via": "sso"},
    ]


async def test_an_email_mapping_comes_before_the_claim(site: Site, client: AsyncTestClient[Litestar]) -> None:
    await configure(site.settings, site.acme_id, site.provider.issuer, email_roles=["dana@acme.example=manager"])
    dana = site.provider.add_user(ProviderUser(sub="d-1", email="dana@acme.example", groups=["symmetry-hr"]))
    assert (await sign_in(client, site.provider, dana)).status_code == 303
    assert (await accounts(site.settings))["dana@acme.example"][0] is Role.MANAGER


async def test_a_wrong_state_is_refused_and_creates_nothing(site: Site, client: AsyncTestClient[Litestar]) -> None:
    carol = site.provider.add_user(ProviderUser(sub="carol-1", email="carol@acme.example"))
    callback = await at_provider(client, site.provider, carol.email, carol.sub)
    parts = urlsplit(callback)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    forged = f"{parts.path}?{urlencode({**query, 'state': 'not-the-state-sent'})}"
    response = await client.get(forged, follow_redirects=False)
    assert response.status_code == 400
    assert french(FAILED) in response.text
    assert "carol@acme.example" not in await accounts(site.settings)
    assert not await signed_in(client)
    # The pending sign-in was used up by the forged callback: the genuine one no longer works either.
    assert (await client.get(callback, follow_redirects=False)).status_code == 400
    assert site.provider.refusals == []  # never got as far as the code exchange
    refusals = [event[3]["reason"] for event in await audit(site.settings) if event[0] == "login.sso_refused"]
    assert refusals == ["state", "state"]


async def test_a_replayed_code_is_refused(site: Site, client: AsyncTestClient[Litestar]) -> None:
    erin = site.provider.add_user(ProviderUser(sub="erin-1", email="erin@acme.example"))
    first = await at_provider(client, site.provider, erin.email, erin.sub)
    assert (await client.get(first, follow_redirects=False)).status_code == 303
    assert (await client.get(first, follow_redirects=False)).status_code == 400  # the same callback again
    used_code = parse_qs(urlsplit(first).query)["code"][0]
    frank = site.provider.add_user(ProviderUser(sub="frank-1", email="frank@acme.example"))
    async with visitor(site) as other:
        second = urlsplit(await at_provider(other, site.provider, frank.email, frank.sub))
        state = parse_qs(second.query)["state"][0]
        response = await other.get(f"{second.path}?{urlencode({'code': used_code, 'state': state})}")
        assert response.status_code == 403 and french(FAILED) in response.text
        assert not await signed_in(other)
    assert site.provider.refusals == ["code used already"]
    assert "frank@acme.example" not in await accounts(site.settings)


@pytest.mark.parametrize(
    ("tampering", "reason"),
    [
        ("nonce", "nonce"),
        ("foreign_key", "signature"),
        ("audience", "claim aud"),
        ("expired", "claim exp"),
        ("issuer", "claim iss"),
        ("authorized_party", "claim azp"),
    ],
)
async def test_an_id_token_that_does_not_hold_is_refused(
    site: Site, client: AsyncTestClient[Litestar], tampering: Any, reason: str
) -> None:
    site.provider.tamper = tampering
    gina = site.provider.add_user(ProviderUser(sub="gina-1", email="gina@acme.example", groups=["symmetry-hr"]))
    response = await sign_in(client, site.provider, gina)
    assert response.status_code == 403
    assert french(FAILED) in response.text
    assert "gina@acme.example" not in await accounts(site.settings)
    assert not await signed_in(client)
    refusals = [event[3]["reason"] for event in await audit(site.settings) if event[0] == "login.sso_refused"]
    assert refusals == [reason]


async def test_an_unverified_email_is_refused(site: Site, client: AsyncTestClient[Litestar]) -> None:
    hugo = site.provider.add_user(ProviderUser(sub="hugo-1", email="hugo@acme.example", email_verified=False))
    response = await sign_in(client, site.provider, hugo)
    assert response.status_code == 403
    assert "hugo@acme.example" in response.text and french("Sign-in refused") in response.text
    assert "hugo@acme.example" not in await accounts(site.settings)
    assert not await signed_in(client)


async def test_an_email_outside_the_allowed_domains_is_refused(site: Site, client: AsyncTestClient[Litestar]) -> None:
    ivy = site.provider.add_user(ProviderUser(sub="ivy-1", email="ivy@elsewhere.example"))
    response = await sign_in(client, site.provider, ivy, identity="acme")
    assert response.status_code == 403
    assert "ivy@elsewhere.example" in response.text
    assert "ivy@elsewhere.example" not in await accounts(site.settings)
    assert not await signed_in(client)


async def test_an_account_of_another_organisation_or_an_admin_is_never_taken_over(
    site: Site, client: AsyncTestClient[Litestar]
) -> None:
    async def other_account(session: Any) -> None:
        await create_user(
            session, email="jack@acme.example", password=PASSWORD, role=Role.HR_LEAD, organisation_id=site.other_id
        )
        await create_user(
            session, email="kim@acme.example", password=PASSWORD, role=Role.ADMIN, organisation_id=site.acme_id
        )

    await _in_session(site.settings, other_account)
    before = await accounts(site.settings)
    for sub, email in [("jack-1", "jack@acme.example"), ("kim-1", "kim@acme.example"), ("admin-1", ADMIN)]:
        user = site.provider.add_user(ProviderUser(sub=sub, email=email, groups=["symmetry-hr"]))
        async with visitor(site) as guest:
            response = await sign_in(guest, site.provider, user)
            assert response.status_code == 403, email
            assert email in response.text
            assert not await signed_in(guest)
    assert await accounts(site.settings) == before
    reasons = [event[3]["reason"] for event in await audit(site.settings) if event[0] == "login.sso_refused"]
    assert reasons == ["other account"] * 3


async def test_a_deactivated_account_stays_refused(site: Site, client: AsyncTestClient[Litestar]) -> None:
    lea = site.provider.add_user(ProviderUser(sub="lea-1", email="lea@acme.example"))
    assert (await sign_in(client, site.provider, lea)).status_code == 303

    async def deactivate(session: Any) -> None:
        await session.execute(sa.update(User).where(User.email == lea.email).values(active=False))

    await _in_session(site.settings, deactivate)
    assert not await signed_in(client)
    async with visitor(site) as again:
        response = await sign_in(again, site.provider, lea)
        assert response.status_code == 403 and lea.email in response.text
        assert not await signed_in(again)


async def test_a_cancelled_consent_or_an_unknown_address_signs_nobody_in(
    site: Site, client: AsyncTestClient[Litestar]
) -> None:
    max_ = site.provider.add_user(ProviderUser(sub="max-1", email="max@acme.example"))
    callback = await at_provider(client, site.provider, max_.email, max_.sub, consent="no")
    assert "error=access_denied" in callback
    assert (await client.get(callback, follow_redirects=False)).status_code == 400
    unknown = await client.post(
        "/sso/start", data={"identity": "someone@nowhere.example", "_csrf_token": client.cookies["csrftoken"]}
    )
    assert unknown.status_code == 422
    shown = Explained(
        "No organisation signs in here through its own account with %(identity)s.", identity="someone@nowhere.example"
    )
    assert french(shown) in unknown.text
    assert "max@acme.example" not in await accounts(site.settings)


async def test_local_passwords_are_refused_once_switched_off_but_admins_keep_theirs(
    site: Site, client: AsyncTestClient[Litestar]
) -> None:
    async def lead(session: Any) -> None:
        await create_user(
            session, email="nina@acme.example", password=PASSWORD, role=Role.HR_LEAD, organisation_id=site.acme_id
        )
        await create_user(
            session, email="olga@acme.example", password=PASSWORD, role=Role.ADMIN, organisation_id=site.acme_id
        )

    await _in_session(site.settings, lead)

    async def password_sign_in(email: str, password: str = PASSWORD) -> httpx.Response:
        async with visitor(site) as guest:
            await guest.get("/login")
            data = {"email": email, "password": password, "_csrf_token": guest.cookies["csrftoken"]}
            return await guest.post("/login", data=data, follow_redirects=False)

    async with visitor(site) as earlier:  # signed in with a password before the switch
        await earlier.get("/login")
        data = {"email": "nina@acme.example", "password": PASSWORD, "_csrf_token": earlier.cookies["csrftoken"]}
        assert (await earlier.post("/login", data=data, follow_redirects=False)).status_code == 303
        assert (await earlier.get("/dashboard", follow_redirects=False)).status_code == 200
        await configure(site.settings, site.acme_id, site.provider.issuer, local_passwords=False)
        assert (await earlier.get("/dashboard", follow_redirects=False)).status_code == 303  # that session ended
    refused = await password_sign_in("nina@acme.example")
    assert refused.status_code == 403
    message = "Your organisation signs in through its own account: use the button below, not a password."
    assert french(message) in refused.text
    wrong = await password_sign_in("nina@acme.example", "a wrong password entirely")
    assert wrong.status_code == 403 and french(message) in wrong.text  # the same, right password or not
    assert (await password_sign_in(ADMIN)).status_code == 303  # admins keep theirs, without an organisation
    assert (await password_sign_in("olga@acme.example")).status_code == 303  # or in it
    assert (await password_sign_in("olga@acme.example", "a wrong password entirely")).status_code == 403
    async with visitor(site) as guest:
        await guest.get("/password/forgot")
        data = {"email": "nina@acme.example", "_csrf_token": guest.cookies["csrftoken"]}
        assert (await guest.post("/password/forgot", data=data)).status_code == 200

    async def resets(session: Any) -> int:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)))

    assert await _in_session(site.settings, resets) == 0
    nina = site.provider.add_user(ProviderUser(sub="nina-1", email="nina@acme.example", groups=["symmetry-hr"]))
    assert (await sign_in(client, site.provider, nina)).status_code == 303  # through the provider, still
    assert await signed_in(client)


def test_the_issuer_is_https_except_on_this_machine_outside_production() -> None:
    assert issuer_problem("https://login.example.fr/realms/staff", "production") is None
    assert issuer_problem("http://127.0.0.1:8080", "test") is None
    assert issuer_problem("http://localhost:8080", "development") is None
    assert str(issuer_problem("http://127.0.0.1:8080", "production")).startswith("must be https")
    assert str(issuer_problem("http://login.example.fr", "test")) == "must be https"
    assert issuer_problem("https://login.example.fr/?tenant=1", "test") is not None
    assert issuer_problem("not a url", "test") is not None


async def test_the_admin_page_names_each_wrong_field_and_changes_nothing(site: Site) -> None:
    async with visitor(site) as admin:
        await admin.get("/login")
        data = {"email": ADMIN, "password": PASSWORD, "_csrf_token": admin.cookies["csrftoken"]}
        assert (await admin.post("/login", data=data, follow_redirects=False)).status_code == 303
        page = await admin.get(f"/organisations/{site.other_id}/sso")
        assert page.status_code == 200 and CLIENT_SECRET not in page.text
        wrong = {
            "_csrf_token": admin.cookies["csrftoken"],
            "issuer": "http://login.other.example",
            "client_id": "",
            "client_secret": "",
            "domains": "acme.example, not_a_domain",
            "role_claim": "",
            "role_map": "symmetry-admins=admin",
            "email_roles": "boss@elsewhere.example=hr_lead",
            "local_passwords_off": "on",
        }
        refused = await admin.post(f"/organisations/{site.other_id}/sso", data=wrong, follow_redirects=False)
        assert refused.status_code == 422
        for problem in [
            "must be https",
            "required",
            "not a domain name: %(values)s",
            "%(entry)s: the role must be %(roles)s",
        ]:
            assert translation("fr").gettext(problem).split("%")[0] in html.unescape(refused.text), problem
        for field in ["issuer", "client_id", "client_secret", "domains", "role_map"]:
            assert f'id="{field}-error"' in refused.text, field
        taken = {**wrong, "issuer": "https://login.other.example", "client_id": "other", "client_secret": "s3cret",
                 "domains": "other.example, acme.example", "role_map": "", "email_roles": ""}  # fmt: skip
        refused_domain = await admin.post(f"/organisations/{site.other_id}/sso", data=taken, follow_redirects=False)
        assert refused_domain.status_code == 422
        assert "acme.example" in refused_domain.text and "acme" in refused_domain.text
        assert 'id="domains-error"' in refused_domain.text

        async def stored(session: Any) -> tuple[int, int]:
            configs = await session.scalar(
                sa.select(sa.func.count()).select_from(SsoConfig).where(SsoConfig.organisation_id == site.other_id)
            )
            domains = await session.scalar(
                sa.select(sa.func.count()).select_from(SsoDomain).where(SsoDomain.organisation_id == site.other_id)
            )
            return int(configs), int(domains)

        assert await _in_session(site.settings, stored) == (0, 0)
        good = {**taken, "domains": "other.example", "role_claim": "roles", "role_map": "Symmetry HR, Paris=hr_lead"}
        saved = await admin.post(f"/organisations/{site.other_id}/sso", data=good, follow_redirects=False)
        assert saved.status_code == 303
        shown = await admin.get(saved.headers["location"])
        assert "https://login.other.example" in shown.text and "Symmetry HR, Paris=hr_lead" in shown.text
        assert "s3cret" not in shown.text
    assert await _in_session(site.settings, stored) == (1, 1)
    configured = [event for event in await audit(site.settings) if event[0] == "sso.configure"]
    assert configured[-1][2] == "other" and configured[-1][3]["secret_changed"] is True
    assert "s3cret" not in json.dumps([list(event) for event in configured])


def test_an_http_issuer_off_this_machine_is_refused_by_the_checks() -> None:
    form = SsoForm(issuer="http://idp.example", client_id="c", client_secret="s", domains=["a.fr"])
    with pytest.raises(SsoConfigError) as refused:
        check_form(form, environment="test", has_secret=False)
    assert list(refused.value.problems) == ["issuer"]


def test_the_command_sets_and_shows_without_the_secret(site: Site, cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    arguments = [
        "sso", "set", "--org", "other", "--issuer", "https://login.other.example/realms/staff", "--client-id", "cli",
        "--client-secret-env", "OTHER_SSO_SECRET", "--domains", "other.example,other.fr",
        "--role-claim", "groups", "--role-map", "leads=hr_lead,cx=cx_lead", "--no-local-passwords",
    ]  # fmt: skip
    result = runner.invoke(symmetry, arguments, env={**cli_env, "OTHER_SSO_SECRET": "cli-secret-value"})
    assert result.exit_code == 0, result.output
    shown = runner.invoke(symmetry, ["sso", "show", "--json"], env=cli_env)
    assert shown.exit_code == 0, shown.output
    assert "cli-secret-value" not in shown.output and CLIENT_SECRET not in shown.output
    rows = {row["organisation"]: row for row in json.loads(shown.output)}
    assert rows["other"] == {
        "organisation": "other",
        "issuer": "https://login.other.example/realms/staff",
        "client_id": "cli",
        "domains": ["other.example", "other.fr"],
        "role_claim": "groups",
        "role_map": {"leads": "hr_lead", "cx": "cx_lead"},
        "email_roles": {},
        "local_passwords": False,
    }
    assert rows["acme"]["local_passwords"] is True
    table = runner.invoke(symmetry, ["sso", "show", "--org", "other"], env=cli_env)
    assert table.exit_code == 0 and "other.example" in table.output and "cli-secret-value" not in table.output

    async def sealed(session: Any) -> bytes:
        return bytes(
            await session.scalar(
                sa.select(SsoConfig.client_secret_sealed).where(SsoConfig.organisation_id == site.other_id)
            )
        )

    assert b"cli-secret-value" not in run_sync(_in_session(site.settings, sealed))
    refused = runner.invoke(
        symmetry,
        ["sso", "set", "--org", "other", "--issuer", "http://idp.example", "--client-id", "cli", "--domains", "x"],
        env=cli_env,
    )
    assert refused.exit_code == 2
    assert "--issuer: must be https" in refused.output and "--domains: not a domain name: x" in refused.output
    events = [event for event in run_sync(audit(site.settings)) if event[0] == "sso.configure"]
    assert len(events) == 2  # the fixture's and the command's first; the refused one stored nothing
    assert "cli-secret-value" not in json.dumps([list(event) for event in events])


async def test_two_first_sign_ins_at_once_make_one_account(site: Site) -> None:
    claims = {"email": "new@acme.example", "email_verified": True, "sub": "s-1", "groups": ["symmetry-hr"]}
    results = await asyncio.gather(
        *(_in_session(site.settings, lambda session: account_for(session, site.acme_id, claims)) for _ in range(2))
    )
    assert len({user.id for user in results}) == 1
    assert (await accounts(site.settings))["new@acme.example"] == (Role.HR_LEAD, site.acme_id)
    created = [event for event in await audit(site.settings) if event[0] == "user.create"]
    assert len(created) == 1  # audited once, by the sign-in that made it


def test_single_sign_on_can_be_stopped_and_passwords_come_back(site: Site, cli_env: dict[str, str]) -> None:
    async def lead(session: Any) -> None:
        await create_user(
            session, email="pia@acme.example", password=PASSWORD, role=Role.HR_LEAD, organisation_id=site.acme_id
        )

    run_sync(_in_session(site.settings, lead))
    run_sync(configure(site.settings, site.acme_id, site.provider.issuer, local_passwords=False))
    runner = CliRunner()
    removed = runner.invoke(symmetry, ["sso", "remove", "--org", "acme"], env=cli_env)
    assert removed.exit_code == 0, removed.output
    assert json.loads(runner.invoke(symmetry, ["sso", "show", "--json"], env=cli_env).output) == []
    again = runner.invoke(symmetry, ["sso", "remove", "--org", "acme"], env=cli_env)
    assert again.exit_code == 1 and "acme has no single sign-on to remove" in again.output
    assert [event for event in run_sync(audit(site.settings)) if event[0] == "sso.remove"]

    async def password_sign_in() -> int:
        async with visitor(site) as guest:
            await guest.get("/login")
            data = {"email": "pia@acme.example", "password": PASSWORD, "_csrf_token": guest.cookies["csrftoken"]}
            return (await guest.post("/login", data=data, follow_redirects=False)).status_code

    assert run_sync(password_sign_in()) == 303  # the passwords-off switch went with the configuration

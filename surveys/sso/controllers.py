"""The sign-in through an organisation's provider, and its configuration.

``/sso/start`` and ``/sso/callback`` are public; ``/organisations/{id}/sso`` is for admins.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.controllers import login_page, safe_next, signed_in
from surveys.accounts.guards import ADMINS, allow, visible_organisation
from surveys.accounts.models import User
from surveys.audit.services import record
from surveys.explained import N_, Explained
from surveys.org.models import Organisation
from surveys.security.throttle import Limit, Throttle, client_address
from surveys.settings import Settings
from surveys.sso.config import FIELD_LABELS, MAPPED_ROLES, SsoConfigError, SsoForm, check_form, split_lines, split_list
from surveys.sso.flow import FAILED, PendingSignIn, SsoRefusal, finish, start, state_matches
from surveys.sso.secret import SecretUnreadable
from surveys.sso.services import (
    account_for,
    config_of,
    organisation_for,
    provider_of,
    refuse,
    remove_config,
    save_config,
    views,
)

CALLBACK_PATH = "/sso/callback"
SESSION_KEY = "sso"
SSO_STARTS = Limit("sso-start", 30, 15 * 60)
"""Sign-ins started per client address: each one makes this server call a provider."""
PROVIDER_ERROR = re.compile(r"[a-z_]{1,40}")


def _refused(refusal: SsoRefusal) -> Template:
    # 400: a callback this session did not start or the provider did not complete; 502: the provider failed us.
    if refusal.reason in ("state", "expired") or refusal.reason.startswith("provider "):
        status = 400
    elif refusal.reason in ("unreachable", "discovery", "jwks", "userinfo", "secret"):
        status = 502
    else:
        status = 403
    return Template("admin/sso_refused.html", context={"message": refusal}, status_code=status)


def _pending(session: dict[str, Any]) -> PendingSignIn | None:
    try:
        return msgspec.convert(session.get(SESSION_KEY), PendingSignIn)
    except msgspec.ValidationError:
        return None


class SsoSignInController(Controller):
    """The sign-in through the organisation's identity provider (authorization code, PKCE, state, nonce)."""

    include_in_schema = False

    @post("/sso/start", exclude_from_auth=True, status_code=200)
    async def start_sign_in(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        """Find the organisation by the e-mail's domain (or its slug) and send the visitor on to its provider."""
        settings: Settings = request.app.state.settings
        throttle: Throttle = request.app.state.throttle
        retry_after = await throttle.hit(SSO_STARTS, client_address(request, settings), db_session)
        if retry_after is not None:
            await db_session.commit()
            raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})
        identity = data.get("identity", "").strip().lower()[:320]
        next_path = safe_next(data.get("next"))
        organisation_id = await organisation_for(db_session, identity) if identity else None
        if organisation_id is None:
            error = Explained(
                N_("No organisation signs in here through its own account with %(identity)s."), identity=identity
            )
            return login_page(next_path, sso_error=error, identity=identity, status_code=422)
        try:
            provider = await provider_of(db_session, organisation_id, settings.database_url)
        except SecretUnreadable:
            provider = None
        # The calls to the provider must not hold the request's transaction (on SQLite, the only write lock).
        await db_session.commit()
        if provider is None:
            return _refused(SsoRefusal("secret", FAILED))
        try:
            url, pending = await start(
                provider,
                redirect_uri=settings.public_url.rstrip("/") + CALLBACK_PATH,
                next_path=next_path,
                login_hint=identity if "@" in identity else None,
            )
        except SsoRefusal as refusal:
            await refuse(db_session, refusal, actor=identity, organisation_id=organisation_id)
            await db_session.commit()
            return _refused(refusal)
        request.set_session({**request.session, SESSION_KEY: msgspec.to_builtins(pending)})
        # A page that moves on by itself rather than a redirect: the sign-in form's CSP (form-action 'self') forbids
        # a form's redirect to another site, and a meta refresh is no form submission. No script needed.
        return Template("admin/sso_continue.html", context={"url": url})

    @get(CALLBACK_PATH, exclude_from_auth=True)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        code: FromQuery[str | None] = None,
        returned_state: Annotated[str | None, QueryParameter(name="state")] = None,
        error: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        """Complete the sign-in the provider sends back: state, code exchange, ID token, then the account."""
        settings: Settings = request.app.state.settings
        pending = _pending(request.session)
        if SESSION_KEY in request.session:  # used once, whatever happens next: a replayed callback finds nothing
            request.set_session({key: value for key, value in request.session.items() if key != SESSION_KEY})
        organisation_id = uuid.UUID(pending.organisation_id) if pending else None
        claims: dict[str, Any] = {}
        try:
            if pending is None or not state_matches(pending, returned_state):
                raise SsoRefusal("state", FAILED)
            if pending.expired():
                raise SsoRefusal("expired", FAILED)
            if error is not None or not code:
                shown = error if error and PROVIDER_ERROR.fullmatch(error) else "none"
                raise SsoRefusal(f"provider {shown}", FAILED)
            assert organisation_id is not None  # with `pending`
            try:
                provider = await provider_of(db_session, organisation_id, settings.database_url)
            except SecretUnreadable:
                provider = None
            if provider is None:
                raise SsoRefusal("secret", FAILED)
            await db_session.commit()  # as at the start: no transaction held while the provider answers
            redirect_uri = settings.public_url.rstrip("/") + CALLBACK_PATH
            claims = await finish(provider, pending, code=code, redirect_uri=redirect_uri)
            user = await account_for(db_session, organisation_id, claims)
        except SsoRefusal as refusal:
            actor = claims.get("email") if isinstance(claims.get("email"), str) else None
            await refuse(db_session, refusal, actor=str(actor or "(unknown)"), organisation_id=organisation_id)
            await db_session.commit()  # the refusal stays in the audit log although the answer is an error
            return _refused(refusal)
        await record(
            db_session,
            actor=user.email,
            action="login.success",
            organisation_id=user.organisation_id,
            details={"method": "sso"},
        )
        return signed_in(request, user, pending.next, settings)


class SsoSettingsController(Controller):
    """``/organisations/{id}/sso``: an organisation's single sign-on, for admins."""

    path = "/organisations/{organisation_id:uuid}/sso"
    guards = [allow(ADMINS)]  # noqa: RUF012 - Litestar's declared attribute
    include_in_schema = False

    async def _page(
        self,
        request: Request[User, Any, Any],
        db_session: AsyncSession,
        organisation: Organisation,
        *,
        values: dict[str, Any] | None = None,
        problems: dict[str, Any] | None = None,
        saved: bool = False,
        status_code: int = 200,
    ) -> Template:
        stored = await views(db_session, organisation.id)
        view = stored[0] if stored else None
        if values is None:
            values = {
                "issuer": view.issuer if view else "",
                "client_id": view.client_id if view else "",
                "domains": ", ".join(view.domains) if view else "",
                "role_claim": (view.role_claim or "") if view else "",
                "role_map": "\n".join(f"{value}={role}" for value, role in view.role_map) if view else "",
                "email_roles": "\n".join(f"{email}={role}" for email, role in view.email_roles.items()) if view else "",
                "local_passwords": view.local_passwords if view else True,
            }
        settings: Settings = request.app.state.settings
        context = {
            "user": request.user,
            "organisation": {"id": str(organisation.id), "name": organisation.name, "slug": organisation.slug},
            "configured": view is not None,
            "values": values,
            "problems": problems or {},
            "saved": saved,
            "roles": [role.value for role in MAPPED_ROLES],
            "fields": FIELD_LABELS,
            "callback": settings.public_url.rstrip("/") + CALLBACK_PATH,
        }
        return Template("admin/sso.html", context=context, status_code=status_code)

    @get("/")
    async def show(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        saved: FromQuery[bool] = False,
    ) -> Template:
        """The organisation's configuration (never its secret)."""
        organisation = await visible_organisation(db_session, request.user, organisation_id)
        return await self._page(request, db_session, organisation, saved=saved)

    @post("/", status_code=303)
    async def change(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Store the configuration, or show every problem beside its field and store nothing."""
        organisation = await visible_organisation(db_session, request.user, organisation_id)
        settings: Settings = request.app.state.settings
        values: dict[str, Any] = {
            name: data.get(name, "")
            for name in ("issuer", "client_id", "domains", "role_claim", "role_map", "email_roles")
        }
        values["local_passwords"] = data.get("local_passwords_off") != "on"
        form = SsoForm(
            issuer=values["issuer"],
            client_id=values["client_id"],
            client_secret=data.get("client_secret", ""),
            domains=split_list(values["domains"]),
            role_claim=values["role_claim"],
            role_map=split_lines(values["role_map"]),
            email_roles=split_lines(values["email_roles"]),
            local_passwords=values["local_passwords"],
        )
        try:
            existing = await config_of(db_session, organisation.id)
            checked = check_form(form, environment=settings.environment, has_secret=existing is not None)
            await save_config(
                db_session, organisation, checked, actor=request.user.email, database_url=settings.database_url
            )
        except SsoConfigError as error:
            return await self._page(
                request, db_session, organisation, values=values, problems=error.problems, status_code=422
            )
        return Redirect(f"/organisations/{organisation.id}/sso?saved=true", status_code=303)

    @post("/remove", status_code=303)
    async def remove(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Stop single sign-on for the organisation; its people sign in with passwords again."""
        organisation = await visible_organisation(db_session, request.user, organisation_id)
        await remove_config(db_session, organisation, actor=request.user.email)
        return Redirect(f"/organisations/{organisation.id}/sso", status_code=303)

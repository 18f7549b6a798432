"""Signing in and out, and the admins' user management."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import ADMINS, EVERYONE, allow
from surveys.accounts.models import Role, User
from surveys.accounts.passwords import change_password, request_reset, reset_is_usable, reset_password
from surveys.accounts.services import (
    PASSWORD_MIN_LENGTH,
    AccountError,
    authenticate,
    belongs_to_organisation,
    create_user,
    signed_in_session,
)
from surveys.audit.services import record
from surveys.catalog import LANGUAGES
from surveys.explained import N_, Explained, one_of
from surveys.i18n import language_cookie, message_page
from surveys.org.models import Organisation
from surveys.security.sessions import rotate_session
from surveys.security.throttle import Limit, Throttle, client_address
from surveys.settings import Settings
from surveys.sso.services import passwords_off
from surveys.worker.queue import defer

ACCOUNT_FAILURES = Limit("login-account", 5, 15 * 60)
"""Wrong passwords per account before its sign-in is refused for the rest of the window, the right one included."""
ADDRESS_FAILURES = Limit("login-address", 100, 15 * 60)
"""Wrong sign-ins per client address (many accounts tried from one place; a company behind one NAT is one address)."""


def safe_next(target: str | None) -> str:
    """Only a local path may follow a sign-in, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/dashboard"


def signed_in(request: Request[Any, Any, Any], user: User, next_path: str | None, settings: Settings) -> Redirect:
    """Open `user`'s session (with a new id) and go on to `next_path`, in the account's language."""
    rotate_session(request)  # a session id planted before sign-in never becomes the signed-in one
    request.set_session(signed_in_session(user))
    redirect = Redirect(safe_next(next_path), status_code=303)
    if user.language in LANGUAGES:
        redirect.cookies.append(language_cookie(user.language, secure=settings.environment == "production"))
    return redirect


def login_page(
    next_path: str,
    *,
    error: str | None = None,
    email: str = "",
    notice: str | None = None,
    sso_error: str | Exception | None = None,
    identity: str = "",
    status_code: int = 200,
) -> Template:
    """The sign-in page: the password form and the organisation's sign-in (`sso_error`: what stopped that one)."""
    context = {
        "next": next_path, "error": error, "email": email, "notice": notice, "sso_error": sso_error,
        "identity": identity,
    }  # fmt: skip
    return Template("admin/login.html", context=context, status_code=status_code)


async def _password_refused(db_session: AsyncSession, email: str, next_path: str | None) -> Template:
    """The password of someone whose organisation signs in only through its provider: refused, audited."""
    await record(db_session, actor=email, action="login.password_off", organisation_id=None)
    await db_session.commit()  # kept in the audit log although the answer is an error
    error = N_("Your organisation signs in through its own account: use the button below, not a password.")
    return login_page(safe_next(next_path), error=error, email=email, identity=email, status_code=403)


class SessionController(Controller):
    """``/login`` and ``/logout``."""

    include_in_schema = False

    @get("/login", exclude_from_auth=True)
    async def login_form(
        self, next_path: FromQuery[str | None] = None, reset: FromQuery[str | None] = None
    ) -> Template:
        """The sign-in form, and the sign-in through the organisation's own account."""
        notice = N_("Your new password is saved: sign in with it.") if reset == "done" else None
        return login_page(safe_next(next_path), notice=notice)

    @post("/login", exclude_from_auth=True, status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Check the credentials; the same message whatever was wrong. Throttled per account and per address."""
        email = data.get("email", "").strip().lower()[:320]
        settings: Settings = request.app.state.settings
        throttle: Throttle = request.app.state.throttle
        address = client_address(request, settings)
        limits = [(ACCOUNT_FAILURES, email)] if email else []  # no account has an empty e-mail
        limits.append((ADDRESS_FAILURES, address))
        retry_after = None
        for limit, subject in limits:
            retry_after = retry_after or await throttle.exceeded(limit, subject, db_session)
        if retry_after is not None:
            await record(db_session, actor=email or "(empty)", action="login.throttled", organisation_id=None)
            await db_session.commit()  # kept although the answer is an error
            raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})
        user = await authenticate(db_session, email, data.get("password", ""))
        # Where the organisation signs in through its provider only: by the address's domain, whatever the password
        # (wrong ones still count); an account outside its domains, as a wrong password, so that nothing is told.
        refused = await passwords_off(db_session, email, user)
        if refused == "domain":
            if user is None:
                for limit, subject in limits:
                    await throttle.hit(limit, subject, db_session)
            return await _password_refused(db_session, email, data.get("next"))
        if refused == "organisation":
            user = None
        await record(
            db_session,
            actor=email[:320] or "(empty)",
            action="login.success" if user else "login.failure",
            organisation_id=user.organisation_id if user else None,
        )
        if user is None:
            for limit, subject in limits:
                await throttle.hit(limit, subject, db_session)
            await db_session.commit()  # keep the failed attempt in the audit log although the answer is an error
            return login_page(
                safe_next(data.get("next")), error=N_("Wrong e-mail or password."), email=email, status_code=401
            )
        return signed_in(request, user, data.get("next"), settings)

    @post("/logout", status_code=303)
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session."""
        request.clear_session()
        return Redirect("/login", status_code=303)


RESET_REQUESTS_PER_ACCOUNT = Limit("reset-account", 3, 15 * 60)
RESET_REQUESTS_PER_ADDRESS = Limit("reset-address", 20, 15 * 60)


def _password_page(
    action: str, title: str, *, user: User | None, error: str | Exception | None = None, status: int = 200
) -> Template:
    context = {
        "user": user, "action": action, "title": title, "ask_current": user is not None, "error": error,
        "minimum": PASSWORD_MIN_LENGTH,
    }  # fmt: skip
    return Template("admin/password_set.html", context=context, status_code=status)


class PasswordController(Controller):
    """``/password/...`` (no account needed: a forgotten password) and ``/account/password`` (signed in)."""

    include_in_schema = False

    @get("/password/forgot", exclude_from_auth=True)
    async def forgot_form(self) -> Template:
        """Ask for a reset link."""
        return Template("admin/password_forgot.html", context={"sent": False})

    @post("/password/forgot", exclude_from_auth=True, status_code=200)
    async def forgot(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        """E-mail a reset link if the address has an account; the same answer either way. Throttled."""
        from surveys.mail.jobs import email_job

        settings: Settings = request.app.state.settings
        throttle: Throttle = request.app.state.throttle
        email = data.get("email", "").strip().lower()[:320]
        limits = [(RESET_REQUESTS_PER_ACCOUNT, email)] if email else []  # no account has an empty e-mail
        for limit, subject in [*limits, (RESET_REQUESTS_PER_ADDRESS, client_address(request, settings))]:
            retry_after = await throttle.hit(limit, subject, db_session)
            if retry_after is not None:
                await db_session.commit()
                raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})
        # No password to reset where the organisation signs in through its provider only: the same answer.
        account = await db_session.scalar(sa.select(User).where(User.email == email)) if email else None
        wanted = bool(email) and not await passwords_off(db_session, email, account)
        delivery_id = await request_reset(db_session, email) if wanted else None
        await record(db_session, actor=email or "(empty)", action="password.reset_requested", organisation_id=None)
        if delivery_id is not None and settings.smtp_enabled:
            defer(request, email_job(delivery_id, "new"))
        return Template("admin/password_forgot.html", context={"sent": True})

    @get("/password/reset/{token:str}", exclude_from_auth=True)
    async def reset_form(self, token: FromPath[str], db_session: NamedDependency[AsyncSession]) -> Template:
        """The new-password form of a link that still works."""
        if not await reset_is_usable(db_session, token):
            return message_page(None, N_("This link does not work: it was used already, or it has expired."), 410)
        return _password_page(f"/password/reset/{token}", N_("Choose a new password"), user=None)

    @post("/password/reset/{token:str}", exclude_from_auth=True, status_code=303)
    async def reset(
        self, token: FromPath[str], data: URLEncodedBody[dict[str, str]], db_session: NamedDependency[AsyncSession]
    ) -> Template | Redirect:
        """Set the new password; the link works once."""
        action = f"/password/reset/{token}"
        try:
            user = await reset_password(db_session, token, data.get("password", ""), data.get("confirmation", ""))
        except AccountError as error:
            return _password_page(action, N_("Choose a new password"), user=None, error=error, status=422)
        if user is None:
            return message_page(None, N_("This link does not work: it was used already, or it has expired."), 410)
        await record(db_session, actor=user.email, action="password.reset", organisation_id=user.organisation_id)
        return Redirect("/login?reset=done", status_code=303)

    @get("/account/password", guards=[allow(EVERYONE)])
    async def change_form(self, request: Request[User, Any, Any]) -> Template:
        """The signed-in user's new-password form."""
        return _password_page("/account/password", N_("Change your password"), user=request.user)

    @post("/account/password", guards=[allow(EVERYONE)], status_code=200)
    async def change(
        self,
        request: Request[User, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        """Replace the password once the current one is given; this session gets a new id, the others end."""
        user = request.user
        try:
            await change_password(
                db_session, user, data.get("current", ""), data.get("password", ""), data.get("confirmation", "")
            )
        except AccountError as error:
            return _password_page("/account/password", N_("Change your password"), user=user, error=error, status=422)
        await record(db_session, actor=user.email, action="password.change", organisation_id=user.organisation_id)
        rotate_session(request)
        request.set_session(signed_in_session(user))  # this session goes on; the others ended
        return message_page(user, N_("Your password is changed."), 200)

    @post("/account/language", guards=[allow(EVERYONE)], status_code=303)
    async def choose_language(
        self,
        request: Request[User, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Keep the user's language for the pages, then go back to the page they were on (a local path only)."""
        language = data.get("language", "")
        if language not in LANGUAGES:
            return message_page(request.user, N_("Choose French or English."), 422)
        await db_session.execute(sa.update(User).where(User.id == request.user.id).values(language=language))
        request.user.language = language
        redirect = Redirect(safe_next(data.get("next")), status_code=303)
        secure = request.app.state.settings.environment == "production"
        redirect.cookies.append(language_cookie(language, secure=secure))
        return redirect


class UsersController(Controller):
    """``/admin/users``: accounts and roles, for admins."""

    path = "/admin/users"
    guards = [allow(ADMINS)]  # noqa: RUF012 - Litestar's declared attribute
    include_in_schema = False

    async def _page(
        self, user: User, db_session: AsyncSession, error: str | Exception | None = None, status_code: int = 200
    ) -> Template:
        users = list(await db_session.scalars(sa.select(User).order_by(User.email)))
        organisations = list(await db_session.scalars(sa.select(Organisation).order_by(Organisation.slug)))
        names = {organisation.id: organisation.slug for organisation in organisations}
        return Template(
            "admin/users.html",
            context={
                "minimum": PASSWORD_MIN_LENGTH,
                "user": user,
                "users": users,
                "organisations": organisations,
                "names": names,
                "roles": list(Role),
                "error": error,
            },
            status_code=status_code,
        )

    @get("/")
    async def list_users(self, request: Request[User, Any, Any], db_session: NamedDependency[AsyncSession]) -> Template:
        """Every account."""
        return await self._page(request.user, db_session)

    @post("/", status_code=200)
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Create an account."""
        try:
            role = _role(data.get("role", ""))
            organisation_id = _organisation_id(data.get("organisation_id", ""))
            created = await create_user(
                db_session,
                email=data.get("email", ""),
                password=data.get("password", ""),
                role=role,
                organisation_id=organisation_id,
            )
        except (AccountError, ValueError) as error:
            return await self._page(request.user, db_session, error, 422)
        await record(
            db_session,
            actor=request.user.email,
            action="user.create",
            organisation_id=created.organisation_id,
            target=created.email,
            details={"role": role.value},
        )
        return Redirect("/admin/users", status_code=303)

    @post("/{user_id:uuid}/role", status_code=200)
    async def change_role(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[uuid.UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Give an account another role."""
        target = await db_session.get(User, user_id)
        try:
            role = _role(data.get("role", ""))
        except AccountError as error:
            return await self._page(request.user, db_session, error, 422)
        if target is None:
            return await self._page(request.user, db_session, AccountError("user", Explained(N_("no such user"))), 422)
        if role is not Role.ADMIN and target.organisation_id is None:
            return await self._page(request.user, db_session, belongs_to_organisation(role), 422)
        previous, target.role = target.role, role
        await record(
            db_session,
            actor=request.user.email,
            action="user.role_change",
            organisation_id=target.organisation_id,
            target=target.email,
            details={"from": previous.value, "to": role.value},
        )
        return Redirect("/admin/users", status_code=303)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise AccountError("role", one_of([role.value for role in Role])) from None


def _organisation_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        raise AccountError("organisation", Explained(N_("no such organisation"))) from None

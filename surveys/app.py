"""The composition root: ``create_app(settings)`` wires persistence, pages, the API and the OpenAPI schema."""

from __future__ import annotations

import gc
import uuid
from pathlib import Path
from typing import Any

import jinja2
from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore
from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
)
from litestar.middleware.session.server_side import ServerSideSessionBackend
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.security.session_auth import SessionAuth
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope

from surveys import i18n
from surveys.accounts.controllers import PasswordController, SessionController, UsersController
from surveys.accounts.guards import REFUSAL
from surveys.accounts.models import User
from surveys.accounts.services import session_is_current
from surveys.actions.controllers import ActionsController
from surveys.audit.controllers import AuditController
from surveys.collection.controllers import ResponseApiController, SurveyPagesController
from surveys.db import web_alchemy_config
from surveys.errors import http_error, unexpected_error
from surveys.exports.controllers import ExportsController
from surveys.health.controllers import HealthController
from surveys.instruments.controllers import InstrumentPagesController
from surveys.org.controllers import RosterController
from surveys.privacy.controllers import NoticeController, PrivacyAdminController
from surveys.reporting.controllers import ReportsController
from surveys.security.headers import security_headers
from surveys.security.models import StoreEntry
from surveys.security.sessions import SESSION_ID_BYTES, RotatingSessionConfig, session_writer
from surveys.security.throttle import Limit, Throttle, client_address
from surveys.settings import Settings
from surveys.sso.controllers import SsoSettingsController, SsoSignInController
from surveys.waves.controllers import WavePagesController
from surveys.waves.open_link_pages import OpenLinkPagesController
from surveys.worker.queue import InlineJobs, Jobs, QueueJobs, enqueue_after_commit, uses_queue
from surveys.worker.saq_queue import saq_queue
from surveys.worker.scheduler import InProcessSchedule

PACKAGE_DIR = Path(__file__).parent
OPEN_LINK_PREFIX = "/o/"
PUBLIC_PATHS = [
    "^/login$",
    "^/password/",
    "^/sso/",
    "^/r/",
    "^/o/",
    "^/thanks$",
    "^/notice/",
    "^/api/v1/responses",
    "^/health",
    "^/schema",
    "^/static/",
]
"""Routes that need no account: respondents' pages and API, health, schema, assets, sign-in (by password or through
the organisation's provider) and password resets."""
SESSION_HOURS = 8


def _templates() -> TemplateConfig[JinjaTemplateEngine]:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(environment)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


@get("/", include_in_schema=False)
async def home() -> Redirect:
    """Signed-in users land on their dashboard."""
    return Redirect("/dashboard")


def _unauthenticated(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[Any]:
    if request.url.path.startswith("/api/"):
        return Response({"status_code": 401, "detail": "Sign in first."}, status_code=401)
    return Redirect(f"/login?next_path={request.url.path}", status_code=303)


def _refused(request: Request[Any, Any, Any], _: PermissionDeniedException) -> Response[Any]:
    # One body for every refusal, so that it never tells whether the thing asked for exists.
    if request.url.path.startswith("/api/"):
        return Response({"status_code": 403, "detail": REFUSAL}, status_code=403)
    user = request.scope.get("user")
    context = {"user": user, "message": REFUSAL, "back_to": "/dashboard"}  # not the path asked for: one body
    return Template("admin/message.html", context=context, status_code=403)


def _session_store(settings: Settings, database: Any) -> Store:
    """Redis when configured, else the database: either way every web process reads every session."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.redis_url, namespace="symmetry-sessions")
    return SQLAlchemyStore(database, model=StoreEntry, namespace="sessions")


def create_app(settings: Settings | None = None, *, scheduler: bool = False) -> Litestar:
    """Build the web application from explicit settings, or from the environment when none are given.

    With `scheduler`, a process that runs its jobs itself (the embedded default, no queue) also runs the periodic
    work that workers run elsewhere: the sweep, and the waves due to open, be reminded or close
    (:func:`surveys.worker.scheduler.run_in_process`). ``symmetry serve`` asks for it; tests build apps without.
    """
    settings = settings or Settings.from_env()
    database = web_alchemy_config(settings)

    async def signed_in_user(session: dict[str, Any], _: ASGIConnection[Any, Any, Any, Any]) -> User | None:
        try:
            user_id = uuid.UUID(str(session.get("user_id")))
        except ValueError:
            return None
        async with database.get_session() as db_session:
            user = await db_session.get(User, user_id)
        return user if user is not None and session_is_current(session, user) else None

    sessions = RotatingSessionConfig(
        secure=settings.environment == "production",
        httponly=True,
        samesite="lax",
        max_age=SESSION_HOURS * 3600,
        session_id_bytes=SESSION_ID_BYTES,
        # No session where nobody signs in and answers arrive by the thousand: the API and the health checks.
        exclude=["^/api/v1/responses", "^/health"],
    )
    jobs: Jobs = QueueJobs(saq_queue(settings), settings) if uses_queue(settings) else InlineJobs(settings)
    periodic = InProcessSchedule(jobs, settings.sweep_seconds) if scheduler and isinstance(jobs, InlineJobs) else None
    commit = database.before_send_handler
    assert callable(commit)  # resolved by the config from its name
    write_sessions = session_writer(sessions)
    enqueue_jobs = enqueue_after_commit(jobs)

    async def commit_then_share(message: Message, scope: Scope) -> None:
        # The request's transaction commits first: on SQLite it holds the only write lock until then, and a job
        # must find the rows its request created.
        await commit(message, scope)  # type: ignore[misc]
        if message["type"] == "http.response.start":
            await write_sessions(scope)  # type: ignore[arg-type]
            await enqueue_jobs(scope, message["status"])  # type: ignore[arg-type]

    database.before_send_handler = commit_then_share
    session_auth = SessionAuth[User, ServerSideSessionBackend](
        retrieve_user_handler=signed_in_user, session_backend_config=sessions, exclude=PUBLIC_PATHS
    )
    throttle = Throttle(database.create_session_maker(), settings.secret_key, settings.redis_url)
    open_link_limit = Limit("open-link", settings.open_link_rate_limit, 60)

    async def throttle_open_links(request: Request[Any, Any, Any]) -> None:
        # Open links are public by design: throttle each client there, counted across every web process.
        if request.url.path.startswith(OPEN_LINK_PREFIX):
            retry_after = await throttle.hit(open_link_limit, client_address(request, settings))
            if retry_after is not None:
                raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})

    return Litestar(
        route_handlers=[
            home,
            HealthController,
            SurveyPagesController,
            ResponseApiController,
            SessionController,
            PasswordController,
            WavePagesController,
            InstrumentPagesController,
            OpenLinkPagesController,
            ActionsController,
            RosterController,
            UsersController,
            SsoSignInController,
            SsoSettingsController,
            AuditController,
            NoticeController,
            PrivacyAdminController,
            ReportsController,
            ExportsController,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"], include_in_schema=False),
        ],
        dependencies={"settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False)},
        plugins=[SQLAlchemyPlugin(config=database)],
        on_app_init=[session_auth.on_app_init],
        exception_handlers={
            NotAuthorizedException: _unauthenticated,
            PermissionDeniedException: _refused,
            HTTPException: http_error,
            Exception: unexpected_error,
        },
        # Sessions live in the database, so every web process knows every sign-in and a restart signs nobody out.
        stores={"sessions": _session_store(settings, database)},
        before_request=throttle_open_links,
        before_send=[security_headers(settings)],
        template_config=_templates(),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.environment == "production",
            cookie_samesite="lax",
            # The API authenticates each call by its personal token and sets no cookie to ride on.
            exclude=["/api/", "/health", "/schema"],
        ),
        # What the app built at start-up lives as long as the process: out of the collector's way, a full
        # collection no longer walks it while requests wait.
        on_startup=[gc.freeze, *([periodic.start] if periodic else [])],
        # advanced-alchemy 1.12 renames the app-state keys of every config after the first in a process, and its
        # lifespan then looks the engine up under the old key and never disposes it; dispose it ourselves.
        on_shutdown=[*([periodic.stop] if periodic else []), jobs.close, throttle.close, database.get_engine().dispose],
        openapi_config=OpenAPIConfig(
            title="Symmetry",
            version="0.1.0",
            description="Symmetry of attention: employee and customer surveys, team by team.",
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
        debug=settings.debug,
        state=State({"settings": settings, "throttle": throttle, "jobs": jobs}),
    )


def create_served_app() -> Litestar:
    """The application ``symmetry serve --workers N`` starts in each process: from the environment, scheduling."""
    return create_app(scheduler=True)

"""The composition root: ``create_app(settings)`` wires persistence, pages, the API and the OpenAPI schema."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import jinja2
from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.security.session_auth import SessionAuth
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from surveys.accounts.controllers import SessionController, UsersController
from surveys.accounts.guards import REFUSAL
from surveys.accounts.models import User
from surveys.audit.controllers import AuditController
from surveys.collection.controllers import ResponseApiController, SurveyPagesController
from surveys.db import web_alchemy_config
from surveys.health.controllers import HealthController
from surveys.org.controllers import RosterController
from surveys.reporting.controllers import ReportsController
from surveys.settings import Settings
from surveys.waves.controllers import WavePagesController

PACKAGE_DIR = Path(__file__).parent
OPEN_LINK_PREFIX = "/o/"
PUBLIC_PATHS = ["^/login$", "^/r/", "^/o/", "^/thanks$", "^/api/v1/responses", "^/health", "^/schema", "^/static/"]
"""Routes that need no account: respondents' pages and API, health, schema, assets and the sign-in page."""
SESSION_HOURS = 8


def _templates() -> TemplateConfig[JinjaTemplateEngine]:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def _is_open_link(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(OPEN_LINK_PREFIX)


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
    return Template("admin/message.html", context={"user": user, "message": REFUSAL}, status_code=403)


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the web application from explicit settings, or from the environment when none are given."""
    settings = settings or Settings.from_env()
    database = web_alchemy_config(settings)

    async def signed_in_user(session: dict[str, Any], _: ASGIConnection[Any, Any, Any, Any]) -> User | None:
        try:
            user_id = uuid.UUID(str(session.get("user_id")))
        except ValueError:
            return None
        async with database.get_session() as db_session:
            user = await db_session.get(User, user_id)
        return user if user is not None and user.active else None

    session_auth = SessionAuth[User, ServerSideSessionBackend](
        retrieve_user_handler=signed_in_user,
        session_backend_config=ServerSideSessionConfig(
            secure=settings.environment == "production",
            httponly=True,
            samesite="lax",
            max_age=SESSION_HOURS * 3600,
        ),
        exclude=PUBLIC_PATHS,
    )
    return Litestar(
        route_handlers=[
            home,
            HealthController,
            SurveyPagesController,
            ResponseApiController,
            SessionController,
            WavePagesController,
            RosterController,
            UsersController,
            AuditController,
            ReportsController,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"], include_in_schema=False),
        ],
        dependencies={"settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False)},
        plugins=[SQLAlchemyPlugin(config=database)],
        on_app_init=[session_auth.on_app_init],
        exception_handlers={NotAuthorizedException: _unauthenticated, PermissionDeniedException: _refused},
        template_config=_templates(),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.environment == "production",
            cookie_samesite="lax",
            # The API authenticates each call by its personal token and sets no cookie to ride on.
            exclude=["/api/", "/health", "/schema"],
        ),
        middleware=[
            # Open links are public by design: throttle each client there, nowhere else.
            RateLimitConfig(
                rate_limit=("minute", settings.open_link_rate_limit), check_throttle_handler=_is_open_link
            ).middleware
        ],
        # advanced-alchemy 1.12 renames the app-state keys of every config after the first in a process, and its
        # lifespan then looks the engine up under the old key and never disposes it; dispose it ourselves.
        on_shutdown=[database.get_engine().dispose],
        openapi_config=OpenAPIConfig(
            title="Symmetry",
            version="0.1.0",
            description="Symmetry of attention: employee and customer surveys, team by team.",
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
        debug=settings.debug,
        state=State({"settings": settings}),
    )

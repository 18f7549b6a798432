"""The composition root: ``create_app(settings)`` wires persistence, pages, the API and the OpenAPI schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from surveys.collection.controllers import ResponseApiController, SurveyPagesController
from surveys.db import web_alchemy_config
from surveys.health.controllers import HealthController
from surveys.settings import Settings

PACKAGE_DIR = Path(__file__).parent
OPEN_LINK_PREFIX = "/o/"


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


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the web application from explicit settings, or from the environment when none are given."""
    settings = settings or Settings.from_env()
    database = web_alchemy_config(settings)
    return Litestar(
        route_handlers=[
            HealthController,
            SurveyPagesController,
            ResponseApiController,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"], include_in_schema=False),
        ],
        dependencies={"settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False)},
        plugins=[SQLAlchemyPlugin(config=database)],
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

"""The composition root: ``create_app(settings)`` wires persistence, routes and the OpenAPI schema."""

from __future__ import annotations

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

from surveys.db import web_alchemy_config
from surveys.health.controllers import HealthController
from surveys.settings import Settings


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the web application from explicit settings, or from the environment when none are given."""
    settings = settings or Settings.from_env()
    database = web_alchemy_config(settings)
    return Litestar(
        route_handlers=[HealthController],
        plugins=[SQLAlchemyPlugin(config=database)],
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
        debug=settings.environment == "development",
        state=State({"settings": settings}),
    )

"""Database configuration shared by the web app, the CLI and the migrations."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.config import AsyncSessionConfig, EngineConfig
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from surveys.settings import Settings


def enum_type(enum_class: type[enum.StrEnum]) -> sa.Enum:
    """A portable enum column: a VARCHAR holding the member's value, identical on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def _enforce_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless each connection turns them on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alchemy_config(settings: Settings) -> SQLAlchemyAsyncConfig:
    """The advanced-alchemy configuration: one engine, sessions that commit at the end of each request."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    config = SQLAlchemyAsyncConfig(
        connection_string=settings.database_url,
        engine_config=EngineConfig(echo=settings.database_echo),
        session_config=AsyncSessionConfig(expire_on_commit=False),
        before_send_handler="autocommit",
        create_all=False,
    )
    if url.get_backend_name() == "sqlite":
        engine: AsyncEngine = config.get_engine()
        event.listen(engine.sync_engine, "connect", _enforce_sqlite_foreign_keys)
    return config

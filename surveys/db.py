"""Database configuration shared by the web app, the CLI and the migrations."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from advanced_alchemy.config import AsyncSessionConfig, EngineConfig, SQLAlchemyAsyncConfig
from advanced_alchemy.utils.dataclass import Empty
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from surveys.settings import Settings

if TYPE_CHECKING:
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig as LitestarAlchemyConfig


def enum_type(enum_class: type[enum.StrEnum]) -> sa.Enum:
    """A portable enum column: a VARCHAR holding the member's value, identical on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def dialect_insert(session: AsyncSession) -> Any:
    """The INSERT of the session's database, which has ``on_conflict_do_nothing``.

    A uniqueness that two processes race for is settled by the constraint, not by a read before the write.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless each connection turns them on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead logging: readers no longer wait for the writer, and a commit writes the log once instead of a
    # rollback journal and the pages (intake on SQLite: see `make bench-intake`). The mode stays with the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    # Let SQLAlchemy, not the driver, begin transactions (see _begin_immediately).
    dbapi_connection.isolation_level = None


def _begin_immediately(connection: sa.Connection) -> None:
    # A deferred SQLite transaction that reads and then writes can fail with "database is locked" when another
    # does the same; taking the write lock at BEGIN makes concurrent writers wait their turn instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _config_options(settings: Settings) -> dict[str, Any]:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    sqlite = url.get_backend_name() == "sqlite"
    return {
        "connection_string": settings.database_url,
        # Parameters stay out of error messages and logs: they are answers, comments, token hashes, addresses.
        # SQLite writers wait up to 30 s for the write lock instead of failing after the driver's 5 s.
        "engine_config": EngineConfig(
            echo=settings.database_echo,
            hide_parameters=True,
            connect_args={"timeout": 30} if sqlite else {},
            # SQLite's one writer needs no pool of this size (and an in-memory database takes none).
            pool_size=Empty if sqlite else settings.database_pool_size,
            max_overflow=Empty if sqlite else 0,
        ),
        "session_config": AsyncSessionConfig(expire_on_commit=False),
        "create_all": False,
    }


def _prepare(config: SQLAlchemyAsyncConfig) -> None:
    engine: AsyncEngine = config.get_engine()
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        event.listen(engine.sync_engine, "begin", _begin_immediately)


def alchemy_config(settings: Settings) -> SQLAlchemyAsyncConfig:
    """The database of the CLI, the jobs and the migrations: the caller opens, commits and disposes."""
    config = SQLAlchemyAsyncConfig(**_config_options(settings))
    _prepare(config)
    return config


def web_alchemy_config(settings: Settings) -> LitestarAlchemyConfig:
    """The web app's database: one session per request, committed when the response is sent."""
    # Litestar is imported for the web only: the CLI's commands start without it.
    from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig as LitestarAlchemyConfig

    config = LitestarAlchemyConfig(**_config_options(settings), before_send_handler="autocommit_include_redirects")
    _prepare(config)
    return config

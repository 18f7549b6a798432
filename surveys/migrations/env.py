"""Alembic environment: runs the migrations on the settings' database through the async engine."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from surveys.db import alchemy_config
from surveys.migrations import compare_type
from surveys.models import metadata
from surveys.settings import Settings


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a SQLite table: it copies it, drops it and renames the copy. With foreign keys
        # on, that drop deletes every row that refers to the table (ON DELETE CASCADE): rebuilding `response` lost
        # the answers. So they are off while migrating, which only works outside a transaction, and checked after.
        _foreign_keys(connection, on=False)
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=sqlite,
        # SQLite's DDL is transactional, though Alembic assumes otherwise: a migration that fails leaves the
        # database as it was, not half way.
        transactional_ddl=True,
        compare_type=compare_type,
    )
    try:
        with context.begin_transaction():
            before = context.get_context().get_current_heads()
            context.run_migrations()
            if sqlite and context.get_context().get_current_heads() != before:
                _check_foreign_keys(connection)
    finally:
        if sqlite:
            _foreign_keys(connection, on=True)


def _foreign_keys(connection: Connection, *, on: bool) -> None:
    # On the driver's connection: through SQLAlchemy's the statement would begin a transaction, where SQLite
    # ignores this pragma; so it is read back.
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.execute("PRAGMA foreign_keys")
    state = cursor.fetchone()
    cursor.close()
    if state is None or bool(state[0]) != on:
        raise RuntimeError("SQLite kept its foreign keys as they were: a transaction is open on this connection")


def _check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit migrations that left rows pointing to rows that are not there (named by table)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({f"{row[0]} -> {row[2]}" for row in broken})
        raise RuntimeError(f"the migrations left {len(broken)} rows whose foreign key has no row: {tables}")


async def _run_online(settings: Settings) -> None:
    engine = alchemy_config(settings).get_engine()
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


settings = context.config.attributes.get("settings") or Settings.from_env()
connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_online(settings))

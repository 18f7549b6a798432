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
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left {len(broken)} rows whose foreign key has no row")
    finally:
        if sqlite:
            _foreign_keys(connection, on=True)


def _foreign_keys(connection: Connection, *, on: bool) -> None:
    # On the driver's connection: through SQLAlchemy's the statement would begin a transaction, where SQLite
    # ignores this pragma.
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


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

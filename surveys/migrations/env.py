"""Alembic environment: runs the migrations on the settings' database through the async engine."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from surveys.db import alchemy_config
from surveys.migrations import compare_type
from surveys.models import metadata
from surveys.settings import Settings


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=compare_type,
    )
    with context.begin_transaction():
        context.run_migrations()


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

"""The schema comes from the migrations only, and they match the models."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from surveys.db import alchemy_config
from surveys.migrations import compare_type
from surveys.models import metadata
from surveys.settings import Settings


def _differences(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": compare_type})
    return list(compare_metadata(context, metadata))


async def test_models_and_migrations_do_not_drift(migrated: Settings) -> None:
    engine = alchemy_config(migrated).get_engine()
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []


async def test_drift_check_notices_a_table_the_migrations_lack(migrated: Settings) -> None:
    extra = sa.Table("not_migrated", metadata, sa.Column("id", sa.Integer, primary_key=True))
    engine = alchemy_config(migrated).get_engine()
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        metadata.remove(extra)
        await engine.dispose()
    assert [difference[0] for difference in differences] == ["add_table"]


async def test_migrations_create_every_model_table(migrated: Settings) -> None:
    engine = alchemy_config(migrated).get_engine()
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))
    finally:
        await engine.dispose()
    assert set(metadata.tables) | {"alembic_version"} == tables

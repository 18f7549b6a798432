"""Alembic migrations: the only way the schema is created or changed."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from surveys.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent


def alembic_config(settings: Settings) -> Config:
    """An Alembic configuration bound to the settings' database, without an alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Apply the migrations up to `revision`."""
    command.upgrade(alembic_config(settings), revision)


def compare_type(
    _context: MigrationContext,
    _inspected_column: sa.Column[object],
    _metadata_column: sa.Column[object],
    _inspected_type: sa.types.TypeEngine[object],
    metadata_type: sa.types.TypeEngine[object],
) -> bool | None:
    """Compare column types, except advanced-alchemy's decorated types (GUID, DateTimeUTC).

    Those reflect as their storage type, which differs by database (BINARY(16) reads back as NUMERIC on SQLite),
    so comparing them would report drift that is not there. ``None`` lets Alembic compare every other type.
    """
    return False if isinstance(metadata_type, sa.types.TypeDecorator) else None

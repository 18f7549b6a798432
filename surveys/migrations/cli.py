"""``symmetry db``: the schema, through the migrations only."""

from __future__ import annotations

import click
from alembic import command

from surveys.catalog import tr
from surveys.cli_support import database_errors
from surveys.migrations import alembic_config, upgrade
from surveys.settings import Settings


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
@click.pass_obj
def upgrade_command(settings: Settings, revision: str) -> None:
    """Apply the migrations up to REVISION (default: the latest)."""
    with database_errors():
        upgrade(settings, revision)
    click.echo(tr("Database schema at %(revision)s.", revision=revision))


@db.command("current")
@click.pass_obj
def current_command(settings: Settings) -> None:
    """Show the revision the database is at."""
    with database_errors():
        command.current(alembic_config(settings))

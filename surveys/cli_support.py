"""What every CLI command shares: a transaction per command, clear one-line errors, and listings."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import click
import sqlalchemy as sa
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.catalog import tr
from surveys.db import alchemy_config
from surveys.org.models import Organisation
from surveys.settings import Settings


@contextmanager
def database_errors() -> Iterator[None]:
    """Report a database that cannot be reached as a clear error rather than a traceback."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        raise click.ClickException(_unreachable(error.orig)) from None
    except (ConnectionError, TimeoutError, socket.gaierror) as error:
        raise click.ClickException(_unreachable(error)) from None


def _unreachable(error: object) -> str:
    return tr("cannot reach the database at SYMMETRY_DATABASE_URL: %(error)s", error=error)


@asynccontextmanager
async def session_scope(settings: Settings, *, commit: bool = True) -> AsyncIterator[AsyncSession]:
    """One transaction for one command: committed if its work succeeds (and `commit`), rolled back otherwise."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            if commit:
                await session.commit()
            else:
                await session.rollback()
    finally:
        await config.get_engine().dispose()


async def organisation_by_slug(session: AsyncSession, slug: str) -> Organisation:
    """The organisation with this slug, or a usage error that lists the known ones."""
    organisation = await session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        known = ", ".join(await session.scalars(sa.select(Organisation.slug).order_by(Organisation.slug)))
        raise click.BadParameter(
            tr("no organisation %(org)s (known: %(known)s)", org=repr(slug), known=known or tr("none yet")),
            param_hint="--org",
        )
    return organisation


JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")


def print_listing(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]], *, as_json: bool) -> None:
    """`rows` as a table with `columns` (key, translated header) or, with `as_json`, as a JSON array of the rows."""
    if as_json:
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    for _, header in columns:
        table.add_column(header)
    for row in rows:
        table.add_row(*(escape(_cell(row[key])) for key, _ in columns))
    Console(soft_wrap=True, width=200).print(table)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    return str(value)

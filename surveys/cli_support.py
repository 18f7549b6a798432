"""What every CLI command shares: turning an unreachable database into a one-line error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import InterfaceError, OperationalError


@contextmanager
def database_errors() -> Iterator[None]:
    """Report a database that cannot be reached as a clear error rather than a traceback."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        raise click.ClickException(f"cannot reach the database at SYMMETRY_DATABASE_URL: {error.orig}") from None
    except OSError as error:
        raise click.ClickException(f"cannot reach the database at SYMMETRY_DATABASE_URL: {error}") from None

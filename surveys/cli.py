"""The ``symmetry`` command. Each feature adds its own group or command here."""

from __future__ import annotations

import click
import uvicorn

from surveys.access_log import redact_access_log
from surveys.accounts.cli import user
from surveys.demo.cli import demo
from surveys.instruments.cli import instrument
from surveys.migrations.cli import db
from surveys.org.cli import org
from surveys.reporting.cli import report
from surveys.results.cli import analyze
from surveys.settings import Settings, SettingsError
from surveys.waves.cli import wave


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def symmetry(ctx: click.Context) -> None:
    """Symmetry: measure the symmetry of attention between employees and customers, team by team.

    Configuration comes from SYMMETRY_* environment variables (see the README).
    """
    try:
        ctx.obj = Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


@symmetry.command()
@click.option("--host", help="Interface to listen on [default: SYMMETRY_HOST or 127.0.0.1].")
@click.option("--port", type=click.IntRange(1, 65535), help="Port [default: SYMMETRY_PORT or 8000].")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None) -> None:
    """Serve the web application."""
    from surveys.app import create_app

    redact_access_log()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


symmetry.add_command(db)
symmetry.add_command(demo)
symmetry.add_command(instrument)
symmetry.add_command(wave)
symmetry.add_command(org)
symmetry.add_command(user)
symmetry.add_command(analyze)
symmetry.add_command(report)


def main() -> None:
    """Console-script entry point."""
    symmetry(prog_name="symmetry")

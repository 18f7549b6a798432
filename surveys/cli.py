"""The ``symmetry`` command. Each feature adds its own group or command here."""

from __future__ import annotations

import click

from surveys.access_log import redact_access_log
from surveys.accounts.cli import user
from surveys.demo.cli import demo
from surveys.instruments.cli import instrument
from surveys.migrations.cli import db
from surveys.org.cli import org
from surveys.reporting.cli import report
from surveys.results.cli import analyze
from surveys.settings import Settings, SettingsError, secret_key_configured
from surveys.waves.cli import wave
from surveys.worker.cli import worker


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
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Web processes on this machine."
)
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None, workers: int) -> None:
    """Serve the web application, in one process or several (which share sessions and limits in the database).

    With more than one process (here or on other machines), SYMMETRY_SECRET_KEY must be set: every process signs
    and checks the same forms.
    """
    import uvicorn

    redact_access_log()
    host, port = host or settings.host, port or settings.port
    if workers == 1:
        from surveys.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port)
        return
    if not secret_key_configured():
        raise click.ClickException(
            "--workers above 1 needs SYMMETRY_SECRET_KEY: without it each process draws its own key and refuses "
            "the others' forms"
        )
    # Each process builds its own app from the same environment.
    uvicorn.run("surveys.app:create_app", factory=True, host=host, port=port, workers=workers)


symmetry.add_command(db)
symmetry.add_command(demo)
symmetry.add_command(instrument)
symmetry.add_command(wave)
symmetry.add_command(org)
symmetry.add_command(user)
symmetry.add_command(analyze)
symmetry.add_command(report)
symmetry.add_command(worker)


def main() -> None:
    """Console-script entry point."""
    symmetry(prog_name="symmetry")

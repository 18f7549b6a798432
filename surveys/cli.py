"""The ``symmetry`` command. Each feature adds its own group or command here."""

from __future__ import annotations

import importlib

import click

from surveys.catalog import tr
from surveys.settings import Settings, SettingsError, secret_key_configured

COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": (
        "surveys.results.cli:analyze",
        ("Compute WAVE's statistics from the database; a closed wave's analysis and team results are stored again."),
    ),
    "db": ("surveys.migrations.cli:db", "Manage the database schema."),
    "demo": (
        "surveys.demo.cli:demo",
        ("Build a demo organisation, run two waves on simulated answers, analyse them and write the PDF reports."),
    ),
    "export": (
        "surveys.exports.cli:export_group",
        "Export a closed wave's team results or response-level data (CSV, XLSX, SPSS), through the disclosure gate.",
    ),
    "instrument": ("surveys.instruments.cli:instrument", "Work with instrument files."),
    "org": ("surveys.org.cli:org", "Manage organisations and their rosters."),
    "report": (
        "surveys.reporting.cli:report",
        "Render a closed wave's PDF reports and tell the managers they are ready.",
    ),
    "privacy": (
        "surveys.privacy.subject_cli:privacy",
        "Export or erase a person's data (RGPD articles 15 and 17); set an organisation's privacy notice.",
    ),
    "retention": (
        "surveys.privacy.cli:retention",
        "Show, change and apply how long each kind of personal data is kept.",
    ),
    "sso": (
        "surveys.sso.cli:sso",
        "Configure each organisation's sign-in through its OpenID Connect provider.",
    ),
    "user": ("surveys.accounts.cli:user", "Manage user accounts."),
    "wave": ("surveys.waves.cli:wave", "Create, launch, follow and close survey waves."),
    "worker": (
        "surveys.worker.cli:worker",
        ("Take jobs (e-mails, closing waves, rendering reports, notices, the scheduled sweep) from the queue."),
    ),
}
"""Each feature's command, imported only when it runs: `symmetry --help` loads none of scipy, matplotlib or
WeasyPrint (a test keeps these short descriptions equal to the commands' own)."""


class LazyGroup(click.Group):
    """A group whose subcommands are imported when invoked, not when listed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, ``serve`` included."""
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing its module on first use."""
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        module, _, attribute = COMMANDS[cmd_name][0].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the declared descriptions, without importing anything."""
        rows = [(name, COMMANDS[name][1]) for name in COMMANDS]
        rows += [(name, command.get_short_help_str()) for name, command in self.commands.items()]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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

    from surveys.access_log import redact_access_log

    redact_access_log()
    host, port = host or settings.host, port or settings.port
    # uvloop and httptools: 4 to 12 times the requests per second of asyncio and h11 here, and ahead of granian
    # (`make bench-serve`, figures in the README).
    loop, http = "uvloop", "httptools"
    if workers == 1:
        from surveys.app import create_app

        uvicorn.run(create_app(settings, scheduler=True), host=host, port=port, loop=loop, http=http)
        return
    if not secret_key_configured():
        raise click.ClickException(
            tr(
                "--workers above 1 needs SYMMETRY_SECRET_KEY: without it each process draws its own key and refuses "
                "the others' forms"
            )
        )
    # Each process builds its own app from the same environment.
    uvicorn.run(
        "surveys.app:create_served_app", factory=True, workers=workers, host=host, port=port, loop=loop, http=http
    )


def main() -> None:
    """Console-script entry point."""
    symmetry(prog_name="symmetry")

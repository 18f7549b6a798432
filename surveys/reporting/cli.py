"""``symmetry report``: render a closed wave's PDF reports, keeping each report's status in the database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from reports.i18n import Language
from surveys.audit.services import cli_actor
from surveys.catalog import command_refusal, tr, trn
from surveys.cli_support import database_errors, session_scope
from surveys.reporting.rendering import RenderStopped, RenderSummary, render_wave
from surveys.reporting.send_cli import send
from surveys.reporting.services import ReportError
from surveys.settings import Settings
from surveys.waves.cli import find_wave


def render_command_run(
    settings: Settings,
    wave_reference: str,
    out: Path,
    *,
    organisation_slug: str | None = None,
    workers: int | None = None,
    force: bool = False,
    team_language: Language | None = None,
    console: Console,
) -> RenderSummary:
    """Render the wave's reports that are not up to date into `out`, with a progress bar on `console`.

    Each outcome is committed as it arrives, so an interrupted run resumes where it stopped. A wave that is not
    closed and analysed is a `click.ClickException` naming it, and nothing is written. `team_language` replaces
    each team's language (its manager's) for every team report.
    """
    options = _Options(wave_reference, out.resolve(), organisation_slug, workers, force, team_language)
    with database_errors():
        return asyncio.run(_render(settings, options, console))


@dataclass(frozen=True, slots=True)
class _Options:
    wave_reference: str
    out: Path
    organisation_slug: str | None
    workers: int | None
    force: bool
    team_language: Language | None


async def _render(settings: Settings, options: _Options, console: Console) -> RenderSummary:
    async with session_scope(settings) as session:
        wave = await find_wave(session, options.wave_reference, options.organisation_slug)
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(tr("Rendering reports"), total=None)
            try:
                return await render_wave(
                    session,
                    wave,
                    options.out,
                    settings=settings,
                    actor=cli_actor(),
                    workers=options.workers,
                    force=options.force,
                    team_language=options.team_language,
                    on_planned=lambda total: progress.update(
                        task,
                        total=total,
                        description=trn("Rendering %(num)s report", "Rendering %(num)s reports", total),
                    ),
                    on_outcome=lambda: progress.advance(task),
                )
            except ReportError as error:
                raise click.ClickException(command_refusal(error)) from None
            except RenderStopped as stopped:
                print_failures(console, stopped.summary)
                raise click.ClickException(str(stopped)) from None


def print_failures(console: Console, summary: RenderSummary) -> None:
    """One line per report that failed, with its error."""
    for failure in summary.failures:
        console.print(
            f"[red]{escape(tr('failed'))}[/red] {escape(failure.report)}: {escape(failure.error)}", highlight=False
        )


@click.group()
def report() -> None:
    """Render a closed wave's PDF reports and tell the managers they are ready."""


@report.command()
@click.argument("wave_reference", metavar="WAVE")
@click.option("--org", "organisation_slug", help="Organisation slug, when several have a wave of that name.")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for organisation-<lang>.pdf and teams/<key>-<name>.pdf.",
)
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Rendering processes [default: CPUs].")
@click.option("--force", is_flag=True, help="Render every report again, even those up to date.")
@click.pass_obj
def render(
    settings: Settings, wave_reference: str, organisation_slug: str | None, out: Path, workers: int | None, force: bool
) -> None:
    """Render WAVE's team reports and its organisation report (French and English), in parallel processes.

    Reports already rendered from the same results, texts and renderer are skipped unless --force; a report
    that fails is recorded with its error, stops nothing else, and is tried again by the next run.
    """
    console = Console(soft_wrap=True)
    summary = render_command_run(
        settings,
        wave_reference,
        out,
        organisation_slug=organisation_slug,
        workers=workers,
        force=force,
        console=console,
    )
    said = tr(
        "Reports of wave %(wave)s in %(path)s: %(rendered)s rendered, %(skipped)s skipped as up to date, %(failed)s "
        "failed",
        wave=repr(summary.wave),
        path=summary.out,
        rendered=summary.rendered,
        skipped=summary.skipped,
        failed=len(summary.failures),
    )
    console.print(escape(said), highlight=False)
    print_failures(console, summary)
    if summary.failures:
        raise click.ClickException(
            trn(
                "%(num)s report failed; the next run tries it again",
                "%(num)s reports failed; the next run tries them again",
                len(summary.failures),
            )
        )


report.add_command(send)

"""``symmetry report``: render a closed wave's PDF reports, keeping each report's status in the database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from reports.batch import RenderingStopped, ReportOutcome, describe_error, render_reports
from reports.i18n import Language
from surveys.audit.services import cli_actor
from surveys.cli_support import database_errors, session_scope
from surveys.reporting.send_cli import send
from surveys.reporting.services import PlannedReport, ReportError, plan_reports, record_outcome, record_render
from surveys.settings import Settings
from surveys.waves.cli import find_wave


@dataclass(frozen=True, slots=True)
class RenderFailure:
    """A report that could not be rendered, and why."""

    report: str
    """The team's key and name, or "organisation report (<language>)"."""
    error: str


@dataclass(frozen=True, slots=True)
class RenderSummary:
    """What one run of the batch did."""

    wave: str
    out: Path
    rendered: int
    skipped: int
    failures: tuple[RenderFailure, ...]


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
        try:
            plan = await plan_reports(
                session,
                wave,
                options.out,
                comment_threshold=settings.comment_threshold,
                force=options.force,
                team_language=options.team_language,
            )
        except ReportError as error:
            raise click.ClickException(str(error)) from None
        await session.commit()
        to_render = plan.to_render
        by_path = plan.by_path()
        teams = plan.data.inputs.teams
        failures: list[RenderFailure] = []
        rendered = 0
        stopped: Exception | None = None

        def describe(report: PlannedReport) -> str:
            key = report.job.team
            return f"organisation report ({report.job.language})" if key is None else f"team {key} ({teams[key].name})"

        if to_render:
            loop = asyncio.get_running_loop()
            arrived: asyncio.Queue[ReportOutcome | None] = asyncio.Queue()

            def arrive(outcome: ReportOutcome | None) -> None:
                loop.call_soon_threadsafe(arrived.put_nowait, outcome)

            def render_all() -> None:
                # The pool runs in a thread so that this loop records and commits each outcome as it arrives.
                try:
                    jobs = [report.job for report in to_render]
                    render_reports(plan.data.inputs, jobs, workers=options.workers, on_done=arrive)
                finally:
                    arrive(None)

            with Progress(console=console, transient=True) as progress:
                task = progress.add_task(f"Rendering {len(to_render)} reports", total=len(to_render))
                rendering = asyncio.ensure_future(asyncio.to_thread(render_all))
                while (outcome := await arrived.get()) is not None:
                    report = by_path[outcome.job.path]
                    await record_outcome(session, report, outcome)
                    await session.commit()
                    if outcome.error is None:
                        rendered += 1
                    else:
                        failures.append(RenderFailure(describe(report), outcome.error))
                    progress.advance(task)
                try:
                    await rendering
                except Exception as error:  # the batch itself failed (its processes cannot start or keep dying)
                    stopped = error
        unfinished = len(to_render) - rendered - len(failures)
        await record_render(
            session,
            wave,
            actor=cli_actor(),
            rendered=rendered,
            skipped=len(plan.up_to_date),
            failed=len(failures),
            unfinished=unfinished,
        )
        summary = RenderSummary(wave.name, options.out, rendered, len(plan.up_to_date), tuple(failures))
        if stopped is not None:
            await session.commit()  # the audit event stands, as each outcome recorded before the stop does
            print_failures(console, summary)
            reason = str(stopped) if isinstance(stopped, RenderingStopped) else describe_error(stopped)
            raise click.ClickException(
                f"rendering stopped: {reason}; {unfinished} report(s) not rendered. The {rendered} rendered "
                f"and {len(failures)} failed before are recorded; the next run renders the others."
            )
        return summary


def print_failures(console: Console, summary: RenderSummary) -> None:
    """One line per report that failed, with its error."""
    for failure in summary.failures:
        console.print(f"[red]failed[/red] {escape(failure.report)}: {escape(failure.error)}", highlight=False)


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
    console.print(
        f"Reports of wave {escape(repr(summary.wave))} in {escape(str(summary.out))}: {summary.rendered} rendered, "
        f"{summary.skipped} skipped as up to date, {len(summary.failures)} failed",
        highlight=False,
    )
    print_failures(console, summary)
    if summary.failures:
        raise click.ClickException(f"{len(summary.failures)} report(s) failed; the next run tries them again")


report.add_command(send)

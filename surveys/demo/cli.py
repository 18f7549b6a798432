"""``symmetry demo``: the main job, end to end, on a simulated organisation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from rich.console import Console

from reports.i18n import LANGUAGES, Language
from surveys.cli_support import database_errors
from surveys.db import alchemy_config
from surveys.demo.roster import DEMO_SLUG
from surveys.demo.services import DEMO_TEAMS, DemoRun, run_demo
from surveys.migrations import upgrade
from surveys.reporting.cli import print_failures, render_command_run
from surveys.reporting.rendering import RenderSummary
from surveys.results.cli import print_across_waves
from surveys.settings import Settings
from symmetry.analysis import WaveAnalysis
from symmetry.document import SIGNIFICANCE, power_note
from symmetry.domain import CustomerForm, Respondent, Voice
from symmetry.simulation import MODELS, GenerativeModel


async def _run(
    settings: Settings, teams: int, seed: int, model: GenerativeModel, leave_open: bool, short_customers: bool
) -> DemoRun:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            return await run_demo(
                session,
                n_teams=teams,
                seed=seed,
                rules=settings.disclosure_rules,
                model=model,
                leave_open=leave_open,
                short_customers=short_customers,
            )
    finally:
        await config.get_engine().dispose()


@click.command()
@click.option("--teams", type=click.IntRange(4, 2000), default=DEMO_TEAMS, show_default=True, help="Front-line teams.")
@click.option(
    "--model",
    "model_name",
    type=click.Choice(list(MODELS)),
    default="realistic",
    show_default=True,
    help="realistic: the field's team effects (customer ICC(1) about .03, so the linkage is hard to see); "
    "illustration: team effects twice as strong, a linkage that shows clearly on a few dozen teams.",
)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="Seed of the simulation: same seed, same numbers."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("symmetry-demo"),
    show_default=True,
    help="Directory for the PDF reports; the PDFs of a previous demo there are replaced.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of every team report [default: each manager's, else most of the team's employees'].",
)
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Report rendering processes [default: CPUs].")
@click.option(
    "--leave-open",
    is_flag=True,
    help="Stop with the latest wave open and half its answers in, to try the survey pages; no reports.",
)
@click.option(
    "--short-customers",
    is_flag=True,
    help="The latest wave asks its customers the instrument's short form (five dimensions and the NPS).",
)
@click.pass_obj
def demo(
    settings: Settings,
    teams: int,
    model_name: str,
    seed: int,
    out: Path,
    lang: Language | None,
    workers: int | None,
    leave_open: bool,
    short_customers: bool,
) -> None:
    """Build a demo organisation, run two waves on simulated answers, analyse them and write the PDF reports.

    The waves are six months apart; the reports are the latest wave's, compared with the earlier one.
    The answers come from a stated generative model in which a team-level attention factor drives both
    employee and customer answers, so the true linkage is known. Rerunning replaces the previous demo
    organisation and nothing else.
    """
    console = Console(soft_wrap=True)
    with database_errors(), console.status("Building the organisation and simulating two waves..."):
        upgrade(settings)
        run = asyncio.run(_run(settings, teams, seed, MODELS[model_name], leave_open, short_customers))
    if run.analysis is None:
        console.print(
            f"Wave {run.wave_name!r} is open, with {sum(run.answered.values())} simulated answers so far "
            f"(the previous wave, {run.previous_wave_name!r}, is closed and analysed). Try it:\n"
            f'  symmetry wave links "{run.wave_name}" --out links.csv      (personal links of those yet to answer)\n'
            f'  symmetry wave open-links "{run.wave_name}" --out open-links (team links and QR codes for customers)\n'
            "  symmetry serve"
        )
        return
    analysis = run.analysis
    for stale in [*out.glob("organisation*.pdf"), *(out / "teams").glob("*.pdf")]:
        stale.unlink()
    reports = render_command_run(
        settings, run.wave_name, out, organisation_slug=DEMO_SLUG, workers=workers, team_language=lang, console=console
    )
    _print_summary(console, run, analysis, seed, model_name, reports)
    if reports.failures:
        raise click.ClickException("some reports could not be rendered (see above)")


def _print_summary(
    console: Console, run: DemoRun, analysis: WaveAnalysis, seed: int, model_name: str, reports: RenderSummary
) -> None:
    linkage = analysis.linkage
    employees, customers = Respondent.EMPLOYEE, Respondent.CUSTOMER
    console.print(f"[bold]Symmetry demo[/bold] (seed {seed}, {model_name} model)")
    if run.replaced_previous:
        console.print("Replaced the previous demo organisation.")
    console.print(f"Organisation: {run.organisation_name}, {len(analysis.teams)} front-line teams")
    console.print(
        f"Wave: {run.wave_name}, {run.opens_on} to {run.closes_on}, closed; the previous wave, "
        f"{run.previous_wave_name}, six months earlier"
    )
    reliability = {index.voice: index for index in analysis.aggregation if index.dimension == "overall"}
    console.print(
        f"Responses to {run.wave_name}: {run.answered[employees]} employees of {run.invited[employees]} invited, "
        f"{run.answered[customers]} customers of {run.invited[customers]} invited"
    )
    if analysis.customer_form is CustomerForm.SHORT:
        questions = len(analysis.instrument.asked_items(customers, analysis.customer_form))
        console.print(
            f"Customers answered the short form ({questions} questions): {', '.join(analysis.customer_dimensions)}, "
            "and the outcomes it keeps"
        )
    if linkage.correlation is None:
        console.print("Linkage: too few teams above the anonymity threshold to correlate.")
    else:
        c = linkage.correlation
        console.print(
            f"Linkage across {c.n} teams ({analysis.withheld_teams} withheld below {analysis.anonymity_threshold} "
            f"employee respondents): r = {c.r:.2f}, 95% CI [{c.ci[0]:.2f}, {c.ci[1]:.2f}], p = {c.pvalue:.3g}"
        )
        corrected = linkage.corrected
        reading = (
            f"{corrected.value:.2f}, conservative 95% CI [{corrected.ci[0]:.2f}, {corrected.ci[1]:.2f}]"
            if corrected is not None and corrected.value is not None
            else "not interpretable"
        )
        console.print(
            f"  corrected for the reliability of team means (ICC(2) {linkage.employee_reliability:.2f} employees, "
            f"{linkage.customer_reliability:.2f} customers): {reading}"
        )
        console.print(
            f"  truth of the simulation: linkage parameter {run.model.linkage:.2f}, correlation of the drawn team "
            f"climates {run.true_team_correlation:.2f}; from one wave to the next, climates keep "
            f"{run.model.stability:.2f} of themselves and neither side leads"
        )
        console.print(f"  {power_note(linkage.power, significant=c.pvalue < SIGNIFICANCE)}")
    console.print(
        "Agreement within teams, overall score (ICC(1)): "
        + ", ".join(f"{voice} {reliability[voice].icc1:.2f}" for voice in Voice if voice in reliability)
    )
    if run.document is not None:
        print_across_waves(console, run.document["organisation"].get("across_waves"))
    console.print(
        f"Reports: {reports.rendered} PDFs in {reports.out} (organisation-en.pdf, organisation-fr.pdf, teams/)"
    )
    print_failures(console, reports)

"""``symmetry analyze``: a wave's statistics from the database, as a readable summary or a JSON document."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.catalog import tr
from surveys.cli_support import database_errors, session_scope
from surveys.collection.models import Response
from surveys.results.models import TeamResultRow, WaveAnalysisRecord
from surveys.results.services import analyse, previous_wave, store_analysis, store_team_results
from surveys.settings import Settings
from surveys.waves.cli import find_wave
from surveys.waves.models import Wave, WaveState
from symmetry.disclosure import DisclosureRules, rules_of_document
from symmetry.document import analysis_document


def _corrected(corrected: dict[str, Any] | None) -> str:
    if corrected is None:
        return "–"
    if corrected["r"] is None:
        return "n.i."
    low, high = corrected["ci"]
    return f"{corrected['r']:.2f} [{low:.2f}, {high:.2f}]"


def _r(correlation: dict[str, Any] | None) -> str:
    if correlation is None:
        return "–"
    low, high = correlation["ci"]
    return f"{correlation['r']:.2f} [{low:.2f}, {high:.2f}]"


def _p(value: float | None) -> str:
    return "–" if value is None else ("<0.001" if value < 0.001 else f"{value:.3f}")


ICC_METHODS = {"anova": ("icc1", "one-way ANOVA"), "reml": ("icc1_reml", "REML random intercept")}
"""The ICC(1) the summary shows, by the name `--icc` takes: its key in the document and the method's name."""


def print_summary(name: str, document: dict[str, Any], console: Console, *, icc: str = "anova") -> None:
    """The linkage table, the aggregation indices, the gaps that stand out, the drivers and the power note."""
    organisation = document["organisation"]
    console.print(f"[bold]{name}[/bold]: {len(document['teams'])} teams, {organisation['withheld_teams']} with "
                  f"employee figures withheld (fewer than {document['anonymity_threshold']} respondents)")  # fmt: skip
    if organisation["withheld_teams"]:
        console.print(
            "Every figure below comes from the teams shown only: a withheld team's answers enter none of them."
        )
    table = Table(title="Linkage across teams: employee means against customer means")
    for column in (
        "Measure",
        "Teams",
        "Pearson r [95% CI]",
        "p",
        "BH p",
        "Spearman",
        "Kendall",
        "Corrected r*",
        "r | size",
    ):
        table.add_column(column, justify="left" if column == "Measure" else "right")
    rows = [("overall", organisation["linkage"]), *organisation["dimension_linkage"].items()]
    for measure, linkage in rows:
        pearson = linkage["pearson"]
        table.add_row(
            measure,
            str(linkage["teams"]),
            _r(pearson),
            _p(pearson["pvalue"] if pearson else None),
            _p(linkage["adjusted_pvalue"]),
            _r(linkage["spearman"]),
            _r(linkage["kendall"]),
            _corrected(linkage["corrected"]),
            _r(linkage["size_partial"]),
        )
    console.print(table)
    console.print(
        "* corrected for the unreliability of team means (ICC(2) of each side over the teams compared), with a "
        "conservative 95% interval: an estimate, not a test; n.i. = not interpretable (ICC(2) below 0.50 on a side, "
        "or a corrected value past 1)."
    )
    console.print(organisation["power_note"])

    icc_key, icc_method = ICC_METHODS[icc]
    indices = Table(
        title=f"Aggregation: ICC(1) ({icc_method}) / ICC(2) (one-way ANOVA) / median rwg (rwg(j) overall) / median AD"
    )
    for column in ("Measure", "Employees", "Mirror", "Customers"):
        indices.add_column(column, justify="left" if column == "Measure" else "right")
    by_measure: dict[str, dict[str, str]] = {}
    for index in organisation["aggregation"]:
        icc1, icc2, agreement = index[icc_key], index["icc2"], index["rwg_median"]
        cell = "–" if icc1 is None or icc2 is None else f"{icc1:.2f} / {icc2:.2f}"
        cell += "" if agreement is None else f" / {agreement:.2f}"
        cell += "" if index["ad_median"] is None else f" / {index['ad_median']:.2f}"
        by_measure.setdefault(index["dimension"], {})[index["voice"]] = cell
    for measure, cells in by_measure.items():
        indices.add_row(measure, cells.get("employee", "–"), cells.get("mirror", "–"), cells.get("customer", "–"))
    console.print(indices)
    alphas = [
        f"{voice} {value['alpha']:.2f} [{value['ci'][0]:.2f}, {value['ci'][1]:.2f}]"
        for voice, value in organisation["reliability"].items()
        if value
    ]
    console.print("Cronbach's alpha of each voice's scale: " + ", ".join(alphas))

    gaps = [
        (team, dimension, values["perception_gap"])
        for team, result in document["teams"].items()
        for dimension, values in result["dimensions"].items()
        if values["perception_gap"] and values["perception_gap"]["label"] != "in line"
    ]
    console.print(f"Perception gaps whose 95% interval excludes zero: {len(gaps)}")
    for team, dimension, gap in sorted(gaps, key=lambda item: -abs(item[2]["estimate"]))[:10]:
        console.print(f"  {team} {dimension}: {gap['estimate']:+.2f} ({gap['label']})")
    print_across_waves(console, organisation.get("across_waves"))
    drivers = organisation["drivers"]
    if drivers is None:
        console.print("Key drivers: not reported (too few teams).")
    else:
        ranked = sorted(drivers["weights"].items(), key=lambda item: -item[1]["weight"])
        parts = [
            f"{dimension} {value['weight']:.3f}" + ("" if value["above_random_variable"] else " (not above chance)")
            for dimension, value in ranked
        ]
        console.print(
            f"Key drivers (relative weights, R² {drivers['r2']:.2f}, adjusted {drivers['r2_adjusted']:.2f}): "
            + ", ".join(parts)
        )


def print_across_waves(console: Console, across: dict[str, Any] | None) -> None:
    """The cross-lagged comparison with the previous wave, from an analysis document's `across_waves`."""
    if not across or not across["lagged"]:
        return
    lagged = across["lagged"]
    console.print(
        f"Across waves (since {across['previous_wave']}, {lagged['teams']} teams in both): employees then "
        f"customers r = {_r(lagged['employee_then_customer'])}, customers then employees r = "
        f"{_r(lagged['customer_then_employee'])}; Steiger's z = {lagged['z']:.2f}, p = {_p(lagged['pvalue'])}"
    )
    for name, path in (("employees then customers", lagged.get("employee_path")),
                       ("customers then employees", lagged.get("customer_path"))):  # fmt: skip
        if path is not None:
            low, high = path["ci"]
            console.print(
                f"  cross-lagged path, {name} (the earlier score of the later one held constant): "
                f"{path['coefficient']:.2f} [{low:.2f}, {high:.2f}], p = {_p(path['pvalue'])}"
            )
    console.print("  Associations over time, not proof of direction (Rogosa 1980; Hamaker, Kuiper and Grasman 2015).")


async def _rules_for(session: AsyncSession, wave: Wave, today: DisclosureRules) -> DisclosureRules:
    """Today's rules, or for a wave already stored the stricter of its stored rules and today's."""
    record = await session.get(WaveAnalysisRecord, wave.id)
    return today if record is None else rules_of_document(record.document).stricter(today)


async def _answers_deleted(session: AsyncSession, wave: Wave) -> bool:
    """Whether a closed wave's results are stored while its answers are gone (retention deleted them)."""
    if wave.state is not WaveState.CLOSED or await session.get(WaveAnalysisRecord, wave.id) is None:
        return False
    has_results = await session.scalar(
        sa.select(TeamResultRow.wave_id).where(TeamResultRow.wave_id == wave.id).limit(1)
    )
    has_answers = await session.scalar(sa.select(Response.id).where(Response.wave_id == wave.id).limit(1))
    return has_results is not None and has_answers is None


@click.command()
@click.argument("wave_reference", metavar="WAVE")
@click.option("--org", "organisation_slug", help="Organisation slug, when several have a wave of that name.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole analysis as a JSON document.")
@click.option(
    "--icc",
    type=click.Choice(list(ICC_METHODS)),
    default="anova",
    show_default=True,
    help="ICC(1) in the summary: the one-way ANOVA estimate (Bliese 2000, the reports') or the REML fit of a "
    "random-intercept model; the JSON document holds both.",
)
@click.pass_obj
def analyze(settings: Settings, wave_reference: str, organisation_slug: str | None, as_json: bool, icc: str) -> None:
    """Compute WAVE's statistics from the database; a closed wave's analysis and team results are stored again."""

    async def run() -> tuple[str, dict[str, Any]]:
        async with session_scope(settings) as session:
            wave = await find_wave(session, wave_reference, organisation_slug)
            rules = await _rules_for(session, wave, settings.disclosure_rules)
            previous = await previous_wave(session, wave)
            if wave.state is WaveState.CLOSED:
                for kept in (wave, previous):
                    if kept is not None and await _answers_deleted(session, kept):
                        raise click.ClickException(
                            tr("the answers of %(wave)s were deleted under the retention policy: the stored results "
                               "of %(latest)s stand and are not computed again", wave=kept.name, latest=wave.name)
                        )  # fmt: skip
            analysis = await analyse(session, wave, rules=rules)
            earlier = await analyse(session, previous, rules=rules) if previous else None
            name = previous.name if previous else None
            if wave.state is not WaveState.CLOSED:
                return wave.name, analysis_document(analysis, previous=earlier, previous_name=name)
            # Stored again with the team results, under the stricter of the rules it was stored with and today's:
            # a threshold lowered since then never releases a team it withheld.
            await store_team_results(session, wave, analysis)
            document = await store_analysis(session, wave, analysis, previous=earlier, previous_name=name)
            return wave.name, document

    with database_errors():
        name, document = asyncio.run(run())
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print_summary(name, document, Console(soft_wrap=True, width=160), icc=icc)

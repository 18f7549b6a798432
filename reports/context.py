"""Report contexts: everything a template shows, computed from plain analysis results."""

from __future__ import annotations

from dataclasses import dataclass

from reports.charts import Chart, MirrorChart, MirrorSeries, ScatterChart
from reports.i18n import Language, Translator
from reports.inputs import TeamExtras, TeamInfo, WaveInfo, WaveReportInputs
from symmetry.analysis import OVERALL, AggregationIndices, DimensionResult, TeamResult, WaveAnalysis
from symmetry.domain import Voice
from symmetry.linkage import Linkage
from symmetry.stats import Difference, MeanEstimate, NetPromoterScore, fdr_bh

OUTCOME_ORDER = ("engagement", "enps", "nps", "csat", "ces")
FALSE_DISCOVERY_RATE = 0.05


@dataclass(frozen=True, slots=True)
class DimensionRow:
    """One line of the gaps table."""

    label: str
    result: DimensionResult


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """One outcome score with its label."""

    label: str
    score: NetPromoterScore | MeanEstimate
    is_nps: bool


@dataclass(frozen=True, slots=True)
class TeamReportContext:
    """What the team report shows."""

    t: Translator
    wave: WaveInfo
    team: TeamInfo
    anonymity_threshold: int
    result: TeamResult
    rows: list[DimensionRow]
    outcomes: list[OutcomeRow]
    headline_gap: str | None
    parent_name: str | None
    extras: TeamExtras
    charts: dict[str, Chart]


@dataclass(frozen=True, slots=True)
class AggregationRow:
    """ICC(1) and ICC(2) of one dimension for each voice."""

    label: str
    indices: dict[str, AggregationIndices]


@dataclass(frozen=True, slots=True)
class TeamOverviewRow:
    """One team in the organisation report's overview table."""

    team: TeamInfo
    result: TeamResult


@dataclass(frozen=True, slots=True)
class OrganisationReportContext:
    """What the organisation report shows."""

    t: Translator
    wave: WaveInfo
    anonymity_threshold: int
    linkage: Linkage
    withheld_teams: int
    charts: dict[str, Chart]
    aggregation: list[AggregationRow]
    teams: list[TeamOverviewRow]


def _dimension_labels(analysis: WaveAnalysis, t: Translator) -> dict[str, str]:
    labels = {d.key: d.label[t.language] for d in analysis.instrument.dimensions}
    labels[OVERALL] = t("overall")
    return labels


def headline_gap(result: TeamResult) -> tuple[str, Difference] | None:
    """The perception gap a report may state in one sentence, if any.

    The largest of the gaps that stay significant once the dimensions' p-values are adjusted for testing them
    all (Benjamini-Hochberg at 5%).
    """
    gaps = [(row.dimension, row.perception_gap) for row in result.dimensions if row.perception_gap is not None]
    if not gaps:
        return None
    adjusted = fdr_bh([gap.pvalue for _, gap in gaps])
    clear = [pair for pair, p in zip(gaps, adjusted, strict=True) if p < FALSE_DISCOVERY_RATE]
    return max(clear, key=lambda pair: abs(pair[1].estimate)) if clear else None


def _headline_gap(result: TeamResult, labels: dict[str, str], t: Translator) -> str | None:
    if not result.employee_figures_shown:
        return None
    headline = headline_gap(result)
    if headline is None:
        return t("gap_none")
    dimension, gap = headline
    key = "gap_over" if gap.estimate > 0 else "gap_under"
    return t(key, dimension=labels[dimension], gap=t.number(abs(gap.estimate)))


def build_team_context(
    inputs: WaveReportInputs, team_key: str, language: Language, extras: TeamExtras | None = None
) -> TeamReportContext:
    """The team report's context; its charts are described, not yet drawn."""
    t = Translator(language)
    analysis, team = inputs.analysis, inputs.teams[team_key]
    result = analysis.teams[team.key]
    labels = _dimension_labels(analysis, t)
    voices = (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER) if result.employee_figures_shown else (Voice.CUSTOMER,)
    charts: dict[str, Chart] = {}
    charts["mirror"] = MirrorChart(
        [labels[row.dimension] for row in result.dimensions],
        [
            MirrorSeries(
                voice.value, t(f"voice_{voice.value}"), [getattr(row, voice.value) for row in result.dimensions]
            )
            for voice in voices
        ],
        axis_label=t("axis_score"),
    )
    points = analysis.linkage.points
    if result.employee_figures_shown and points:
        keys = [point.team for point in points]
        charts["position"] = ScatterChart(
            [point.employee for point in points],
            [point.customer for point in points],
            x_label=t("axis_employee"),
            y_label=t("axis_customer"),
            format_number=t.number,
            highlight=keys.index(team.key) if team.key in keys else None,
            highlight_label=t("your_team"),
            others_label=t("other_teams"),
        )
    return TeamReportContext(
        t=t,
        wave=inputs.wave,
        team=team,
        anonymity_threshold=analysis.anonymity_threshold,
        result=result,
        rows=[DimensionRow(labels[row.dimension], row) for row in (*result.dimensions, result.overall)],
        outcomes=[
            OutcomeRow(t(name), result.outcomes[name], isinstance(result.outcomes[name], NetPromoterScore))
            for name in OUTCOME_ORDER
            if name in result.outcomes
        ],
        headline_gap=_headline_gap(result, labels, t),
        parent_name=inputs.teams[team.parent].name if team.parent is not None else None,
        extras=extras or TeamExtras(),
        charts=charts,
    )


def build_organisation_context(inputs: WaveReportInputs, language: Language) -> OrganisationReportContext:
    """The organisation report's context; its charts are described, not yet drawn."""
    t = Translator(language)
    analysis = inputs.analysis
    labels = _dimension_labels(analysis, t)
    points = analysis.linkage.points
    charts: dict[str, Chart] = {}
    if points:
        charts["scatter"] = ScatterChart(
            [point.employee for point in points],
            [point.customer for point in points],
            x_label=t("axis_employee"),
            y_label=t("axis_customer"),
            format_number=t.number,
            others_label=t("teams"),
            regression_label=t("regression_line"),
        )
    by_dimension: dict[str, dict[str, AggregationIndices]] = {}
    for index in analysis.aggregation:
        by_dimension.setdefault(index.dimension, {})[index.voice.value] = index
    return OrganisationReportContext(
        t=t,
        wave=inputs.wave,
        anonymity_threshold=analysis.anonymity_threshold,
        linkage=analysis.linkage,
        withheld_teams=analysis.withheld_teams,
        charts=charts,
        aggregation=[
            AggregationRow(labels[key], by_dimension[key])
            for key in [OVERALL, *(d.key for d in analysis.instrument.dimensions)]
            if key in by_dimension
        ],
        teams=[
            TeamOverviewRow(team, analysis.teams[team.key])
            for team in inputs.teams.values()
            if team.key in analysis.teams
        ],
    )

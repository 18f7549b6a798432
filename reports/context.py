"""Report contexts: everything a template shows, computed from plain analysis results."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reports.charts import (
    MIN_TREND_WAVES,
    NARROW_WIDTH_IN,
    TEXT_WIDTH_IN,
    Chart,
    DriversChart,
    GapHistogram,
    MirrorChart,
    MirrorSeries,
    ScatterChart,
    TrendChart,
)
from reports.i18n import N_, Language, Translator, translator
from reports.inputs import ActionFollowUp, RateRow, TeamExtras, TeamInfo, WaveInfo, WaveReportInputs
from reports.reading import (
    Area,
    GapStatement,
    Prompt,
    conversation_guide,
    headline_gap,
    stated_gaps,
    strengths_and_focus,
    typical_customer_scores,
)
from symmetry.analysis import OVERALL, AggregationIndices, DimensionResult, TeamResult, WaveAnalysis
from symmetry.document import SIGNIFICANCE
from symmetry.domain import CustomerForm, Voice
from symmetry.linkage import Drivers, LaggedLinkage, Linkage, TeamPoint
from symmetry.stats import Difference, MeanEstimate, NetPromoterScore

OUTCOME_ORDER = ("engagement", "enps", "nps", "csat", "ces")
# Conventions for reading the aggregation indices (DOMAIN.md): rwg(j) .70 (James, Demaree and Wolf 1984);
# ICC(2) .70 to compare teams, below .50 mostly noise (Bliese 2000).
AGREEMENT_CUTOFF = 0.70
RELIABLE_MEANS = 0.70
NOISY_MEANS = 0.50

# Messages chosen at run time, marked for extraction (``N_``) and translated where they are shown.
VOICE_LABELS = {
    "employee": N_("Employees (attention received)"),
    "mirror": N_("Employees (estimate of customers' view)"),
    "customer": N_("Customers (attention received)"),
}
OVERALL_LABELS = {
    "employee": N_("Attention employees receive"),
    "mirror": N_("What the team thinks customers see"),
    "customer": N_("Attention customers receive"),
}
"""The headline figures' labels."""
OUTCOME_LABELS = {
    "engagement": N_("Pride in the team (1 to 5)"),
    "enps": N_("eNPS (team recommended as a workplace)"),
    "nps": N_("NPS (team recommended by customers)"),
    "csat": N_("Customer satisfaction (1 to 5)"),
    "ces": N_("Customer effort (1 to 7, lower is better)"),
}
ACTION_STATUS = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "dropped": N_("dropped"),
}
HEADLINE_GAP = {
    "over": N_("Your team thinks customers rate “%(dimension)s” %(gap)s higher than they do."),
    "under": N_("Your team thinks customers rate “%(dimension)s” %(gap)s lower than they do."),
}
GAP_SENTENCES = {
    ("perception", "over"): N_("Your team thinks customers rate “%(dimension)s” %(gap)s higher than they do %(ci)s."),
    ("perception", "under"): N_("Your team thinks customers rate “%(dimension)s” %(gap)s lower than they do %(ci)s."),
    ("symmetry", "over"): N_(
        "On “%(dimension)s”, employees rate the attention they receive %(gap)s higher than customers rate theirs "
        "%(ci)s."
    ),
    ("symmetry", "under"): N_(
        "On “%(dimension)s”, employees rate the attention they receive %(gap)s lower than customers rate theirs %(ci)s."
    ),
}
REASONS = {
    "customers_above": N_("“%(dimension)s”: customers rate it %(score)s, above the typical team (%(typical)s)."),
    "customers_below": N_("“%(dimension)s”: customers rate it %(score)s, below the typical team (%(typical)s)."),
    "overestimated": N_("“%(dimension)s”: your team thinks customers see it better than they do."),
    "lowest": N_(
        "“%(dimension)s”: this is where customers rate you lowest compared with the typical team (%(score)s against "
        "%(typical)s), though the difference is not clear."
    ),
}


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
class PooledFigures:
    """The results of a group of teams, pooled."""

    name: str
    teams: int
    result: TeamResult


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
    gap_statements: list[str]
    strengths: list[str]
    focus: list[str]
    comments: tuple[str, ...] | None
    """None when the team is under the comment threshold (nothing of its comments may be shown)."""
    pooled: PooledFigures | None
    """For a team whose employee figures are withheld, the nearest group above it that may be shown."""
    customer_minimum: int
    """Fewest active employees for a team's own customer results."""
    comment_threshold: int
    typical: dict[str, float]
    """Per dimension, the organisation's typical team customer score (median across teams)."""
    charts: dict[str, Chart]
    actions: list[str] = dataclasses.field(default_factory=list)
    """One sentence per action of an earlier wave, with the change on its dimension since then."""
    invited: int | None = None
    """Employees invited in the team; with its released count, the response rate."""
    actions_url: str | None = None
    """Where the team's manager plans an action on the web, given after the focus areas."""
    voices: list[VoiceBar] = dataclasses.field(default_factory=list)
    """The first page's overall figure of each voice shown, beside the organisation's."""
    questions: list[str] = dataclasses.field(default_factory=list)
    """The conversation guide: three questions for the team."""
    not_asked: tuple[str, ...] = ()
    """The dimensions the wave's customers were not asked about (its short customer form): no customer figure."""
    not_asked_labels: tuple[str, ...] = ()
    """Their names, in the report's language."""
    gap_dimensions: int = 0
    """How many dimensions have their gaps examined together: those customers were asked about."""
    short_form_note: str | None = None
    """On a wave whose customers answered the short form, what it asked and how its overall score is read."""

    @property
    def response_rate(self) -> float | None:
        """Employees who answered of those invited, when the count may be shown."""
        answered = self.result.employee_respondents if self.result.employee_figures_shown else None
        return answered / self.invited if answered is not None and self.invited else None


@dataclass(frozen=True, slots=True)
class VoiceBar:
    """One voice's overall figure drawn as a bar on the 1-5 scale.

    The bar shows the team's interval and mean, and the organisation's mean as a tick; positions are percentages of
    the bar's width.
    """

    voice: str
    label: str
    team: MeanEstimate
    organisation: MeanEstimate | None

    @staticmethod
    def position(value: float) -> float:
        """Where `value` of the 1-5 scale falls along the bar, in percent (clipped to the scale)."""
        return round(25 * (min(max(value, 1.0), 5.0) - 1), 2)

    @property
    def low(self) -> float:
        """The left end of the team's interval (its mean where the interval is unknown)."""
        return self.position(self.team.ci[0] if math.isfinite(self.team.ci[0]) else self.team.mean)

    @property
    def width(self) -> float:
        """The interval's length along the bar."""
        high = self.team.ci[1] if math.isfinite(self.team.ci[1]) else self.team.mean
        return round(self.position(high) - self.low, 2)


@dataclass(frozen=True, slots=True)
class AggregationRow:
    """The aggregation indices (ICC(1), ICC(2), rwg) of one dimension for each voice."""

    label: str
    indices: dict[str, AggregationIndices]


@dataclass(frozen=True, slots=True)
class LinkageRow:
    """One dimension's linkage across teams; None for a dimension the wave's customers were not asked about."""

    label: str
    linkage: Linkage | None


@dataclass(frozen=True, slots=True)
class DriverRow:
    """One dimension's relative weight (its part of the variance of customers' overall view), with its interval."""

    label: str
    share: float
    ci: tuple[float, float]
    significant: bool
    """Told apart from a random variable's weight (Tonidandel, LeBreton and Johnson 2009)."""


@dataclass(frozen=True, slots=True)
class GapCounts:
    """How many teams clearly overestimate, clearly underestimate, or cannot be told apart from their customers."""

    over: int
    under: int
    unclear: int

    @property
    def by_chance(self) -> int:
        """How many of the teams would show a clear gap with none at all, their 95% intervals taken one by one."""
        return int(SIGNIFICANCE * (self.over + self.under + self.unclear) + 0.5)  # halves up, as people round


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
    linkage_significant: bool
    """Whether the observed linkage is significant at the level every release takes (``document.SIGNIFICANCE``)."""
    withheld_teams: int
    charts: dict[str, Chart]
    dimension_linkage: list[LinkageRow]
    aggregation: list[AggregationRow]
    aggregation_readings: list[str]
    gap_counts: GapCounts
    drivers: list[DriverRow]
    drivers_fit: Drivers | None
    """The key drivers' fit: R², adjusted R² and its interval, teams, resamples (failed ones counted)."""
    rates: tuple[RateRow, ...]
    teams: list[TeamOverviewRow]
    previous_wave: str | None = None
    lagged: LaggedLinkage | None = None
    organisation: TeamResult | None = None
    """The whole organisation's teams shown, pooled: the report's headline."""
    outcomes: list[OutcomeRow] = dataclasses.field(default_factory=list)
    heatmaps: list[Heatmap] = dataclasses.field(default_factory=list)
    dimension_names: list[str] = dataclasses.field(default_factory=list)
    """The heatmaps' columns: overall, then each dimension."""
    short_form_note: str | None = None
    """On a wave whose customers answered the short form, what it asked and how its overall score is read."""

    @property
    def linked_dimensions(self) -> int:
        """How many dimensions have a linkage, adjusted together: those customers were asked about."""
        return sum(row.linkage is not None for row in self.dimension_linkage)


MEAN_STEPS = (3.0, 3.5, 4.0, 4.5)
"""Cut points of a heatmap's five shades for means on the 1-5 scale."""
GAP_STEPS = (-0.5, -0.2, 0.2, 0.5)
"""Cut points of the perception gap's shades; a gap whose interval holds 0 takes the neutral shade whatever its size."""


NOT_ASKED = "not-asked"
"""The heatmap class of a customer figure of a dimension the wave's customers were not asked about."""


def shade(value: float | None, ci: tuple[float, float] | None, *, gap: bool) -> str:
    """The heatmap class of a cell: ``heat-1`` to ``heat-5`` (means), ``gap-1`` to ``gap-5`` (gaps), ``withheld``."""
    if value is None or not math.isfinite(value):
        return "withheld"
    if gap and ci is not None and ci[0] <= 0 <= ci[1]:
        return "gap-3"
    steps = GAP_STEPS if gap else MEAN_STEPS
    return f"{'gap' if gap else 'heat'}-{1 + sum(value >= step for step in steps)}"


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One figure of a heatmap, None where withheld or not asked, with its shade (:data:`NOT_ASKED` for the latter)."""

    value: float | None
    shade: str


@dataclass(frozen=True, slots=True)
class Heatmap:
    """The first level of the hierarchy by dimension (overall first) for one voice, or for the perception gap."""

    title: str
    gap: bool
    rows: list[tuple[str, list[HeatCell]]]


HEATMAP_VOICES = {
    "employee": N_("Employees: attention received"),
    "customer": N_("Customers: attention received"),
    "perception_gap": N_("Perception gap: the team's estimate minus customers"),
}


def _heatmaps(inputs: WaveReportInputs) -> list[Heatmap]:
    """The organisation report's opening heatmaps: the branches under the head office (or the top teams) by dimension.

    Branch figures are pooled from the teams shown (``inputs.groups``), front-line teams' are their own: the same
    released figures as everywhere else in the reports.
    """
    roots = sorted(
        (key for key, info in inputs.teams.items() if info.parent is None), key=lambda k: inputs.teams[k].name
    )
    level = roots
    if len(roots) == 1:
        level = sorted(
            (k for k, info in inputs.teams.items() if info.parent == roots[0]), key=lambda k: inputs.teams[k].name
        )
    branches = {info.parent for info in inputs.teams.values()}
    results = [
        (inputs.teams[key].name, inputs.groups.get(key) if key in branches else inputs.analysis.teams.get(key))
        for key in level
    ]
    shown = [(name, result) for name, result in results if result is not None]
    not_asked = set(not_asked_of_customers(inputs.analysis))
    heatmaps = []
    for voice, title in HEATMAP_VOICES.items():
        rows = []
        for name, result in shown:
            cells = []
            for row in (result.overall, *result.dimensions):
                if voice != "employee" and row.dimension in not_asked:
                    cells.append(HeatCell(None, NOT_ASKED))
                    continue
                figure = getattr(row, voice)
                value = None if figure is None else (figure.estimate if voice == "perception_gap" else figure.mean)
                cells.append(
                    HeatCell(value, shade(value, None if figure is None else figure.ci, gap=voice == "perception_gap"))
                )
            rows.append((name, cells))
        heatmaps.append(Heatmap(title, voice == "perception_gap", rows))
    return heatmaps


def not_asked_of_customers(analysis: WaveAnalysis) -> tuple[str, ...]:
    """The dimensions the wave's customers were not asked about, in the instrument's order (none on the full form)."""
    asked = set(analysis.customer_dimensions)
    return tuple(d.key for d in analysis.instrument.dimensions if d.key not in asked)


def short_form_note(analysis: WaveAnalysis, labels: dict[str, str], t: Translator) -> str | None:
    """What a report says of a wave whose customers answered the short form; None for the full one."""
    if analysis.customer_form is CustomerForm.FULL:
        return None
    asked = analysis.customer_dimensions
    return t(
        "In this wave customers answered the short questionnaire, which asks them about %(names)s (%(asked)s of the "
        "%(total)s dimensions). The other dimensions are not asked of customers: they have no customer score, no "
        "gap and no link across teams. The customers' overall score is the mean of the questions they were asked; "
        "compare it with care with a wave whose customers answered the full questionnaire.",
        names=", ".join(t.quoted(labels[key]) for key in asked),
        asked=len(asked),
        total=len(analysis.instrument.dimensions),
    )


def _dimension_labels(analysis: WaveAnalysis, t: Translator) -> dict[str, str]:
    labels = {d.key: d.label[t.language] for d in analysis.instrument.dimensions}
    labels[OVERALL] = t("Overall")
    return labels


def _headline_gap(result: TeamResult, labels: dict[str, str], t: Translator, compared: int) -> str | None:
    if not result.employee_figures_shown:
        return None
    headline = headline_gap(result)
    if headline is None:
        return t(
            "On no dimension does the gap between what the team thinks and what customers say stay clear enough, "
            "once the %(k)s dimensions are examined together, to be stated.",
            k=compared,
        )
    sentence = HEADLINE_GAP["over" if headline.gap.estimate > 0 else "under"]
    return t(sentence, dimension=labels[headline.dimension], gap=t.number(abs(headline.gap.estimate)))


def _gap_sentence(statement: GapStatement, labels: dict[str, str], t: Translator) -> str:
    direction = "over" if statement.gap.estimate > 0 else "under"
    return t(
        GAP_SENTENCES[statement.kind, direction],
        dimension=labels[statement.dimension],
        gap=t.number(abs(statement.gap.estimate)),
        ci=t.interval(statement.gap.ci),
    )


def _area_sentence(area: Area, labels: dict[str, str], t: Translator) -> str:
    sentence = t(
        REASONS[area.reason],
        dimension=labels[area.dimension],
        score=t.number(area.customer),
        typical=t.number(area.typical),
    )
    if area.importance is not None:
        sentence += t(
            " As employees experience it, it accounts for %(share)s of the differences between teams in customers' "
            "overall view.",
            share=t.percent(area.importance),
        )
    return sentence


def linkage_scatter(points: Sequence[TeamPoint], t: Translator, **options: Any) -> ScatterChart:
    """The teams' overall employee and customer scores, the points of the linkage, as a scatter.

    `options` are the chart's own (the highlighted team, the legend's labels, its width).
    """
    return ScatterChart(
        [point.employee for point in points],
        [point.customer for point in points],
        x_label=t("Attention employees receive (1 to 5)"),
        y_label=t("Attention customers receive (1 to 5)"),
        format_number=t.number,
        **options,
    )


def organisation_scatter(points: Sequence[TeamPoint], t: Translator, width_in: float = NARROW_WIDTH_IN) -> ScatterChart:
    """Every team of the linkage with the regression line and its band, as the organisation report draws it."""
    return linkage_scatter(
        points, t, others_label=t("Teams"), regression_label=t("Regression line (95%% CI)"), width_in=width_in
    )


def mirror_chart(
    result: TeamResult, labels: dict[str, str], t: Translator, width_in: float = TEXT_WIDTH_IN
) -> MirrorChart | None:
    """The three voices per dimension of a team (or a pooled group), the voices it may show only; None with none."""
    voices = (*((Voice.EMPLOYEE, Voice.MIRROR) if result.employee_figures_shown else ()),
              *((Voice.CUSTOMER,) if result.customer_figures_shown else ()))  # fmt: skip
    if not voices:
        return None
    return MirrorChart(
        [labels[row.dimension] for row in result.dimensions],
        [
            MirrorSeries(
                voice.value, t(VOICE_LABELS[voice.value]), [getattr(row, voice.value) for row in result.dimensions]
            )
            for voice in voices
        ],
        axis_label=t("Mean score (1 to 5)"),
        width_in=width_in,
    )


def _pooled_figures(inputs: WaveReportInputs, team: TeamInfo) -> PooledFigures | None:
    """The nearest branch above the team with employee figures, and how many of its teams are shown in it."""
    results = inputs.analysis.teams
    for ancestor in team.ancestors:
        group = inputs.groups.get(ancestor)
        if group is not None and group.employee_figures_shown:
            teams = sum(
                ancestor in other.ancestors and other.key in results and results[other.key].employee_figures_shown
                for other in inputs.teams.values()
            )
            return PooledFigures(inputs.teams[ancestor].name, teams, group)
    return None


def build_team_context(
    inputs: WaveReportInputs, team_key: str, language: Language, extras: TeamExtras | None = None
) -> TeamReportContext:
    """The team report's context; its charts are described, not yet drawn."""
    t = translator(language)
    analysis, team = inputs.analysis, inputs.teams[team_key]
    extras = extras or TeamExtras()
    result = analysis.teams[team.key]
    labels = _dimension_labels(analysis, t)
    typical = typical_customer_scores(analysis)
    strengths, focus = strengths_and_focus(result, typical, analysis.drivers)
    charts: dict[str, Chart] = {}
    mirror = mirror_chart(result, labels, t)
    if mirror is not None:
        charts["mirror"] = mirror
    points = analysis.linkage.points
    if result.employee_figures_shown and points:
        keys = [point.team for point in points]
        charts["position"] = linkage_scatter(
            points,
            t,
            highlight=keys.index(team.key) if team.key in keys else None,
            highlight_label=t("Your team"),
            others_label=t("Other teams"),
        )
    if len(extras.trend) >= MIN_TREND_WAVES:
        charts["trend"] = TrendChart(
            [point.wave for point in extras.trend],
            [point.employee for point in extras.trend],
            [point.customer for point in extras.trend],
            employee_label=t(VOICE_LABELS["employee"]),
            customer_label=t(VOICE_LABELS["customer"]),
            axis_label=t("Mean score (1 to 5)"),
        )
    return TeamReportContext(
        t=t,
        wave=inputs.wave,
        team=team,
        anonymity_threshold=analysis.anonymity_threshold,
        result=result,
        rows=[DimensionRow(labels[row.dimension], row) for row in (*result.dimensions, result.overall)],
        outcomes=_outcome_rows(result, t),
        headline_gap=_headline_gap(result, labels, t, len(analysis.customer_dimensions)),
        parent_name=inputs.teams[team.parent].name if team.parent is not None else None,
        gap_statements=[_gap_sentence(statement, labels, t) for statement in stated_gaps(result)],
        strengths=[_area_sentence(area, labels, t) for area in strengths],
        focus=[_area_sentence(area, labels, t) for area in focus],
        comments=extras.comments
        if dataclasses.replace(analysis.rules, comment_threshold=inputs.comment_threshold).shows_comments(
            result.employee_respondents
        )
        else None,
        pooled=None
        if result.employee_figures_shown and result.customer_figures_shown
        else _pooled_figures(inputs, team),
        customer_minimum=analysis.rules.customer_minimum_employees,
        comment_threshold=inputs.comment_threshold,
        typical=typical,
        charts=charts,
        actions=[_action_sentence(action, labels, t) for action in extras.actions],
        invited=extras.employees_invited,
        actions_url=extras.actions_url,
        voices=_voice_bars(result, inputs.organisation, t),
        questions=[_question(prompt, labels, t) for prompt in conversation_guide(result, strengths, focus)],
        not_asked=not_asked_of_customers(analysis),
        not_asked_labels=tuple(t.quoted(labels[key]) for key in not_asked_of_customers(analysis)),
        gap_dimensions=len(analysis.customer_dimensions),
        short_form_note=short_form_note(analysis, labels, t),
    )


def _outcome_rows(result: TeamResult, t: Translator) -> list[OutcomeRow]:
    return [
        OutcomeRow(t(OUTCOME_LABELS[name]), result.outcomes[name], isinstance(result.outcomes[name], NetPromoterScore))
        for name in OUTCOME_ORDER
        if name in result.outcomes
    ]


def _voice_bars(result: TeamResult, organisation: TeamResult | None, t: Translator) -> list[VoiceBar]:
    bars = []
    for voice, label in OVERALL_LABELS.items():
        team = getattr(result.overall, voice)
        if team is not None and math.isfinite(team.mean):
            bars.append(VoiceBar(voice, t(label), team, getattr(organisation.overall, voice) if organisation else None))
    return bars


QUESTIONS = {
    "overestimated": N_(
        "Customers rate “%(dimension)s” lower than we think. What do they experience there that we do not see, "
        "and how could we find out?"
    ),
    "underestimated": N_(
        "Customers rate “%(dimension)s” higher than we think. What do we do well there, and how do we keep it?"
    ),
    "focus": N_(
        "“%(dimension)s” is where customers rate us below the typical team. What one change could we try "
        "before the next wave?"
    ),
    "employees_lowest": N_(
        "“%(dimension)s” is where we feel least attended to ourselves. What would help most, and who can act on it?"
    ),
    "strength": N_("“%(dimension)s” is a strength in customers' eyes. What do we do there that could help elsewhere?"),
}
GENERAL_QUESTIONS = (
    N_("Which of these results surprises us most, and why?"),
    N_("What do customers thank us for most often, and what do they regret most often?"),
    N_("What one thing will we try before the next wave, and how will we know it helped?"),
)


def _question(prompt: Prompt, labels: dict[str, str], t: Translator) -> str:
    if prompt.dimension is None:
        return t(GENERAL_QUESTIONS[prompt.index])
    return t(QUESTIONS[prompt.kind], dimension=labels[prompt.dimension])


def _action_sentence(action: ActionFollowUp, labels: dict[str, str], t: Translator) -> str:
    def moved(shift: tuple[float, float, float] | None) -> str:
        return t("not measured on both waves") if shift is None else f"{t.signed(shift[0])} {t.interval(shift[1:])}"

    return t(
        "Since the action '%(title)s' (%(status)s, decided after %(wave)s) on '%(dimension)s': employees "
        "%(employee)s, customers %(customer)s.",
        title=action.title,
        status=t(ACTION_STATUS[action.status]),
        wave=action.wave,
        dimension=labels.get(action.dimension, action.dimension),
        employee=moved(action.employee),
        customer=moved(action.customer),
    )


def build_organisation_context(inputs: WaveReportInputs, language: Language) -> OrganisationReportContext:
    """The organisation report's context; its charts are described, not yet drawn."""
    t = translator(language)
    analysis = inputs.analysis
    labels = _dimension_labels(analysis, t)
    charts: dict[str, Chart] = {}
    if analysis.linkage.points:
        charts["scatter"] = organisation_scatter(analysis.linkage.points, t)
    drivers = analysis.drivers
    driver_rows: list[DriverRow] = []
    if drivers is not None:
        # Relative weights sum to R²: each is the part of the differences between teams in customers' overall
        # view that its dimension accounts for, and its bootstrap interval is on that same scale.
        driver_rows = sorted(
            (
                DriverRow(labels[key], weight, ci, significant)
                for key, weight, ci, significant in zip(
                    drivers.dimensions, drivers.weights, drivers.ci, drivers.significant, strict=True
                )
            ),
            key=lambda row: -row.share,
        )
        charts["drivers"] = DriversChart(
            [row.label for row in driver_rows],
            [100 * row.share for row in driver_rows],
            x_label=t("Share of the differences in customers' view between teams (%%)"),
            format_number=lambda value: t.number(value, 0),
            intervals=[(100 * row.ci[0], 100 * row.ci[1]) for row in driver_rows],
        )
    gaps = _overall_perception_gaps(analysis)
    if gaps:
        charts["gaps"] = GapHistogram(
            [gap.estimate for gap in gaps],
            x_label=t("Overall perception gap (points out of 5)"),
            y_label=t("Number of teams"),
            format_number=t.number,
            over_label=t("Team overestimates"),
            under_label=t("Team underestimates"),
        )
    linked = {row.measure: row for row in analysis.dimension_linkage}
    by_dimension: dict[str, dict[str, AggregationIndices]] = {}
    for index in analysis.aggregation:
        by_dimension.setdefault(index.dimension, {})[index.voice.value] = index
    return OrganisationReportContext(
        t=t,
        wave=inputs.wave,
        anonymity_threshold=analysis.anonymity_threshold,
        linkage=analysis.linkage,
        linkage_significant=(
            analysis.linkage.correlation is not None and analysis.linkage.correlation.pvalue < SIGNIFICANCE
        ),
        withheld_teams=analysis.withheld_teams,
        charts=charts,
        dimension_linkage=[LinkageRow(labels[d.key], linked.get(d.key)) for d in analysis.instrument.dimensions],
        aggregation=[
            AggregationRow(labels[key], by_dimension[key])
            for key in [OVERALL, *(d.key for d in analysis.instrument.dimensions)]
            if key in by_dimension
        ],
        aggregation_readings=[
            _aggregation_reading(by_dimension[OVERALL][voice.value], t)
            for voice in (Voice.EMPLOYEE, Voice.CUSTOMER)
            if voice.value in by_dimension.get(OVERALL, {})
        ],
        gap_counts=_gap_counts(gaps),
        drivers=driver_rows,
        drivers_fit=drivers,
        previous_wave=inputs.previous_wave,
        lagged=inputs.lagged,
        rates=inputs.rates,
        teams=[TeamOverviewRow(inputs.teams[key], result) for key, result in analysis.teams.items()],
        organisation=inputs.organisation,
        outcomes=_outcome_rows(inputs.organisation, t) if inputs.organisation else [],
        heatmaps=_heatmaps(inputs),
        dimension_names=[labels[OVERALL], *(labels[d.key] for d in analysis.instrument.dimensions)],
        short_form_note=short_form_note(analysis, labels, t),
    )


def _aggregation_reading(indices: AggregationIndices, t: Translator) -> str:
    # Read on item-level rwg: rwg(j) over distinct dimensions overstates agreement (issue 13).
    if math.isnan(indices.rwg_items):
        agreement = N_("Agreement within teams could not be computed.")
    else:
        agreement = (
            N_("Respondents of a team agree enough for the team mean to stand for them (item-level rwg ≥ .70).")
            if indices.rwg_items >= AGREEMENT_CUTOFF
            else N_("Agreement within teams is below the usual .70: read team means with care.")
        )
    if math.isnan(indices.icc2):
        reliability = N_("The reliability of team means could not be computed.")
    elif indices.icc2 >= RELIABLE_MEANS:
        reliability = N_("Team means are reliable enough to compare teams.")
    elif indices.icc2 >= NOISY_MEANS:
        reliability = N_("Team means are moderately reliable: compare teams only on clear differences.")
    else:
        reliability = N_("At these team sizes, team means are mostly noise: do not rank teams on them.")
    return t(
        "%(voice)s: ICC(1) %(icc1)s (95%% CI %(icc1_ci)s; %(reml)s from a REML random-intercept model), ICC(2) "
        "%(icc2)s (95%% CI %(icc2_ci)s), median item-level rwg %(rwg)s (rwg(j) %(rwg_j)s; %(skewed)s against a "
        "slightly skewed null, LeBreton and Senter 2008). %(agreement)s %(reliability)s",
        voice=t(VOICE_LABELS[indices.voice.value]),
        icc1=t.number(indices.icc1, 2),
        icc2=t.number(indices.icc2, 2),
        icc1_ci=t.interval(indices.icc1_ci, 2),
        reml=t.number(indices.icc1_reml, 2),
        icc2_ci=t.interval(indices.icc2_ci, 2),
        rwg=t.number(indices.rwg_items, 2),
        rwg_j=t.number(indices.rwg, 2),
        skewed=t.number(indices.rwg_skewed, 2),
        agreement=t(agreement),
        reliability=t(reliability),
    )


def _overall_perception_gaps(analysis: WaveAnalysis) -> list[Difference]:
    gaps = [result.overall.perception_gap for result in analysis.teams.values()]
    return [gap for gap in gaps if gap is not None]


def _gap_counts(gaps: list[Difference]) -> GapCounts:
    over = sum(gap.ci[0] > 0 for gap in gaps)
    under = sum(gap.ci[1] < 0 for gap in gaps)
    return GapCounts(over, under, len(gaps) - over - under)

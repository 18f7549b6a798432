"""The analysis of one closed wave: team results, gaps, aggregation indices and the linkage across teams.

The analysis starts by passing the wave's statistics through the disclosure gate (:mod:`symmetry.disclosure`):
every figure below, team results and organisation-wide indices alike, is computed from the released cells only,
so nothing downstream (database, reports, API) can show, or let an attacker solve for, a withheld cell.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from symmetry import stats
from symmetry.arrays import FloatArray
from symmetry.disclosure import DEFAULT_RULES, DisclosureRules, gate_statistics
from symmetry.domain import CustomerForm, Instrument, Item, Respondent, Voice
from symmetry.linkage import Drivers, Linkage, TeamPoint, adjust_across_dimensions, build_linkage, key_drivers
from symmetry.sufficient import NpsCounts, WaveStatistics

MIRRORED_VOICES = (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER)
OVERALL = "overall"


@dataclass(frozen=True, slots=True)
class AnswerMatrix:
    """Answers of one population in one wave: a row per response, a column per item, NaN where unanswered."""

    teams: npt.NDArray[np.str_]
    item_ids: tuple[str, ...]
    values: FloatArray

    @classmethod
    def from_responses(
        cls, item_ids: Iterable[str], responses: Iterable[tuple[str, Mapping[str, int]]]
    ) -> AnswerMatrix:
        """Build the matrix from (team, answers by item id) pairs."""
        ids = tuple(item_ids)
        column = {item_id: j for j, item_id in enumerate(ids)}
        teams: list[str] = []
        rows: list[FloatArray] = []
        for team, answers in responses:
            row = np.full(len(ids), np.nan)
            for item_id, value in answers.items():
                row[column[item_id]] = value
            teams.append(team)
            rows.append(row)
        values = np.vstack(rows) if rows else np.empty((0, len(ids)))
        return cls(teams=np.asarray(teams, dtype=np.str_), item_ids=ids, values=values)

    def scored(self, item: Item) -> FloatArray:
        """The answers to `item`, reflected when it is reverse-keyed so that higher is always better attention."""
        raw = self.values[:, self.item_ids.index(item.id)]
        return item.scale.low + item.scale.high - raw if item.reverse_keyed else raw

    def count_by_team(self) -> dict[str, int]:
        """Number of responses per team."""
        labels, counts = np.unique(self.teams, return_counts=True)
        return {str(label): int(count) for label, count in zip(labels, counts, strict=True)}


@dataclass(frozen=True, slots=True)
class DimensionResult:
    """One team's three voices on one dimension (or on the overall score), and the gaps between them."""

    dimension: str
    employee: stats.MeanEstimate | None
    mirror: stats.MeanEstimate | None
    customer: stats.MeanEstimate | None
    perception_gap: stats.Difference | None
    """Mirror minus customer: positive when the team overestimates how its customers see it."""
    symmetry_gap: stats.Difference | None
    """Employee minus customer: the attention received inside against the attention given outside."""


Outcome = stats.NetPromoterScore | stats.MeanEstimate


def gap_label(gap: stats.Difference | None) -> str | None:
    """How a team sees its customers: a direction only when the interval excludes zero."""
    if gap is None:
        return None
    if not gap.excludes_zero:
        return "in line"
    return "over-estimates" if gap.estimate > 0 else "under-estimates"


@dataclass(frozen=True, slots=True)
class TeamResult:
    """Everything the analysis says about one team in one wave."""

    team: str
    employee_figures_shown: bool
    employee_respondents: int | None
    """None below the anonymity threshold: even the exact count is withheld."""
    customer_respondents: int
    customer_figures_shown: bool
    """False for a team with fewer active employees than the customer-side minimum: no customer score is kept."""
    overall: DimensionResult
    dimensions: tuple[DimensionResult, ...]
    outcomes: dict[str, Outcome]


@dataclass(frozen=True, slots=True)
class AggregationIndices:
    """ICC(1) and ICC(2) of one dimension and voice across all teams.

    `icc1` and `icc2` are the ANOVA estimates (Bliese 2000, as ``multilevel::ICC1`` and ``ICC2``), the convention the
    reports follow; `icc1_reml` is the random-intercept model's, for readers who take that one.
    """

    dimension: str
    voice: Voice
    icc1: float
    icc2: float
    rwg: float
    """Median across teams of rwg (one item) or, for the overall score, rwg(j) over the voice's items."""
    awg: float
    """Median across teams of awg (one item); NaN for the overall score."""
    average_deviation: float
    """Median across teams of the average deviation from the team mean (one item); NaN for the overall score."""
    rwg_items: float = math.nan
    """Median across teams of the mean item-level rwg over the voice's items (the overall score), or the item's rwg:
    rwg(j) over distinct dimensions overstates agreement, so the reports read this one."""
    rwg_skewed: float = math.nan
    """`rwg_items` against the slightly skewed null (LeBreton and Senter 2008): a sensitivity reading."""
    icc1_ci: tuple[float, float] = (math.nan, math.nan)
    icc2_ci: tuple[float, float] = (math.nan, math.nan)
    """F-based 95% intervals (``stats.icc_intervals``)."""
    k0: float = math.nan
    """The adjusted mean team size the ICC(1) interval takes; the point ICC(1) takes N/J, as ``multilevel``."""
    icc1_reml: float = math.nan
    """ICC(1) from the REML fit of a one-way random-intercept model (``stats.icc_reml``); `icc1` is the ANOVA one."""


@dataclass(frozen=True, slots=True)
class WaveAnalysis:
    """The analysis of one wave, handed as plain objects to storage and to the reports."""

    instrument: Instrument
    rules: DisclosureRules
    teams: dict[str, TeamResult]
    aggregation: tuple[AggregationIndices, ...]
    linkage: Linkage
    """The overall score's linkage."""
    dimension_linkage: tuple[Linkage, ...]
    reliability: dict[Voice, stats.AlphaResult | None]
    """Cronbach's alpha of each voice's scale (its items across dimensions), over all respondents."""
    drivers: Drivers | None
    """None below the minimum number of teams for key drivers."""
    customer_form: CustomerForm = CustomerForm.FULL
    """The questionnaire the wave's customers answered: on the short one, the dimensions it does not ask have no
    customer figure, no gap and no linkage, and the customers' overall score is the mean of the items asked."""

    @property
    def customer_dimensions(self) -> tuple[str, ...]:
        """The dimensions customers were asked about, in the instrument's order."""
        return self.instrument.customer_dimensions(self.customer_form)

    @property
    def anonymity_threshold(self) -> int:
        """Fewest employee respondents for a team's employee figures."""
        return self.rules.anonymity_threshold

    @property
    def withheld_teams(self) -> int:
        """Number of teams whose employee figures are withheld."""
        return sum(not result.employee_figures_shown for result in self.teams.values())

    @property
    def customer_withheld_teams(self) -> int:
        """Number of teams too small for team-level customer figures."""
        return sum(not result.customer_figures_shown for result in self.teams.values())


def asked_statistics(instrument: Instrument, statistics: WaveStatistics, form: CustomerForm) -> WaveStatistics:
    """The statistics of what customers were asked in `form`: the other customer cells emptied.

    Their answers are stored as unanswered, so the cells are empty already; emptying them here makes every figure
    of a short wave, whatever its source, say nothing of a question its customers were not asked.
    """
    if form is CustomerForm.FULL:
        return statistics
    asked = {item.id for item in instrument.asked_items(Respondent.CUSTOMER, form)}
    unasked = {
        (dimension.key, Voice.CUSTOMER)
        for dimension in instrument.dimensions
        if instrument.item(Voice.CUSTOMER, dimension.key).id not in asked
    }

    def empty(summary: stats.GroupStatistics) -> stats.GroupStatistics:
        return stats.GroupStatistics(summary.labels[:0], summary.n[:0], summary.mean[:0], summary.variance[:0])

    dropped = {
        item.outcome
        for item in instrument.items_for(Respondent.CUSTOMER)
        if item.voice is Voice.OUTCOME and item.id not in asked
    }
    return dataclasses.replace(
        statistics,
        columns={key: empty(summary) if key in unasked else summary for key, summary in statistics.columns.items()},
        outcomes={name: summary for name, summary in statistics.outcomes.items() if name not in dropped},
        deviations={key: {} if key in unasked else value for key, value in statistics.deviations.items()},
    )


def _overall_statistics(matrix: AnswerMatrix, items: list[Item]) -> stats.GroupStatistics:
    """Per team, the statistics of each respondent's mean over the items of one voice (unanswered items ignored)."""
    if not items or matrix.values.shape[0] == 0:
        return stats.group_statistics(np.empty(0), np.asarray(matrix.teams)[:0])
    columns = np.column_stack([matrix.scored(item) for item in items])
    answered = ~np.isnan(columns)
    return stats.statistics_of_means(matrix.teams, np.where(answered, columns, 0.0).sum(axis=1), answered.sum(axis=1))


def voice_scores(instrument: Instrument, answers: Mapping[str, float]) -> dict[Voice, float | None]:
    """One respondent's mean over each mirrored voice's answered items, reverse-keyed items reflected.

    Examples
    --------
    >>> from symmetry.domain import SCALES, Dimension
    >>> items = tuple(Item(f"d{j}.employee", Voice.EMPLOYEE, SCALES["likert5"], {}, f"d{j}") for j in (1, 2))
    >>> tiny = Instrument("tiny", 1, {}, (Dimension("d1", {}), Dimension("d2", {})), items)
    >>> voice_scores(tiny, {"d1.employee": 4, "d2.employee": 5})[Voice.EMPLOYEE]
    4.5

    """
    scores: dict[Voice, float | None] = {}
    for voice in MIRRORED_VOICES:
        values = [
            item.scale.low + item.scale.high - answers[item.id] if item.reverse_keyed else answers[item.id]
            for item in instrument.items
            if item.voice is voice and item.id in answers
        ]
        scores[voice] = float(np.mean(values)) if values else None
    return scores


def statistics_from_answers(instrument: Instrument, employees: AnswerMatrix, customers: AnswerMatrix) -> WaveStatistics:
    """The sufficient statistics of answers held in memory."""
    matrices = {Voice.EMPLOYEE: employees, Voice.MIRROR: employees, Voice.CUSTOMER: customers}
    columns: dict[tuple[str, Voice], stats.GroupStatistics] = {}
    deviations: dict[tuple[str, Voice], dict[str, float]] = {}
    for voice in MIRRORED_VOICES:
        matrix = matrices[voice]
        items = [item for item in instrument.items if item.voice is voice]
        columns[OVERALL, voice] = _overall_statistics(matrix, items)
        for dimension in instrument.dimensions:
            scored = matrix.scored(instrument.item(voice, dimension.key))
            columns[dimension.key, voice] = stats.group_statistics(scored, matrix.teams)
            deviations[dimension.key, voice] = stats.average_deviation(scored, matrix.teams)
    outcomes: dict[str, stats.GroupStatistics | NpsCounts] = {}
    for item in instrument.items:
        if item.voice is not Voice.OUTCOME or item.outcome is None:
            continue
        matrix = employees if item.respondent is Respondent.EMPLOYEE else customers
        values = matrix.scored(item)
        if item.scale.name == "nps":
            answered = ~np.isnan(values)
            labels, index = np.unique(matrix.teams[answered], return_inverse=True)
            answers = values[answered]

            def count(
                selected: npt.NDArray[np.bool_], index: npt.NDArray[Any] = index, size: int = labels.size
            ) -> npt.NDArray[np.int64]:
                return np.bincount(index, weights=selected, minlength=size).astype(np.int64)

            outcomes[item.outcome] = NpsCounts(
                labels, count(np.ones(answers.size, dtype=bool)), count(answers >= 9), count(answers <= 6)
            )
        else:
            outcomes[item.outcome] = stats.group_statistics(values, matrix.teams)
    return WaveStatistics(
        columns=columns,
        outcomes=outcomes,
        respondents={Respondent.EMPLOYEE: employees.count_by_team(), Respondent.CUSTOMER: customers.count_by_team()},
        deviations=deviations,
    )


SCALE_POINTS, SCALE_LOW, SCALE_HIGH = 5, 1, 5  # the mirrored items' common 1-5 scale


def _median(values: dict[Any, float]) -> float:
    finite = [value for value in values.values() if math.isfinite(value)]
    return float(np.median(finite)) if finite else float("nan")


def _agreement(
    columns: dict[tuple[str, Voice], stats.GroupStatistics], measure: str, voice: Voice, dimensions: list[str]
) -> tuple[float, float]:
    if measure == OVERALL:
        items = [columns[dimension, voice] for dimension in dimensions]
        return _median(stats.rwg_j_from_statistics(items, scale_points=SCALE_POINTS)), float("nan")
    summary = columns[measure, voice]
    return (
        _median(stats.rwg_from_statistics(summary, scale_points=SCALE_POINTS)),
        _median(stats.awg_from_statistics(summary, low=SCALE_LOW, high=SCALE_HIGH)),
    )


def _item_agreement(
    columns: dict[tuple[str, Voice], stats.GroupStatistics], measure: str, voice: Voice, dimensions: list[str]
) -> tuple[float, float]:
    """Median across teams of the mean item-level rwg, against the uniform null and the slightly skewed one."""
    summaries = [columns[d, voice] for d in dimensions] if measure == OVERALL else [columns[measure, voice]]
    skewed = stats.null_variance(stats.SLIGHTLY_SKEWED_5)
    if any(summary.labels.size == 0 for summary in summaries):
        return math.nan, math.nan

    common = functools.reduce(np.intersect1d, [summary.labels for summary in summaries])
    variances = np.array([s.variance[np.searchsorted(s.labels, common)] for s in summaries])

    def median_of_means(null: float) -> float:
        agreement = np.clip(1 - variances / null, 0.0, 1.0).mean(axis=0)  # NaN for a team of one
        finite = agreement[np.isfinite(agreement)]
        return float(np.median(finite)) if finite.size else math.nan

    return median_of_means(stats.uniform_null_variance(SCALE_POINTS)), median_of_means(skewed)


def _aggregation_indices(
    columns: dict[tuple[str, Voice], stats.GroupStatistics],
    measure: str,
    voice: Voice,
    dimensions: list[str],
    deviations: dict[str, float],
) -> AggregationIndices:
    summary = columns[measure, voice]
    icc1, icc2 = _safe_icc(summary)
    rwg, awg = _agreement(columns, measure, voice, dimensions)
    rwg_items, rwg_skewed = _item_agreement(columns, measure, voice, dimensions)
    try:
        intervals: stats.IccIntervals | None = stats.icc_intervals(summary)
        reml = stats.icc_reml(summary).icc
    except ValueError:  # fewer than two teams, or no team of two: no ICC at all
        intervals, reml = None, math.nan
    return AggregationIndices(
        measure,
        voice,
        icc1,
        icc2,
        rwg,
        awg,
        _median(deviations),
        rwg_items=rwg_items,
        rwg_skewed=rwg_skewed,
        icc1_ci=intervals.icc1 if intervals else (math.nan, math.nan),
        icc2_ci=intervals.icc2 if intervals else (math.nan, math.nan),
        k0=intervals.k if intervals else math.nan,
        icc1_reml=reml,
    )


def _alpha(
    columns: dict[tuple[str, Voice], stats.GroupStatistics], voice: Voice, dimensions: list[str]
) -> stats.AlphaResult | None:
    # Answers are all required, so each respondent's total is k times their mean over the voice's items.
    item_variances = [stats.pooled_statistics(columns[dimension, voice])[2] for dimension in dimensions]
    n, _, mean_variance = stats.pooled_statistics(columns[OVERALL, voice])
    try:
        return stats.alpha_from_variances(item_variances, len(dimensions) ** 2 * mean_variance, n)
    except ValueError:
        return None


def _safe_icc(summary: stats.GroupStatistics) -> tuple[float, float]:
    try:
        return stats.icc1_from_statistics(summary), stats.icc2_from_statistics(summary)
    except ValueError:
        return float("nan"), float("nan")


def _outcome_scores(
    instrument: Instrument, statistics: WaveStatistics
) -> dict[str, tuple[Respondent, dict[str, Outcome]]]:
    """Outcome -> (who answers it, team -> score): net promoter scores for 0-10 items, means otherwise."""
    scores: dict[str, tuple[Respondent, dict[str, Outcome]]] = {}
    for item in instrument.items:
        if item.voice is not Voice.OUTCOME or item.outcome is None or item.outcome not in statistics.outcomes:
            continue
        summary = statistics.outcomes[item.outcome]
        per_team: dict[str, Outcome] = dict(
            stats.nps_from_counts(summary.labels, summary.n, summary.promoters, summary.detractors)
            if isinstance(summary, NpsCounts)
            else stats.means_from_statistics(summary, bounds=(item.scale.low, item.scale.high))
        )
        scores[item.outcome] = (item.respondent, per_team)
    return scores


def analyse_wave(
    instrument: Instrument,
    employees: AnswerMatrix,
    customers: AnswerMatrix,
    *,
    rules: DisclosureRules = DEFAULT_RULES,
    min_driver_teams: int = 30,
    customer_form: CustomerForm = CustomerForm.FULL,
) -> WaveAnalysis:
    """Analyse one wave's answers held in memory; see :func:`analyse_statistics`."""
    return analyse_statistics(
        instrument,
        statistics_from_answers(instrument, employees, customers),
        rules=rules,
        min_driver_teams=min_driver_teams,
        customer_form=customer_form,
    )


def analyse_statistics(
    instrument: Instrument,
    statistics: WaveStatistics,
    *,
    rules: DisclosureRules = DEFAULT_RULES,
    min_driver_teams: int = 30,
    customer_form: CustomerForm = CustomerForm.FULL,
) -> WaveAnalysis:
    """Analyse one wave from the released part of its per-team statistics, every statistic in one pass.

    Parameters
    ----------
    instrument : Instrument
        The instrument version the answers were given on.
    statistics : WaveStatistics
        Per-team counts, means and variances of every measure and voice, and the teams' sizes.
    rules : DisclosureRules
        The disclosure gate's thresholds; only what the gate releases enters any figure.
    min_driver_teams : int
        Fewest teams for which key drivers are reported.
    customer_form : CustomerForm
        The questionnaire the wave asked its customers. On the short one, a dimension it does not ask has no
        customer figure (None), no gap, no aggregation index of the customer voice and no linkage (the
        Benjamini-Hochberg adjustment runs over the dimensions asked); the customers' overall score, alpha and
        rwg(j) are those of the items asked; the key drivers still weigh every employee dimension against that
        overall score.

    """
    statistics = asked_statistics(instrument, statistics, customer_form)
    gate, released = gate_statistics(instrument, statistics, rules)
    measures = [OVERALL, *(d.key for d in instrument.dimensions)]
    columns = released.columns
    teams = team_results(
        instrument,
        released,
        anonymity_threshold=rules.anonymity_threshold,
        labels=gate.teams,
        customers_withheld=gate.customers_withheld,
    )
    dimension_keys = [d.key for d in instrument.dimensions]
    customer_keys = list(instrument.customer_dimensions(customer_form))

    def asked(voice: Voice) -> list[str]:
        return customer_keys if voice is Voice.CUSTOMER else dimension_keys

    aggregation = tuple(
        _aggregation_indices(columns, measure, voice, asked(voice), released.deviations.get((measure, voice), {}))
        for measure in measures
        for voice in MIRRORED_VOICES
        if measure == OVERALL or measure in asked(voice)
    )
    reliability = {voice: _alpha(columns, voice, asked(voice)) for voice in MIRRORED_VOICES}

    def linkage(measure: str) -> Linkage:
        return build_linkage(
            measure,
            linkage_points(teams, measure),
            employee=columns[measure, Voice.EMPLOYEE],
            customer=columns[measure, Voice.CUSTOMER],
        )

    return WaveAnalysis(
        instrument=instrument,
        rules=rules,
        teams=teams,
        aggregation=aggregation,
        linkage=linkage(OVERALL),
        dimension_linkage=adjust_across_dimensions([linkage(key) for key in customer_keys]),
        reliability=reliability,
        drivers=_drivers(instrument, teams, min_driver_teams),
        customer_form=customer_form,
    )


def team_results(
    instrument: Instrument,
    statistics: WaveStatistics,
    *,
    anonymity_threshold: int,
    labels: Collection[str] = (),
    customers_withheld: Collection[str] = (),
) -> dict[str, TeamResult]:
    """Each label's result from released statistics: means, gaps and outcomes, employee figures only at the threshold.

    The labels are front-line teams in :func:`analyse_statistics` (`labels` adds those the gate emptied);
    statistics pooled by branch give the branches' results through the same computation
    (:func:`symmetry.hierarchy.pooled_results`).
    """
    measures = [OVERALL, *(d.key for d in instrument.dimensions)]
    columns = statistics.columns
    # The mirrored items share the 1-5 scale: intervals are truncated to it (the how-to-read section says so).
    means = {
        key: stats.means_from_statistics(summary, bounds=(SCALE_LOW, SCALE_HIGH)) for key, summary in columns.items()
    }
    gaps = {
        (measure, inside): stats.differences_from_statistics(columns[measure, inside], columns[measure, Voice.CUSTOMER])
        for measure in measures
        for inside in (Voice.MIRROR, Voice.EMPLOYEE)
    }
    outcomes = _outcome_scores(instrument, statistics)
    employee_counts = statistics.respondents[Respondent.EMPLOYEE]
    customer_counts = statistics.respondents[Respondent.CUSTOMER]
    shown = {team for team, count in employee_counts.items() if count >= anonymity_threshold}

    def dimension_result(team: str, measure: str) -> DimensionResult:
        customer = means[measure, Voice.CUSTOMER].get(team)
        if team not in shown:
            return DimensionResult(measure, None, None, customer, None, None)
        return DimensionResult(
            dimension=measure,
            employee=means[measure, Voice.EMPLOYEE].get(team),
            mirror=means[measure, Voice.MIRROR].get(team),
            customer=customer,
            perception_gap=gaps[measure, Voice.MIRROR].get(team),
            symmetry_gap=gaps[measure, Voice.EMPLOYEE].get(team),
        )

    return {
        team: TeamResult(
            team=team,
            employee_figures_shown=team in shown,
            employee_respondents=employee_counts[team] if team in shown else None,
            customer_respondents=customer_counts.get(team, 0),
            customer_figures_shown=team not in customers_withheld,
            overall=dimension_result(team, OVERALL),
            dimensions=tuple(dimension_result(team, d.key) for d in instrument.dimensions),
            outcomes={
                outcome: per_team[team]
                for outcome, (respondent, per_team) in outcomes.items()
                if team in per_team and (respondent is Respondent.CUSTOMER or team in shown)
            },
        )
        for team in sorted(set(employee_counts) | set(customer_counts) | set(labels))
    }


def linkage_points(teams: dict[str, TeamResult], measure: str) -> list[TeamPoint]:
    """The teams that enter the linkage of `measure`: those whose employee and customer means are both shown."""
    points = []
    for result in teams.values():
        row = result.overall if measure == OVERALL else next(r for r in result.dimensions if r.dimension == measure)
        if row.employee is not None and row.customer is not None and result.employee_respondents is not None:
            points.append(TeamPoint(result.team, row.employee.mean, row.customer.mean, result.employee_respondents))
    return points


def _drivers(instrument: Instrument, teams: dict[str, TeamResult], min_driver_teams: int) -> Drivers | None:
    keys = [d.key for d in instrument.dimensions]
    rows, outcome = [], []
    for result in teams.values():
        means = [row.employee.mean if row.employee else None for row in result.dimensions]
        if result.overall.customer is None or any(mean is None for mean in means):
            continue
        rows.append([float(mean) for mean in means if mean is not None])
        outcome.append(result.overall.customer.mean)
    return key_drivers(keys, rows, outcome, min_teams=min_driver_teams)

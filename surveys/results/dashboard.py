"""The organisation dashboard: a closed wave's figures and heatmap, or an open wave's participation so far.

A closed wave shows the headline figures, the linkage, and a heatmap of teams by dimension. Every figure comes
from what the disclosure gate releases, as the PDFs' do: team rows are the team results of the
released statistics, branch rows and the headline are pooled from them (``symmetry.hierarchy.pooled_results``,
cluster-robust intervals), and the linkage is the stored analysis'. A withheld cell is marked, never filled.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reports.charts import SCREEN_WIDTH_IN
from reports.context import mirror_chart, organisation_scatter, shade
from reports.i18n import Language, translator
from reports.inputs import RateRow, TeamInfo
from surveys.explained import N_, Explained, field_problem, one_of
from surveys.org.models import Organisation, Team
from surveys.reporting.inputs import branch_rates, employees_invited, team_infos
from surveys.results.models import WaveAnalysisRecord
from surveys.results.services import wave_statistics
from surveys.waves.models import Wave
from surveys.waves.status import Count, invitation_counts, open_link_counts
from symmetry import stats
from symmetry.analysis import OVERALL, DimensionResult, TeamResult, linkage_points, team_results
from symmetry.disclosure import DisclosureRules, gate_statistics, rules_of_document
from symmetry.domain import Instrument, Respondent
from symmetry.hierarchy import ORGANISATION, branch_response_counts, group_members, pooled_results
from symmetry.sufficient import WaveStatistics

VOICES = ("employee", "mirror", "customer", "perception_gap")
"""What the heatmap can show: a voice's mean, or the perception gap (mirror minus customer)."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One heatmap cell: a value with its interval, or withheld (None) with the reason."""

    value: float | None
    ci: tuple[float, float] | None
    shade: str
    """A CSS class: ``heat-1`` to ``heat-5`` for means, ``gap-1`` to ``gap-5`` for gaps, ``withheld``, or
    ``not-asked`` for a customer figure of a dimension the wave's customer form does not ask."""


NOT_ASKED = "not-asked"
CUSTOMER_SIDES = ("customer", "perception_gap")
"""The heatmap's views that rest on customers' answers: a dimension not asked of them has none."""


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the heatmap: a team, or a branch pooled over its teams shown."""

    key: str
    name: str
    branch: bool
    """A branch can be opened: its row drills down to its own teams."""
    respondents: int | None
    """Employee respondents (None when withheld); customers for the customer voice."""
    overall: Cell
    cells: dict[str, Cell]


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What the dashboard page shows."""

    organisation: TeamResult
    participation: float | None
    employees_answered: int
    employees_invited_shown: int
    withheld_teams: int
    customers_answered: int
    linkage: dict[str, Any] | None
    """The stored analysis' linkage: teams, Pearson r with its interval and p-value."""
    scatter: str | None
    """The linkage's teams as a scatter (the organisation report's chart, drawn for a screen), a JPEG data URI."""
    dimensions: list[str]
    labels: dict[str, dict[str, str]]
    """Each dimension's name by language, from the wave's instrument."""
    not_asked: list[str]
    """The dimensions the wave's customers were not asked about (its short customer form); empty on the full one."""
    voice: str
    branch: str | None
    path: list[tuple[str, str]]
    """The branches from the organisation down to the one shown, as (key, name)."""
    rows: list[Row]
    sort: str | None


def _cell(result: DimensionResult, voice: str) -> Cell:
    if voice == "perception_gap":
        gap = result.perception_gap
        if gap is None:
            return Cell(None, None, "withheld")
        return Cell(gap.estimate, gap.ci, shade(gap.estimate, gap.ci, gap=True))
    estimate: stats.MeanEstimate | None = getattr(result, voice)
    if estimate is None:
        return Cell(None, None, "withheld")
    return Cell(estimate.mean, estimate.ci, shade(estimate.mean, estimate.ci, gap=False))


def _row(
    key: str,
    name: str,
    result: TeamResult | None,
    voice: str,
    dimensions: list[str],
    branch: bool,
    not_asked: Collection[str] = (),
) -> Row:
    unasked = set(not_asked) if voice in CUSTOMER_SIDES else set()

    def cell(dimension: str, found: Cell) -> Cell:
        return Cell(None, None, NOT_ASKED) if dimension in unasked else found

    if result is None:  # nobody answered there: nothing to show
        empty = Cell(None, None, "withheld")
        return Row(key, name, branch, None, empty, {d: cell(d, empty) for d in dimensions})
    by_dimension = {d.dimension: d for d in result.dimensions}
    respondents = result.customer_respondents if voice == "customer" else result.employee_respondents
    return Row(
        key,
        name,
        branch,
        respondents,
        _cell(result.overall, voice),
        {d: cell(d, _cell(by_dimension[d], voice)) for d in dimensions},
    )


async def organisation_dashboard(
    session: AsyncSession,
    wave: Wave,
    record: WaveAnalysisRecord,
    *,
    rules: DisclosureRules,
    language: Language,
    voice: str = "employee",
    branch: str | None = None,
    sort: str | None = None,
) -> Dashboard:
    """The dashboard of a closed, analysed wave.

    `rules` are today's (see :func:`_released`). Its chart's words and numbers are in `language`; its heatmap
    shows `voice` for the teams directly under `branch` (the organisation's top level when None), sorted by the
    `sort` dimension, highest first (by name when None).

    Raises
    ------
    ValueError
        For a `voice`, `branch` or `sort` that the wave does not have (the message names which).

    """
    if voice not in VOICES:
        raise field_problem("voice", one_of(list(VOICES)))
    released = await _released(session, wave, record, rules)
    instrument, infos, parents, members, groups, shown = (
        released.instrument,
        released.infos,
        released.parents,
        released.members,
        released.groups,
        released.shown,
    )
    dimensions = [d.key for d in instrument.dimensions]
    if sort is not None and sort not in (*dimensions, "overall"):
        raise field_problem("sort", one_of([*dimensions, "overall"]))
    if branch is not None and branch not in infos:
        raise field_problem("branch", Explained(N_("no such branch")))
    roots = [key for key, parent in parents.items() if parent is None]
    if branch is None and len(roots) == 1:
        branch = roots[0]  # one head office: its branches are the first level worth showing
    rows = [
        _row(
            key,
            infos[key].name,
            groups.get(key) if key in members else shown.get(key),
            voice,
            dimensions,
            key in members,
            released.not_asked,
        )
        for key in sorted(infos, key=lambda key: infos[key].name)
        if parents[key] == branch and (key in members or key in shown)
    ]
    if sort is not None:
        rows.sort(key=lambda row: _sort_key(row.overall if sort == "overall" else row.cells[sort]))
    answered = released.statistics.respondents.get(Respondent.EMPLOYEE, {})
    invited = await employees_invited(session, wave, released.teams)
    counts = branch_response_counts(members, answered, invited, released.rules)
    total = counts.groups[ORGANISATION]
    document_teams: Mapping[str, Any] = record.document.get("teams", {})
    organisation = groups.get(ORGANISATION) or _empty(instrument)
    return Dashboard(
        organisation=organisation,
        participation=total.rate,
        employees_answered=total.answered,
        employees_invited_shown=total.invited_shown,
        withheld_teams=total.withheld_teams,
        customers_answered=sum(int(team.get("customer_respondents") or 0) for team in document_teams.values()),
        linkage=record.document.get("organisation", {}).get("linkage"),
        scatter=_scatter(linkage_points(shown, OVERALL), language),
        dimensions=dimensions,
        labels={d.key: dict(d.label) for d in instrument.dimensions},
        not_asked=list(released.not_asked),
        voice=voice,
        branch=branch,
        path=[(key, infos[key].name) for key in reversed((branch, *infos[branch].ancestors))] if branch else [],
        rows=rows,
        sort=sort,
    )


def _scatter(points: list[Any], language: Language) -> str | None:
    if not points:
        return None
    return organisation_scatter(points, translator(language), SCREEN_WIDTH_IN).draw()


@dataclass(frozen=True, slots=True)
class _Released:
    """A closed wave's released statistics and what is pooled or computed from them, for its pages."""

    instrument: Instrument
    statistics: WaveStatistics
    rules: DisclosureRules
    infos: dict[str, TeamInfo]
    teams: dict[str, Team]
    parents: dict[str, str | None]
    members: dict[str, frozenset[str]]
    groups: dict[str, TeamResult]
    """Each branch's pooled result, and the whole organisation's under :data:`ORGANISATION`."""
    shown: dict[str, TeamResult]
    """Each front-line team's result, withheld cells empty."""
    not_asked: tuple[str, ...]
    """The dimensions the wave's customer form does not ask, in the instrument's order."""


async def _released(session: AsyncSession, wave: Wave, record: WaveAnalysisRecord, today: DisclosureRules) -> _Released:
    """What the wave released under the stricter of the rules it was analysed with and `today`'s.

    A threshold raised since the wave closed withholds on its pages what its reports would withhold now.
    """
    instrument, statistics = await wave_statistics(session, wave)
    rules = rules_of_document(record.document).stricter(today)
    gate, released = gate_statistics(instrument, statistics, rules)
    infos, teams = await team_infos(session, wave.organisation_id)
    parents = {key: info.parent for key, info in infos.items()}
    members = {**group_members(parents), ORGANISATION: frozenset(infos)}
    shown = team_results(
        instrument,
        released,
        anonymity_threshold=rules.anonymity_threshold,
        labels=gate.teams,
        customers_withheld=gate.customers_withheld,
    )
    groups = pooled_results(instrument, released, members, gate)
    not_asked = tuple(
        d.key for d in instrument.dimensions if d.key not in instrument.customer_dimensions(wave.customer_form)
    )
    return _Released(instrument, statistics, rules, infos, teams, parents, members, groups, shown, not_asked)


@dataclass(frozen=True, slots=True)
class TeamView:
    """What a team's page shows: the team (or branch, pooled), beside its branch and the organisation."""

    key: str
    name: str
    result: TeamResult | None
    """None when nobody of the team answered."""
    branch: bool
    parent: tuple[str, TeamResult] | None
    """The name and pooled result of the branch it belongs to, when it has one with figures."""
    organisation: TeamResult | None
    dimensions: list[str]
    labels: dict[str, dict[str, str]]
    rules: DisclosureRules
    not_asked: tuple[str, ...] = ()
    """The dimensions the wave's customer form does not ask: no customer figure, no gap."""


async def team_view(
    session: AsyncSession, wave: Wave, record: WaveAnalysisRecord, key: str, *, rules: DisclosureRules
) -> TeamView:
    """The page of team `key` in a closed, analysed wave: its own figures, or a branch's pooled ones.

    `rules` are today's: the stricter of them and the wave's own apply (see :func:`_released`).
    """
    released = await _released(session, wave, record, rules)
    branch = key in released.members and key != ORGANISATION
    result = released.groups.get(key) if branch else released.shown.get(key)
    parent_key = released.parents.get(key)
    parent = None
    if parent_key is not None and parent_key in released.groups:
        parent = (released.infos[parent_key].name, released.groups[parent_key])
    return TeamView(
        key=key,
        name=released.infos[key].name,
        result=result,
        branch=branch,
        parent=parent,
        organisation=released.groups.get(ORGANISATION),
        dimensions=[d.key for d in released.instrument.dimensions],
        labels={d.key: dict(d.label) for d in released.instrument.dimensions},
        rules=released.rules,
        not_asked=released.not_asked,
    )


def mirror_image(view: TeamView, language: Language) -> str | None:
    """The three voices per dimension of the page's team as its report draws them, for a screen: a JPEG data URI.

    None when the team shows no voice.
    """
    if view.result is None:
        return None
    labels = {key: label[language] for key, label in view.labels.items()}
    chart = mirror_chart(view.result, labels, translator(language), SCREEN_WIDTH_IN)
    return chart.draw() if chart is not None else None


def _sort_key(cell: Cell) -> tuple[bool, float]:
    """Highest first, withheld cells last."""
    return (cell.value is None, -(cell.value or 0.0))


def _empty(instrument: Instrument) -> TeamResult:
    nothing = DimensionResult("overall", None, None, None, None, None)
    dimensions = tuple(DimensionResult(d.key, None, None, None, None, None) for d in instrument.dimensions)
    return TeamResult(ORGANISATION, False, None, 0, False, nothing, dimensions, {})


@dataclass(frozen=True, slots=True)
class TeamLine:
    """One team of a reader's list: its overall figures, released or withheld (None)."""

    team_id: uuid.UUID
    name: str
    depth: int
    employee_respondents: int | None
    employee: stats.MeanEstimate | None
    customer: stats.MeanEstimate | None


async def team_lines(
    session: AsyncSession,
    wave: Wave,
    record: WaveAnalysisRecord,
    visible: set[uuid.UUID] | None,
    *,
    rules: DisclosureRules,
) -> list[TeamLine]:
    """The teams of a closed wave that the reader may see (all when `visible` is None), in hierarchy order.

    A branch's line is its teams shown, pooled; the depth counts from the highest team listed.
    """
    released = await _released(session, wave, record, rules)
    keys = [
        key
        for key, team in released.teams.items()
        if (visible is None or team.id in visible) and (key in released.members or key in released.shown)
    ]
    path = {key: tuple(released.infos[a].name for a in reversed(released.infos[key].ancestors)) for key in keys}
    top = min((len(names) for names in path.values()), default=0)
    lines = []
    for key in sorted(keys, key=lambda key: (*path[key], released.infos[key].name)):
        result = released.groups.get(key) if key in released.members else released.shown.get(key)
        lines.append(
            TeamLine(
                team_id=released.teams[key].id,
                name=released.infos[key].name,
                depth=len(path[key]) - top,
                employee_respondents=result.employee_respondents if result else None,
                employee=result.overall.employee if result else None,
                customer=result.overall.customer if result else None,
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class Participation:
    """An open wave's answers so far, by branch, as its closed reports will count them."""

    rows: tuple[RateRow, ...]
    """The organisation first, then each branch in the hierarchy's order; withheld teams counted by number only."""
    customers_invited: int
    customers_answered: int
    customers_open_link: int
    """Customer answers through the teams' open links, beside the invited customers' rate."""


async def open_participation(session: AsyncSession, wave: Wave, rules: DisclosureRules) -> Participation:
    """Employee participation so far organisation-wide and by branch, through the disclosure gate.

    A team under the threshold adds neither its invitees nor its answers to any rate, only to the number of teams
    withheld, as in the organisation report: no total minus the teams shown gives its count, open or closed.
    """
    infos, teams = await team_infos(session, wave.organisation_id)
    organisation = await session.get_one(Organisation, wave.organisation_id)
    keys = {team.id: key for key, team in teams.items()}
    counts = await invitation_counts(session, wave)
    employees = {
        keys[team_id]: count for (team_id, respondent), count in counts.items() if respondent is Respondent.EMPLOYEE
    }
    customers = sum(
        (count for (_, respondent), count in counts.items() if respondent is Respondent.CUSTOMER), Count(0, 0)
    )
    members = group_members({key: info.parent for key, info in infos.items()})
    branches = branch_response_counts(
        members,
        {key: count.answered for key, count in employees.items()},
        {key: count.invited for key, count in employees.items()},
        rules,
    )
    open_link = sum((await open_link_counts(session, wave)).values())
    rows = branch_rates(infos, branches, organisation.name)
    return Participation(rows, customers.invited, customers.answered, open_link)

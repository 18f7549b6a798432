"""What the reports receive: plain, picklable objects, built by the application from its database.

The reports never read the database; whatever a template shows comes from here or from the wave's analysis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from symmetry.analysis import TeamResult, WaveAnalysis
from symmetry.linkage import LaggedLinkage, TeamPoint, lagged_linkage


@dataclass(frozen=True, slots=True)
class WaveInfo:
    """The wave a report is about."""

    organisation: str
    name: str
    opens_on: dt.date
    closes_on: dt.date


@dataclass(frozen=True, slots=True)
class TeamInfo:
    """A team of the wave: its key in the analysis, display name, and the keys of its ancestors, nearest first."""

    key: str
    name: str
    ancestors: tuple[str, ...] = ()

    @property
    def parent(self) -> str | None:
        """The key of the team it belongs to, if any."""
        return self.ancestors[0] if self.ancestors else None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """A team's overall scores in one closed wave (None where not shown in that wave)."""

    wave: str
    closes_on: dt.date
    employee: float | None
    customer: float | None


@dataclass(frozen=True, slots=True)
class ActionFollowUp:
    """An action the team decided after an earlier wave, with the change on its dimension since that wave.

    Each change is (later minus earlier mean, low, high) with its Welch 95% interval, or None where a side is
    withheld on either wave.
    """

    title: str
    dimension: str
    status: str
    wave: str
    employee: tuple[float, float, float] | None
    customer: tuple[float, float, float] | None


@dataclass(frozen=True, slots=True)
class TeamExtras:
    """What one team's report shows beyond the analysis: its comments, its earlier waves and their actions.

    ``comments`` is already sampled and shuffled, and holds nothing when the team is under the comment threshold.
    """

    comments: tuple[str, ...] = ()
    trend: tuple[TrendPoint, ...] = ()
    actions: tuple[ActionFollowUp, ...] = ()
    employees_invited: int | None = None
    """Employees invited to the wave in the team: with its released count, its response rate."""
    actions_url: str | None = None
    """The team's page of this wave, where its manager plans an action; None where no web app serves the reports."""


@dataclass(frozen=True, slots=True)
class RateRow:
    """Employee response counts of one branch of the hierarchy, its teams under the threshold counted by number only."""

    key: str
    name: str
    depth: int
    invited: int
    invited_shown: int
    """Employees invited in the branch's teams shown."""
    answered: int
    """Employee respondents of the branch's teams shown."""
    withheld_teams: int


@dataclass(frozen=True, slots=True)
class WaveReportInputs:
    """Everything shared by a wave's reports.

    ``teams`` holds every team of the hierarchy by key, branches included; the analysis has the front-line ones.
    ``groups`` holds the pooled results of branches (teams with teams under them), computed from the teams the
    disclosure gate shows: a team whose figures are withheld shows its nearest branch with employee figures.
    """

    analysis: WaveAnalysis
    wave: WaveInfo
    teams: Mapping[str, TeamInfo]
    comment_threshold: int = 10
    groups: Mapping[str, TeamResult] = field(default_factory=dict)
    organisation: TeamResult | None = None
    """The whole organisation's teams shown, pooled as ``groups`` are."""
    rates: tuple[RateRow, ...] = ()
    previous_wave: str | None = None
    lagged: LaggedLinkage | None = None
    """The cross-lagged comparison with `previous_wave`, over the teams shown in both (their stored overall scores)."""


def lagged_from_trends(trends: Mapping[str, tuple[TrendPoint, ...]]) -> tuple[str | None, LaggedLinkage | None]:
    """The previous wave and the cross-lagged comparison with it, from the teams' trends (this wave last).

    Only teams shown on both sides in both waves enter: the trends hold stored results, None where withheld.
    """
    earlier = [point for trend in trends.values() for point in trend[:-1]]
    if not earlier:
        return None, None
    previous = max(earlier, key=lambda point: (point.closes_on, point.wave))
    before, after = [], []
    for team, trend in sorted(trends.items()):
        then = next((p for p in trend[:-1] if (p.wave, p.closes_on) == (previous.wave, previous.closes_on)), None)
        now = trend[-1]
        if then is None or then.employee is None or then.customer is None:
            continue
        if now.employee is None or now.customer is None:
            continue
        before.append(TeamPoint(team, then.employee, then.customer, 0))
        after.append(TeamPoint(team, now.employee, now.customer, 0))
    return previous.wave, lagged_linkage(before, after)

"""An attacker's solver for withheld cells, written from the published definitions and not from Symmetry's gate.

The attacker holds the releases of a wave (:class:`Releases`: every team's released figures, every branch's
pooled figures, the organisation-wide indices and their n, the response counts by branch and the status labels),
knows the hierarchy, the invitations per team, which teams are withheld, and that answers are integers on known
scales. For every withheld team it sets up the unknowns an attacker would: its number of employee respondents
(an integer from 0 to the threshold minus one, and no more than it had invitations) and, per measure and voice,
the sum of its respondents' scores (an integer for a one-item dimension; between 1 and 5 times the count). Every
released aggregate that is not explained by the shown teams alone becomes an equation:

- a branch's pooled n and mean: the branch's teams' counts and sums add up to them (linear differencing);
- an organisation-wide n (Cronbach's alpha's): all teams' counts add up to it;
- an organisation-wide ICC(1) with its ICC(2): together they give the mean team size k = N / J, hence N for
  the number of teams J that makes it an integer;
- a branch's answered count, in the report's rates or the status page, not equal to its shown teams' sum.

It then solves the mixed-integer programme for the range of each withheld count and of each withheld mean
(scipy's ``milp``, HiGHS). A gate holds when every count can still be anything from 0 to its cap and every mean
spans at least a point of the 1-5 scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

Key = tuple[str, str]  # (measure: "overall" or a dimension, voice: "employee" or "mirror")
VOICES = ("employee", "mirror")
LOW, HIGH = 1.0, 5.0
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Figure:
    """A released estimate: its n and its mean."""

    n: int
    mean: float


@dataclass
class Releases:
    """What the attacker holds for one wave."""

    threshold: int
    parents: dict[str, str | None]
    invited: dict[str, int]
    """Employees invited per team (its own people, not its branch's)."""
    teams: dict[str, dict[Key, Figure]]
    """Every shown team's released employee and mirror figures."""
    withheld: set[str]
    groups: dict[str, dict[Key, Figure]] = field(default_factory=dict)
    """Each branch's pooled employee and mirror figures, as released."""
    organisation_n: dict[str, int] = field(default_factory=dict)
    """Voice -> an organisation-wide n released with an index (alpha's)."""
    iccs: dict[Key, tuple[float, float]] = field(default_factory=dict)
    """(measure, voice) -> (ICC(1), ICC(2)) released for the organisation."""
    branch_answered: dict[str, int] = field(default_factory=dict)
    """Branch (or "" for the organisation) -> the answered count shown for it."""
    items: dict[str, int] = field(default_factory=dict)
    """Voice -> number of items in the voice's overall score."""


@dataclass(frozen=True)
class CellRange:
    """What the releases leave possible for one withheld team."""

    count: tuple[int, int]
    means: dict[Key, tuple[float, float]]

    @property
    def narrowest_mean_span(self) -> float:
        """The narrowest range of a withheld mean, over measures and voices (4.0 when nothing constrains it)."""
        return min((high - low for low, high in self.means.values()), default=HIGH - LOW)


def members(parents: Mapping[str, str | None]) -> dict[str, set[str]]:
    """Each branch's teams: itself and every team under it."""
    branch: dict[str, set[str]] = {}
    for team in parents:
        parent = parents[team]
        while parent is not None:
            branch.setdefault(parent, {parent}).add(team)
            parent = parents[parent]
    return branch


class _Programme:
    """The unknowns (counts, then sums per team and key) and the equations between them."""

    def __init__(self, releases: Releases, keys: list[Key]) -> None:
        self.releases = releases
        self.withheld = sorted(releases.withheld)
        self.keys = keys
        self.index: dict[tuple[str, Key | None], int] = {}
        for team in self.withheld:
            self.index[team, None] = len(self.index)
        for team in self.withheld:
            for key in keys:
                self.index[team, key] = len(self.index)
        self.rows: list[np.ndarray] = []
        self.values: list[float] = []
        self.touched: set[str] = set()

    def equation(self, terms: Iterable[tuple[str, Key | None]], value: float) -> None:
        row = np.zeros(len(self.index))
        for term in terms:
            row[self.index[term]] = 1.0
            self.touched.add(term[0])
        self.rows.append(row)
        self.values.append(value)

    def _constraints(self, fixed: Mapping[int, float]) -> tuple[list[LinearConstraint], Bounds, np.ndarray]:
        size = len(self.index)
        caps = {team: min(self.releases.threshold - 1, self.releases.invited.get(team, 0)) for team in self.withheld}
        lower, upper = np.zeros(size), np.zeros(size)
        integrality = np.zeros(size)
        for (team, key), j in self.index.items():
            if key is None:
                upper[j], integrality[j] = caps[team], 1
            else:
                upper[j] = HIGH * caps[team]
                # A dimension is one item: its sum is an integer; an overall score is a mean over the voice's items.
                integrality[j] = 1 if key[0] != "overall" else 0
        for j, value in fixed.items():
            lower[j] = upper[j] = value
        constraints = []
        if self.rows:
            matrix = np.vstack(self.rows)
            values = np.asarray(self.values)
            constraints.append(LinearConstraint(matrix, values - TOLERANCE, values + TOLERANCE))
        # Each sum lies between 1 and 5 times the team's count.
        for team in self.withheld:
            for key in self.keys:
                row = np.zeros(size)
                row[self.index[team, key]], row[self.index[team, None]] = 1.0, -LOW
                constraints.append(LinearConstraint(row, 0, np.inf))
                row = np.zeros(size)
                row[self.index[team, key]], row[self.index[team, None]] = 1.0, -HIGH
                constraints.append(LinearConstraint(row, -np.inf, 0))
        return constraints, Bounds(lower, upper), integrality

    def extreme(self, target: int, sign: float, fixed: Mapping[int, float] | None = None) -> float | None:
        """The smallest (sign 1) or largest (sign -1) feasible value of one unknown; None if infeasible."""
        constraints, bounds, integrality = self._constraints(fixed or {})
        objective = np.zeros(len(self.index))
        objective[target] = sign
        result = milp(objective, constraints=constraints, bounds=bounds, integrality=integrality)
        return None if result.x is None else float(result.x[target])


def _residual_equations(programme: _Programme, releases: Releases) -> None:
    shown = releases.teams
    branches = members(releases.parents)
    for group, figures in releases.groups.items():
        inside_withheld = [team for team in programme.withheld if team in branches.get(group, set())]
        inside_shown = [team for team in shown if team in branches.get(group, set())]
        for key, figure in figures.items():
            count = figure.n - sum(shown[team][key].n for team in inside_shown if key in shown[team])
            total = figure.n * figure.mean - sum(
                shown[team][key].n * shown[team][key].mean for team in inside_shown if key in shown[team]
            )
            if count == 0 and abs(total) < TOLERANCE:
                continue  # explained by the shown teams alone
            programme.equation([(team, None) for team in inside_withheld], count)
            programme.equation([(team, key) for team in inside_withheld], total)
    overall_shown = {
        voice: sum(f[("overall", voice)].n for f in shown.values() if ("overall", voice) in f) for voice in VOICES
    }
    for voice, n in releases.organisation_n.items():
        if n != overall_shown.get(voice, 0):
            programme.equation([(team, None) for team in programme.withheld], n - overall_shown.get(voice, 0))
    for (measure, voice), (icc1, icc2) in releases.iccs.items():
        figures = [f[(measure, voice)] for f in shown.values() if (measure, voice) in f]
        shown_n = sum(f.n for f in figures)
        if not (np.isfinite(icc1) and np.isfinite(icc2)) or icc1 == 0 or icc2 >= 1 or icc2 == 0:
            continue
        ratio = 1 - icc2  # MSW / MSB
        k = ((1 - ratio) / icc1 - 1) / ratio + 1  # mean team size, N / J
        candidates = []
        for extra in range(len(programme.withheld) + 1):
            total = k * (len(figures) + extra)
            if abs(total - round(total)) < 1e-6:
                candidates.append((extra, round(total)))
        if len(candidates) == 1 and candidates[0][1] != shown_n:
            programme.equation([(team, None) for team in programme.withheld], candidates[0][1] - shown_n)
    for branch, answered in releases.branch_answered.items():
        inside = set(releases.parents) if branch == "" else branches.get(branch, {branch})
        shown_sum = sum(f[("overall", "employee")].n for team, f in shown.items() if team in inside)
        if answered != shown_sum:
            programme.equation([(team, None) for team in programme.withheld if team in inside], answered - shown_sum)


def solve(releases: Releases) -> dict[str, CellRange]:
    """For each withheld team, the range of its count and of each of its means that the releases allow."""
    return dict(_ranges(releases))


def _ranges(releases: Releases) -> Iterator[tuple[str, CellRange]]:
    keys = sorted({key for figures in releases.teams.values() for key in figures})
    programme = _Programme(releases, keys)
    _residual_equations(programme, releases)
    for team in programme.withheld:
        cap = min(releases.threshold - 1, releases.invited.get(team, 0))
        if team not in programme.touched:
            yield team, CellRange((0, cap), dict.fromkeys(keys, (LOW, HIGH)))
            continue
        count_at = programme.index[team, None]
        least, most = programme.extreme(count_at, 1.0), programme.extreme(count_at, -1.0)
        if least is None or most is None:
            raise AssertionError(f"the releases are inconsistent for team {team!r}: the solver models them wrongly")
        means: dict[Key, tuple[float, float]] = {}
        for key in keys:
            lows, highs = [], []
            for count in range(max(1, round(least)), round(most) + 1):
                fixed = {count_at: float(count)}
                low = programme.extreme(programme.index[team, key], 1.0, fixed)
                high = programme.extreme(programme.index[team, key], -1.0, fixed)
                if low is not None and high is not None:
                    lows.append(low / count)
                    highs.append(high / count)
            means[key] = (min(lows), max(highs)) if lows else (LOW, HIGH)
        yield team, CellRange((round(least), round(most)), means)


def breaches(releases: Releases, *, first_only: bool = False) -> list[str]:
    """Every withheld cell the releases pin: a count narrower than 0 to its cap, a mean narrower than a point.

    With `first_only`, stops at the first team that has any: enough to show that a gate leaks.
    """
    found = []
    for team, cell in _ranges(releases):
        cap = min(releases.threshold - 1, releases.invited.get(team, 0))
        if cell.count != (0, cap):
            found.append(f"{team}: count in {cell.count}, not anywhere in 0..{cap}")
        for key, (low, high) in cell.means.items():
            if cap > 0 and high - low < 1.0:
                found.append(f"{team} {key}: mean in [{low:.3f}, {high:.3f}]")
        if found and first_only:
            break
    return found

"""What a team's results page shows beyond its figures: the change since the previous wave, comments, actions.

Every figure is a released one: the team's figures in this wave and in an earlier one (each through its own wave's
gate, :func:`surveys.results.dashboard.team_view`), and the Welch difference of two released means. Comments
follow the reports' rule: a front-line team's, sampled, only from the comment threshold up.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from reports.i18n import Language
from surveys.actions.models import ActionPlan
from surveys.actions.services import Change, change, team_actions
from surveys.org.models import Team
from surveys.reporting.inputs import team_comments
from surveys.results.dashboard import TeamView, mirror_image, team_view
from surveys.results.models import WaveAnalysisRecord
from surveys.waves.models import Wave, WaveState
from surveys.waves.services import earlier_closed_waves
from symmetry.analysis import TeamResult
from symmetry.disclosure import DisclosureRules

CHANGE_VOICES = ("employee", "mirror", "customer")
"""The voices whose change since the previous wave a team's page gives."""

Changes = dict[str, Change | None]
"""A dimension's change for each voice (None where either wave withholds it or has too few answers)."""


@dataclass(frozen=True, slots=True)
class SincePrevious:
    """The team's change on each dimension (and overall) since the organisation's previous closed wave."""

    wave: Wave
    changes: dict[str, Changes]
    """By dimension key, and ``overall``."""


@dataclass(frozen=True, slots=True)
class ListedAction:
    """One of the team's actions, with the change on its dimension when it was decided after an earlier wave."""

    action: ActionPlan
    wave: Wave
    changes: Changes | None
    """None for an action decided after this wave or a later one: it is measured again at the next wave."""


@dataclass(frozen=True, slots=True)
class TeamPage:
    """Everything a team's page shows."""

    view: TeamView
    mirror: str | None
    """The three voices per dimension as a chart (a JPEG data URI)."""
    since: SincePrevious | None
    comments: tuple[str, ...] | None
    """None when they may not be shown (a branch, under the threshold, or a reader who gets no comments)."""
    comment_threshold: int
    actions: list[ListedAction]


async def team_page(
    session: AsyncSession,
    wave: Wave,
    record: WaveAnalysisRecord,
    team: Team,
    *,
    rules: DisclosureRules,
    language: Language,
    comment_threshold: int,
    with_comments: bool,
) -> TeamPage:
    """The page of `team` in a closed, analysed wave, its chart drawn in `language`.

    Comments are read only `with_comments`, at the stricter of `comment_threshold` and the wave's own.
    """
    view = await team_view(session, wave, record, team.external_id, rules=rules)
    earlier = _EarlierViews(session, team.external_id, rules)
    previous = next(iter(await earlier_closed_waves(session, wave, limit=1)), None)
    since = None
    # A branch's pooled intervals are widened for the clustering of its teams; a plain difference of two of them
    # would not be, and would overstate what changed: the change is given for front-line teams only.
    if previous is not None and view.result is not None and not view.branch:
        then = await earlier.view(previous)
        if then is not None and then.result is not None:
            since = SincePrevious(previous, _changes(then.result, view.result))
    shown = dataclasses.replace(view.rules, comment_threshold=max(comment_threshold, view.rules.comment_threshold))
    comments = None
    if with_comments and view.result is not None and not view.branch:
        respondents = {team.external_id: view.result.employee_respondents}
        if shown.shows_comments(view.result.employee_respondents):
            found = await team_comments(session, wave, respondents, {team.external_id: team.id}, rules=shown)
            comments = found.get(team.external_id, ())
    return TeamPage(
        view=view,
        mirror=mirror_image(view, language),
        since=since,
        comments=comments,
        comment_threshold=shown.comment_threshold,
        actions=await _actions(session, wave, view, team, earlier),
    )


def _changes(then: TeamResult, now: TeamResult) -> dict[str, Changes]:
    before = {row.dimension: row for row in (then.overall, *then.dimensions)}
    after = {row.dimension: row for row in (now.overall, *now.dimensions)}
    return {
        key: {voice: change(getattr(before[key], voice), getattr(after[key], voice)) for voice in CHANGE_VOICES}
        for key in after
        if key in before
    }


class _EarlierViews:
    """The team's page in earlier waves, each read once."""

    def __init__(self, session: AsyncSession, key: str, rules: DisclosureRules) -> None:
        self._session, self._key, self._rules = session, key, rules
        self._views: dict[uuid.UUID, TeamView | None] = {}

    async def view(self, wave: Wave) -> TeamView | None:
        if wave.id not in self._views:
            record = await self._session.get(WaveAnalysisRecord, wave.id)
            self._views[wave.id] = (
                await team_view(self._session, wave, record, self._key, rules=self._rules) if record else None
            )
        return self._views[wave.id]


async def _actions(
    session: AsyncSession, wave: Wave, view: TeamView, team: Team, earlier: _EarlierViews
) -> list[ListedAction]:
    """The team's actions; those of an earlier closed wave with the change since then, employees and customers."""
    now = {d.dimension: d for d in view.result.dimensions} if view.result else {}
    listed = []
    for action, action_wave in await team_actions(session, team.id):
        changes = None
        if (
            action_wave.id != wave.id
            and action_wave.state is WaveState.CLOSED
            and action_wave.closes_on <= wave.opens_on
        ):
            then_view = await earlier.view(action_wave)
            then = {d.dimension: d for d in then_view.result.dimensions} if then_view and then_view.result else {}
            before, after = then.get(action.dimension), now.get(action.dimension)
            changes = {
                voice: change(getattr(before, voice, None), getattr(after, voice, None))
                for voice in ("employee", "customer")
            }
        listed.append(ListedAction(action, action_wave, changes))
    return listed

"""A closed wave's report inputs, read from the database: its stored analysis, teams, comments and trends."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from reports.i18n import LANGUAGES, Language
from reports.inputs import (
    ActionFollowUp,
    RateRow,
    TeamExtras,
    TeamInfo,
    TrendPoint,
    WaveInfo,
    WaveReportInputs,
    lagged_from_trends,
)
from surveys.actions.models import ActionPlan
from surveys.actions.services import change
from surveys.collection.models import Comment, Response
from surveys.explained import N_, Explained
from surveys.org.models import Employee, Organisation, Team
from surveys.results.models import TeamResultRow, WaveAnalysisRecord
from surveys.results.services import wave_statistics
from surveys.waves.models import Invitation, Wave, WaveState
from surveys.waves.services import earlier_closed_waves
from symmetry.analysis import OVERALL, DimensionResult, WaveAnalysis, analyse_statistics
from symmetry.disclosure import DisclosureRules, gate_statistics, rules_of_document
from symmetry.document import analysis_document
from symmetry.domain import CustomerForm, Instrument, Respondent, Voice
from symmetry.hierarchy import ORGANISATION, BranchCounts, branch_response_counts, group_members, pooled_results
from symmetry.sufficient import WaveStatistics

MAX_COMMENTS = 12
EARLIER_WAVES_IN_TREND = 4
DEFAULT_LANGUAGE: Language = "en"


class ReportError(Explained):
    """A wave's reports cannot be made (not closed, or its stored analysis missing or out of date)."""


@dataclass(frozen=True, slots=True)
class WaveReportData:
    """Everything a wave's reports are made from, with what the batch needs to name and record them."""

    wave: Wave
    document: dict[str, Any]
    """The stored analysis document, as `symmetry analyze` and the wave's close wrote it."""
    inputs: WaveReportInputs
    team_ids: dict[str, uuid.UUID]
    """Every team of the organisation by key."""
    languages: dict[str, Language]
    """Each front-line team's report language."""
    extras: dict[str, TeamExtras]
    """Each front-line team's comments and trend."""


async def stored_analysis(
    session: AsyncSession, wave: Wave
) -> tuple[dict[str, Any], WaveAnalysis, Instrument, WaveStatistics]:
    """The wave's stored analysis document, the analysis objects that the reports draw, and what they came from.

    The document keeps the figures but not everything the reports need (the scatter's points, each gap's degrees
    of freedom), so the analysis is computed again from the stored answers, at the stored anonymity threshold, and
    must give the same document: a report never shows figures other than the stored ones.
    """
    if wave.state is not WaveState.CLOSED:
        raise ReportError(
            N_("wave %(wave)s is %(state)s: reports are made once it is closed"),
            wave=repr(wave.name),
            state=Explained(wave.state.value),
        )
    record = await session.get(WaveAnalysisRecord, wave.id)
    if record is None:
        raise ReportError(
            N_("wave %(wave)s has no stored analysis: run `symmetry analyze` on it first"), wave=repr(wave.name)
        )
    document = record.document
    instrument, statistics = await wave_statistics(session, wave)
    analysis = analyse_statistics(
        instrument, statistics, rules=rules_of_document(document), customer_form=wave.customer_form
    )
    recomputed = analysis_document(analysis)
    if _comparable(recomputed) != _comparable(document):
        raise ReportError(
            N_(
                "the stored analysis of wave %(wave)s no longer matches its answers or this version of Symmetry: "
                "run `symmetry analyze` on it again"
            ),
            wave=repr(wave.name),
        )
    return document, analysis, instrument, statistics


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    # The comparison with the previous wave is stored by `symmetry analyze` only, and is not drawn from this
    # wave's answers alone. A document stored before waves had a customer form is one of the full form.
    organisation = {key: value for key, value in document["organisation"].items() if key != "across_waves"}
    return {"customer_form": CustomerForm.FULL.value, **document, "organisation": organisation}


async def team_infos(session: AsyncSession, organisation_id: uuid.UUID) -> tuple[dict[str, TeamInfo], dict[str, Team]]:
    """Every team of the organisation's hierarchy by key (its external id), with its ancestors nearest first."""
    teams = list(await session.scalars(sa.select(Team).where(Team.organisation_id == organisation_id)))
    by_id = {team.id: team for team in teams}

    def ancestors(team: Team) -> tuple[str, ...]:
        keys: list[str] = []
        seen = {team.id}
        parent_id = team.parent_id
        while parent_id is not None and parent_id in by_id and parent_id not in seen:
            seen.add(parent_id)
            keys.append(by_id[parent_id].external_id)
            parent_id = by_id[parent_id].parent_id
        return tuple(keys)

    infos = {team.external_id: TeamInfo(team.external_id, team.name, ancestors(team)) for team in teams}
    return infos, {team.external_id: team for team in teams}


async def report_languages(
    session: AsyncSession, organisation_id: uuid.UUID, teams: dict[str, Team]
) -> dict[str, Language]:
    """Each team's report language: its manager's, else the most common among its employees, else English.

    A manager's language is known when the manager is on the roster as an employee of the organisation.
    """
    employees = list(
        await session.execute(
            sa.select(Employee.email, Employee.team_id, Employee.language).where(
                Employee.organisation_id == organisation_id, Employee.active.is_(True)
            )
        )
    )
    by_email = {email.lower(): language for email, _, language in employees}
    by_team: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    for _, team_id, language in employees:
        if language in LANGUAGES:
            by_team[team_id][language] += 1
    languages: dict[str, Language] = {}
    for key, team in teams.items():
        manager = by_email.get(team.manager_email.lower()) if team.manager_email else None
        counts = by_team.get(team.id)
        if manager in LANGUAGES:
            languages[key] = _language(manager)
        elif counts:
            # Most common first; a tie goes to the first language in alphabetical order, so it never flips.
            languages[key] = _language(min(counts, key=lambda language: (-counts[language], language)))
        else:
            languages[key] = DEFAULT_LANGUAGE
    return languages


def _language(code: str | None) -> Language:
    for language in LANGUAGES:
        if code == language:
            return language
    return DEFAULT_LANGUAGE


def comment_seed(wave_id: uuid.UUID, team_key: str) -> int:
    """The seed that samples and shuffles one team's comments: the same wave and team give the same order."""
    return int.from_bytes(hashlib.sha256(f"{wave_id}/{team_key}".encode()).digest()[:8], "big")


async def team_comments(
    session: AsyncSession,
    wave: Wave,
    respondents: Mapping[str, int | None],
    team_ids: Mapping[str, uuid.UUID],
    *,
    rules: DisclosureRules,
) -> dict[str, tuple[str, ...]]:
    """The employee comments of each team of `respondents` (its released employee count) the rules let show.

    At most twelve per team, sampled and shuffled with a seed drawn from the wave and the team; the texts only,
    with no date and nothing else about who wrote them.
    """
    eligible = {team_ids[key]: key for key, count in respondents.items() if rules.shows_comments(count)}
    texts: dict[str, list[str]] = defaultdict(list)
    if eligible:
        rows = await session.execute(
            sa.select(Response.team_id, Comment.text)
            .join(Response, Response.id == Comment.response_id)
            .where(
                Response.wave_id == wave.id,
                Response.respondent == Respondent.EMPLOYEE,
                Response.team_id.in_(eligible),
            )
        )
        for team_id, text in rows:
            if text.strip():
                texts[eligible[team_id]].append(text.strip())
    comments: dict[str, tuple[str, ...]] = {}
    for key, team_texts in texts.items():
        # Sorted first, so that the sample does not depend on the order the database returns rows in.
        ordered = sorted(team_texts)
        picked = np.random.default_rng(comment_seed(wave.id, key)).permutation(len(ordered))[:MAX_COMMENTS]
        comments[key] = tuple(ordered[int(index)] for index in picked)
    return comments


async def team_trends(session: AsyncSession, wave: Wave) -> dict[str, tuple[TrendPoint, ...]]:
    """Each team's overall employee and customer scores in up to four earlier closed waves and this one.

    Oldest first; a team with no earlier wave has no trend. The scores are the stored team results, so an
    employee score is None wherever it was withheld.
    """
    earlier = await earlier_closed_waves(session, wave, limit=EARLIER_WAVES_IN_TREND)
    if not earlier:
        return {}
    waves = [*reversed(earlier), wave]
    scores: dict[tuple[str, uuid.UUID], dict[str, float]] = defaultdict(dict)
    for key, wave_id, voice, estimate in await session.execute(
        sa.select(Team.external_id, TeamResultRow.wave_id, TeamResultRow.voice, TeamResultRow.estimate)
        .join(Team, Team.id == TeamResultRow.team_id)
        .where(
            TeamResultRow.wave_id.in_([w.id for w in waves]),
            TeamResultRow.measure == OVERALL,
            TeamResultRow.voice.in_([Voice.EMPLOYEE.value, Voice.CUSTOMER.value]),
        )
    ):
        scores[key, wave_id][voice] = estimate
    trends: dict[str, tuple[TrendPoint, ...]] = {}
    for key in sorted({key for key, _ in scores}):
        present = [w for w in waves if (key, w.id) in scores]
        if len(present) < 2 or present[-1] is not wave:
            continue
        trends[key] = tuple(
            TrendPoint(
                w.name,
                w.closes_on,
                scores[key, w.id].get(Voice.EMPLOYEE.value),
                scores[key, w.id].get(Voice.CUSTOMER.value),
            )
            for w in present
        )
    return trends


async def action_follow_ups(
    session: AsyncSession, wave: Wave, analysis: WaveAnalysis, team_ids: dict[str, uuid.UUID]
) -> dict[str, tuple[ActionFollowUp, ...]]:
    """Each team's actions decided after an earlier closed wave, with the change on their dimension since then."""
    keys = {team_id: key for key, team_id in team_ids.items() if key in analysis.teams}
    rows = (
        await session.execute(
            sa.select(ActionPlan, Wave)
            .join(Wave, Wave.id == ActionPlan.wave_id)
            .where(
                ActionPlan.team_id.in_(list(keys)),
                Wave.state == WaveState.CLOSED,
                Wave.closes_on <= wave.opens_on,
                Wave.id != wave.id,
            )
            .order_by(Wave.closes_on, ActionPlan.created_at)
        )
    ).all()
    earlier: dict[uuid.UUID, WaveAnalysis] = {}
    follow_ups: dict[str, list[ActionFollowUp]] = {}
    for action, action_wave in rows:
        if action_wave.id not in earlier:
            earlier[action_wave.id] = (await stored_analysis(session, action_wave))[1]
        key = keys[action.team_id]
        then = earlier[action_wave.id].teams.get(key)
        before = next((d for d in then.dimensions if d.dimension == action.dimension), None) if then else None
        after = next((d for d in analysis.teams[key].dimensions if d.dimension == action.dimension), None)

        moved = {voice: _moved(before, after, voice) for voice in ("employee", "customer")}
        follow_ups.setdefault(key, []).append(
            ActionFollowUp(
                action.title,
                action.dimension,
                action.status.value,
                action_wave.name,
                moved["employee"],
                moved["customer"],
            )
        )
    return {key: tuple(items) for key, items in follow_ups.items()}


def _moved(
    before: DimensionResult | None, after: DimensionResult | None, voice: str
) -> tuple[float, float, float] | None:
    shift = change(getattr(before, voice, None), getattr(after, voice, None))
    return None if shift is None else (shift.difference.estimate, *shift.difference.ci)


async def employees_invited(session: AsyncSession, wave: Wave, teams: dict[str, Team]) -> dict[str, int]:
    """How many employees of each team were invited to the wave."""
    keys = {team.id: key for key, team in teams.items()}
    rows = await session.execute(
        sa.select(Invitation.team_id, sa.func.count())
        .where(Invitation.wave_id == wave.id, Invitation.respondent == Respondent.EMPLOYEE)
        .group_by(Invitation.team_id)
    )
    return {keys[team_id]: count for team_id, count in rows}


def branch_rates(infos: dict[str, TeamInfo], counts: BranchCounts, organisation: str) -> tuple[RateRow, ...]:
    """Employee response counts of the organisation and of each branch, in the hierarchy's order."""
    children: dict[str | None, list[str]] = defaultdict(list)
    for key, info in sorted(infos.items(), key=lambda item: item[1].name):
        if key in counts.groups:
            children[info.parent].append(key)
    total = counts.total
    rows = [RateRow("", organisation, 0, total.invited, total.invited_shown, total.answered, total.withheld_teams)]

    def visit(key: str, depth: int) -> None:
        count = counts.groups[key]
        rows.append(
            RateRow(
                key, infos[key].name, depth, count.invited, count.invited_shown, count.answered, count.withheld_teams
            )
        )
        for child in children[key]:
            visit(child, depth + 1)

    for root in children[None]:
        visit(root, 1)
    return tuple(rows)


async def load_report_data(
    session: AsyncSession, wave: Wave, *, comment_threshold: int, public_url: str | None = None
) -> WaveReportData:
    """Read everything the wave's reports show; a wave that is not closed and analysed is refused."""
    document, analysis, instrument, statistics = await stored_analysis(session, wave)
    organisation = await session.get_one(Organisation, wave.organisation_id)
    infos, teams = await team_infos(session, wave.organisation_id)
    team_ids = {key: team.id for key, team in teams.items()}
    front_line = {key: teams[key] for key in analysis.teams}
    languages = await report_languages(session, wave.organisation_id, front_line)
    # The stricter of the comment threshold the wave was analysed with and today's.
    rules = dataclasses.replace(
        analysis.rules, comment_threshold=max(comment_threshold, analysis.rules.comment_threshold)
    )
    respondents = {key: result.employee_respondents for key, result in analysis.teams.items()}
    comments = await team_comments(session, wave, respondents, team_ids, rules=rules)
    trends = await team_trends(session, wave)
    previous_wave, lagged = lagged_from_trends(trends)
    actions = await action_follow_ups(session, wave, analysis, team_ids)
    invited = await employees_invited(session, wave, teams)
    extras = {
        key: TeamExtras(
            comments.get(key, ()),
            trends.get(key, ()),
            actions.get(key, ()),
            invited.get(key, 0),
            f"{public_url}/waves/{wave.id}/teams/{team_ids[key]}#actions" if public_url else None,
        )
        for key in analysis.teams
    }
    answered = statistics.respondents.get(Respondent.EMPLOYEE, {})
    over = sorted(team for team, count in answered.items() if count > invited.get(team, 0))
    if over:
        team, count = over[0], answered[over[0]]
        # Even an operator's error message gives no count that the reports withhold.
        shown: object = count
        if count < analysis.anonymity_threshold:
            shown = Explained(N_("fewer than %(threshold)s"), threshold=analysis.anonymity_threshold)
        raise ReportError(
            N_(
                "the reports of wave %(wave)s cannot be made: team %(team)s has more employee answers than "
                "invitations (%(answered)s answered, %(invited)s invited)"
            ),
            wave=repr(wave.name),
            team=repr(team),
            answered=shown,
            invited=invited.get(team, 0),
        )
    try:
        members = group_members({key: info.parent for key, info in infos.items()})
    except ValueError as error:
        raise ReportError(
            N_("the reports of wave %(wave)s cannot be made: %(reason)s"), wave=repr(wave.name), reason=str(error)
        ) from error
    gate, released = gate_statistics(instrument, statistics, analysis.rules)
    groups = pooled_results(instrument, released, {**members, ORGANISATION: frozenset(infos)}, gate)
    organisation_result = groups.pop(ORGANISATION, None)
    inputs = WaveReportInputs(
        analysis=analysis,
        wave=WaveInfo(organisation.name, wave.name, wave.opens_on, wave.closes_on),
        teams=infos,
        comment_threshold=rules.comment_threshold,
        groups=groups,
        organisation=organisation_result,
        rates=branch_rates(
            infos, branch_response_counts(members, answered, invited, analysis.rules), organisation.name
        ),
        previous_wave=previous_wave,
        lagged=lagged,
    )
    return WaveReportData(wave, document, inputs, team_ids, languages, extras)

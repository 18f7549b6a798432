"""Computing a closed wave's results from the stored answers, and storing the team results."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Response
from surveys.collection.packing import UNANSWERED, PackedAnswers
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import stored_instrument
from surveys.org.models import Team
from surveys.results.models import TeamResultRow, WaveAnalysisRecord
from surveys.waves.models import Invitation, Wave, WaveState
from symmetry import stats
from symmetry.analysis import (
    MIRRORED_VOICES,
    OVERALL,
    DimensionResult,
    TeamResult,
    WaveAnalysis,
    analyse_statistics,
    asked_statistics,
)
from symmetry.disclosure import DisclosureRules
from symmetry.document import analysis_document
from symmetry.domain import Instrument, Item, Respondent, Voice
from symmetry.sufficient import NpsCounts, WaveStatistics


async def database_statistics(session: AsyncSession, wave: Wave, instrument: Instrument) -> WaveStatistics:
    """The wave's per-team sufficient statistics, from its stored answers and the teams' invited employees."""
    team_sizes = {
        team: int(count)
        for team, count in await session.execute(
            sa.select(Team.external_id, sa.func.count())
            .select_from(Invitation)
            .join(Team, Team.id == Invitation.team_id)
            .where(Invitation.wave_id == wave.id, Invitation.respondent == Respondent.EMPLOYEE)
            .group_by(Team.external_id)
        )
    }
    return packed_statistics(instrument, await _packed_answers(session, wave, instrument), team_sizes)


def packed_statistics(
    instrument: Instrument, packed: Mapping[Respondent, PackedAnswers], team_sizes: Mapping[str, int]
) -> WaveStatistics:
    """The per-team sufficient statistics of packed answers: what the analysis of a stored wave starts from.

    Each team's answers are counted per item and value; each respondent's overall score per voice is summed
    per team, exactly (the tests check both against :func:`symmetry.analysis.statistics_from_answers`).
    """
    per_item: dict[str, list[tuple[str, int, float, float, int, int]]] = {}
    deviation_by_item: dict[str, dict[str, float]] = {}
    respondents: dict[Respondent, dict[str, int]] = {}
    overall: dict[Voice, stats.GroupStatistics] = {}
    for respondent, answers in packed.items():
        teams, team_of_row, matrix = answers.teams, answers.team_of_row, answers.matrix
        respondents[respondent] = dict(zip(teams, np.bincount(team_of_row, minlength=len(teams)).tolist(), strict=True))
        questionnaire = instrument.items_for(respondent)
        for column, item in enumerate(questionnaire):
            item_rows, item_deviations = _item_sums(item, teams, team_of_row, matrix[:, column])
            per_item[item.id], deviation_by_item[item.id] = item_rows, item_deviations
        for voice in {item.voice for item in questionnaire} & set(MIRRORED_VOICES):
            overall[voice] = _overall_statistics(questionnaire, voice, teams, team_of_row, matrix)

    def summary(rows: list[tuple[str, int, float, float, int, int]]) -> stats.GroupStatistics:
        return stats.statistics_from_sums(
            [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]
        )

    voices = (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER)
    columns: dict[tuple[str, Voice], stats.GroupStatistics] = {}
    deviations: dict[tuple[str, Voice], dict[str, float]] = {}
    for voice in voices:
        for dimension in instrument.dimensions:
            item_id = instrument.item(voice, dimension.key).id
            columns[dimension.key, voice] = summary(per_item.get(item_id, []))
            deviations[dimension.key, voice] = deviation_by_item.get(item_id, {})
    for voice in voices:
        columns[OVERALL, voice] = overall.get(voice, summary([]))

    outcomes: dict[str, stats.GroupStatistics | NpsCounts] = {}
    for item in instrument.items:
        if item.voice is not Voice.OUTCOME or item.outcome is None:
            continue
        rows_of_item = sorted(per_item.get(item.id, []))
        if item.scale.name == "nps":
            outcomes[item.outcome] = NpsCounts(
                labels=np.asarray([r[0] for r in rows_of_item]),
                n=np.asarray([r[1] for r in rows_of_item], dtype=np.int64),
                promoters=np.asarray([r[4] for r in rows_of_item], dtype=np.int64),
                detractors=np.asarray([r[5] for r in rows_of_item], dtype=np.int64),
            )
        else:
            outcomes[item.outcome] = summary(rows_of_item)

    return WaveStatistics(
        columns=columns, outcomes=outcomes, respondents=respondents, deviations=deviations, team_sizes=dict(team_sizes)
    )


async def _packed_answers(session: AsyncSession, wave: Wave, instrument: Instrument) -> dict[Respondent, PackedAnswers]:
    """Each kind of respondent's answers in the wave: its teams, each response's team among them, and the answers.

    PostgreSQL concatenates each team's byte strings (``string_agg``), so that one value per team and kind leaves
    it; SQLite's ``group_concat`` works on text, so its rows come one by one and are joined here.
    """
    packed: dict[Respondent, dict[str, list[bytes]]] = {respondent: defaultdict(list) for respondent in Respondent}
    answers: Any = Response.answers
    grouped = session.get_bind().dialect.name == "postgresql"
    if grouped:
        answers = sa.func.string_agg(Response.answers, sa.literal(b"", sa.LargeBinary), type_=sa.LargeBinary)
    query = sa.select(Team.external_id, Response.respondent, answers).join(Team, Team.id == Response.team_id)
    query = query.where(Response.wave_id == wave.id)
    if grouped:
        query = query.group_by(Team.external_id, Response.respondent)
    width = {respondent: len(instrument.items_for(respondent)) for respondent in Respondent}
    for team, respondent, blob in await session.execute(query):
        if not grouped and len(blob) != width[respondent]:  # a response of the wrong length would shift the rest
            raise ValueError(f"a {respondent} response of team {team} holds {len(blob)} bytes, not {width[respondent]}")
        packed[respondent][team].append(blob)
    return {
        respondent: PackedAnswers.of(instrument, respondent, {team: b"".join(blobs) for team, blobs in by_team.items()})
        for respondent, by_team in packed.items()
    }


def _item_sums(
    item: Item, teams: list[str], team_of_row: npt.NDArray[np.intp], values: npt.NDArray[np.uint8]
) -> tuple[list[tuple[str, int, float, float, int, int]], dict[str, float]]:
    """Per team that answered `item`: n, sum, sum of squares, promoters, detractors; and the average deviation.

    Answers are small integers: each value is counted per team (one ``bincount``), reverse-keyed items are
    reflected on those few counts, and the sums follow from the counts exactly, whatever the rows' order.
    """
    counts = np.bincount(team_of_row * 256 + values, minlength=len(teams) * 256).reshape(len(teams), 256)
    counts = counts[:, :UNANSWERED].astype(np.float64)
    raw = np.arange(UNANSWERED, dtype=np.float64)
    scored = item.scale.low + item.scale.high - raw if item.reverse_keyed else raw
    n = counts.sum(axis=1)
    answered = np.flatnonzero(n)
    counts, n = counts[answered], n[answered]
    total = counts @ scored
    deviation = (counts * np.abs(scored - (total / n)[:, None])).sum(axis=1) / n
    rows = [
        (teams[t], int(count), float(sum_), float(squares), int(promoters), int(detractors))
        for t, count, sum_, squares, promoters, detractors in zip(
            answered.tolist(),
            n.tolist(),
            total.tolist(),
            (counts @ (scored * scored)).tolist(),
            counts[:, 9:].sum(axis=1).tolist(),
            counts[:, :7].sum(axis=1).tolist(),
            strict=True,
        )
    ]
    return rows, {teams[t]: float(d) for t, d in zip(answered.tolist(), deviation.tolist(), strict=True)}


def _overall_statistics(
    questionnaire: tuple[Item, ...],
    voice: Voice,
    teams: list[str],
    team_of_row: npt.NDArray[np.intp],
    matrix: npt.NDArray[np.uint8],
) -> stats.GroupStatistics:
    """Per team, the statistics of the respondents' means over the items of `voice` they answered.

    A respondent's overall score is the mean of their answers to the voice's items, reverse-keyed ones reflected;
    the team's statistics are computed exactly from the whole-number totals (:func:`stats.statistics_of_means`).
    """
    columns = [j for j, item in enumerate(questionnaire) if item.voice is voice]
    values = matrix[:, columns].astype(np.int64)
    answered = values != UNANSWERED
    for k, j in enumerate(columns):
        item = questionnaire[j]
        if item.reverse_keyed:
            values[:, k] = item.scale.low + item.scale.high - values[:, k]
    totals = np.where(answered, values, 0).sum(axis=1)
    by_index = stats.statistics_of_means(team_of_row, totals, answered.sum(axis=1))  # ints sort faster than names
    labels = np.asarray(teams)[by_index.labels]
    order = np.argsort(labels, kind="stable")
    return stats.GroupStatistics(labels[order], by_index.n[order], by_index.mean[order], by_index.variance[order])


async def wave_statistics(session: AsyncSession, wave: Wave) -> tuple[Instrument, WaveStatistics]:
    """The wave's instrument and the per-team statistics the database aggregates from its stored answers.

    Of a wave whose customers answered the short form, only what that form asks them
    (:func:`symmetry.analysis.asked_statistics`).
    """
    instrument = stored_instrument(await session.get_one(InstrumentVersion, wave.instrument_version_id))
    statistics = await database_statistics(session, wave, instrument)
    return instrument, asked_statistics(instrument, statistics, wave.customer_form)


async def analyse(session: AsyncSession, wave: Wave, *, rules: DisclosureRules) -> WaveAnalysis:
    """The analysis of a wave from the statistics the database aggregates from its stored answers.

    The computation runs in a thread: at 10,000 teams it takes tens of seconds the event loop needs for others.
    """
    instrument, statistics = await wave_statistics(session, wave)
    return await asyncio.to_thread(
        analyse_statistics, instrument, statistics, rules=rules, customer_form=wave.customer_form
    )


def _rows_of(result: TeamResult) -> list[tuple[str, str, stats.MeanEstimate | stats.NetPromoterScore]]:
    rows: list[tuple[str, str, stats.MeanEstimate | stats.NetPromoterScore]] = []
    dimension_results: list[DimensionResult] = [result.overall, *result.dimensions]
    for dimension in dimension_results:
        for voice in (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER):
            estimate = getattr(dimension, voice.value)
            if estimate is not None:
                rows.append((dimension.dimension, voice.value, estimate))
    rows += [(outcome, Voice.OUTCOME.value, score) for outcome, score in result.outcomes.items()]
    return rows


async def store_team_results(session: AsyncSession, wave: Wave, analysis: WaveAnalysis) -> int:
    """Replace the wave's stored team results by those of `analysis`; returns the number of rows."""
    if wave.state is not WaveState.CLOSED:
        raise ValueError(f"wave {wave.name!r} is {wave.state}; results are computed once it is closed")
    teams = await session.execute(
        sa.select(Team.external_id, Team.id).where(Team.organisation_id == wave.organisation_id)
    )
    team_ids = {row.external_id: row.id for row in teams}
    await session.execute(sa.delete(TeamResultRow).where(TeamResultRow.wave_id == wave.id))
    rows = [
        {
            "wave_id": wave.id,
            "team_id": team_ids[team],
            "measure": measure,
            "voice": voice,
            "n": estimate.n,
            "estimate": estimate.score if isinstance(estimate, stats.NetPromoterScore) else estimate.mean,
            "ci_low": _finite_or_none(estimate.ci[0]),
            "ci_high": _finite_or_none(estimate.ci[1]),
        }
        for team, result in analysis.teams.items()
        for measure, voice, estimate in _rows_of(result)
    ]
    # Core's batched INSERT rather than the unit of work: storing a 2,000-team close's results and document took
    # 8.3 to 9.2 s through the ORM's flush, 3.8 s so (``make bench-analysis``).
    if rows:
        await session.execute(sa.insert(TeamResultRow), rows)
    return len(rows)


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


async def previous_wave(session: AsyncSession, wave: Wave) -> Wave | None:
    """The organisation's latest closed wave that closed before this one opened."""
    return await session.scalar(
        sa.select(Wave)
        .where(
            Wave.organisation_id == wave.organisation_id,
            Wave.state == WaveState.CLOSED,
            Wave.id != wave.id,
            Wave.closes_on <= wave.opens_on,
        )
        .order_by(Wave.closes_on.desc())
        .limit(1)
    )


async def store_analysis(
    session: AsyncSession,
    wave: Wave,
    analysis: WaveAnalysis,
    *,
    previous: WaveAnalysis | None = None,
    previous_name: str | None = None,
) -> dict[str, Any]:
    """Keep the wave's analysis document (replacing an earlier one) and return it."""
    document = analysis_document(analysis, previous=previous, previous_name=previous_name)
    record = await session.get(WaveAnalysisRecord, wave.id)
    if record is None:
        session.add(WaveAnalysisRecord(wave_id=wave.id, computed_at=dt.datetime.now(dt.UTC), document=document))
    else:
        record.document, record.computed_at = document, dt.datetime.now(dt.UTC)
    await session.flush()
    return document

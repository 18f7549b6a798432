"""Computing a closed wave's results from the stored answers, and storing the team results."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Response
from surveys.collection.packing import UNANSWERED, answer_matrix
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import stored_instrument
from surveys.org.models import Team
from surveys.results.models import TeamResultRow, WaveAnalysisRecord
from surveys.waves.models import Invitation, Wave, WaveState
from symmetry import stats
from symmetry.analysis import OVERALL, DimensionResult, TeamResult, WaveAnalysis, analyse_statistics
from symmetry.disclosure import DisclosureRules
from symmetry.document import analysis_document
from symmetry.domain import Instrument, Item, Respondent, Voice
from symmetry.sufficient import NpsCounts, WaveStatistics


def _exact_sum(session: AsyncSession) -> Callable[[Any], sa.ColumnElement[Any]]:
    """A sum of fractional values that does not depend on the order of the rows.

    PostgreSQL adds floats in whatever order its (parallel) plan reads them, so the same answers could give sums
    a few ulps apart, break ties between teams differently (Spearman's and Kendall's ranks), and make the stored
    analysis differ from its recomputation. In ``numeric`` the sum is exact. SQLite adds in one fixed order.
    Sums of the answers themselves need none of this: small integers add exactly in floating point.
    """
    if session.get_bind().dialect.name != "postgresql":
        return sa.func.sum

    def exact(expression: Any) -> sa.ColumnElement[Any]:
        return sa.func.sum(sa.cast(expression, sa.Numeric))

    return exact


async def database_statistics(session: AsyncSession, wave: Wave, instrument: Instrument) -> WaveStatistics:
    """The wave's per-team sufficient statistics.

    Each team's answers are counted per item and value; the overall scores' sums are aggregated by the database
    from each response's per-voice means.
    """
    in_wave = Response.wave_id == wave.id
    exact = _exact_sum(session)
    per_item: dict[str, list[tuple[str, int, float, float, int, int]]] = {}
    deviation_by_item: dict[str, dict[str, float]] = {}
    respondents: dict[Respondent, dict[str, int]] = {}
    for respondent, (teams, team_of_row, matrix) in (await _packed_answers(session, wave, instrument)).items():
        respondents[respondent] = dict(zip(teams, np.bincount(team_of_row, minlength=len(teams)).tolist(), strict=True))
        for column, item in enumerate(instrument.items_for(respondent)):
            item_rows, item_deviations = _item_sums(item, teams, team_of_row, matrix[:, column])
            per_item[item.id], deviation_by_item[item.id] = item_rows, item_deviations

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
    # Each response keeps its mean per voice, so the overall scores take one pass over respondents, not answers.
    score_columns = {
        Voice.EMPLOYEE: Response.employee_score,
        Voice.MIRROR: Response.mirror_score,
        Voice.CUSTOMER: Response.customer_score,
    }
    sums = []
    for voice in voices:
        score = score_columns[voice]
        sums += [sa.func.count(score), exact(score), exact(score * score)]
    overall_rows = list(
        await session.execute(
            sa.select(Team.external_id, *sums)
            .join(Team, Team.id == Response.team_id)
            .where(in_wave)
            .group_by(Team.external_id)
        )
    )
    for position, voice in enumerate(voices):
        at = 1 + 3 * position  # count, sum and sum of squares of this voice's scores
        columns[OVERALL, voice] = summary(
            [
                (row[0], int(row[at]), float(row[at + 1] or 0), float(row[at + 2] or 0), 0, 0)
                for row in overall_rows
                if row[at]
            ]
        )

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
    return WaveStatistics(
        columns=columns, outcomes=outcomes, respondents=respondents, deviations=deviations, team_sizes=team_sizes
    )


async def _packed_answers(
    session: AsyncSession, wave: Wave, instrument: Instrument
) -> dict[Respondent, tuple[list[str], npt.NDArray[np.intp], npt.NDArray[np.uint8]]]:
    """Each kind of respondent's answers in the wave: its teams, each response's team among them, and the answers.

    PostgreSQL concatenates each team's byte strings (``string_agg``), so that one value per team and kind leaves
    it; SQLite's ``group_concat`` works on text, so its rows come one by one and are joined here.
    """
    packed: dict[Respondent, dict[str, list[bytes]]] = {respondent: defaultdict(list) for respondent in Respondent}
    answers: Any = Response.answers
    if session.get_bind().dialect.name == "postgresql":
        answers = sa.func.string_agg(Response.answers, sa.literal(b"", sa.LargeBinary), type_=sa.LargeBinary)
    query = sa.select(Team.external_id, Response.respondent, answers).join(Team, Team.id == Response.team_id)
    query = query.where(Response.wave_id == wave.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.group_by(Team.external_id, Response.respondent)
    for team, respondent, blob in await session.execute(query):
        packed[respondent][team].append(blob)
    matrices = {}
    for respondent, by_team in packed.items():
        teams = sorted(by_team)
        blobs = [b"".join(by_team[team]) for team in teams]
        matrix = answer_matrix(instrument, respondent, b"".join(blobs))
        width = matrix.shape[1]
        team_of_row = np.repeat(np.arange(len(teams)), [len(blob) // width for blob in blobs])
        matrices[respondent] = (teams, team_of_row, matrix)
    return matrices


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


async def wave_statistics(session: AsyncSession, wave: Wave) -> tuple[Instrument, WaveStatistics]:
    """The wave's instrument and the per-team statistics the database aggregates from its stored answers."""
    instrument = stored_instrument(await session.get_one(InstrumentVersion, wave.instrument_version_id))
    return instrument, await database_statistics(session, wave, instrument)


async def analyse(session: AsyncSession, wave: Wave, *, rules: DisclosureRules) -> WaveAnalysis:
    """The analysis of a wave from the statistics the database aggregates from its stored answers.

    The computation runs in a thread: at 10,000 teams it takes tens of seconds the event loop needs for others.
    """
    instrument, statistics = await wave_statistics(session, wave)
    return await asyncio.to_thread(analyse_statistics, instrument, statistics, rules=rules)


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
        TeamResultRow(
            wave_id=wave.id,
            team_id=team_ids[team],
            measure=measure,
            voice=voice,
            n=estimate.n,
            estimate=estimate.score if isinstance(estimate, stats.NetPromoterScore) else estimate.mean,
            ci_low=_finite_or_none(estimate.ci[0]),
            ci_high=_finite_or_none(estimate.ci[1]),
        )
        for team, result in analysis.teams.items()
        for measure, voice, estimate in _rows_of(result)
    ]
    session.add_all(rows)
    await session.flush()
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

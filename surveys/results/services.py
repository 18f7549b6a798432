"""Computing a closed wave's results from the stored answers, and storing the team results."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Answer, Response
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import stored_instrument
from surveys.org.models import Team
from surveys.results.models import TeamResultRow, WaveAnalysisRecord
from surveys.waves.models import Wave, WaveState
from symmetry import stats
from symmetry.analysis import AnswerMatrix, DimensionResult, TeamResult, WaveAnalysis, analyse_wave
from symmetry.document import analysis_document
from symmetry.domain import Respondent, Voice


async def load_answers(session: AsyncSession, wave: Wave, respondent: Respondent, item_ids: list[str]) -> AnswerMatrix:
    """All answers of one population in a wave, with each response's team external id."""
    rows = await session.execute(
        sa.select(Response.id, Team.external_id, Answer.item_id, Answer.value)
        .join(Team, Team.id == Response.team_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.wave_id == wave.id, Response.respondent == respondent)
        .order_by(Team.external_id, Response.id)
    )
    teams: dict[object, str] = {}
    answers: dict[object, dict[str, int]] = defaultdict(dict)
    for response_id, team, item_id, value in rows:
        teams[response_id] = team
        answers[response_id][item_id] = value
    return AnswerMatrix.from_responses(item_ids, ((teams[key], answers[key]) for key in teams))


async def analyse(session: AsyncSession, wave: Wave, *, anonymity_threshold: int) -> WaveAnalysis:
    """The analysis of a wave from its stored answers."""
    instrument = stored_instrument(await session.get_one(InstrumentVersion, wave.instrument_version_id))
    matrices = {
        respondent: await load_answers(
            session, wave, respondent, [item.id for item in instrument.items_for(respondent)]
        )
        for respondent in Respondent
    }
    return analyse_wave(
        instrument,
        matrices[Respondent.EMPLOYEE],
        matrices[Respondent.CUSTOMER],
        anonymity_threshold=anonymity_threshold,
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

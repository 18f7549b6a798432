"""The collection's job: admitting a team's batch of sealed answers among its responses."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from litestar.connection import ASGIConnection

from surveys.collection.intake import Stored
from surveys.collection.mixing import MIXING_BATCH, admit_batch
from surveys.waves.models import Wave, WaveState
from surveys.worker.queue import JobRequest, defer
from symmetry.domain import Respondent


def mixing_job(wave_id: uuid.UUID, team_id: uuid.UUID, respondent: Respondent) -> JobRequest:
    """Admit the sealed answers of one team and kind, if there is a batch of them."""
    return JobRequest(
        "mix_sealed_answers",
        key=f"mix:{wave_id}:{team_id}:{respondent.value}",
        kwargs={"wave_id": str(wave_id), "team_id": str(team_id), "respondent": respondent.value},
    )


async def mix_sealed_answers(ctx: dict[str, Any], *, wave_id: str, team_id: str, respondent: str) -> int:
    """Admit a batch in one transaction; nothing once the wave has stopped taking answers (its close admits them).

    Run twice, the second finds fewer than a batch waiting and does nothing.
    """
    async with ctx["session_maker"]() as session, session.begin():
        wave = await session.get(Wave, uuid.UUID(wave_id))
        if wave is None or wave.state is not WaveState.OPEN:
            return 0
        return await admit_batch(session, wave.id, uuid.UUID(team_id), Respondent(respondent))


_ARRIVED: Counter[tuple[uuid.UUID, uuid.UUID, Respondent]] = Counter()
"""Answers this process took since it last asked for mixing, by wave, team and kind."""


def mix_when_due(connection: ASGIConnection[Any, Any, Any, Any], stored: Stored) -> None:
    """Ask, after this request's commit, for its team's mixing at every batch of answers this process took.

    Only where jobs run in-process: with workers, their sweep asks for every batch waiting (within
    ``SYMMETRY_SWEEP_SECONDS``), and an enqueue from the request would cost intake a third of its throughput.
    The job counts what waits itself: this count only says when to ask (counting in the database at each answer
    cost a third of PostgreSQL's share of it).
    """
    if connection.app.state["jobs"].swept:
        return
    place = (stored.wave_id, stored.team_id, stored.respondent)
    _ARRIVED[place] += 1
    if _ARRIVED[place] >= MIXING_BATCH:
        del _ARRIVED[place]  # so that the counter holds only the teams with answers since their last batch
        defer(connection, mixing_job(*place))

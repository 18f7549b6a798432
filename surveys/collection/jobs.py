"""The collection's job: admitting a team's batch of sealed answers among its responses."""

from __future__ import annotations

import uuid
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


def mix_when_due(connection: ASGIConnection[Any, Any, Any, Any], stored: Stored) -> None:
    """Ask, after this request's commit, for its team's mixing once the sealed answers there make a batch."""
    if stored.waiting % MIXING_BATCH == 0:
        defer(connection, mixing_job(stored.wave_id, stored.team_id, stored.respondent))

"""Accepting a response: one use of one token, answers checked against the instrument, identity dropped."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Answer, Response
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import stored_instrument
from surveys.waves.models import Invitation, Wave, WaveState
from surveys.waves.services import hash_token
from symmetry.domain import Instrument


class SubmissionError(ValueError):
    """A response that cannot be accepted; `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


def check_answers(instrument: Instrument, invitation: Invitation, answers: Mapping[str, int]) -> None:
    """Raise SubmissionError for an unknown item, an item of the other population or a value off its scale."""
    items = {item.id: item for item in instrument.items_for(invitation.respondent)}
    if not answers:
        raise SubmissionError("answers", "at least one answer is needed")
    for item_id, value in answers.items():
        item = items.get(item_id)
        if item is None:
            raise SubmissionError(f"answers.{item_id}", f"not an item of the {invitation.respondent} questionnaire")
        if isinstance(value, bool) or not isinstance(value, int) or not item.scale.low <= value <= item.scale.high:
            raise SubmissionError(
                f"answers.{item_id}", f"must be an integer from {item.scale.low} to {item.scale.high}, got {value!r}"
            )


async def submit_response(
    session: AsyncSession, token: str, answers: Mapping[str, int], *, today: dt.date | None = None
) -> uuid.UUID:
    """Store the answers given through one invitation token and mark the invitation answered.

    The stored response carries the team, wave, instrument version and day only.
    """
    invitation = await session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == hash_token(token)).with_for_update()
    )
    if invitation is None:
        raise SubmissionError("token", "unknown invitation")
    if invitation.answered:
        raise SubmissionError("token", "this invitation has already been used")
    wave = await session.get_one(Wave, invitation.wave_id)
    if wave.state is not WaveState.OPEN:
        raise SubmissionError("token", f"the wave is {wave.state}, not open")
    version = await session.get_one(InstrumentVersion, wave.instrument_version_id)
    check_answers(stored_instrument(version), invitation, answers)

    response = Response(
        id=uuid.uuid4(),
        wave_id=wave.id,
        team_id=invitation.team_id,
        instrument_version_id=version.id,
        respondent=invitation.respondent,
        submitted_on=today or dt.date.today(),
        answers=[Answer(item_id=item_id, value=value) for item_id, value in answers.items()],
    )
    session.add(response)
    invitation.answered = True
    await session.flush()
    return response.id

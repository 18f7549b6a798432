"""Admitting sealed answers among their team's responses, several at once, away from the submission.

A submission stores its answers sealed (:mod:`surveys.collection.sealing`) in the transaction that consumes its
invitation. Once a team has :data:`MIXING_BATCH` sealed answers of a kind, a job (``mix_sealed_answers``) opens
them, writes them as responses, deletes the sealed rows and rewrites the team's mixing group in a random order
with new ids (:mod:`surveys.collection.scramble`), all in one transaction. A reader of the database then sees
the batch arrive together, in a group whose rows share one transaction and no order: each answer hides among
the group's (at least the batch). Closing the wave admits whatever is still sealed, and scrambles each team whole.

The sealed rows are claimed by ``DELETE ... RETURNING``: a mixing job and a close that meet on a team each get
rows the other did not, never the same ones.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.intake import database_url
from surveys.collection.models import Channel, Comment, Response, SealedResponse
from surveys.collection.packing import pack_answers
from surveys.collection.scramble import MIXING_GROUP, invited_responses, rewrite_responses
from surveys.collection.sealing import SealedAnswers, sealer_for
from surveys.instruments.services import instrument_in_use
from surveys.org.models import Team
from surveys.waves.models import Wave
from symmetry.domain import Instrument, Respondent

shuffle = random.SystemRandom().shuffle
MIXING_BATCH = 10
"""Sealed answers of a team and kind that a job admits at once, at least. A reader who watches the database
during a wave sees them arrive together; fewer wait, sealed, for more or for the close."""


async def waiting_batches(
    session: AsyncSession, wave_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID, Respondent]]:
    """The (wave, team, kind) of these waves with a batch of sealed answers to admit."""
    rows = await session.execute(
        sa.select(SealedResponse.wave_id, SealedResponse.team_id, SealedResponse.respondent)
        .where(SealedResponse.wave_id.in_(wave_ids))
        .group_by(SealedResponse.wave_id, SealedResponse.team_id, SealedResponse.respondent)
        .having(sa.func.count() >= MIXING_BATCH)
    )
    return [(wave_id, team_id, respondent) for wave_id, team_id, respondent in rows]


async def admit_batch(session: AsyncSession, wave_id: uuid.UUID, team_id: uuid.UUID, respondent: Respondent) -> int:
    """Admit the team's sealed answers of a kind if there is a batch of them; returns how many were admitted.

    The team's row is locked first (FOR NO KEY UPDATE), so two jobs of a team take turns.
    """
    await session.execute(sa.select(Team.id).where(Team.id == team_id).with_for_update(key_share=True))
    place = (
        SealedResponse.wave_id == wave_id,
        SealedResponse.team_id == team_id,
        SealedResponse.respondent == respondent,
    )
    if (await session.scalar(sa.select(sa.func.count()).where(*place)) or 0) < MIXING_BATCH:
        return 0
    claimed = await _claim(session, sa.and_(*place))
    if not claimed:
        return 0
    admitted = await session.scalar(sa.select(sa.func.count()).where(*invited_responses(wave_id, team_id, respondent)))
    first = int(admitted or 0)
    groups = [(first + position) // MIXING_GROUP for position in range(len(claimed))]
    rows = [(team_id, respondent, sealed, group) for (_, _, sealed), group in zip(claimed, groups, strict=True)]
    await _write(session, wave_id, rows)
    for group in sorted(set(groups)):
        await rewrite_responses(
            session, sa.and_(*invited_responses(wave_id, team_id, respondent), Response.mixing_group == group)
        )
    return len(claimed)


async def admit_all(session: AsyncSession, wave_id: uuid.UUID) -> int:
    """Admit every sealed answer of a wave that no longer takes answers (its close scrambles them afterwards)."""
    claimed = await _claim(session, SealedResponse.wave_id == wave_id)
    await _write(session, wave_id, [(team_id, respondent, sealed, 0) for team_id, respondent, sealed in claimed])
    return len(claimed)


async def _claim(
    session: AsyncSession, selected: sa.ColumnElement[bool]
) -> list[tuple[uuid.UUID, Respondent, SealedAnswers]]:
    rows = await session.execute(
        sa.delete(SealedResponse)
        .where(selected)
        .returning(SealedResponse.team_id, SealedResponse.respondent, SealedResponse.sealed)
        .execution_options(synchronize_session=False)
    )
    sealer = sealer_for(database_url(session))
    opened = [(team_id, respondent, sealer.open(sealed)) for team_id, respondent, sealed in rows]
    shuffle(opened)  # the rows come back in the order they were written: the order people answered
    return opened


@dataclass(frozen=True, slots=True)
class NewResponse:
    """A response to write: where it belongs and what it holds."""

    team_id: uuid.UUID
    respondent: Respondent
    channel: Channel
    mixing_group: int
    answers: Mapping[str, int]
    comments: Mapping[str, str]


async def insert_responses(
    session: AsyncSession, wave_id: uuid.UUID, version_id: uuid.UUID, instrument: Instrument, new: Sequence[NewResponse]
) -> None:
    """Write responses with their answers and comments, each with a new random id, in the order given."""
    responses, comments = [], []
    for response in new:
        response_id = uuid.uuid4()
        responses.append(
            {
                "id": response_id,
                "wave_id": wave_id,
                "team_id": response.team_id,
                "instrument_version_id": version_id,
                "respondent": response.respondent,
                "channel": response.channel,
                "mixing_group": response.mixing_group,
                "answers": pack_answers(instrument, response.respondent, response.answers),
            }
        )
        comments += [{"response_id": response_id, "item_id": k, "text": v} for k, v in response.comments.items()]
    if not responses:
        return
    await session.execute(sa.insert(Response), responses)
    if comments:
        await session.execute(sa.insert(Comment), comments)


async def _write(
    session: AsyncSession, wave_id: uuid.UUID, admitted: Sequence[tuple[uuid.UUID, Respondent, SealedAnswers, int]]
) -> None:
    if not admitted:
        return
    version_id = (await session.execute(sa.select(Wave.instrument_version_id).where(Wave.id == wave_id))).scalar_one()
    instrument = await instrument_in_use(session, version_id)
    new = [
        NewResponse(team_id, respondent, Channel.INVITATION, group, sealed.answers, sealed.comments)
        for team_id, respondent, sealed, group in admitted
    ]
    await insert_responses(session, wave_id, version_id, instrument, new)

"""Keeping stored answers from betraying the order, or the moment, in which they were given.

A response is stored in the transaction that consumes its invitation, so on PostgreSQL both rows carry that
transaction's id (``xmin``); on any database, rows are laid out in the order they are written (``ctid``, SQLite's
``rowid``). A reader of the database could then sort the answered invitations and the responses the same way and
pair them. So every submission through an invitation ends by rewriting all the responses of its team and kind
(employees or customers) in a random order, with new random ids, in that same transaction: afterwards they share
one ``xmin``, sit in random order, and nothing but their content tells them apart. Closing a wave and each round
of reminders rewrite the whole wave the same way, team by team. Responses carry no date either.

What is left (``docs/privacy.md``): the old row versions stay in the table's pages, invisible to SQL, until
VACUUM reclaims them; and a reader who polls the database during a wave sees which invitation and which
response appear between two reads.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Answer, Comment, Response
from surveys.org.models import Team
from symmetry.domain import Respondent

BATCH = "symmetry.collection.rewrite_batch"


async def rewrite_after_submission(
    session: AsyncSession, wave_id: uuid.UUID, team_id: uuid.UUID, respondent: Respondent
) -> None:
    """Rewrite the team's responses of this kind now, or at the end of a batch (:func:`one_rewrite_per_team`)."""
    batch: set[tuple[uuid.UUID, uuid.UUID, Respondent]] | None = session.info.get(BATCH)
    if batch is None:
        await scramble_team(session, wave_id, team_id, respondent)
    else:
        batch.add((wave_id, team_id, respondent))


@asynccontextmanager
async def one_rewrite_per_team(session: AsyncSession) -> AsyncIterator[None]:
    """Many submissions in one transaction (the demo): each team's responses are rewritten once, at the end.

    As safe as rewriting after each: the transaction commits every row at once, with one ``xmin``, and the
    final rewrite puts each team's rows in a random order.
    """
    session.info[BATCH] = set()
    try:
        yield
        teams = sorted(session.info[BATCH], key=lambda group: (str(group[1]), group[2].value))
    finally:
        del session.info[BATCH]
    for wave_id, team_id, respondent in teams:
        await scramble_team(session, wave_id, team_id, respondent)


async def scramble_team(session: AsyncSession, wave_id: uuid.UUID, team_id: uuid.UUID, respondent: Respondent) -> int:
    """Rewrite the responses of one team and kind in a wave, with their answers and comments; returns the count.

    The team's row is locked first, so that two submissions in one team rewrite its responses one after the other
    instead of both copying the same rows.
    """
    # FOR NO KEY UPDATE: it queues the rewriters of a team without blocking the inserts that only reference it.
    await session.execute(sa.select(Team.id).where(Team.id == team_id).with_for_update(key_share=True))
    return await _rewrite(
        session,
        sa.and_(Response.wave_id == wave_id, Response.team_id == team_id, Response.respondent == respondent),
    )


async def scramble_responses(session: AsyncSession, wave_id: uuid.UUID) -> int:
    """Rewrite every response of the wave, one team and kind at a time; returns the count."""
    groups = await session.execute(
        sa.select(Response.team_id, Response.respondent)
        .where(Response.wave_id == wave_id)
        .distinct()
        .order_by(Response.team_id, Response.respondent)
    )
    return sum([await scramble_team(session, wave_id, team_id, respondent) for team_id, respondent in groups.all()])


async def _rewrite(session: AsyncSession, selected: sa.ColumnElement[bool]) -> int:
    response_columns = [column for column in Response.__table__.columns if column.name != "id"]
    responses = [
        dict(row._mapping) for row in await session.execute(sa.select(Response.id, *response_columns).where(selected))
    ]
    if not responses:
        return 0
    children: dict[str, dict[uuid.UUID, list[dict[str, Any]]]] = {}
    for model in (Answer, Comment):
        rows: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        columns = [column for column in model.__table__.columns if column.name != "response_id"]
        for row in await session.execute(
            sa.select(model.response_id, *columns).join(Response, Response.id == model.response_id).where(selected)
        ):
            values = dict(row._mapping)
            rows[values.pop("response_id")].append(values)
        children[model.__tablename__] = rows
    random.SystemRandom().shuffle(responses)
    renamed = {response["id"]: uuid.uuid4() for response in responses}
    # Answers and comments go with their response through ON DELETE CASCADE.
    await session.execute(sa.delete(Response).where(selected).execution_options(synchronize_session=False))
    await session.execute(sa.insert(Response), [{**response, "id": renamed[response["id"]]} for response in responses])
    for model in (Answer, Comment):
        copies = [
            {**child, "response_id": renamed[response["id"]]}
            for response in responses
            for child in children[model.__tablename__].get(response["id"], [])
        ]
        if copies:
            await session.execute(sa.insert(model), copies)
    return len(responses)

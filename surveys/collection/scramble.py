"""Breaking the physical link between answers and the moment they were given.

Storing a response and consuming its invitation happen in one transaction, so until the rows are rewritten a
database administrator can pair them: on PostgreSQL both carry that transaction's id (``xmin``), and on any
database rows are laid out in the order they were written, as are the invitations marked answered. Scrambling
re-creates a wave's responses, answers and comments with new ids, in a random order, in one transaction, so
that neither the transaction ids nor the physical order follow the order of submission any more.
"""

from __future__ import annotations

import random
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from surveys.collection.models import Answer, Comment, Response
from surveys.waves.models import Wave


async def scramble_responses(session: AsyncSession, wave: Wave) -> int:
    """Rewrite every response of the wave (with its answers and comments) in a random order; returns the count."""
    responses = list(
        await session.scalars(
            sa.select(Response)
            .where(Response.wave_id == wave.id)
            .options(selectinload(Response.answers), selectinload(Response.comments))
        )
    )
    copies = [
        Response(
            id=uuid.uuid4(),
            wave_id=response.wave_id,
            team_id=response.team_id,
            instrument_version_id=response.instrument_version_id,
            respondent=response.respondent,
            channel=response.channel,
            submitted_on=response.submitted_on,
            employee_score=response.employee_score,
            mirror_score=response.mirror_score,
            customer_score=response.customer_score,
            answers=[Answer(item_id=answer.item_id, value=answer.value) for answer in response.answers],
            comments=[Comment(item_id=comment.item_id, text=comment.text) for comment in response.comments],
        )
        for response in responses
    ]
    random.SystemRandom().shuffle(copies)
    await session.execute(sa.delete(Response).where(Response.id.in_([response.id for response in responses])))
    for response in responses:
        for row in (*response.answers, *response.comments, response):
            session.expunge(row)
    for copy in copies:  # one by one, so that rows are written in the shuffled order
        session.add(copy)
        await session.flush()
    return len(copies)

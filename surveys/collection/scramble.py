"""Keeping stored answers from betraying the order, or the moment, in which they were given.

A response is stored in the transaction that consumes its invitation, so on PostgreSQL both rows carry that
transaction's id (``xmin``); on any database, rows are laid out in the order they are written (``ctid``, SQLite's
``rowid``). A reader of the database could then sort the answered invitations and the responses the same way and
pair them. So every submission through an invitation ends by rewriting the responses of its team and kind
(employees or customers) in its mixing group (:data:`MIXING_GROUP`) in a random order, with new random ids, in
that same transaction: afterwards they share one ``xmin``, sit in random order, and nothing but their content
tells them apart. Closing a wave rewrites the whole wave the same way, each team and kind as one group.
Responses carry no date either.

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

from surveys.collection.models import Answer, Channel, Comment, Response
from surveys.org.models import Team
from symmetry.domain import Respondent

MIXING_GROUP = 100
"""Responses through invitations that a submission rewrites together, at most: its team's and kind's group.

Rewriting the whole team at every submission would cost time in proportion to the team's answers (about 1 s
per submission at 800, `make bench-rewrite`). So a team's responses of a kind are mixed in groups of this many,
in the order they arrive: each submission rewrites its group only, and closing the wave rewrites the whole
team as one group. While the wave is open, an answer hides among the others of its group, never fewer than a
hundred once the group is full; a team that never gets past a hundred answers is one group.
"""

BATCH = "symmetry.collection.rewrite_batch"


async def join_mixing_group(
    session: AsyncSession, wave_id: uuid.UUID, team_id: uuid.UUID, respondent: Respondent
) -> int:
    """Lock the team's rewrites and return the mixing group the next response through an invitation joins.

    FOR NO KEY UPDATE queues the submissions of a team, so that two never rewrite the same rows, without
    blocking inserts that only reference the team.
    """
    await session.execute(sa.select(Team.id).where(Team.id == team_id).with_for_update(key_share=True))
    count = await session.scalar(sa.select(sa.func.count()).where(*_invited(wave_id, team_id, respondent)))
    return int(count or 0) // MIXING_GROUP


def _invited(wave_id: uuid.UUID, team_id: uuid.UUID, respondent: Respondent) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        Response.wave_id == wave_id,
        Response.team_id == team_id,
        Response.respondent == respondent,
        Response.channel == Channel.INVITATION,
    )


async def rewrite_after_submission(
    session: AsyncSession, wave_id: uuid.UUID, team_id: uuid.UUID, respondent: Respondent, group: int
) -> None:
    """Rewrite the submission's mixing group now, or its whole team at the end of a batch."""
    batch: set[tuple[uuid.UUID, uuid.UUID, Respondent]] | None = session.info.get(BATCH)
    if batch is None:
        await _rewrite(session, sa.and_(*_invited(wave_id, team_id, respondent), Response.mixing_group == group))
    else:
        batch.add((wave_id, team_id, respondent))


@asynccontextmanager
async def one_rewrite_per_team(session: AsyncSession) -> AsyncIterator[None]:
    """Many submissions in one transaction (the demo): each team's responses are rewritten once, at the end.

    As safe as rewriting after each: the transaction commits every row at once, with one ``xmin``, and the
    final rewrite puts each team's rows in a random order. The rows keep their mixing groups, for the
    submissions that may follow while the wave is open.
    """
    session.info[BATCH] = set()
    try:
        yield
        teams = sorted(session.info[BATCH], key=lambda group: (str(group[1]), group[2].value))
    finally:
        del session.info[BATCH]
    for wave_id, team_id, respondent in teams:
        await _rewrite(session, sa.and_(*_invited(wave_id, team_id, respondent)))


async def scramble_responses(session: AsyncSession, wave_id: uuid.UUID) -> int:
    """Rewrite every response of a closing wave, each team and kind as one group; returns the count."""
    if session.get_bind().dialect.name == "postgresql":
        return await _rewrite_in_one_statement(session, Response.wave_id == wave_id, one_group=True)
    groups = await session.execute(
        sa.select(Response.team_id, Response.respondent)
        .where(Response.wave_id == wave_id)
        .distinct()
        .order_by(Response.team_id, Response.respondent)
    )
    total = 0
    for team_id, respondent in groups.all():
        selected = sa.and_(Response.wave_id == wave_id, Response.team_id == team_id, Response.respondent == respondent)
        total += await _rewrite(session, selected, one_group=True)
    return total


async def _rewrite_in_one_statement(session: AsyncSession, selected: sa.ColumnElement[bool], *, one_group: bool) -> int:
    """The rewrite on PostgreSQL: one statement of data-modifying CTEs, whatever the number of rows.

    Each selected response gets a new random id (``gen_random_uuid``, a version 4 UUID) and place; responses,
    answers and comments are copied in that order under their new ids and the old ones deleted, all reading the
    statement's snapshot. Rows through Python instead cost a submission a third more (``make bench-intake``) and
    had not finished the 10,000-team benchmark wave's close after 14 minutes (``make bench-analysis``); a
    temporary table of old and new ids was slower for a submission and no faster for a close.
    """
    mapping = (
        sa.select(
            Response.id.label("old_id"),
            sa.func.gen_random_uuid().label("new_id"),
            sa.func.random().label("position"),
        )
        .where(selected)
        .cte("mapping")
    )
    kept = [column for column in Response.__table__.columns if column.name not in ("id", "mixing_group")]
    group = sa.literal(0) if one_group else Response.mixing_group
    copies = [
        sa.insert(Response)
        .from_select(
            ["id", "mixing_group", *(column.name for column in kept)],
            sa.select(mapping.c.new_id, group, *kept)
            .join(Response, Response.id == mapping.c.old_id)
            .order_by(mapping.c.position),
        )
        .cte("responses")
    ]
    for model in (Answer, Comment):
        columns = [column for column in model.__table__.columns if column.name != "response_id"]
        copies.append(
            sa.insert(model)
            .from_select(
                ["response_id", *(column.name for column in columns)],
                sa.select(mapping.c.new_id, *columns)
                .join(model, model.response_id == mapping.c.old_id)
                .order_by(mapping.c.position),
            )
            .cte(model.__tablename__)
        )
        copies.append(
            sa.delete(model).where(model.response_id.in_(sa.select(mapping.c.old_id))).cte(f"old_{model.__tablename__}")
        )
    deleted = await session.execute(
        sa.delete(Response)
        .where(Response.id.in_(sa.select(mapping.c.old_id)))
        .add_cte(*copies)
        .execution_options(synchronize_session=False)
    )
    return int(deleted.rowcount)  # type: ignore[attr-defined]


async def _rewrite(session: AsyncSession, selected: sa.ColumnElement[bool], *, one_group: bool = False) -> int:
    """Delete the selected responses and write them again in a random order with new ids (`one_group`: all in 0)."""
    if session.get_bind().dialect.name == "postgresql":
        return await _rewrite_in_one_statement(session, selected, one_group=one_group)
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
    regrouped = {"mixing_group": 0} if one_group else {}
    await session.execute(
        sa.insert(Response), [{**response, "id": renamed[response["id"]], **regrouped} for response in responses]
    )
    for model in (Answer, Comment):
        copies = [
            {**child, "response_id": renamed[response["id"]]}
            for response in responses
            for child in children[model.__tablename__].get(response["id"], [])
        ]
        if copies:
            await session.execute(sa.insert(model), copies)
    return len(responses)

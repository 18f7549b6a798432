"""Keeping stored responses from betraying the order, or the moment, in which they were given.

Rows are laid out in the order they are written (PostgreSQL's ``ctid``, SQLite's ``rowid``) and carry the id of
the transaction that wrote them (``xmin``). So responses are only ever written by rewriting a whole group of a
team's responses of a kind (employees or customers) in a random order, with new random ids, in one transaction:
afterwards the group's rows share one ``xmin``, sit in random order, and nothing but their content tells them
apart. Mixing admits sealed answers that way, a batch at a time, rewriting the mixing group (:data:`MIXING_GROUP`)
they join (:mod:`surveys.collection.mixing`); closing a wave rewrites the whole wave, each team and kind as one
group. Responses carry no date either.

What is left (``docs/privacy.md``): the old row versions stay in the table's pages, invisible to SQL, until
VACUUM reclaims them; and a reader who polls the database during a wave sees each batch arrive.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Answer, Channel, Comment, Response
from symmetry.domain import Respondent

MIXING_GROUP = 100
"""Responses through invitations that mixing rewrites together, at most: a team's and kind's group.

Rewriting the whole team at every batch would cost time in proportion to the team's answers (about 1 s at 800,
`make bench-mixing`). So a team's responses of a kind are mixed in groups of this many, in the order they
arrive: each batch rewrites the group it joins, and closing the wave rewrites the whole team as one group. While
the wave is open, an answer hides among the others of its group, never fewer than a hundred once the group is
full; a team that never gets past a hundred answers is one group.
"""


def invited_responses(
    wave_id: uuid.UUID, team_id: uuid.UUID, respondent: Respondent
) -> tuple[sa.ColumnElement[bool], ...]:
    """The responses through invitations of one team and kind in a wave."""
    return (
        Response.wave_id == wave_id,
        Response.team_id == team_id,
        Response.respondent == respondent,
        Response.channel == Channel.INVITATION,
    )


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
        total += await rewrite_responses(session, selected, one_group=True)
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


async def rewrite_responses(session: AsyncSession, selected: sa.ColumnElement[bool], *, one_group: bool = False) -> int:
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

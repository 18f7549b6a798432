"""Keeping stored responses from betraying the order, or the moment, in which they were given.

Rows are laid out in the order they are written (PostgreSQL's ``ctid``, SQLite's ``rowid``) and carry the id of
the transaction that wrote them (``xmin``). So responses through invitations are only ever written by rewriting a
whole group of a team's responses of a kind (employees or customers) in a random order, with new random ids, in
one transaction (open-link answers, which no invitation pairs with, are inserted as they come):
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

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Channel, Comment, Response
from symmetry.domain import Respondent

MIXING_GROUP = 100
"""Responses through invitations that mixing rewrites together, at most: a team's and kind's group.

Rewriting the whole team at every batch would cost time in proportion to the team's answers (rewriting 800
responses took about 1 s when each submission did it). So a team's responses of a kind are mixed in groups of
this many, in the order they arrive: each batch rewrites the group it joins, and closing the wave rewrites the
whole team as one group. While the wave is open, an answer hides among the others of its group, never fewer than
a hundred once the group is full; a team that never gets past a hundred answers is one group.
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

    Each selected response gets a new random id (``gen_random_uuid``, a version 4 UUID) and place; responses
    (their answers with them) and comments are copied in that order under their new ids and the old ones deleted,
    all reading the statement's snapshot. Rows through Python instead cost a third more when each submission
    rewrote its group, and had not finished the 10,000-team benchmark wave's close after 14 minutes
    (``make bench-analysis``); a temporary table of old and new ids was slower for a group and no faster for a close.
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
    comment_columns = [column for column in Comment.__table__.columns if column.name != "response_id"]
    copies += [
        sa.insert(Comment)
        .from_select(
            ["response_id", *(column.name for column in comment_columns)],
            sa.select(mapping.c.new_id, *comment_columns)
            .join(Comment, Comment.response_id == mapping.c.old_id)
            .order_by(mapping.c.position),
        )
        .cte("comments"),
        sa.delete(Comment).where(Comment.response_id.in_(sa.select(mapping.c.old_id))).cte("old_comments"),
    ]
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
    return await _rewrite_through_a_mapping(session, selected, one_group=one_group)


_MAPPING = sa.Table(
    "response_mapping",
    sa.MetaData(),
    sa.Column("old_id", GUID(length=16)),
    sa.Column("new_id", GUID(length=16)),
    sa.Column("position", sa.Integer),
    prefixes=["TEMPORARY"],
)
"""SQLite's rewrite: each selected response's new id and place, in a table of this connection only."""


async def _rewrite_through_a_mapping(
    session: AsyncSession, selected: sa.ColumnElement[bool], *, one_group: bool
) -> int:
    """The rewrite on SQLite: new ids and places drawn in Python, the rows copied by SQL through a mapping table.

    The rows themselves stay in the database: copying a mixing group's answers through Python objects made the
    mixing of a batch cost intake on SQLite a sixth of its throughput (``make bench-intake``).
    """
    old_ids = list(await session.scalars(sa.select(Response.id).where(selected)))
    if not old_ids:
        return 0
    random.SystemRandom().shuffle(old_ids)
    await session.execute(sa.schema.CreateTable(_MAPPING, if_not_exists=True))
    await session.execute(_MAPPING.delete())
    await session.execute(
        _MAPPING.insert(), [{"old_id": old, "new_id": uuid.uuid4(), "position": n} for n, old in enumerate(old_ids)]
    )
    mapping = _MAPPING.c
    kept = [column for column in Response.__table__.columns if column.name not in ("id", "mixing_group")]
    group = sa.literal(0) if one_group else Response.mixing_group
    await session.execute(
        sa.insert(Response).from_select(
            ["id", "mixing_group", *(column.name for column in kept)],
            sa.select(mapping.new_id, group, *kept)
            .join(Response, Response.id == mapping.old_id)
            .order_by(mapping.position),
        )
    )
    comment_columns = [column for column in Comment.__table__.columns if column.name != "response_id"]
    await session.execute(
        sa.insert(Comment).from_select(
            ["response_id", *(column.name for column in comment_columns)],
            sa.select(mapping.new_id, *comment_columns)
            .join(Comment, Comment.response_id == mapping.old_id)
            .order_by(mapping.position),
        )
    )
    # Comments of the old ids go with them through ON DELETE CASCADE.
    await session.execute(
        sa.delete(Response)
        .where(Response.id.in_(sa.select(mapping.old_id)))
        .execution_options(synchronize_session=False)
    )
    return len(old_ids)

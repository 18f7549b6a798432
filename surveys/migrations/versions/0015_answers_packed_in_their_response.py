"""answers packed in their response: a byte per item, instead of a row per answer

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:00:00.000000

Each response holds its answers in ``response.answers``, a byte per item of its respondent's questionnaire in the
instrument's order and 0xFF where unanswered (``surveys/collection/packing.py``); the ``answer`` table goes. Both
directions convert the stored answers. SQLite adds and drops the column in place (``ALTER TABLE``): rebuilding
``response`` would drop it, and with foreign keys on, dropping a table deletes the rows that refer to it.
"""

import json
from collections.abc import Iterator, Sequence
from typing import Any

import advanced_alchemy
import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNANSWERED = 0xFF
BATCH = 5_000
"""Responses converted per statement: a wave's answers never sit in memory all at once."""

# Untyped columns: ids go back to the database exactly as it returned them (16 bytes on SQLite, a uuid on PostgreSQL).
RESPONSE = sa.table("response", sa.column("id"), sa.column("answers"))
ANSWER = sa.table("answer", sa.column("response_id"), sa.column("item_id"), sa.column("value"))


def _questionnaires(connection: sa.Connection) -> dict[tuple[Any, str], list[str]]:
    """Each instrument version's item ids per kind of respondent, in the order of the packed bytes."""
    # The instrument's definition is parsed by the application's loader (imported here, as this revision runs
    # once); the order of items is fixed by the stored definition and the respondent.
    from surveys.instruments.loader import parse_instrument
    from symmetry.domain import Respondent

    questionnaires = {}
    for row in connection.execute(sa.text("SELECT id, key, version, definition FROM instrument_version")):
        definition = row.definition if isinstance(row.definition, dict) else json.loads(row.definition)
        instrument = parse_instrument(definition, row.key, version=row.version)
        for respondent in Respondent:
            questionnaires[row.id, respondent.value] = [item.id for item in instrument.items_for(respondent)]
    return questionnaires


def _responses(connection: sa.Connection, columns: str) -> Iterator[list[Any]]:
    """The responses, a batch at a time, in the order of their ids."""
    last = None
    while True:
        after = "" if last is None else "WHERE id > :last "
        rows = list(
            connection.execute(
                sa.text(f"SELECT id, {columns} FROM response {after}ORDER BY id LIMIT {BATCH}"),
                {} if last is None else {"last": last},
            )
        )
        if not rows:
            return
        yield rows
        last = rows[-1].id


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        op.execute("ALTER TABLE response ADD COLUMN answers BLOB NOT NULL DEFAULT x''")
    else:
        op.add_column("response", sa.Column("answers", sa.LargeBinary(), nullable=True))
    questionnaires = _questionnaires(connection)
    answer = ANSWER.c
    for rows in _responses(connection, "instrument_version_id, respondent"):
        given: dict[Any, dict[str, int]] = {row.id: {} for row in rows}
        for response_id, item_id, value in connection.execute(
            sa.select(answer.response_id, answer.item_id, answer.value).where(answer.response_id.in_(list(given)))
        ):
            given[response_id][item_id] = value
        connection.execute(
            RESPONSE.update().where(RESPONSE.c.id == sa.bindparam("response_id")),
            [
                {
                    "response_id": row.id,
                    "answers": bytes(
                        given[row.id].get(item, UNANSWERED)
                        for item in questionnaires[row.instrument_version_id, row.respondent]
                    ),
                }
                for row in rows
            ],
        )
    if connection.dialect.name != "sqlite":
        op.alter_column("response", "answers", nullable=False)
    op.drop_table("answer")


def downgrade() -> None:
    connection = op.get_bind()
    op.create_table(
        "answer",
        sa.Column("response_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name=op.f("fk_answer_response_id_response"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("response_id", "item_id", name=op.f("pk_answer")),
    )
    questionnaires = _questionnaires(connection)
    for rows in _responses(connection, "instrument_version_id, respondent, answers"):
        unpacked = [
            {"response_id": row.id, "item_id": item, "value": value}
            for row in rows
            for item, value in zip(
                questionnaires[row.instrument_version_id, row.respondent], bytes(row.answers), strict=True
            )
            if value != UNANSWERED
        ]
        if unpacked:
            connection.execute(ANSWER.insert(), unpacked)
    if connection.dialect.name == "sqlite":
        op.execute("ALTER TABLE response DROP COLUMN answers")
    else:
        op.drop_column("response", "answers")

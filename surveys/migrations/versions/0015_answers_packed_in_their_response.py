"""answers packed in their response: a byte per item, instead of a row per answer and per-voice means

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:00:00.000000

Each response holds its answers in ``response.answers``, a byte per item of its respondent's questionnaire in the
instrument's order and 0xFF where unanswered (``surveys/collection/packing.py``); the ``answer`` table goes, and
so do the per-voice means of revision 0005, which the analysis now computes from the packed answers. Both
directions convert the stored answers (the downgrade computes the means again). SQLite adds and drops the
columns in place (``ALTER TABLE``), without rebuilding ``response``.
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


SCORES = ("employee_score", "mirror_score", "customer_score")


def _instruments(connection: sa.Connection) -> dict[Any, Any]:
    """Each stored instrument version, parsed by the application's loader (imported here: this revision runs once)."""
    from surveys.instruments.loader import parse_instrument

    return {
        row.id: parse_instrument(
            row.definition if isinstance(row.definition, dict) else json.loads(row.definition),
            row.key,
            version=row.version,
        )
        for row in connection.execute(sa.text("SELECT id, key, version, definition FROM instrument_version"))
    }


def _questionnaires(instruments: dict[Any, Any]) -> dict[tuple[Any, str], list[str]]:
    """Each instrument version's item ids per kind of respondent, in the order of the packed bytes."""
    from symmetry.domain import Respondent

    return {
        (version_id, respondent.value): [item.id for item in instrument.items_for(respondent)]
        for version_id, instrument in instruments.items()
        for respondent in Respondent
    }


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
    questionnaires = _questionnaires(_instruments(connection))
    answer = ANSWER.c
    for rows in _responses(connection, "instrument_version_id, respondent"):
        given: dict[Any, dict[str, int]] = {row.id: {} for row in rows}
        for response_id, item_id, value in connection.execute(
            sa.select(answer.response_id, answer.item_id, answer.value).where(answer.response_id.in_(list(given)))
        ):
            given[response_id][item_id] = value
        for row in rows:  # an answer the layout cannot hold stops the migration rather than being dropped
            items = questionnaires[row.instrument_version_id, row.respondent]
            misfits = {item: value for item, value in given[row.id].items() if item not in items or value == UNANSWERED}
            if misfits:
                raise RuntimeError(f"a {row.respondent} response holds answers its questionnaire cannot: {misfits}")
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
    for score in SCORES:
        _drop_response_column(connection, score)


def _drop_response_column(connection: sa.Connection, column: str) -> None:
    if connection.dialect.name == "sqlite":
        op.execute(f"ALTER TABLE response DROP COLUMN {column}")
    else:
        op.drop_column("response", column)


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
    for score in SCORES:
        op.add_column("response", sa.Column(score, sa.Double(), nullable=True))
    from symmetry.analysis import voice_scores
    from symmetry.domain import Voice

    instruments = _instruments(connection)
    questionnaires = _questionnaires(instruments)
    scored = sa.table("response", sa.column("id"), *(sa.column(score) for score in SCORES))
    for rows in _responses(connection, "instrument_version_id, respondent, answers"):
        unpacked, means = [], []
        for row in rows:
            items = questionnaires[row.instrument_version_id, row.respondent]
            given = {item: value for item, value in zip(items, bytes(row.answers), strict=True) if value != UNANSWERED}
            unpacked += [{"response_id": row.id, "item_id": item, "value": value} for item, value in given.items()]
            scores = voice_scores(instruments[row.instrument_version_id], {k: float(v) for k, v in given.items()})
            means.append(
                {
                    "response_id": row.id,
                    "employee_score": scores[Voice.EMPLOYEE],
                    "mirror_score": scores[Voice.MIRROR],
                    "customer_score": scores[Voice.CUSTOMER],
                }
            )
        if unpacked:
            connection.execute(ANSWER.insert(), unpacked)
        connection.execute(scored.update().where(scored.c.id == sa.bindparam("response_id")), means)
    _drop_response_column(connection, "answers")

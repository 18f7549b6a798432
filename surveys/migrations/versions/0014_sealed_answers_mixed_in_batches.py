"""answers sealed until they are mixed in batches, and intake that stops when its wave closes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 16:00:00.000000

A submission no longer rewrites its team's responses: it stores its answers sealed in ``sealed_response``, in
the statement that consumes the invitation, and a job admits them among the responses several at once
(``surveys/collection/mixing.py``). On PostgreSQL, ``symmetry_wave_takes_answers`` is what that statement asks
before consuming a token: it takes a shared lock that closing the wave takes exclusively, then reads the wave's
state in a snapshot of its own, so no answer is stored once a wave has left the open state.
"""

from collections.abc import Sequence

import advanced_alchemy
import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTAKE_LOCKS = 0x53594D
"""The first key of the advisory locks of intake (``surveys.collection.intake.INTAKE_LOCKS``); the second is the
wave's."""


def upgrade() -> None:
    op.create_table(
        "sealed_response",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("wave_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("team_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column(
            "respondent",
            sa.Enum("employee", "customer", name="respondent", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_sealed_response_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_sealed_response_wave_id_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_response")),
    )
    op.create_index("ix_sealed_response_place", "sealed_response", ["wave_id", "team_id", "respondent"])
    if op.get_bind().dialect.name == "postgresql":
        # VOLATILE: the SELECT below takes its own snapshot, after the lock, not the calling statement's.
        op.execute(
            f"""
            CREATE FUNCTION symmetry_wave_takes_answers(asked uuid) RETURNS boolean
            LANGUAGE plpgsql VOLATILE AS $$
            BEGIN
                IF NOT pg_try_advisory_xact_lock_shared({INTAKE_LOCKS}, hashtext(asked::text)) THEN
                    RETURN false;  -- the wave is being closed
                END IF;
                RETURN EXISTS (SELECT 1 FROM wave WHERE wave.id = asked AND wave.state = 'open');
            END
            $$
            """
        )


def downgrade() -> None:
    waiting = op.get_bind().scalar(sa.text("SELECT count(*) FROM sealed_response"))
    if waiting:
        raise RuntimeError(
            f"{waiting} answers are still sealed: close the open waves (or let their answers be mixed) first"
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION symmetry_wave_takes_answers(uuid)")
    op.drop_index("ix_sealed_response_place", table_name="sealed_response")
    op.drop_table("sealed_response")

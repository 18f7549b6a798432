"""action plans: a team's actions on a dimension after a wave, re-measured at the next one

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 02:30:00.000000
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
MOMENT = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
STATUS = sa.Enum("planned", "in_progress", "done", "dropped", name="actionstatus", native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "action_plan",
        sa.Column("id", GUID, nullable=False),
        sa.Column("organisation_id", GUID, nullable=False),
        sa.Column("team_id", GUID, nullable=False),
        sa.Column("wave_id", GUID, nullable=False),
        sa.Column("dimension", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_action_plan_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_action_plan_team_id_team"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["wave_id"], ["wave.id"], name=op.f("fk_action_plan_wave_id_wave"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_plan")),
        sa.UniqueConstraint("team_id", "wave_id", "dimension", "title", name=op.f("uq_action_plan_team_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_action_plan_organisation_id"), "action_plan", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_action_plan_team_id"), "action_plan", ["team_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_action_plan_team_id"), table_name="action_plan")
    op.drop_index(op.f("ix_action_plan_organisation_id"), table_name="action_plan")
    op.drop_table("action_plan")

"""sessions and throttle counters shared by every web process

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:40:00.000000
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "store_entry",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_entry")),
        sa.UniqueConstraint("key", "namespace", name="uq_store_entry_key_namespace"),
    )
    op.create_index(op.f("ix_store_entry_expires_at"), "store_entry", ["expires_at"], unique=False)
    op.create_table(
        "throttle_window",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_window")),
    )
    op.create_index(op.f("ix_throttle_window_expires_at"), "throttle_window", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("throttle_window")
    op.drop_table("store_entry")

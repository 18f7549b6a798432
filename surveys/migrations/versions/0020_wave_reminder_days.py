"""wave reminder days: the scheduler's reminders, days before the closing date

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 19:20:00.000000

`reminder_days` lists them ("7,2"); `reminder_rounds` counts those already queued, so each is queued once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wave") as table:
        table.add_column(sa.Column("reminder_days", sa.String(length=64), nullable=False, server_default=""))
        table.add_column(sa.Column("reminder_rounds", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("wave") as table:
        table.drop_column("reminder_rounds")
        table.drop_column("reminder_days")

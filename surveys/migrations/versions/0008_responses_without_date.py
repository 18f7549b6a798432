"""responses without a date, in mixing groups

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 07:30:00.000000

A response's day, with reminders' dates and the audit log, narrowed who could have given it: it is dropped.
Each response gets the mixing group it is rewritten with while its wave is open.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.drop_column("submitted_on")
        batch.add_column(sa.Column("mixing_group", sa.SmallInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    # The days are gone for good; a downgraded database dates every response to the day of the downgrade.
    with op.batch_alter_table("response") as batch:
        batch.drop_column("mixing_group")
        batch.add_column(sa.Column("submitted_on", sa.Date(), nullable=False, server_default=sa.func.current_date()))

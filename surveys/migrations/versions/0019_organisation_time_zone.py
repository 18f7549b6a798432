"""organisation time zone: where a wave's dates begin and end

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 19:05:00.000000

A wave opens on its opening date and takes answers through its closing date in its organisation's time zone,
Europe/Paris unless the organisation says otherwise.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as table:
        table.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="Europe/Paris"))


def downgrade() -> None:
    with op.batch_alter_table("organisation") as table:
        table.drop_column("time_zone")

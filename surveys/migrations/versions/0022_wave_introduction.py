"""wave introduction: the lead's own paragraph per wave, in French and in English

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 10:10:00.000000

Shown in the wave's e-mails and on its survey's first page; empty for the waves before it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wave") as table:
        table.add_column(sa.Column("introduction_fr", sa.Text(), nullable=False, server_default=""))
        table.add_column(sa.Column("introduction_en", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("wave") as table:
        table.drop_column("introduction_en")
        table.drop_column("introduction_fr")

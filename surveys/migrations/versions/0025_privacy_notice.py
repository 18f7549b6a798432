"""privacy notice: per organisation, whom respondents contact about their data, and its own paragraph

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 13:40:00.000000

The notice itself is written by surveys/privacy/notice.py from the organisation's name and retention policy; these
columns hold what only the organisation knows. Empty until it is set: the notice then says to ask the organisation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("privacy_contact", sa.String(320), nullable=True))
        batch.add_column(sa.Column("privacy_notice_fr", sa.Text(), nullable=True))
        batch.add_column(sa.Column("privacy_notice_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("privacy_notice_en")
        batch.drop_column("privacy_notice_fr")
        batch.drop_column("privacy_contact")

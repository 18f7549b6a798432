"""user language: each account's choice of French or English for the pages, the e-mails and the CLI

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 02:00:00.000000

Null until the user chooses: the pages then follow the browser's Accept-Language, else French.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as table:
        table.add_column(sa.Column("language", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as table:
        table.drop_column("language")

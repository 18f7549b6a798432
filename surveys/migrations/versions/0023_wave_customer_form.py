"""wave customer form: whether a wave asks its customers the full questionnaire or the instrument's short one

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-10 09:30:00.000000

"full" for the waves before it; "short" only on an instrument version that has a short customer variant.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wave") as table:
        table.add_column(
            sa.Column(
                "customer_form",
                sa.Enum("full", "short", name="customerform", native_enum=False, length=16),
                nullable=False,
                server_default="full",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("wave") as table:
        table.drop_column("customer_form")

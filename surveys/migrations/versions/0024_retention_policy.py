"""retention policy: per organisation, how many days each kind of personal data is kept

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 10:20:00.000000

An organisation without a row has the defaults of surveys/privacy/retention.py (docs/privacy.md).
"""

from collections.abc import Sequence

import advanced_alchemy
import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("people", "invitations", "answers", "comments", "reports", "audit")


def upgrade() -> None:
    op.create_table(
        "retention_policy",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organisation_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        *(sa.Column(f"{kind}_days", sa.Integer(), nullable=True) for kind in KINDS),
        sa.Column("last_run_on", sa.Date(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_retention_policy_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_policy")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_retention_policy_organisation_id")),
    )


def downgrade() -> None:
    op.drop_table("retention_policy")

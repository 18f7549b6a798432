"""report notices e-mailed to managers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_notice",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("report_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("recipient_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("file_digest", sa.String(length=64), nullable=False),
        sa.Column(
            "status", sa.Enum("sent", "failed", name="noticestatus", native_enum=False, length=16), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user_account.id"],
            name=op.f("fk_report_notice_recipient_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_notice_report_id_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_notice")),
        sa.UniqueConstraint("report_id", "recipient_id", "file_digest", name=op.f("uq_report_notice_report_id")),
    )
    with op.batch_alter_table("report_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_notice_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    op.drop_table("report_notice")

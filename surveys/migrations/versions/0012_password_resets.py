"""password resets by e-mailed link, sent through the outbox

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 11:20:00.000000
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
MOMENT = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "password_reset",
        sa.Column("id", GUID, nullable=False),
        sa.Column("user_id", GUID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT, nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_password_reset_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    op.create_index(op.f("ix_password_reset_user_id"), "password_reset", ["user_id"], unique=False)
    with op.batch_alter_table("email_delivery") as batch:
        batch.alter_column("wave_id", existing_type=GUID, nullable=True)
        batch.add_column(sa.Column("password_reset_id", GUID, nullable=True))
        batch.create_foreign_key(
            batch.f("fk_email_delivery_password_reset_id_password_reset"),
            "password_reset",
            ["password_reset_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_email_delivery_password_reset_id"), ["password_reset_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM email_delivery WHERE password_reset_id IS NOT NULL")
    with op.batch_alter_table("email_delivery") as batch:
        batch.drop_index(batch.f("ix_email_delivery_password_reset_id"))
        batch.drop_constraint(batch.f("fk_email_delivery_password_reset_id_password_reset"), type_="foreignkey")
        batch.drop_column("password_reset_id")
        batch.alter_column("wave_id", existing_type=GUID, nullable=False)
    op.drop_table("password_reset")

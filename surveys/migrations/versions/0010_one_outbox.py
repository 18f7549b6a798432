"""one outbox for every e-mail, claimed before sending

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:20:00.000000

Report notices move into ``email_delivery``, which gains the wave (for the senders' queries), the notice's report,
recipient and file digest, and a lease for claiming a row before sending it.
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
MOMENT = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("email_delivery") as batch:
        batch.add_column(sa.Column("wave_id", GUID, nullable=True))
        batch.add_column(sa.Column("report_id", GUID, nullable=True))
        batch.add_column(sa.Column("recipient_id", GUID, nullable=True))
        batch.add_column(sa.Column("file_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("attach", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("lease_until", MOMENT, nullable=True))
        batch.add_column(sa.Column("sent_at", MOMENT, nullable=True))
        batch.alter_column("invitation_id", existing_type=GUID, nullable=True)
    op.execute(
        "UPDATE email_delivery SET wave_id = "
        "(SELECT invitation.wave_id FROM invitation WHERE invitation.id = email_delivery.invitation_id)"
    )
    op.execute(
        "INSERT INTO email_delivery (id, wave_id, kind, report_id, recipient_id, file_digest, attach, status, "
        "attempts, last_error, sent_at, created_at, updated_at) "
        "SELECT report_notice.id, report.wave_id, 'report_notice', report_notice.report_id, "
        "report_notice.recipient_id, report_notice.file_digest, false, report_notice.status, report_notice.attempts, "
        "report_notice.error, report_notice.sent_at, report_notice.created_at, report_notice.updated_at "
        "FROM report_notice JOIN report ON report.id = report_notice.report_id"
    )
    with op.batch_alter_table("email_delivery") as batch:
        batch.alter_column("wave_id", existing_type=GUID, nullable=False)
        batch.alter_column("attach", existing_type=sa.Boolean(), server_default=None)
        batch.create_foreign_key(
            batch.f("fk_email_delivery_wave_id_wave"), "wave", ["wave_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            batch.f("fk_email_delivery_report_id_report"), "report", ["report_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            batch.f("fk_email_delivery_recipient_id_user_account"),
            "user_account",
            ["recipient_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_email_delivery_wave_id"), ["wave_id"], unique=False)
        batch.create_index(batch.f("ix_email_delivery_report_id"), ["report_id"], unique=False)
        batch.create_unique_constraint(
            batch.f("uq_email_delivery_report_id"), ["report_id", "recipient_id", "file_digest"]
        )
    op.drop_table("report_notice")


def downgrade() -> None:
    op.create_table(
        "report_notice",
        sa.Column("id", GUID, nullable=False),
        sa.Column("report_id", GUID, nullable=False),
        sa.Column("recipient_id", GUID, nullable=False),
        sa.Column("file_digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
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
    op.execute(
        "INSERT INTO report_notice (id, report_id, recipient_id, file_digest, status, attempts, error, sent_at, "
        "created_at, updated_at) SELECT id, report_id, recipient_id, file_digest, "
        "CASE WHEN status = 'sent' THEN 'sent' ELSE 'failed' END, attempts, last_error, sent_at, created_at, "
        "updated_at FROM email_delivery WHERE kind = 'report_notice'"
    )
    op.execute("DELETE FROM email_delivery WHERE kind = 'report_notice'")
    with op.batch_alter_table("email_delivery") as batch:
        batch.drop_constraint(batch.f("uq_email_delivery_report_id"), type_="unique")
        batch.drop_index(batch.f("ix_email_delivery_report_id"))
        batch.drop_index(batch.f("ix_email_delivery_wave_id"))
        batch.drop_constraint(batch.f("fk_email_delivery_recipient_id_user_account"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_email_delivery_report_id_report"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_email_delivery_wave_id_wave"), type_="foreignkey")
        for column in ("sent_at", "lease_until", "attach", "file_digest", "recipient_id", "report_id", "wave_id"):
            batch.drop_column(column)
        batch.alter_column("invitation_id", existing_type=GUID, nullable=False)
    with op.batch_alter_table("report_notice") as batch:
        batch.create_index(batch.f("ix_report_notice_report_id"), ["report_id"], unique=False)

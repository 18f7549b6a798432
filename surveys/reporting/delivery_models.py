"""Report notices: which manager was told about which report file, and what became of the e-mail."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from surveys.db import enum_type


class NoticeStatus(enum.StrEnum):
    """A failed notice is tried again by the next ``symmetry report send``."""

    SENT = "sent"
    FAILED = "failed"


class ReportNotice(UUIDAuditBase):
    """One e-mail telling one user that one report file is ready.

    Keyed by the file's digest: a report rendered again into a different file gets a new notice, the same file
    never gets a second one. It holds no address (looked up when sending) and nothing about answers.
    """

    __tablename__ = "report_notice"
    __table_args__ = (sa.UniqueConstraint("report_id", "recipient_id", "file_digest"),)

    report_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    file_digest: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[NoticeStatus] = mapped_column(enum_type(NoticeStatus))
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

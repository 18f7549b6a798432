"""Where each report of a wave stands, so that the web UI can show it and an interrupted batch resumes."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from surveys.db import enum_type


class ReportStatus(enum.StrEnum):
    """A report is pending until rendered; a failed one is tried again by the next run."""

    PENDING = "pending"
    RENDERED = "rendered"
    FAILED = "failed"


class ReportRecord(UUIDAuditBase):
    """One PDF of a wave: a team's report (in its manager's language) or the organisation report in one language.

    ``inputs_digest`` fingerprints what the PDF was rendered from (results, texts, renderer), so that a rerun
    skips a report whose inputs have not changed; ``file_digest`` is the SHA-256 of the file, checked on download.
    """

    __tablename__ = "report"
    __table_args__ = (
        sa.Index(
            "uq_report_team",
            "wave_id",
            "team_id",
            unique=True,
            sqlite_where=sa.text("team_id IS NOT NULL"),
            postgresql_where=sa.text("team_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_report_organisation",
            "wave_id",
            "language",
            unique=True,
            sqlite_where=sa.text("team_id IS NULL"),
            postgresql_where=sa.text("team_id IS NULL"),
        ),
    )

    wave_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[ReportStatus] = mapped_column(enum_type(ReportStatus), default=ReportStatus.PENDING)
    inputs_digest: Mapped[str | None] = mapped_column(sa.String(64))
    path: Mapped[str | None] = mapped_column(sa.String(500))
    file_digest: Mapped[str | None] = mapped_column(sa.String(64))
    pages: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))
    rendered_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

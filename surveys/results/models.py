"""Team results as stored after a wave closes: what dashboards and reports read."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.base import DefaultBase, UUIDAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column


class TeamResultRow(UUIDAuditBase):
    """One team's estimate for one measure and voice in one wave.

    ``measure`` is a dimension key, ``overall``, or an outcome key (``voice`` is then ``outcome``).
    Employee figures of teams below the anonymity threshold are never stored.
    """

    __tablename__ = "team_result"
    __table_args__ = (sa.UniqueConstraint("wave_id", "team_id", "measure", "voice"),)

    wave_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(sa.String(64))
    voice: Mapped[str] = mapped_column(sa.String(16))
    n: Mapped[int]
    estimate: Mapped[float]
    ci_low: Mapped[float | None]
    ci_high: Mapped[float | None]


class WaveAnalysisRecord(DefaultBase):
    """A wave's whole analysis as a document, so that reports and pages read it without recomputing."""

    __tablename__ = "wave_analysis"

    wave_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

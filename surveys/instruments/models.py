"""Instrument versions as stored: frozen once a wave uses them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from sqlalchemy.orm import Mapped, mapped_column


class InstrumentVersion(UUIDAuditBase):
    """One version of an instrument: the parsed file, kept whole so old waves read with their own questions."""

    __tablename__ = "instrument_version"
    __table_args__ = (sa.UniqueConstraint("key", "version"),)

    key: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    checksum: Mapped[str] = mapped_column(sa.String(64))
    """SHA-256 of the definition, to tell an edited file from the stored version."""

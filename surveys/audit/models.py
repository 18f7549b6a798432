"""Audit events: who did what sensitive thing, when."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.base import UUIDBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column


class AuditEvent(UUIDBase):
    """One sensitive action. The actor is kept by e-mail so that the trail survives the account."""

    __tablename__ = "audit_event"

    occurred_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(sa.String(320))
    """The signed-in user's e-mail, ``cli:<system user>`` for commands, or the e-mail tried at a failed sign-in."""
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organisation.id", ondelete="SET NULL"))
    target: Mapped[str | None] = mapped_column(sa.String(300))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

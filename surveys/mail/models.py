"""The outbox: every invitation or reminder e-mail, and what happened to it."""

from __future__ import annotations

import enum
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from sqlalchemy.orm import Mapped, mapped_column

from surveys.db import enum_type


class MailKind(enum.StrEnum):
    """Why an e-mail is sent."""

    INVITATION = "invitation"
    REMINDER = "reminder"


class DeliveryStatus(enum.StrEnum):
    """Where an e-mail stands; a failed one is retried by the next send."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class EmailDelivery(UUIDAuditBase):
    """One e-mail to one invitee. It holds no address and no token: both are looked up or made when sending."""

    __tablename__ = "email_delivery"

    invitation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MailKind] = mapped_column(enum_type(MailKind))
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))

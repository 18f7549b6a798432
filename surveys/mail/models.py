"""The outbox: every e-mail the platform sends (invitations, reminders, report notices), and what became of it."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from surveys.db import enum_type


class MailKind(enum.StrEnum):
    """Why an e-mail is sent."""

    INVITATION = "invitation"
    REMINDER = "reminder"
    REPORT_NOTICE = "report_notice"
    PASSWORD_RESET = "password_reset"


class DeliveryStatus(enum.StrEnum):
    """Where an e-mail stands.

    A sender claims a row by setting it ``sending`` with a lease; a failed row is tried again by the next run or
    the sweep, and so is a ``sending`` row whose lease has expired (its sender died). ``cancelled``: no longer to
    send (the invitee answered, or has no address).
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class EmailDelivery(UUIDAuditBase):
    """One e-mail to one person. It holds no address and no token: both are looked up or made when sending.

    Invitations and reminders point to their invitation; a report notice to its report, its recipient's account
    and the digest of the file it announces (a report rendered again into another file gets a new notice, the same
    file never a second one).
    """

    __tablename__ = "email_delivery"
    __table_args__ = (sa.UniqueConstraint("report_id", "recipient_id", "file_digest"),)

    wave_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    """The wave of an invitation, reminder or notice; none for a password reset."""
    password_reset_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("password_reset.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MailKind] = mapped_column(enum_type(MailKind))
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("invitation.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    file_digest: Mapped[str | None] = mapped_column(sa.String(64))
    attach: Mapped[bool] = mapped_column(default=False)
    """A report notice carries its PDF instead of a link only."""
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus), default=DeliveryStatus.PENDING)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """While ``sending``: when the claim expires and another sender may take the row."""
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

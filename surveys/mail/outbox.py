"""The one outbox loop: claim a row, compose its e-mail, send it, record the outcome.

Any number of senders (web processes, workers, ``symmetry wave send``) may run at once: a row is claimed by a
conditional ``UPDATE`` that only one of them can win (``pending`` or ``failed``, or ``sending`` with an expired
lease, becomes ``sending`` with a new lease), committed before the message is composed. So each message is sent
once; only a sender that dies between the SMTP server's acceptance and its own commit leaves a row that another
sends again once the lease has expired (SMTP has no idempotency key to avoid that).

What an e-mail says depends on its kind; the feature that owns the kind prepares it (``Prepare``): invitations
and reminders in ``surveys.mail.services``, report notices in ``surveys.reporting.delivery``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.mail.models import DeliveryStatus, EmailDelivery, MailKind
from surveys.settings import Settings

SessionMaker = Callable[[], AsyncSession]
MESSAGE_ID_DOMAIN = "symmetry.invalid"


class Mailer(Protocol):
    """What sends one message; raises on failure."""

    async def send(self, message: EmailMessage) -> None:
        """Send `message` or raise."""


class SmtpMailer:
    """Sends through the configured SMTP server, one connection per message (robust to servers that drop idle ones)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        """Send `message` through SMTP."""
        s = self.settings
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            start_tls=s.smtp_starttls,
            timeout=30,
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A message ready to send, and what to record in the same transaction as its success."""

    message: EmailMessage
    on_sent: Callable[[AsyncSession], Awaitable[None]] | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    """The message cannot be composed now (for example its attachment fails its check): failed, tried again later."""

    reason: str


Prepare = Callable[[AsyncSession, EmailDelivery, Settings], Awaitable[Prepared | Refused | None]]
"""Compose a row's e-mail; None when it is no longer to be sent (the row is cancelled)."""


class Outcome(enum.StrEnum):
    """What one attempt at one row did."""

    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BUSY = "busy"
    """Another sender holds the row, or it is already done: nothing was sent."""


@dataclass
class DeliveryReport:
    """What one sending run did."""

    sent: int = 0
    failed: int = 0
    cancelled: int = 0

    def count(self, outcome: Outcome) -> None:
        """Add one outcome."""
        if outcome is Outcome.SENT:
            self.sent += 1
        elif outcome is Outcome.FAILED:
            self.failed += 1
        elif outcome is Outcome.CANCELLED:
            self.cancelled += 1


def _claimable(now: dt.datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        EmailDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
        sa.and_(EmailDelivery.status == DeliveryStatus.SENDING, EmailDelivery.lease_until < now),
    )


async def claimable_rows(
    session: AsyncSession, *, wave_id: uuid.UUID | None = None, kinds: Collection[MailKind] | None = None
) -> list[tuple[uuid.UUID, MailKind, dt.datetime]]:
    """The rows a sender may claim now (id, kind, last update), oldest first, of one wave and some kinds if given."""
    query = sa.select(EmailDelivery.id, EmailDelivery.kind, EmailDelivery.updated_at).where(
        _claimable(dt.datetime.now(dt.UTC))
    )
    if wave_id is not None:
        query = query.where(EmailDelivery.wave_id == wave_id)
    if kinds is not None:
        query = query.where(EmailDelivery.kind.in_(list(kinds)))
    rows = await session.execute(query.order_by(EmailDelivery.created_at, EmailDelivery.id))
    return [(delivery_id, kind, updated_at) for delivery_id, kind, updated_at in rows]


async def claim(session_maker: SessionMaker, delivery_id: uuid.UUID, lease: dt.timedelta) -> bool:
    """Take the row for this sender for `lease`, committed at once; False if another sender has it or it is done."""
    now = dt.datetime.now(dt.UTC)
    async with session_maker() as session, session.begin():
        result = await session.execute(
            sa.update(EmailDelivery)
            .where(EmailDelivery.id == delivery_id, _claimable(now))
            .values(status=DeliveryStatus.SENDING, lease_until=now + lease, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def send_one(
    session_maker: SessionMaker, delivery_id: uuid.UUID, settings: Settings, mailer: Mailer, prepare: Prepare
) -> Outcome:
    """Claim, compose, send and record one row of the outbox.

    The message's Message-ID is the row's, the same at every attempt: should a sender die between the server's
    acceptance and its own commit, the copy sent again after the lease can be recognised (and dropped) as such.
    """
    if not await claim(session_maker, delivery_id, dt.timedelta(seconds=settings.mail_lease_seconds)):
        return Outcome.BUSY
    async with session_maker() as session:
        delivery = await session.get_one(EmailDelivery, delivery_id)
        prepared = await prepare(session, delivery, settings)
    error: str | None = None
    attempts = 0
    if isinstance(prepared, Refused):
        # Counted as a try, so that the sweep, which retries failed rows a bounded number of times, gives up.
        error, attempts = prepared.reason, 1
    elif prepared is not None:
        prepared.message.replace_header("Message-ID", f"<{delivery_id}@{MESSAGE_ID_DOMAIN}>")
        error, attempts = await send_with_retries(mailer, prepared.message, settings.mail_attempts)
    async with session_maker() as session, session.begin():
        row = await session.get_one(EmailDelivery, delivery_id, with_for_update=True)
        if row.status is not DeliveryStatus.SENDING:
            return Outcome.BUSY  # our lease expired and another sender finished the row
        row.attempts += attempts
        row.lease_until = None
        if prepared is None:
            row.status = DeliveryStatus.CANCELLED
            return Outcome.CANCELLED
        if error is None:
            assert isinstance(prepared, Prepared)  # a refusal always has an error; narrows the type
            if prepared.on_sent is not None:
                await prepared.on_sent(session)
            row.status, row.last_error, row.sent_at = DeliveryStatus.SENT, None, dt.datetime.now(dt.UTC)
            return Outcome.SENT
        row.status, row.last_error = DeliveryStatus.FAILED, error[:500]
        return Outcome.FAILED


async def send_rows(
    session_maker: SessionMaker,
    rows: list[tuple[uuid.UUID, MailKind, dt.datetime]],
    settings: Settings,
    mailer: Mailer,
    prepare_for: Callable[[MailKind], Prepare],
) -> DeliveryReport:
    """Send the given rows one after another, throttled to ``mail_per_second``."""
    report = DeliveryReport()
    pause = 1.0 / settings.mail_per_second
    for delivery_id, kind, _ in rows:
        outcome = await send_one(session_maker, delivery_id, settings, mailer, prepare_for(kind))
        report.count(outcome)
        if outcome in (Outcome.SENT, Outcome.FAILED):
            await asyncio.sleep(pause)
    return report


async def send_with_retries(mailer: Mailer, message: EmailMessage, attempts: int) -> tuple[str | None, int]:
    """(None, tries) once sent; otherwise (the last error, described without the recipient's address, tries)."""
    error = "not attempted"
    for attempt in range(1, attempts + 1):
        try:
            await mailer.send(message)
            return None, attempt
        except (aiosmtplib.SMTPException, OSError) as failure:
            code, text = getattr(failure, "code", ""), getattr(failure, "message", "")
            error = f"{type(failure).__name__}: {code} {text}".strip()
            if attempt < attempts:
                await asyncio.sleep(0.2 * 2 ** (attempt - 1))
    return error, attempts

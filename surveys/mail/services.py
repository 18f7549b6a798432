"""Composing invitation and reminder e-mails and delivering the outbox through SMTP.

Only token hashes are stored, so each e-mail gets a fresh token for its invitation at the moment it is sent;
the hash is replaced only once the server has accepted the message. Each delivery is committed on its own, so
an interrupted run loses nothing, and a failed one stays in the outbox for the next run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol

import aiosmtplib
import jinja2
import sqlalchemy as sa
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.mail.models import DeliveryStatus, EmailDelivery, MailKind
from surveys.mail.texts import mail_text
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave
from surveys.waves.services import TOKEN_BYTES, hash_token
from symmetry.domain import Respondent

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parents[1] / "templates" / "mail"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
SessionMaker = Callable[[], AsyncSession]


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
class Letter:
    """What one e-mail says, before it becomes a message."""

    to: str
    language: str
    kind: MailKind
    respondent: Respondent
    organisation: str
    team: str
    closes_on: dt.date
    link: str


def compose(letter: Letter, settings: Settings) -> EmailMessage:
    """The e-mail of a letter, plain text and HTML, in the invitee's language."""
    language = letter.language
    subject = mail_text(f"subject_invitation_{letter.respondent}", language, organisation=letter.organisation)
    if letter.kind is MailKind.REMINDER:
        subject = mail_text("subject_reminder", language, subject=subject)
    context = {
        "language": language,
        "colon": " :" if language == "fr" else ":",
        "greeting": mail_text("greeting", language),
        "body": mail_text(f"body_{letter.respondent}", language, organisation=letter.organisation, team=letter.team),
        "anonymity": (
            mail_text("anonymity", language, threshold=settings.anonymity_threshold)
            if letter.respondent is Respondent.EMPLOYEE
            else ""
        ),
        "call_to_action": mail_text("call_to_action", language),
        "link": letter.link,
        "deadline": mail_text(
            "deadline",
            language,
            closes_on=format_date(letter.closes_on, "long", locale="fr_FR" if language == "fr" else "en_GB"),
        ),
        "personal_link": mail_text("personal_link", language),
        "reminder_note": mail_text("reminder_note", language) if letter.kind is MailKind.REMINDER else "",
    }
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = letter.to
    message["Message-ID"] = make_msgid(domain="symmetry.invalid")
    message.set_content(TEMPLATES.get_template("message.txt").render(context))
    message.add_alternative(TEMPLATES.get_template("message.html").render(context), subtype="html")
    message["Content-Language"] = language  # after the content, which resets content headers
    return message


@dataclass
class DeliveryReport:
    """What one sending run did."""

    sent: int = 0
    failed: int = 0


async def queue(session: AsyncSession, wave: Wave, kind: MailKind, invitation_ids: list[uuid.UUID]) -> int:
    """Put one e-mail per invitation in the outbox."""
    session.add_all(EmailDelivery(invitation_id=invitation_id, kind=kind) for invitation_id in invitation_ids)
    await session.flush()
    return len(invitation_ids)


async def _letters(session: AsyncSession, wave: Wave) -> list[tuple[uuid.UUID, Letter]]:
    organisation = await session.get_one(Organisation, wave.organisation_id)
    rows = await session.execute(
        sa.select(EmailDelivery.id, EmailDelivery.kind, Invitation, Team.name, Employee.email, Customer.email)
        .join(Invitation, Invitation.id == EmailDelivery.invitation_id)
        .join(Team, Team.id == Invitation.team_id)
        .outerjoin(Employee, Employee.id == Invitation.employee_id)
        .outerjoin(Customer, Customer.id == Invitation.customer_id)
        .where(
            Invitation.wave_id == wave.id,
            Invitation.answered.is_(False),
            EmailDelivery.status != DeliveryStatus.SENT,
        )
        .order_by(EmailDelivery.created_at, EmailDelivery.id)
    )
    letters = []
    for delivery_id, kind, invitation, team_name, employee_email, customer_email in rows:
        address = employee_email or customer_email
        if not address:
            continue
        letters.append(
            (
                delivery_id,
                Letter(
                    to=address,
                    language=invitation.language,
                    kind=kind,
                    respondent=invitation.respondent,
                    organisation=organisation.name,
                    team=team_name,
                    closes_on=wave.closes_on,
                    link="",
                ),
            )
        )
    return letters


async def deliver(
    session_maker: SessionMaker, wave_id: uuid.UUID, settings: Settings, mailer: Mailer
) -> DeliveryReport:
    """Send every e-mail of the wave's outbox not yet sent, throttled, each tried `mail_attempts` times."""
    report = DeliveryReport()
    async with session_maker() as session:
        wave = await session.get_one(Wave, wave_id)
        letters = await _letters(session, wave)
    pause = 1.0 / settings.mail_per_second
    for delivery_id, letter in letters:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        message = compose(dataclasses.replace(letter, link=f"{settings.public_url}/r/{token}"), settings)
        error, attempts = await send_with_retries(mailer, message, settings.mail_attempts)
        async with session_maker() as session, session.begin():
            delivery = await session.get_one(EmailDelivery, delivery_id)
            delivery.attempts += attempts
            if error is None:
                invitation = await session.get_one(Invitation, delivery.invitation_id)
                invitation.token_hash = hash_token(token)
                if delivery.kind is MailKind.REMINDER:
                    invitation.reminders_sent += 1
                delivery.status, delivery.last_error = DeliveryStatus.SENT, None
                report.sent += 1
            else:
                delivery.status, delivery.last_error = DeliveryStatus.FAILED, error[:500]
                report.failed += 1
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

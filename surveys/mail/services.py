"""Invitation and reminder e-mails: queued in the outbox at launch or reminder, composed when sent.

Only token hashes are stored, so each e-mail gets a fresh token for its invitation at the moment it is composed;
the hash is replaced only once the server has accepted the message, in the transaction that records it as sent
(``surveys.mail.outbox``).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import jinja2
import sqlalchemy as sa
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.catalog import BABEL_LOCALES, choose_language, translation
from surveys.mail.models import EmailDelivery, MailKind
from surveys.mail.outbox import Prepared
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
    introduction: str = ""
    """The wave's own paragraph in the letter's language, if the lead wrote one."""


def compose(letter: Letter, settings: Settings) -> EmailMessage:
    """The e-mail of a letter, plain text and HTML, in the invitee's language."""
    language = choose_language(letter.language, "fr")
    _ = translation(language).gettext
    values = {"organisation": letter.organisation, "team": letter.team}
    if letter.respondent is Respondent.EMPLOYEE:
        subject = _("%(organisation)s: your view of attention in your team") % values
        body = _(
            "%(organisation)s invites you to say how you experience attention in your team, and how you think your "
            "customers experience it. It takes about 4 minutes."
        )
        anonymity = _(
            "Your answers are anonymous: they are stored without your name or address, and no result is shown for "
            "a team with fewer than %(threshold)s respondents."
        ) % {"threshold": settings.anonymity_threshold}
    else:
        subject = _("%(organisation)s: your view of the team that served you") % values
        body = _(
            "You were recently served by the %(team)s team at %(organisation)s. Your view of the attention you "
            "received helps them improve. It takes about 2 minutes."
        )
        anonymity = ""
    reminder_note = ""
    if letter.kind is MailKind.REMINDER:
        subject = _("Reminder: %(subject)s") % {"subject": subject}
        reminder_note = _(
            "If you have already answered, thank you, and please ignore this message. This link replaces the one "
            "in the previous message."
        )
    context = {
        "language": language,
        "colon": " :" if language == "fr" else ":",
        "greeting": _("Hello,"),
        "body": body % values,
        "introduction": letter.introduction,
        "anonymity": anonymity,
        "call_to_action": _("Answer the survey"),
        "link": letter.link,
        "deadline": _("The survey is open until %(closes_on)s.")
        % {"closes_on": format_date(letter.closes_on, "long", locale=BABEL_LOCALES[language])},
        "personal_link": _("This link is personal and works once; please do not forward it."),
        "reminder_note": reminder_note,
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


def preview(
    wave: Wave,
    organisation: str,
    team: str,
    settings: Settings,
    *,
    language: str,
    kind: MailKind,
    respondent: Respondent,
) -> EmailMessage:
    """The e-mail `wave` would send, as its invitees will read it, with an example link that opens nothing."""
    letter = Letter(
        to="invitee@example.invalid",
        language=language,
        kind=kind,
        respondent=respondent,
        organisation=organisation,
        team=team,
        closes_on=wave.closes_on,
        link=f"{settings.public_url}/r/EXAMPLE",
        introduction=wave.introduction(language),
    )
    return compose(letter, settings)


async def queue(session: AsyncSession, wave: Wave, kind: MailKind, invitation_ids: list[uuid.UUID]) -> int:
    """Put one e-mail per invitation in the outbox (one set-based insert)."""
    if invitation_ids:
        await session.execute(
            sa.insert(EmailDelivery),
            [{"id": uuid.uuid4(), "wave_id": wave.id, "invitation_id": i, "kind": kind} for i in invitation_ids],
        )
    return len(invitation_ids)


async def prepare_invitation(session: AsyncSession, delivery: EmailDelivery, settings: Settings) -> Prepared | None:
    """The invitation or reminder of an outbox row with a fresh token; None once answered or without an address."""
    row = (
        await session.execute(
            sa.select(Invitation, Team.name, Employee.email, Customer.email, Organisation.name, Wave)
            .join(Team, Team.id == Invitation.team_id)
            .join(Wave, Wave.id == Invitation.wave_id)
            .join(Organisation, Organisation.id == Wave.organisation_id)
            .outerjoin(Employee, Employee.id == Invitation.employee_id)
            .outerjoin(Customer, Customer.id == Invitation.customer_id)
            .where(Invitation.id == delivery.invitation_id)
        )
    ).one_or_none()
    if row is None:
        return None
    invitation, team_name, employee_email, customer_email, organisation_name, wave = row
    address = employee_email or customer_email
    if invitation.answered or not address:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    letter = Letter(
        to=address,
        language=invitation.language,
        kind=delivery.kind,
        respondent=invitation.respondent,
        organisation=organisation_name,
        team=team_name,
        closes_on=wave.closes_on,
        link=f"{settings.public_url}/r/{token}",
        introduction=wave.introduction(choose_language(invitation.language, "fr")),
    )
    invitation_id, is_reminder = invitation.id, delivery.kind is MailKind.REMINDER

    async def on_sent(session: AsyncSession) -> None:
        await session.execute(
            sa.update(Invitation)
            .where(Invitation.id == invitation_id)
            .values(
                token_hash=hash_token(token),
                link_out=True,
                reminders_sent=Invitation.reminders_sent + (1 if is_reminder else 0),
            )
            .execution_options(synchronize_session=False)
        )

    return Prepared(compose(letter, settings), on_sent)

"""Delivering rendered reports: checked files for download, and notices e-mailed to each team's manager.

A report file is read once and checked against the SHA-256 recorded when it was rendered before anyone gets it,
by download or attachment. Notices are rows of the one outbox (``surveys.mail.outbox``): one per report file and
recipient, claimed before they are sent, each committed on its own, so an interrupted run loses nothing, two
senders never send one twice, and a failed notice is tried again by the next run. Notices hold no address;
errors are recorded without one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import jinja2
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import LEADS
from surveys.accounts.models import Role, User
from surveys.catalog import choose_language, translation
from surveys.mail.models import DeliveryStatus, EmailDelivery, MailKind
from surveys.mail.outbox import Prepared, Refused
from surveys.org.models import Organisation, Team
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.reporting.storage import ReportFileError, read_report_file
from surveys.settings import Settings
from surveys.text_checks import slugify
from surveys.waves.models import Wave

REPORT_READERS = LEADS | {Role.MANAGER}
"""Who may list and download reports: leads every report of their organisation, managers their teams' reports."""

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parents[1] / "templates" / "reports"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def report_file_name(wave: str, team: str | None, language: str) -> str:
    """A file name safe in any header or file system: ASCII letters, digits and hyphens, then ``.pdf``."""

    def slug(text: str) -> str:
        return slugify(text)[:60].strip("-")

    parts = ["symmetry", slug(wave), slug(team) if team is not None else "organisation", slug(language)]
    return "-".join(part for part in parts if part) + ".pdf"


@dataclass(frozen=True, slots=True)
class Notice:
    """What one notice says: which report, to whom, in which language."""

    to: str
    language: str
    organisation: str
    wave: str
    wave_id: uuid.UUID
    team: str


@dataclass
class SendSummary:
    """What one sending run found and did."""

    rendered: int = 0
    """Team reports of the wave that are rendered."""
    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    teams_without_manager: list[str] = field(default_factory=list)
    """Teams with a rendered report but no active account for their manager's e-mail."""


async def plan_notices(session: AsyncSession, wave: Wave, *, attach: bool) -> SendSummary:
    """Queue in the outbox the notices of the wave's rendered team reports not yet sent for their current file.

    A team's recipients are the active accounts of the wave's organisation whose e-mail is the team's manager
    e-mail and whose role may download the report: the same rule that lets a manager see the team. A notice
    queued earlier and not yet sent is kept (and sent with or without the PDF as asked now).
    """
    summary = SendSummary()
    rows = (
        await session.execute(
            sa.select(ReportRecord.id, ReportRecord.file_digest, Team.name, Team.manager_email)
            .join(Team, Team.id == ReportRecord.team_id)
            .where(
                ReportRecord.wave_id == wave.id,
                ReportRecord.status == ReportStatus.RENDERED,
                ReportRecord.file_digest.is_not(None),
            )
            .order_by(Team.name, Team.id)
        )
    ).all()
    summary.rendered = len(rows)
    accounts: dict[str, list[uuid.UUID]] = {}
    for account_id, email in await session.execute(
        sa.select(User.id, User.email)
        .where(
            User.organisation_id == wave.organisation_id,
            User.email.in_({manager for *_, manager in rows if manager}),
            User.active.is_(True),
            User.role.in_(REPORT_READERS),
        )
        .order_by(User.email)
    ):
        accounts.setdefault(email, []).append(account_id)
    known = {
        (report_id, recipient_id, digest): status
        for report_id, recipient_id, digest, status in await session.execute(
            sa.select(
                EmailDelivery.report_id, EmailDelivery.recipient_id, EmailDelivery.file_digest, EmailDelivery.status
            ).where(EmailDelivery.wave_id == wave.id, EmailDelivery.kind == MailKind.REPORT_NOTICE)
        )
    }
    new = []
    for report_id, file_digest, team_name, manager_email in rows:
        recipients = accounts.get(manager_email or "", [])
        if not recipients:
            summary.teams_without_manager.append(team_name)
        for recipient_id in recipients:
            status = known.get((report_id, recipient_id, file_digest))
            if status is DeliveryStatus.SENT:
                summary.already_sent += 1
            elif status is None:
                new.append(
                    {
                        "id": uuid.uuid4(),
                        "wave_id": wave.id,
                        "kind": MailKind.REPORT_NOTICE,
                        "report_id": report_id,
                        "recipient_id": recipient_id,
                        "file_digest": file_digest,
                        "attach": attach,
                    }
                )
    if new:
        await session.execute(sa.insert(EmailDelivery), new)
    await session.execute(
        sa.update(EmailDelivery)
        .where(
            EmailDelivery.wave_id == wave.id,
            EmailDelivery.kind == MailKind.REPORT_NOTICE,
            EmailDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
        )
        .values(attach=attach)
        .execution_options(synchronize_session=False)
    )
    return summary


async def prepare_notice(
    session: AsyncSession, delivery: EmailDelivery, settings: Settings
) -> Prepared | Refused | None:
    """The notice of an outbox row; None when its report was rendered again since, or its recipient left."""
    row = (
        await session.execute(
            sa.select(ReportRecord, User.email, Team.name, Wave.name, Organisation.name)
            .join(Team, Team.id == ReportRecord.team_id)
            .join(Wave, Wave.id == ReportRecord.wave_id)
            .join(Organisation, Organisation.id == Wave.organisation_id)
            .join(User, User.id == delivery.recipient_id)
            .where(ReportRecord.id == delivery.report_id, User.active.is_(True))
        )
    ).one_or_none()
    if row is None:
        return None
    report, address, team_name, wave_name, organisation_name = row
    if report.status is not ReportStatus.RENDERED or report.file_digest != delivery.file_digest:
        return None  # superseded: the report's current file has a notice of its own
    notice = Notice(
        to=address,
        language=report.language,
        organisation=organisation_name,
        wave=wave_name,
        wave_id=report.wave_id,
        team=team_name,
    )
    attachment = None
    if delivery.attach:
        try:
            attachment = await read_report_file(report, settings)
        except ReportFileError as refusal:
            return Refused(str(refusal))
    return Prepared(compose_notice(notice, settings, attachment))


def compose_notice(notice: Notice, settings: Settings, attachment: bytes | None = None) -> EmailMessage:
    """The notice e-mail, plain text and HTML, in the report's language, with the PDF attached if given."""
    language = choose_language(notice.language, "fr")
    _ = translation(language).gettext
    values = {"organisation": notice.organisation, "wave": notice.wave, "team": notice.team}
    context = {
        "language": language,
        "colon": " :" if language == "fr" else ":",
        "greeting": _("Hello,"),
        "body": _(
            "The %(team)s team's report for the %(wave)s survey is ready. It shows how your team experiences the "
            "attention it receives, how it thinks its customers experience it, and what customers say."
        )
        % values,
        "attached": _("The report is attached to this message (PDF).") if attachment is not None else "",
        "call_to_action": _("Download the report"),
        "link": f"{settings.public_url}/waves/{notice.wave_id}/reports",
        "sign_in": _("Sign in with your Symmetry account to download it."),
        "confidential": _("This report is meant for you; please do not forward it beyond the management team."),
    }
    message = EmailMessage()
    message["Subject"] = _("%(organisation)s: the %(team)s team's report (%(wave)s)") % values
    message["From"] = settings.smtp_from
    message["To"] = notice.to
    message["Message-ID"] = make_msgid(domain="symmetry.invalid")
    message.set_content(TEMPLATES.get_template("notice.txt").render(context))
    message.add_alternative(TEMPLATES.get_template("notice.html").render(context), subtype="html")
    if attachment is not None:
        message.add_attachment(
            attachment,
            maintype="application",
            subtype="pdf",
            filename=report_file_name(notice.wave, notice.team, language),
        )
    message["Content-Language"] = language  # after the content, which resets content headers
    return message

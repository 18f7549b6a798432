"""Delivering rendered reports: checked files for download, and notices e-mailed to each team's manager.

A report file is read once and checked against the SHA-256 recorded when it was rendered before anyone gets it,
by download or attachment. Notices go through the invitations' SMTP path (``surveys.mail.services``): one per
report file and recipient, each committed on its own, so an interrupted run loses nothing and a failed notice is
tried again by the next run. Notices hold no address; errors are recorded without one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import unicodedata
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
from surveys.mail.services import Mailer, SessionMaker, send_with_retries
from surveys.org.models import Organisation, Team
from surveys.reporting.delivery_models import NoticeStatus, ReportNotice
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.reporting.texts import report_mail_text
from surveys.settings import Settings
from surveys.waves.models import Wave

REPORT_READERS = LEADS | {Role.MANAGER}
"""Who may list and download reports: leads every report of their organisation, managers their teams' reports."""

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parents[1] / "templates" / "reports"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


class ReportFileError(Exception):
    """A report's file cannot be handed out: none recorded, missing, or not the file that was rendered."""


def read_report_file(report: ReportRecord) -> bytes:
    """The bytes of a rendered report, only if their SHA-256 equals the digest recorded at rendering."""
    if report.status is not ReportStatus.RENDERED or report.path is None or report.file_digest is None:
        raise ReportFileError("the report is not rendered")
    try:
        data = Path(report.path).read_bytes()
    except OSError:
        raise ReportFileError("the report file is missing") from None
    if hashlib.sha256(data).hexdigest() != report.file_digest:
        raise ReportFileError("the report file does not match the SHA-256 recorded when it was rendered")
    return data


def slugify(text: str) -> str:
    """An ASCII file-name fragment: "Île-de-France" -> "ile-de-france"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def report_file_name(wave: str, team: str | None, language: str) -> str:
    """A file name safe in any header or file system: ASCII letters, digits and hyphens, then ``.pdf``."""

    def slug(text: str) -> str:
        return slugify(text)[:60].strip("-")

    parts = ["symmetry", slug(wave), slug(team) if team is not None else "organisation", slug(language)]
    return "-".join(part for part in parts if part) + ".pdf"


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice to send: which report file, to whom, in which language."""

    report_id: uuid.UUID
    recipient_id: uuid.UUID
    to: str
    language: str
    organisation: str
    wave: str
    wave_id: uuid.UUID
    team: str
    file_digest: str


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


async def plan_notices(session: AsyncSession, wave: Wave) -> tuple[list[Notice], SendSummary]:
    """The notices of the wave's rendered team reports not yet sent for their current file.

    A team's recipients are the active accounts of the wave's organisation whose e-mail is the team's manager
    e-mail and whose role may download the report: the same rule that lets a manager see the team.
    """
    summary = SendSummary()
    organisation = await session.get_one(Organisation, wave.organisation_id)
    rows = (
        await session.execute(
            sa.select(ReportRecord, Team)
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
    manager_emails = {team.manager_email for _, team in rows if team.manager_email}
    accounts: dict[str, list[User]] = {}
    for account in await session.scalars(
        sa.select(User)
        .where(
            User.organisation_id == wave.organisation_id,
            User.email.in_(manager_emails),
            User.active.is_(True),
            User.role.in_(REPORT_READERS),
        )
        .order_by(User.email)
    ):
        accounts.setdefault(account.email, []).append(account)
    already = {
        (report_id, recipient_id, digest)
        for report_id, recipient_id, digest in await session.execute(
            sa.select(ReportNotice.report_id, ReportNotice.recipient_id, ReportNotice.file_digest).where(
                ReportNotice.report_id.in_([report.id for report, _ in rows]),
                ReportNotice.status == NoticeStatus.SENT,
            )
        )
    }
    notices = []
    for report, team in rows:
        recipients = accounts.get(team.manager_email or "", [])
        if not recipients:
            summary.teams_without_manager.append(team.name)
        assert report.file_digest is not None  # selected above; narrows the type
        for recipient in recipients:
            if (report.id, recipient.id, report.file_digest) in already:
                summary.already_sent += 1
                continue
            notices.append(
                Notice(
                    report_id=report.id,
                    recipient_id=recipient.id,
                    to=recipient.email,
                    language=report.language,
                    organisation=organisation.name,
                    wave=wave.name,
                    wave_id=wave.id,
                    team=team.name,
                    file_digest=report.file_digest,
                )
            )
    return notices, summary


def compose_notice(notice: Notice, settings: Settings, attachment: bytes | None = None) -> EmailMessage:
    """The notice e-mail, plain text and HTML, in the report's language, with the PDF attached if given."""
    language = notice.language

    def text(key: str) -> str:
        return report_mail_text(key, language, organisation=notice.organisation, wave=notice.wave, team=notice.team)

    context = {
        "language": language,
        "colon": " :" if language == "fr" else ":",
        "greeting": text("greeting"),
        "body": text("body"),
        "attached": text("attached") if attachment is not None else "",
        "call_to_action": text("call_to_action"),
        "link": f"{settings.public_url}/waves/{notice.wave_id}/reports",
        "sign_in": text("sign_in"),
        "confidential": text("confidential"),
    }
    message = EmailMessage()
    message["Subject"] = text("subject")
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


async def send_notices(
    session_maker: SessionMaker, wave_id: uuid.UUID, settings: Settings, mailer: Mailer, *, attach: bool
) -> SendSummary:
    """E-mail every notice of the wave not sent yet for its report's current file, failed ones included."""
    async with session_maker() as session:
        wave = await session.get_one(Wave, wave_id)
        notices, summary = await plan_notices(session, wave)
        files = {}
        if attach:
            for report in await session.scalars(
                sa.select(ReportRecord).where(ReportRecord.id.in_({notice.report_id for notice in notices}))
            ):
                files[report.id] = report
    pause = 1.0 / settings.mail_per_second
    for notice in notices:
        error: str | None = None
        attempts = 0
        attachment: bytes | None = None
        try:
            attachment = await asyncio.to_thread(read_report_file, files[notice.report_id]) if attach else None
        except ReportFileError as refusal:
            error = str(refusal)
        if error is None:
            error, attempts = await send_with_retries(
                mailer, compose_notice(notice, settings, attachment), settings.mail_attempts
            )
        async with session_maker() as session, session.begin():
            row = await session.scalar(
                sa.select(ReportNotice).where(
                    ReportNotice.report_id == notice.report_id,
                    ReportNotice.recipient_id == notice.recipient_id,
                    ReportNotice.file_digest == notice.file_digest,
                )
            )
            if row is None:
                row = ReportNotice(
                    report_id=notice.report_id,
                    recipient_id=notice.recipient_id,
                    file_digest=notice.file_digest,
                    status=NoticeStatus.FAILED,
                    attempts=0,
                )
                session.add(row)
            row.attempts += attempts
            if error is None:
                row.status, row.error, row.sent_at = NoticeStatus.SENT, None, dt.datetime.now(dt.UTC)
                summary.sent += 1
            else:
                row.status, row.error = NoticeStatus.FAILED, error[:500]
                summary.failed += 1
        if attempts:
            await asyncio.sleep(pause)
    return summary

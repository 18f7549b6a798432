"""``symmetry report send``: tell each team's manager that their report is ready."""

from __future__ import annotations

import asyncio
import uuid

import click

from surveys.audit.services import cli_actor, record
from surveys.catalog import tr
from surveys.cli_support import database_errors, session_scope
from surveys.db import alchemy_config
from surveys.mail.jobs import deliver
from surveys.mail.models import MailKind
from surveys.mail.outbox import Mailer, SmtpMailer
from surveys.reporting.delivery import SendSummary, plan_notices
from surveys.settings import Settings
from surveys.waves.cli import find_wave
from surveys.waves.models import Wave


async def _send(settings: Settings, wave_id: uuid.UUID, *, attach: bool, mailer: Mailer | None = None) -> SendSummary:
    config = alchemy_config(settings)
    session_maker = config.create_session_maker()
    try:
        async with session_maker() as session, session.begin():
            summary = await plan_notices(session, await session.get_one(Wave, wave_id), attach=attach)
        sent = await deliver(
            session_maker, settings, mailer or SmtpMailer(settings), wave_id=wave_id, kinds=[MailKind.REPORT_NOTICE]
        )
        summary.sent, summary.failed = sent.sent, sent.failed
        return summary
    finally:
        await config.get_engine().dispose()


@click.command("send")
@click.argument("wave_reference", metavar="WAVE")
@click.option("--org", "organisation_slug", help="Organisation slug, when several have a wave of that name.")
@click.option(
    "--attach/--link",
    default=None,
    help="Attach the PDF, or send only a link to the reports page [default: SYMMETRY_REPORT_ATTACH, else --link].",
)
@click.pass_obj
def send(settings: Settings, wave_reference: str, organisation_slug: str | None, attach: bool | None) -> None:
    """E-mail each team's manager a notice of WAVE's rendered report, in the report's language.

    A notice already sent for the same report file is not sent again; failed ones are tried again. Exits with
    status 1 when any notice failed.
    """
    if not settings.smtp_enabled:
        raise click.ClickException(tr("no SMTP server configured: set SYMMETRY_SMTP_HOST"))
    attach = settings.report_attach if attach is None else attach

    async def find() -> tuple[uuid.UUID, uuid.UUID, str]:
        async with session_scope(settings, commit=False) as session:
            target = await find_wave(session, wave_reference, organisation_slug)
            return target.id, target.organisation_id, target.name

    async def audit(organisation_id: uuid.UUID, wave_name: str, summary: SendSummary) -> None:
        async with session_scope(settings) as session:
            await record(
                session,
                actor=cli_actor(),
                action="report.send",
                organisation_id=organisation_id,
                target=wave_name,
                details={"sent": summary.sent, "already_sent": summary.already_sent, "failed": summary.failed},
            )

    with database_errors():
        wave_id, organisation_id, wave_name = asyncio.run(find())
        summary = asyncio.run(_send(settings, wave_id, attach=attach))
        if summary.rendered == 0:
            click.echo(
                tr(
                    "No rendered team report for %(wave)s: nothing sent (`symmetry report render` first).",
                    wave=wave_name,
                )
            )
            return
        asyncio.run(audit(organisation_id, wave_name, summary))
    click.echo(
        tr(
            "Report notices sent: %(sent)s, already sent: %(already_sent)s, failed: %(failed)s.",
            sent=summary.sent,
            already_sent=summary.already_sent,
            failed=summary.failed,
        )
    )
    missing = summary.teams_without_manager
    if missing:
        click.echo(
            tr("Teams without a manager account: %(count)s (%(teams)s).", count=len(missing), teams=", ".join(missing))
        )
    else:
        click.echo(tr("Teams without a manager account: 0."))
    if summary.failed:
        click.echo(tr("Failed notices are recorded: `symmetry report send WAVE` tries them again."), err=True)
        raise SystemExit(1)

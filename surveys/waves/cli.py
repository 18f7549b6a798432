"""``symmetry wave``: what HR and CX leads do with a wave from the command line."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import click
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from reports.qr import qr_code
from surveys.audit.services import cli_actor, record
from surveys.catalog import CUSTOMER_FORM_LABELS, DELIVERY_LABELS, STATE_LABELS, command_refusal, tr, trn
from surveys.cli_support import JSON_OPTION, database_errors, organisation_by_slug, print_listing, session_scope
from surveys.csv_output import write_rows
from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.mail.models import DeliveryStatus
from surveys.org.models import Organisation, Team
from surveys.settings import Settings
from surveys.text_checks import slugify
from surveys.waves.models import Invitation, Wave, WaveState
from surveys.waves.open_links import TeamLink, front_line_teams, open_link_url, team_links
from surveys.waves.services import (
    IssuedLinks,
    WaveStateError,
    create_wave,
    issue_links,
)
from surveys.waves.status import WaveStatus, wave_status
from symmetry.domain import CustomerForm

if TYPE_CHECKING:
    from surveys.mail.outbox import DeliveryReport, Mailer


async def find_wave(session: AsyncSession, reference: str, organisation_slug: str | None) -> Wave:
    """The wave named by its id or its name (within the organisation given by slug when names repeat)."""
    query = sa.select(Wave).join(Organisation, Organisation.id == Wave.organisation_id)
    try:
        query = query.where(Wave.id == uuid.UUID(reference))
    except ValueError:
        query = query.where(Wave.name == reference)
    if organisation_slug:
        query = query.where(Organisation.slug == organisation_slug)
    waves = list(await session.scalars(query))
    if not waves:
        if organisation_slug:
            missing = tr("no wave %(wave)s in %(org)s", wave=repr(reference), org=repr(organisation_slug))
        else:
            missing = tr("no wave %(wave)s", wave=repr(reference))
        raise click.BadParameter(missing, param_hint="WAVE")
    if len(waves) > 1:
        raise click.BadParameter(
            tr("several organisations have a wave %(wave)s: add --org SLUG", wave=repr(reference)), param_hint="WAVE"
        )
    return waves[0]


@click.group()
def wave() -> None:
    """Create, launch, follow and close survey waves."""


WAVE_ARGUMENT = click.argument("wave_reference", metavar="WAVE")
ORG_OPTION = click.option(
    "--org", "organisation_slug", help="Organisation slug, when several have a wave of that name."
)


def _state_error(error: WaveStateError | ValueError) -> click.ClickException:
    return click.ClickException(command_refusal(error))


@wave.command("list")
@click.option("--org", "organisation_slug", help="Only this organisation's waves.")
@JSON_OPTION
@click.pass_obj
def list_command(settings: Settings, organisation_slug: str | None, as_json: bool) -> None:
    """List the waves, newest first, with their state, dates and invitations."""

    async def run() -> list[dict[str, object]]:
        async with session_scope(settings, commit=False) as session:
            query = (
                sa.select(
                    Wave.id,
                    Organisation.slug.label("organisation"),
                    Wave.name,
                    Wave.state,
                    Wave.opens_on,
                    Wave.closes_on,
                    Wave.customer_form,
                    sa.select(sa.func.count())
                    .where(Invitation.wave_id == Wave.id)
                    .scalar_subquery()
                    .label("invitations"),
                )
                .join(Organisation, Organisation.id == Wave.organisation_id)
                .order_by(Wave.opens_on.desc(), Organisation.slug, Wave.name)
            )
            if organisation_slug:
                organisation = await organisation_by_slug(session, organisation_slug)
                query = query.where(Wave.organisation_id == organisation.id)
            return [dict(row._mapping) for row in await session.execute(query)]

    with database_errors():
        rows = asyncio.run(run())
    if as_json:
        print_listing((), rows, as_json=True)  # a state is a string enum: its value in the JSON
        return
    columns = [
        ("name", tr("Wave")),
        ("organisation", tr("Organisation")),
        ("state", tr("State")),
        ("opens_on", tr("Opens")),
        ("closes_on", tr("Closes")),
        ("customer_form", tr("Customer form")),
        ("invitations", tr("Invitations")),
        ("id", tr("Id")),
    ]
    shown = [
        {
            **row,
            "state": tr(STATE_LABELS[str(row["state"])]),
            "customer_form": tr(CUSTOMER_FORM_LABELS[str(row["customer_form"])]),
        }
        for row in rows
    ]
    print_listing(columns, shown, as_json=False)


@wave.command("create")
@click.argument("name")
@click.option("--org", "organisation_slug", required=True, help="The organisation's slug.")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Opening date, YYYY-MM-DD.")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Closing date, YYYY-MM-DD.")
@click.option("--teams", help="Comma-separated external ids; each covers its subtree [default: every team].")
@click.option("--instrument", default="attention", show_default=True, help="Instrument name or TOML file.")
@click.option(
    "--reminders", default="", help="Days before closing of the automatic reminders, for example 7,2 [default: none]."
)
@click.option("--intro-fr", default="", help="The wave's own paragraph in French, in its e-mails and on its survey.")
@click.option("--intro-en", default="", help="The same paragraph in English.")
@click.option(
    "--customer-form",
    type=click.Choice([form.value for form in CustomerForm]),
    default=CustomerForm.FULL.value,
    show_default=True,
    help="The customers' questionnaire: the instrument's full one, or its short form (if it has one).",
)
@click.pass_obj
def create_command(
    settings: Settings,
    name: str,
    organisation_slug: str,
    opens: dt.datetime,
    closes: dt.datetime,
    teams: str | None,
    instrument: str,
    reminders: str,
    intro_fr: str,
    intro_en: str,
    customer_form: str,
) -> None:
    """Create the draft wave NAME."""

    async def run() -> None:
        async with session_scope(settings) as session:
            organisation = await organisation_by_slug(session, organisation_slug)
            selected = None
            if teams:
                keys = [key.strip() for key in teams.split(",") if key.strip()]
                found = list(
                    await session.scalars(
                        sa.select(Team).where(Team.organisation_id == organisation.id, Team.external_id.in_(keys))
                    )
                )
                missing = sorted(set(keys) - {team.external_id for team in found})
                if missing:
                    raise click.BadParameter(
                        tr("unknown teams %(teams)s", teams=", ".join(missing)), param_hint="--teams"
                    )
                selected = found
            version, _ = await register_instrument(session, instrument)
            try:
                created = await create_wave(
                    session,
                    organisation,
                    name=name,
                    instrument_version_id=version.id,
                    opens_on=opens.date(),
                    closes_on=closes.date(),
                    teams=selected,
                    reminder_days=reminders,
                    introduction={"fr": intro_fr, "en": intro_en},
                    customer_form=customer_form,
                )
            except ValueError as error:
                raise _state_error(error) from None
            await record(
                session, actor=cli_actor(), action="wave.create", organisation_id=organisation.id, target=created.name
            )

    with database_errors():
        asyncio.run(run())
    click.echo(tr("Draft wave %(wave)s created.", wave=repr(name)))


async def _send(settings: Settings, wave_id: uuid.UUID, mailer: Mailer | None = None) -> DeliveryReport:
    # E-mail (its templates, SMTP) is loaded by the commands that send only: `wave status` starts faster.
    from surveys.mail.jobs import INVITATION_KINDS, deliver
    from surveys.mail.outbox import SmtpMailer

    config = alchemy_config(settings)
    try:
        return await deliver(
            config.create_session_maker(),
            settings,
            mailer or SmtpMailer(settings),
            wave_id=wave_id,
            kinds=INVITATION_KINDS,
        )
    finally:
        await config.get_engine().dispose()


def _report(report: DeliveryReport) -> None:
    click.echo(tr("E-mails sent: %(sent)s, failed: %(failed)s.", sent=report.sent, failed=report.failed))
    if report.failed:
        click.echo(tr("Failed e-mails stay in the outbox: `symmetry wave send WAVE` retries them."), err=True)


@wave.command("launch")
@WAVE_ARGUMENT
@ORG_OPTION
@click.pass_obj
def launch_command(settings: Settings, wave_reference: str, organisation_slug: str | None) -> None:
    """Open WAVE: one invitation per person of its teams, e-mailed when SMTP is configured."""

    async def run() -> tuple[uuid.UUID, int]:
        async with session_scope(settings) as session:
            target = await find_wave(session, wave_reference, organisation_slug)
            try:
                from surveys.waves.actions import launch  # scipy, for the commands that analyse

                invited = await launch(session, target, settings, actor=cli_actor())
            except WaveStateError as error:
                raise _state_error(error) from None
            return target.id, invited

    with database_errors():
        wave_id, invited = asyncio.run(run())
        click.echo(trn("Wave open: %(num)s invitation.", "Wave open: %(num)s invitations.", invited))
        if settings.smtp_enabled:
            _report(asyncio.run(_send(settings, wave_id)))
        else:
            click.echo(tr("No SMTP server configured (SYMMETRY_SMTP_HOST): give out links with `symmetry wave links`."))


@wave.command("send")
@WAVE_ARGUMENT
@ORG_OPTION
@click.pass_obj
def send_command(settings: Settings, wave_reference: str, organisation_slug: str | None) -> None:
    """Send WAVE's e-mails not sent yet, failed ones included."""
    if not settings.smtp_enabled:
        raise click.ClickException(tr("no SMTP server configured: set SYMMETRY_SMTP_HOST"))

    async def run() -> uuid.UUID:
        async with session_scope(settings) as session:
            return (await find_wave(session, wave_reference, organisation_slug)).id

    with database_errors():
        _report(asyncio.run(_send(settings, asyncio.run(run()))))


@wave.command("remind")
@WAVE_ARGUMENT
@ORG_OPTION
@click.pass_obj
def remind_command(settings: Settings, wave_reference: str, organisation_slug: str | None) -> None:
    """E-mail a reminder to everyone who has not answered WAVE, at most SYMMETRY_MAX_REMINDERS times each."""
    if not settings.smtp_enabled:
        raise click.ClickException(tr("no SMTP server configured: set SYMMETRY_SMTP_HOST"))

    async def run() -> tuple[uuid.UUID, int]:
        async with session_scope(settings) as session:
            target = await find_wave(session, wave_reference, organisation_slug)
            try:
                from surveys.waves.actions import remind  # scipy, for the commands that analyse

                queued = await remind(session, target, settings, actor=cli_actor())
            except WaveStateError as error:
                raise _state_error(error) from None
            return target.id, queued

    with database_errors():
        wave_id, queued = asyncio.run(run())
        click.echo(tr("Reminders queued: %(queued)s.", queued=queued))
        _report(asyncio.run(_send(settings, wave_id)))


@wave.command("extend")
@WAVE_ARGUMENT
@ORG_OPTION
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), required=True, help="The new closing date, YYYY-MM-DD.")
@click.pass_obj
def extend_command(settings: Settings, wave_reference: str, organisation_slug: str | None, closes: dt.datetime) -> None:
    """Give WAVE a later closing date, while it is still to close."""

    async def run() -> None:
        async with session_scope(settings) as session:
            target = await find_wave(session, wave_reference, organisation_slug)
            try:
                from surveys.waves.actions import extend  # scipy, for the commands that analyse

                await extend(session, target, closes.date(), actor=cli_actor())
            except ValueError as error:
                raise _state_error(error) from None

    with database_errors():
        asyncio.run(run())
    click.echo(tr("Wave %(wave)s now closes on %(closes_on)s.", wave=repr(wave_reference), closes_on=closes.date()))


@wave.command("introduction")
@WAVE_ARGUMENT
@ORG_OPTION
@click.option("--fr", "text_fr", help="The paragraph in French [default: unchanged]; an empty text removes it.")
@click.option("--en", "text_en", help="The paragraph in English [default: unchanged]; an empty text removes it.")
@click.pass_obj
def introduction_command(
    settings: Settings, wave_reference: str, organisation_slug: str | None, text_fr: str | None, text_en: str | None
) -> None:
    """Write WAVE's own paragraph, shown in its e-mails and on its survey's first page, until it closes."""
    if text_fr is None and text_en is None:
        raise click.UsageError(tr("give --fr, --en or both"))

    async def run() -> None:
        async with session_scope(settings) as session:
            target = await find_wave(session, wave_reference, organisation_slug)
            texts = {
                "fr": target.introduction_fr if text_fr is None else text_fr,
                "en": target.introduction_en if text_en is None else text_en,
            }
            try:
                from surveys.waves.actions import introduce  # scipy, for the commands that analyse

                await introduce(session, target, texts, actor=cli_actor())
            except ValueError as error:
                raise _state_error(error) from None

    with database_errors():
        asyncio.run(run())
    click.echo(tr("Introduction of wave %(wave)s saved.", wave=repr(wave_reference)))


@wave.command("close")
@WAVE_ARGUMENT
@ORG_OPTION
@click.pass_obj
def close_command(settings: Settings, wave_reference: str, organisation_slug: str | None) -> None:
    """Close WAVE (late answers are refused) and compute its team results."""

    async def run() -> int:
        async with session_scope(settings) as session:
            target = await find_wave(session, wave_reference, organisation_slug)
            try:
                from surveys.waves.actions import close  # scipy, for the commands that analyse

                return await close(session, target, settings, actor=cli_actor())
            except WaveStateError as error:
                raise _state_error(error) from None

    with database_errors():
        teams = asyncio.run(run())
    click.echo(
        trn(
            "Wave closed; results computed for %(num)s team.", "Wave closed; results computed for %(num)s teams.", teams
        )
    )


def print_status(status: WaveStatus, console: Console) -> None:
    """The status table: teams indented by depth, employees and customers invited, answered and rate."""
    title = tr(
        "%(wave)s (%(state)s, closes %(closes_on)s)",
        wave=status.name,
        state=tr(STATE_LABELS[status.state]),
        closes_on=status.closes_on,
    )
    table = Table(title=title)
    table.add_column(tr("Team"))
    not_launched = status.state in (WaveState.DRAFT, WaveState.SCHEDULED)  # who the launch will invite
    employees, customers = (
        (tr("Employees to invite"), tr("Customers to invite"))
        if not_launched
        else (tr("Employees invited"), tr("Customers invited"))
    )
    for column in (employees, tr("answered"), tr("rate"), customers):
        table.add_column(column, justify="right")
    table.add_column(tr("answered") + " ", justify="right")  # the customers' pair of columns
    table.add_column(tr("rate") + " ", justify="right")
    table.add_column(tr("open link"), justify="right")
    for row in status.rows:
        employee_rate = row.employees.rate if row.employee_rate_shown else None
        if not_launched:
            table.add_row(
                "  " * row.depth + f"{row.name} ({row.external_id})",
                str(row.employees.invited), "–", "–", str(row.customers.invited), "–", "–", "–",
            )  # fmt: skip
            continue
        table.add_row(
            "  " * row.depth + f"{row.name} ({row.external_id})",
            str(row.employees.invited),
            row.employees_answered_label,
            f"{employee_rate:.0%}" if employee_rate is not None else "–",
            str(row.customers.invited),
            str(row.customers.answered),
            f"{row.customers.rate:.0%}" if row.customers.rate is not None else "–",
            str(row.open_link_answers),
        )
    console.print(table)
    if any(not row.employee_rate_shown for row in status.rows):
        console.print(
            tr(
                "A team with fewer than %(threshold)s employee answers shows no count, and the totals above it count "
                "only the teams shown: an exact small count would tell who answered.",
                threshold=status.anonymity_threshold,
            )
        )
    deliveries = ", ".join(
        tr("%(state)s: %(count)s", state=tr(DELIVERY_LABELS[state]), count=status.deliveries.get(state, 0))
        for state in DeliveryStatus
    )
    console.print(tr("E-mails: %(deliveries)s", deliveries=deliveries))


@wave.command("status")
@WAVE_ARGUMENT
@ORG_OPTION
@click.pass_obj
def status_command(settings: Settings, wave_reference: str, organisation_slug: str | None) -> None:
    """Show WAVE's response rates per team, rolled up the hierarchy."""

    async def run() -> WaveStatus:
        async with session_scope(settings, commit=False) as session:
            target = await find_wave(session, wave_reference, organisation_slug)
            return await wave_status(session, target, rules=settings.disclosure_rules)

    with database_errors():
        status = asyncio.run(run())
    print_status(status, Console(soft_wrap=True, width=160))


@wave.command("links")
@WAVE_ARGUMENT
@ORG_OPTION
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV file to write the links to."
)
@click.option(
    "--reissue",
    is_flag=True,
    help="Also replace the links already out (e-mailed or written before): those stop working.",
)
@click.pass_obj
def links_command(
    settings: Settings, wave_reference: str, organisation_slug: str | None, out: Path, reissue: bool
) -> None:
    """Write a personal link for each person who has not answered WAVE and holds no link yet.

    Only token hashes are stored, so a link is written by making a new one. Without --reissue, the people whose
    link was e-mailed or written before keep it and are not in the file; with it, everyone who has not answered
    gets a new link and the earlier ones stop working. Keep the file safe, and delete it once the links are
    distributed.
    """

    async def run() -> IssuedLinks:
        async with session_scope(settings) as session:
            target = await find_wave(session, wave_reference, organisation_slug)
            try:
                issued = await issue_links(session, target, reissue=reissue)
            except WaveStateError as error:
                raise _state_error(error) from None
            await record(
                session,
                actor=cli_actor(),
                action="wave.links_export",
                organisation_id=target.organisation_id,
                target=target.name,
                details={"links": len(issued.links), "invalidated": issued.invalidated, "reissue": reissue},
            )
            return issued

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = out.open("w", newline="", encoding="utf-8")
    except OSError as error:
        raise click.BadParameter(
            tr("cannot write %(path)s: %(reason)s", path=out, reason=error.strerror), param_hint="--out"
        ) from None
    try:
        with handle, database_errors():
            # Opened first, filled once the new tokens are committed: no link in the file can be stale.
            issued = asyncio.run(run())
            links = issued.links
            link_base = f"{settings.public_url}/r/"
            write_rows(
                handle,
                ["email", "language", "respondent", "team", "link"],
                (
                    (link.email or "", link.language, link.respondent, link.team_external_id, link_base + link.token)
                    for link in links
                ),
            )
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    click.echo(
        trn(
            "%(num)s personal link written to %(path)s.",
            "%(num)s personal links written to %(path)s.",
            len(links),
            path=out,
        )
    )
    if issued.invalidated:
        click.echo(
            trn(
                "%(num)s link already out no longer works: its holder must use the new one.",
                "%(num)s links already out no longer work: their holders must use the new ones.",
                issued.invalidated,
            )
        )
    if issued.kept:
        click.echo(
            trn(
                "%(num)s person already holds a valid link and is not in the file (--reissue replaces it).",
                "%(num)s people already hold a valid link and are not in the file (--reissue replaces theirs).",
                issued.kept,
            )
        )


@wave.command("open-links")
@WAVE_ARGUMENT
@ORG_OPTION
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Directory for the CSV and QR codes."
)
@click.option(
    "--allow-repeat/--one-per-browser",
    default=None,
    help="Accept several answers from one browser (a shared tablet at a counter), or one per browser and wave, "
    "on every link written, those that exist included. Without either, new links take one per browser and existing "
    "links keep theirs.",
)
@click.pass_obj
def open_links_command(
    settings: Settings, wave_reference: str, organisation_slug: str | None, out: Path, allow_repeat: bool | None
) -> None:
    """Write the permanent open link of each front-line team of WAVE, with its QR code in SVG and PNG.

    A team keeps its link from wave to wave: a card printed once serves every wave until the link is rotated.
    """

    async def run() -> tuple[list[TeamLink], int]:
        async with session_scope(settings) as session:
            target = await find_wave(session, wave_reference, organisation_slug)
            teams = await front_line_teams(session, target.organisation_id, wave_id=target.id)
            return await team_links(session, teams, one_per_browser=None if allow_repeat is None else not allow_repeat)

    with database_errors():
        links, changed = asyncio.run(run())
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for team_link in links:
        team, code = team_link.team, team_link.link.code
        url = open_link_url(settings.public_url, code)
        # A file name from the team's id, reduced to letters, digits and hyphens: an id is roster data, and
        # "../x" must not write outside OUT.
        stem = f"qr-{slugify(team.external_id) or 'team'}-{code[:6]}"
        (out / f"{stem}.svg").write_bytes(qr_code(url, "svg"))
        (out / f"{stem}.png").write_bytes(qr_code(url, "png"))
        rows.append([team.external_id, team.name, url, team_link.link.one_per_browser, f"{stem}.svg", f"{stem}.png"])
    with (out / "open-links.csv").open("w", newline="", encoding="utf-8") as handle:
        write_rows(handle, ["team", "team_name", "link", "one_answer_per_browser", "qr_svg", "qr_png"], rows)
    click.echo(
        trn(
            "%(num)s open link with its QR codes written to %(path)s",
            "%(num)s open links with their QR codes written to %(path)s",
            len(links),
            path=out,
        )
    )
    if changed:
        click.echo(
            trn(
                "%(num)s existing link changed its one-answer-per-browser setting",
                "%(num)s existing links changed their one-answer-per-browser setting",
                changed,
            )
        )

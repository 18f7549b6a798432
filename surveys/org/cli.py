"""``symmetry org``: load an organisation's roster."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa

from surveys.audit.services import cli_actor, record
from surveys.catalog import ROSTER_CHANGE_LABELS, command_refusal, tr, trn
from surveys.cli_support import JSON_OPTION, database_errors, print_listing, session_scope
from surveys.explained import Explained, field_problem
from surveys.org.importing import RosterChanges, import_roster
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.org.roster import RosterError, RosterTable, read_roster_file
from surveys.org.services import checked_time_zone, find_organisation
from surveys.settings import Settings
from surveys.text_checks import text_problem
from surveys.waves.models import Wave


@click.group()
def org() -> None:
    """Manage organisations and their rosters."""


def print_changes(changes: RosterChanges, *, dry_run: bool) -> None:
    """The import's changes, one line each."""
    click.echo(tr("Would change (dry run, nothing saved):") if dry_run else tr("Changed:"))
    for name, count in changes.summary().items():
        click.echo("  " + tr("%(change)s: %(count)s", change=tr(ROSTER_CHANGE_LABELS[name]), count=count))
    for name, keys in (
        ("teams_created", changes.teams_created),
        ("teams_renamed", changes.teams_renamed),
        ("teams_moved", changes.teams_moved),
    ):
        if keys:
            listed = ", ".join(keys[:20]) + (" ..." if len(keys) > 20 else "")
            click.echo("  " + tr("%(change)s: %(count)s", change=tr(ROSTER_CHANGE_LABELS[name]), count=listed))


@org.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "organisation_slug", required=True, help="The organisation's slug; created if new.")
@click.option("--name", help="The organisation's display name, when it is created.")
@click.option(
    "--time-zone",
    help="Where the organisation's days begin and end, an IANA name [default: Europe/Paris for a new organisation].",
)
@click.option("--dry-run", is_flag=True, help="Check and show what would change, and save nothing.")
@click.pass_obj
def import_command(
    settings: Settings,
    files: tuple[Path, ...],
    organisation_slug: str,
    name: str | None,
    time_zone: str | None,
    dry_run: bool,
) -> None:
    """Import teams, employees and customers from CSV or XLSX FILES, all or nothing.

    Each CSV file, or each sheet of a workbook, holds one table; its columns tell which. Teams: external_id,
    name, parent_external_id, manager_email. Employees: email, team, language. Customers: email, team,
    language, interaction_date (optional). Every problem is listed with its file, row and column.
    """
    tables: list[RosterTable] = []
    problems: list[str] = []
    for path in files:
        found, file_problems = read_roster_file(path.name, path.read_bytes())
        tables += found
        problems += [command_refusal(problem.explained) for problem in file_problems]
    for option, value, limit in (("--org", organisation_slug, 64), ("--name", name or "", 200)):
        if problem := text_problem(value, limit):
            problems.append(command_refusal(field_problem(option, problem)))
    if time_zone is not None:
        try:
            checked_time_zone(time_zone)
        except Explained as problem:
            problems.append(command_refusal(field_problem("--time-zone", problem)))
    if problems:
        _fail(problems)

    async def run() -> RosterChanges:
        async with session_scope(settings, commit=not dry_run) as session:
            organisation = await find_organisation(session, organisation_slug)
            if organisation is None:
                organisation = Organisation(id=uuid.uuid4(), slug=organisation_slug, name=name or organisation_slug)
                session.add(organisation)
                await session.flush()
            if time_zone is not None:
                organisation.time_zone = time_zone
            try:
                changes = await import_roster(session, organisation, tables)
            except RosterError as error:
                _fail([command_refusal(problem.explained) for problem in error.problems])
            await record(
                session,
                actor=cli_actor(),
                action="roster.import",
                organisation_id=organisation.id,
                target=", ".join(path.name for path in files),
                details=changes.summary(),
            )
            return changes

    with database_errors():
        changes = asyncio.run(run())
    print_changes(changes, dry_run=dry_run)


def _fail(problems: list[str]) -> None:
    click.echo(
        trn("Nothing imported: %(num)s problem.", "Nothing imported: %(num)s problems.", len(problems)), err=True
    )
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    raise SystemExit(1)


@org.command("list")
@JSON_OPTION
@click.pass_obj
def list_command(settings: Settings, as_json: bool) -> None:
    """List the organisations, with their teams, active employees and customers, and waves."""

    def counted(
        model: type[Team] | type[Employee] | type[Customer] | type[Wave], *where: sa.ColumnElement[bool]
    ) -> Any:
        return (
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.organisation_id == Organisation.id, *where)
            .scalar_subquery()
        )

    async def run() -> list[dict[str, Any]]:
        async with session_scope(settings, commit=False) as session:
            rows = await session.execute(
                sa.select(
                    Organisation.slug,
                    Organisation.name,
                    counted(Team).label("teams"),
                    counted(Employee, Employee.active.is_(True)).label("employees"),
                    counted(Customer, Customer.active.is_(True)).label("customers"),
                    counted(Wave).label("waves"),
                ).order_by(Organisation.slug)
            )
            return [dict(row._mapping) for row in rows]

    with database_errors():
        rows = asyncio.run(run())
    columns = [
        ("slug", tr("Slug")),
        ("name", tr("Name")),
        ("teams", tr("Teams")),
        ("employees", tr("Active employees")),
        ("customers", tr("Active customers")),
        ("waves", tr("Waves")),
    ]
    print_listing(columns, rows, as_json=as_json)

"""``symmetry retention``: an organisation's retention policy, shown, changed, and applied (or tried dry)."""

from __future__ import annotations

import asyncio
import datetime as dt

import click
import sqlalchemy as sa

from surveys.audit.services import cli_actor
from surveys.catalog import command_refusal, tr
from surveys.cli_support import JSON_OPTION, database_errors, organisation_by_slug, print_listing, session_scope
from surveys.explained import N_
from surveys.org.models import Organisation
from surveys.org.services import local_today
from surveys.privacy.retention import COUNTED, KINDS, checked_days, policy_of, run_retention, set_policy
from surveys.settings import Settings

KIND_LABELS = {
    "people": N_("roster people"),
    "invitations": N_("invitations tied to a person"),
    "emails": N_("e-mail records"),
    "answers": N_("anonymous answers"),
    "comments": N_("comments"),
    "reports": N_("reports"),
    "audit": N_("audit events"),
}
"""Each kind as the command names it; a run unties invitations from their person (the rates keep them)."""


def _kind_label(kind: str) -> str:
    return tr(KIND_LABELS[kind])


@click.group()
def retention() -> None:
    """Show, change and apply how long each kind of personal data is kept."""


@retention.command("show")
@click.option("--org", "organisation_slug", help="One organisation [default: every one].")
@JSON_OPTION
@click.pass_obj
def show_command(settings: Settings, organisation_slug: str | None, as_json: bool) -> None:
    """The days each kind of data is kept, organisation by organisation ("never": kept)."""

    async def run() -> list[dict[str, object]]:
        async with session_scope(settings, commit=False) as session:
            if organisation_slug:
                organisations = [await organisation_by_slug(session, organisation_slug)]
            else:
                organisations = list(await session.scalars(sa.select(Organisation).order_by(Organisation.slug)))
            return [{"organisation": o.slug, **(await policy_of(session, o.id))} for o in organisations]

    with database_errors():
        rows = asyncio.run(run())
    if as_json:
        print_listing((), rows, as_json=True)
        return
    shown = [{key: tr("never") if value is None else value for key, value in row.items()} for row in rows]
    print_listing([("organisation", tr("Organisation")), *((kind, _kind_label(kind)) for kind in KINDS)], shown,
                  as_json=False)  # fmt: skip


@retention.command("set")
@click.option("--org", "organisation_slug", required=True, help="The organisation's slug.")
@click.option("--people", help="Days roster people are kept once they leave it (or after a customer's interaction).")
@click.option("--invitations", help="Days after a wave's closing date before its invitations name nobody.")
@click.option("--answers", help="Days after a wave's closing date its anonymous answers are kept.")
@click.option("--comments", help="Days after a wave's closing date its comments are kept.")
@click.option("--reports", help="Days after a wave's closing date its PDF reports are kept.")
@click.option("--audit", help="Days audit events are kept.")
@click.pass_obj
def set_command(settings: Settings, /, organisation_slug: str, **values: str | None) -> None:
    """Change some kinds' days (a number, or never); the others keep theirs. Audited."""
    given = {kind: value for kind, value in values.items() if value is not None}
    if not given:
        raise click.UsageError(tr("give at least one kind: %(options)s", options=", ".join(f"--{k}" for k in KINDS)))
    try:
        days = checked_days(given)
    except ValueError as error:
        raise click.UsageError(command_refusal(error)) from None

    async def run() -> dict[str, int | None]:
        async with session_scope(settings) as session:
            organisation = await organisation_by_slug(session, organisation_slug)
            return await set_policy(session, organisation, days, actor=cli_actor())

    with database_errors():
        policy = asyncio.run(run())
    click.echo(tr("Retention of %(org)s:", org=organisation_slug))
    for kind in KINDS:
        click.echo(f"  {_kind_label(kind)}: {tr('never') if policy[kind] is None else policy[kind]}")


@retention.command("run")
@click.option("--org", "organisation_slug", help="One organisation [default: every one].")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted, and delete nothing.")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Count (with --dry-run) what the policy would delete on that date [default: today where each is].",
)
@click.pass_obj
def run_command(settings: Settings, organisation_slug: str | None, dry_run: bool, today: dt.datetime | None) -> None:
    """Delete what each organisation's policy no longer keeps; audited with counts, never content."""
    if today is not None and not dry_run and today.date() > dt.date.today():
        raise click.BadParameter(tr("a date to come needs --dry-run"), param_hint="--today")

    async def run() -> list[tuple[str, dict[str, int]]]:
        async with session_scope(settings, commit=not dry_run) as session:
            if organisation_slug:
                organisations = [await organisation_by_slug(session, organisation_slug)]
            else:
                organisations = list(await session.scalars(sa.select(Organisation).order_by(Organisation.slug)))
            results = []
            for organisation in organisations:
                day = today.date() if today else local_today(organisation.time_zone)
                counts = await run_retention(
                    session, settings, organisation, today=day, dry_run=dry_run, actor=cli_actor()
                )
                results.append((organisation.slug, counts))
            return results

    with database_errors():
        results = asyncio.run(run())
    for slug, counts in results:
        click.echo(
            tr("%(org)s, would be deleted (dry run):", org=slug) if dry_run else tr("%(org)s, deleted:", org=slug)
        )
        for kind in COUNTED:
            click.echo(f"  {_kind_label(kind)}: {counts[kind]}")

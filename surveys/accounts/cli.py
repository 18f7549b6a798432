"""``symmetry user``: accounts from the command line, starting with the first admin."""

from __future__ import annotations

import asyncio

import click

from surveys.accounts.models import Role
from surveys.accounts.services import AccountError, create_user
from surveys.audit.services import cli_actor, record
from surveys.catalog import ROLE_LABELS, command_refusal, tr
from surveys.cli_support import database_errors, organisation_by_slug, session_scope
from surveys.settings import Settings


@click.group()
def user() -> None:
    """Manage user accounts."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.ADMIN.value, show_default=True)
@click.option("--org", "organisation_slug", help="The organisation of a lead, manager or viewer.")
@click.password_option(help="At least 12 characters; asked for when not given.")
@click.pass_obj
def create_command(settings: Settings, email: str, role: str, organisation_slug: str | None, password: str) -> None:
    """Create the account EMAIL (the first admin, typically)."""

    async def run() -> None:
        async with session_scope(settings) as session:
            organisation = await organisation_by_slug(session, organisation_slug) if organisation_slug else None
            try:
                created = await create_user(
                    session,
                    email=email,
                    password=password,
                    role=Role(role),
                    organisation_id=organisation.id if organisation else None,
                )
            except AccountError as error:
                raise click.BadParameter(command_refusal(error)) from None
            await record(
                session,
                actor=cli_actor(),
                action="user.create",
                organisation_id=created.organisation_id,
                target=created.email,
                details={"role": role},
            )

    with database_errors():
        asyncio.run(run())
    click.echo(
        tr("User %(email)s created with the role %(role)s.", email=email.strip().lower(), role=tr(ROLE_LABELS[role]))
    )

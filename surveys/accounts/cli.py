"""``symmetry user``: accounts from the command line, starting with the first admin."""

from __future__ import annotations

import asyncio

import click
import sqlalchemy as sa

from surveys.accounts.models import Role, User
from surveys.accounts.services import PASSWORD_MIN_LENGTH, AccountError, create_user, too_short
from surveys.audit.services import cli_actor, record
from surveys.catalog import ROLE_LABELS, command_refusal, tr
from surveys.cli_support import JSON_OPTION, database_errors, organisation_by_slug, print_listing, session_scope
from surveys.org.models import Organisation
from surveys.settings import Settings
from surveys.text_checks import EMAIL, malformed_email


@click.group()
def user() -> None:
    """Manage user accounts."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.ADMIN.value, show_default=True)
@click.option("--org", "organisation_slug", help="The organisation of a lead, manager or viewer.")
@click.option("--password", help="At least 12 characters; asked for (twice, hidden) when not given.")
@click.pass_obj
def create_command(
    settings: Settings, email: str, role: str, organisation_slug: str | None, password: str | None
) -> None:
    """Create the account EMAIL (the first admin, typically).

    The e-mail, the role and the organisation are checked before the password is asked for.
    """
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise click.BadParameter(command_refusal(malformed_email(email)), param_hint="EMAIL")
    if role != Role.ADMIN.value and not organisation_slug:
        raise click.BadParameter(
            tr("a %(role)s belongs to an organisation: give its slug", role=tr(ROLE_LABELS[role])), param_hint="--org"
        )

    async def check() -> None:
        async with session_scope(settings, commit=False) as session:
            if organisation_slug:
                await organisation_by_slug(session, organisation_slug)
            if await session.scalar(sa.select(User.id).where(User.email == email)):
                raise click.BadParameter(tr("a user %(email)s already exists", email=email), param_hint="EMAIL")

    with database_errors():
        asyncio.run(check())
    if password is None:
        password = click.prompt(tr("Password"), hide_input=True, confirmation_prompt=True, value_proc=_long_enough)

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
    click.echo(tr("User %(email)s created with the role %(role)s.", email=email, role=tr(ROLE_LABELS[role])))


def _long_enough(value: str) -> str:
    if len(value) < PASSWORD_MIN_LENGTH:
        raise click.BadParameter(command_refusal(too_short()))
    return value


@user.command("list")
@click.option("--org", "organisation_slug", help="Only this organisation's accounts.")
@JSON_OPTION
@click.pass_obj
def list_command(settings: Settings, organisation_slug: str | None, as_json: bool) -> None:
    """List the accounts: e-mail, role, organisation, whether active, and the language chosen."""

    async def run() -> list[dict[str, object]]:
        async with session_scope(settings, commit=False) as session:
            query = (
                sa.select(
                    User.email,
                    User.role,
                    Organisation.slug.label("organisation"),
                    User.active,
                    User.language,
                )
                .outerjoin(Organisation, Organisation.id == User.organisation_id)
                .order_by(Organisation.slug, User.email)
            )
            if organisation_slug:
                organisation = await organisation_by_slug(session, organisation_slug)
                query = query.where(User.organisation_id == organisation.id)
            return [dict(row._mapping) for row in await session.execute(query)]

    with database_errors():
        rows = asyncio.run(run())
    if as_json:
        print_listing((), rows, as_json=True)  # a role is a string enum: its value in the JSON
        return
    columns = [
        ("email", tr("E-mail")),
        ("role", tr("Role")),
        ("organisation", tr("Organisation")),
        ("active", tr("Active")),
        ("language", tr("Language")),
    ]
    print_listing(columns, [{**row, "role": tr(ROLE_LABELS[str(row["role"])])} for row in rows], as_json=False)

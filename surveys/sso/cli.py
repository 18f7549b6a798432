"""``symmetry sso``: an organisation's single sign-on, set and shown (never its secret)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from surveys.audit.services import cli_actor
from surveys.catalog import command_refusal, tr
from surveys.cli_support import JSON_OPTION, database_errors, organisation_by_slug, print_listing, session_scope
from surveys.settings import Settings
from surveys.sso.config import SsoConfigError, SsoForm, check_form, split_list
from surveys.sso.services import SsoView, config_of, remove_config, save_config, views

OPTIONS = {
    "issuer": "--issuer",
    "client_id": "--client-id",
    "client_secret": "--client-secret-env/--client-secret-file",
    "domains": "--domains",
    "role_claim": "--role-claim",
    "role_map": "--role-map",
    "email_roles": "--email-roles",
}
"""The option that gives each field, to name it in a refusal."""


@click.group()
def sso() -> None:
    """Configure each organisation's sign-in through its OpenID Connect provider."""


def _secret(variable: str | None, path: Path | None) -> str:
    if variable and path:
        raise click.UsageError(tr("give --client-secret-env or --client-secret-file, not both"))
    if variable:
        value = os.environ.get(variable)
        if not value:
            raise click.BadParameter(
                tr("the variable %(name)s is not set", name=variable), param_hint="--client-secret-env"
            )
        return value.strip()
    if path:
        try:
            return path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise click.BadParameter(str(error), param_hint="--client-secret-file") from None
    return ""


@sso.command("set")
@click.option("--org", "organisation_slug", required=True, help="The organisation's slug.")
@click.option("--issuer", required=True, help="The provider's issuer URL (https).")
@click.option("--client-id", required=True, help="Symmetry's client id at the provider.")
@click.option("--client-secret-env", metavar="VAR", help="The environment variable that holds the client secret.")
@click.option(
    "--client-secret-file", type=click.Path(path_type=Path, dir_okay=False), help="A file that holds the client secret."
)
@click.option("--domains", required=True, help="The e-mail domains that sign in through it, comma-separated.")
@click.option("--role-claim", default="", help="The claim whose values give roles (groups, for example).")
@click.option("--role-map", default="", help="value=role pairs for the claim, comma-separated, first match wins.")
@click.option("--email-roles", default="", help="email=role pairs, comma-separated, before the claim.")
@click.option(
    "--local-passwords/--no-local-passwords",
    default=None,
    help="Whether the organisation's people may still sign in with a password [default: unchanged, else yes].",
)
@click.pass_obj
def set_command(
    settings: Settings,
    organisation_slug: str,
    issuer: str,
    client_id: str,
    client_secret_env: str | None,
    client_secret_file: Path | None,
    domains: str,
    role_claim: str,
    role_map: str,
    email_roles: str,
    local_passwords: bool | None,
) -> None:
    """Set ORG's whole configuration (what is not given is cleared; the secret is kept when none is given). Audited.

    The secret is read from a variable or a file, never from the command line, and stored sealed.
    """
    secret = _secret(client_secret_env, client_secret_file)

    async def run() -> None:
        async with session_scope(settings) as session:
            organisation = await organisation_by_slug(session, organisation_slug)
            existing = await config_of(session, organisation.id)
            keep = existing.local_passwords if existing is not None else True
            form = SsoForm(
                issuer=issuer,
                client_id=client_id,
                client_secret=secret,
                domains=split_list(domains),
                role_claim=role_claim,
                role_map=[pair for pair in role_map.split(",") if pair.strip()],
                email_roles=[pair for pair in email_roles.split(",") if pair.strip()],
                local_passwords=keep if local_passwords is None else local_passwords,
            )
            try:
                checked = check_form(form, environment=settings.environment, has_secret=existing is not None)
                await save_config(session, organisation, checked, actor=cli_actor(), database_url=settings.database_url)
            except SsoConfigError as error:
                lines = [f"{OPTIONS[field]}: {command_refusal(problem)}" for field, problem in error.problems.items()]
                raise click.UsageError("\n".join(lines)) from None

    with database_errors():
        asyncio.run(run())
    click.echo(tr("Single sign-on of %(org)s saved.", org=organisation_slug))


@sso.command("remove")
@click.option("--org", "organisation_slug", required=True, help="The organisation's slug.")
@click.pass_obj
def remove_command(settings: Settings, organisation_slug: str) -> None:
    """Stop single sign-on for the organisation: its people sign in with passwords again. Audited."""

    async def run() -> bool:
        async with session_scope(settings) as session:
            organisation = await organisation_by_slug(session, organisation_slug)
            return await remove_config(session, organisation, actor=cli_actor())

    with database_errors():
        removed = asyncio.run(run())
    if not removed:
        raise click.ClickException(tr("%(org)s has no single sign-on to remove", org=organisation_slug))
    click.echo(tr("Single sign-on of %(org)s removed: its people sign in with passwords.", org=organisation_slug))


@sso.command("show")
@click.option("--org", "organisation_slug", help="One organisation [default: every one configured].")
@JSON_OPTION
@click.pass_obj
def show_command(settings: Settings, organisation_slug: str | None, as_json: bool) -> None:
    """Each configured organisation's provider, domains, role mapping and passwords (never the secret)."""

    async def run() -> list[SsoView]:
        async with session_scope(settings, commit=False) as session:
            organisation = await organisation_by_slug(session, organisation_slug) if organisation_slug else None
            return await views(session, organisation.id if organisation else None)

    with database_errors():
        found = asyncio.run(run())
    if as_json:
        rows = [
            {
                "organisation": view.organisation,
                "issuer": view.issuer,
                "client_id": view.client_id,
                "domains": view.domains,
                "role_claim": view.role_claim,
                "role_map": dict(view.role_map),
                "email_roles": view.email_roles,
                "local_passwords": view.local_passwords,
            }
            for view in found
        ]
        print_listing((), rows, as_json=True)
        return
    columns = [
        ("organisation", tr("Organisation")),
        ("issuer", tr("Issuer")),
        ("client_id", tr("Client id")),
        ("domains", tr("Domains")),
        ("roles", tr("Roles")),
        ("local_passwords", tr("Passwords")),
    ]
    shown = [
        {
            "organisation": view.organisation,
            "issuer": view.issuer,
            "client_id": view.client_id,
            "domains": ", ".join(view.domains),
            "roles": ", ".join(
                [f"{view.role_claim}: {value}={role}" for value, role in view.role_map]
                + [f"{email}={role}" for email, role in view.email_roles.items()]
            ),
            "local_passwords": view.local_passwords,
        }
        for view in found
    ]
    print_listing(columns, shown, as_json=False)

"""``symmetry privacy``: a person's data exported or erased (RGPD articles 15 and 17), and an organisation's notice."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click

from surveys.audit.services import cli_actor, record
from surveys.catalog import LANGUAGES, command_language, command_refusal, tr
from surveys.cli_support import database_errors, organisation_by_slug, session_scope
from surveys.privacy.documents import subject_document
from surveys.privacy.notice import checked_notice, set_notice
from surveys.privacy.subject import ERASED_LABELS, checked_email, erase_subject, found_counts, subject_data
from surveys.settings import Settings


def _email(value: str) -> str:
    try:
        return checked_email(value)
    except ValueError as error:
        raise click.BadParameter(command_refusal(error), param_hint="EMAIL") from None


@click.group()
def privacy() -> None:
    """Export or erase a person's data (RGPD articles 15 and 17); set an organisation's privacy notice."""


@privacy.command("export")
@click.argument("email")
@click.option("--format", "file_format", type=click.Choice(["json", "html"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file [default: print].")
@click.option("--lang", type=click.Choice(LANGUAGES), help="The HTML copy's language [default: the command's].")
@click.pass_obj
def export_command(settings: Settings, email: str, file_format: str, out: Path | None, lang: str | None) -> None:
    """Everything held about the person with this e-mail (employee, customer, account), as JSON or HTML. Audited."""
    email = _email(email)

    async def run() -> dict[str, Any]:
        async with session_scope(settings) as session:
            data = await subject_data(session, email)
            await record(
                session,
                actor=cli_actor(),
                action="privacy.export",
                details={"format": file_format, **found_counts(data)},
            )
            return data

    with database_errors():
        data = asyncio.run(run())
    text = (
        json.dumps(data, ensure_ascii=False, indent=2)
        if file_format == "json"
        else subject_document(data, lang or command_language())  # type: ignore[arg-type]
    )
    if out is None:
        click.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(tr("written to %(path)s", path=out))


@privacy.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def erase_command(settings: Settings, email: str, yes: bool) -> None:
    """Delete or untie everything that names the person with this e-mail; audited under a pseudonym.

    The closed waves keep their rates (invitations tied to nobody) and their results. A roster imported again from a
    source that still lists the person adds them again: erase them there too.
    """
    email = _email(email)
    if not yes:
        click.confirm(tr("Erase everything that names %(email)s? This cannot be undone.", email=email), abort=True)

    async def run() -> dict[str, int]:
        async with session_scope(settings) as session:
            return await erase_subject(session, email, actor=cli_actor())

    with database_errors():
        try:
            counts = asyncio.run(run())
        except ValueError as error:
            raise click.ClickException(command_refusal(error)) from None
    click.echo(tr("Erased:"))
    for kind, label in ERASED_LABELS.items():
        click.echo(f"  {tr(label)}: {counts[kind]}")


@privacy.command("notice")
@click.option("--org", "organisation_slug", required=True, help="The organisation's slug.")
@click.option("--contact", help="Whom respondents write to about their data (an e-mail or an address).")
@click.option("--fr", "paragraph_fr", help="The organisation's own paragraph in French (plain text).")
@click.option("--en", "paragraph_en", help="The organisation's own paragraph in English (plain text).")
@click.pass_obj
def notice_command(
    settings: Settings, organisation_slug: str, contact: str | None, paragraph_fr: str | None, paragraph_en: str | None
) -> None:
    """Set the organisation's privacy notice (the survey pages link to it); an option left out keeps its value."""
    given = {"contact": contact, "fr": paragraph_fr, "en": paragraph_en}
    try:
        values = checked_notice({key: value for key, value in given.items() if value is not None})
    except ValueError as error:
        raise click.UsageError(command_refusal(error)) from None

    async def run() -> None:
        async with session_scope(settings) as session:
            organisation = await organisation_by_slug(session, organisation_slug)
            await set_notice(session, organisation, values, actor=cli_actor())

    with database_errors():
        asyncio.run(run())
    click.echo(tr("Privacy notice of %(org)s changed.", org=organisation_slug))

"""``symmetry wave``: what HR and CX leads do with a wave from the command line."""

from __future__ import annotations

import asyncio
import csv
import uuid
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.cli_support import database_errors
from surveys.db import alchemy_config
from surveys.org.models import Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import Wave
from surveys.waves.services import WaveStateError, create_open_links, qr_code, reissue_tokens


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
        where = f" in {organisation_slug!r}" if organisation_slug else ""
        raise click.BadParameter(f"no wave {reference!r}{where}")
    if len(waves) > 1:
        raise click.BadParameter(f"several organisations have a wave {reference!r}: add --org SLUG")
    return waves[0]


@click.group()
def wave() -> None:
    """Work with survey waves."""


WAVE_ARGUMENT = click.argument("wave_reference", metavar="WAVE")
ORG_OPTION = click.option(
    "--org", "organisation_slug", help="Organisation slug, when several have a wave of that name."
)


@wave.command("links")
@WAVE_ARGUMENT
@ORG_OPTION
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV file to write the links to."
)
@click.pass_obj
def links_command(settings: Settings, wave_reference: str, organisation_slug: str | None, out: Path) -> None:
    """Write a personal link for everyone who has not answered WAVE yet.

    Only token hashes are stored, so the links are new: the links sent before stop working. Keep the file
    safe, and delete it once the links are distributed.
    """

    async def run() -> int:
        config = alchemy_config(settings)
        try:
            async with config.get_session() as session, session.begin():
                target = await find_wave(session, wave_reference, organisation_slug)
                try:
                    links = await reissue_tokens(session, target)
                except WaveStateError as error:
                    raise click.ClickException(str(error)) from None
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(["email", "language", "respondent", "team", "link"])
                    for link in links:
                        url = f"{settings.public_url}/r/{link.token}"
                        writer.writerow([link.email or "", link.language, link.respondent, link.team_external_id, url])
                return len(links)
        finally:
            await config.get_engine().dispose()

    with database_errors():
        written = asyncio.run(run())
    click.echo(f"{written} personal links written to {out}; earlier links for these people no longer work.")


@wave.command("open-links")
@WAVE_ARGUMENT
@ORG_OPTION
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Directory for the CSV and QR codes."
)
@click.option(
    "--allow-repeat",
    is_flag=True,
    help="Accept several answers from one browser (a shared tablet at a counter) for links created now.",
)
@click.pass_obj
def open_links_command(
    settings: Settings, wave_reference: str, organisation_slug: str | None, out: Path, allow_repeat: bool
) -> None:
    """Write each front-line team's open link for customers of WAVE, with its QR code in SVG and PNG."""

    async def run() -> int:
        config = alchemy_config(settings)
        try:
            async with config.get_session() as session, session.begin():
                target = await find_wave(session, wave_reference, organisation_slug)
                links = await create_open_links(session, target, one_per_browser=not allow_repeat)
                teams = {
                    team.id: team
                    for team in await session.scalars(
                        sa.select(Team).where(Team.id.in_([link.team_id for link in links]))
                    )
                }
                out.mkdir(parents=True, exist_ok=True)
                with (out / "open-links.csv").open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(["team", "team_name", "link", "one_answer_per_browser", "qr_svg", "qr_png"])
                    for link in links:
                        team = teams[link.team_id]
                        url = f"{settings.public_url}/o/{link.code}"
                        stem = f"qr-{team.external_id}"
                        (out / f"{stem}.svg").write_bytes(qr_code(url, "svg"))
                        (out / f"{stem}.png").write_bytes(qr_code(url, "png"))
                        writer.writerow(
                            [team.external_id, team.name, url, link.one_per_browser, f"{stem}.svg", f"{stem}.png"]
                        )
                return len(links)
        finally:
            await config.get_engine().dispose()

    with database_errors():
        written = asyncio.run(run())
    click.echo(f"{written} open links with their QR codes written to {out}")

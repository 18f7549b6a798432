"""``symmetry export``: a closed wave's team results, or its response-level data with a codebook, to a file."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from surveys.audit.services import cli_actor
from surveys.catalog import LANGUAGES, command_language, command_refusal, tr, trn
from surveys.cli_support import database_errors, session_scope
from surveys.exports.services import FORMATS, Export, export
from surveys.exports.tables import NotAnalysed
from surveys.settings import Settings
from surveys.waves.cli import ORG_OPTION, WAVE_ARGUMENT, find_wave
from surveys.waves.services import WaveStateError


@click.group("export")
def export_group() -> None:
    """Export a closed wave's team results or response-level data (CSV, XLSX, SPSS), through the disclosure gate."""


def _codebook_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.codebook.json")


def _write(path: Path, content: bytes, *, private: bool) -> None:
    """Write `content` whole or not at all: to a part file first, renamed once complete.

    A `private` file (response-level data) is readable by its owner only.
    """
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        part.write_bytes(content)
        if private:
            part.chmod(0o600)
        part.replace(path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _run(
    settings: Settings,
    kind: str,
    wave_reference: str,
    organisation_slug: str | None,
    file_format: str,
    out: Path,
    language: str | None,
) -> Export:
    """Build the export, write its files, then commit its audit event; on any error nothing is left written."""
    written: list[Path] = []

    async def run() -> Export:
        async with session_scope(settings) as session:
            wave = await find_wave(session, wave_reference, organisation_slug)
            try:
                made = await export(
                    session,
                    wave,
                    kind=kind,
                    file_format=file_format,
                    language=language or command_language(),
                    rules=settings.disclosure_rules,
                    actor=cli_actor(),
                )
            except (WaveStateError, NotAnalysed) as error:
                raise click.BadParameter(command_refusal(error), param_hint="WAVE") from None
            try:
                out.parent.mkdir(parents=True, exist_ok=True)
                _write(out, made.content, private=kind == "responses")
                written.append(out)
                if made.codebook is not None:
                    _write(_codebook_path(out), made.codebook, private=False)
                    written.append(_codebook_path(out))
            except OSError as error:
                raise click.BadParameter(
                    tr("cannot write %(path)s: %(reason)s", path=out, reason=error.strerror), param_hint="--out"
                ) from None
            return made

    try:
        with database_errors():
            return asyncio.run(run())
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


OUT_OPTION = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file to write."
)
LANGUAGE_OPTION = click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the labels [default: the command's, SYMMETRY_LANGUAGE].",
)


@export_group.command("teams")
@WAVE_ARGUMENT
@ORG_OPTION
@click.option("--format", "file_format", type=click.Choice(FORMATS["teams"]), required=True, help="The file format.")
@OUT_OPTION
@LANGUAGE_OPTION
@click.pass_obj
def teams_command(
    settings: Settings, wave_reference: str, organisation_slug: str | None, file_format: str, out: Path,
    language: str | None,
) -> None:  # fmt: skip
    """Write the team results of the closed WAVE as stored, withheld cells left empty.

    The stricter of the rules the wave was analysed with and today's applies, as on its pages.
    """
    made = _run(settings, "teams", wave_reference, organisation_slug, file_format, out, language)
    click.echo(trn("%(num)s team written to %(path)s.", "%(num)s teams written to %(path)s.", made.rows, path=out))


@export_group.command("responses")
@WAVE_ARGUMENT
@ORG_OPTION
@click.option(
    "--format", "file_format", type=click.Choice(FORMATS["responses"]), required=True, help="The file format."
)
@OUT_OPTION
@LANGUAGE_OPTION
@click.pass_obj
def responses_command(
    settings: Settings, wave_reference: str, organisation_slug: str | None, file_format: str, out: Path,
    language: str | None,
) -> None:  # fmt: skip
    """Write one row per anonymous respondent of the closed WAVE, and its codebook beside it (NAME.codebook.json).

    Only the teams the disclosure gate shows for a kind of respondent have rows of that kind; rows come in a new
    random order each time, with no identity, date, id or comment. Keep the file safe.
    """
    made = _run(settings, "responses", wave_reference, organisation_slug, file_format, out, language)
    click.echo(trn("%(num)s respondent written to %(path)s.", "%(num)s respondents written to %(path)s.", made.rows,
                   path=out))  # fmt: skip
    click.echo(tr("Codebook written to %(path)s.", path=_codebook_path(out)))

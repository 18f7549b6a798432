"""An export from start to end, the same for the web and the command: checked, built, written and audited.

The audit event holds what was exported (kind, format, language) and counts, never a figure or an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from surveys.audit.services import record
from surveys.catalog import LANGUAGES, Language
from surveys.explained import field_problem, one_of
from surveys.exports.formats import codebook, write_codebook, write_csv, write_sav, write_team_workbook
from surveys.exports.tables import response_table, team_table
from surveys.exports.variables import response_dataset, team_dataset
from surveys.text_checks import slugify
from surveys.waves.models import Wave
from symmetry.disclosure import DisclosureRules

Kind = Literal["teams", "responses", "codebook"]
FORMATS: dict[str, tuple[str, ...]] = {
    "teams": ("csv", "xlsx", "sav"),
    "responses": ("csv", "sav"),
    "codebook": ("json",),
}
"""What each export can be written as; ``codebook`` is the response-level export's, apart."""
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "json": "application/json",
}


@dataclass(frozen=True, slots=True)
class Export:
    """A written export: its bytes, a file name safe in any header, and its media type."""

    content: bytes
    file_name: str
    media_type: str
    rows: int
    """Teams, or respondents, in the file."""
    codebook: bytes | None = None
    """The response-level export's codebook (JSON), written beside it by the command."""


def checked_request(kind: str, file_format: str, language: str) -> tuple[Kind, str, Language]:
    """The export asked for, or a refusal naming the field that is wrong (``format``, ``language``)."""
    if kind not in FORMATS:
        raise field_problem("export", one_of(list(FORMATS)))
    if file_format not in FORMATS[kind]:
        raise field_problem("format", one_of(list(FORMATS[kind])))
    if language not in LANGUAGES:
        raise field_problem("language", one_of(list(LANGUAGES)))
    return kind, file_format, language  # type: ignore[return-value]  # each checked above


def file_name(wave: Wave, kind: Kind, file_format: str, language: Language) -> str:
    """``symmetry-<wave>-<kind>-<language>.<format>``: ASCII letters, digits and hyphens only."""
    return f"symmetry-{slugify(wave.name)[:60].strip('-') or 'wave'}-{kind}-{language}.{file_format}"


async def export(
    session: AsyncSession,
    wave: Wave,
    *,
    kind: str,
    file_format: str,
    language: str,
    rules: DisclosureRules,
    actor: str,
) -> Export:
    """One export of a closed wave, under the stricter of its rules and `rules` (today's), audited.

    Raises
    ------
    ValueError
        An :class:`~surveys.explained.Explained` for a kind, format or language not offered, a wave that is not
        closed (:class:`~surveys.waves.services.WaveStateError`) or not analysed
        (:class:`~surveys.exports.tables.NotAnalysed`).

    """
    kind, file_format, language = checked_request(kind, file_format, language)
    details: dict[str, object] = {"format": file_format, "language": language}
    book: bytes | None = None
    if kind == "teams":
        teams = await team_table(session, wave, rules=rules)
        dataset = team_dataset(teams, language)
        if file_format == "csv":
            content = write_csv(dataset, words=True)
        elif file_format == "xlsx":
            content = write_team_workbook(dataset, teams.rules, language)
        else:
            content = write_sav(dataset, language)
        details |= {"teams": len(teams.lines), "teams_withheld": teams.withheld, "variables": len(dataset.variables)}
    else:
        responses = await response_table(session, wave, rules=rules)
        dataset = response_dataset(responses, language)
        book = write_codebook(codebook(dataset, responses.rules, language, responses.teams))
        if file_format == "json":
            content = book
        elif file_format == "csv":
            content = write_csv(dataset, words=False)
        else:
            content = write_sav(dataset, language)
        details |= {
            "rows": len(dataset.rows),
            "teams": len(responses.teams),
            "teams_left_out": {respondent.value: count for respondent, count in responses.left_out.items()},
            "variables": len(dataset.variables),
        }
    await record(
        session,
        actor=actor,
        action=f"export.{kind}",
        organisation_id=wave.organisation_id,
        target=wave.name,
        details=details,
    )
    return Export(
        content,
        file_name(wave, kind, file_format, language),
        MEDIA_TYPES[file_format],
        rows=len(dataset.rows),
        codebook=book if kind == "responses" else None,
    )

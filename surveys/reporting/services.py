"""Planning a wave's reports, telling which are up to date, and recording what each rendering gave."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from weasyprint.text.ffi import harfbuzz, harfbuzz_subset, pango

import reports
import symmetry
from reports.batch import ReportJob, ReportOutcome
from reports.i18n import LANGUAGES, Language
from surveys.audit.services import record
from surveys.reporting.inputs import ReportError, WaveReportData, load_report_data
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.reporting.storage import stored_key
from surveys.text_checks import slugify
from surveys.waves.models import Wave

__all__ = ["ReportError", "plan_reports", "record_outcome", "record_render", "renderer_fingerprint"]

ERROR_LENGTH = 500
RENDERER_DIRS = (Path(reports.__file__).parent, Path(symmetry.__file__).parent)
"""The code a PDF is made by: the renderer (code, templates, stylesheet, fonts) and the statistics it calls."""
RENDERING_LIBRARIES = (
    "weasyprint", "pydyf", "matplotlib", "babel", "jinja2", "numpy", "scipy", "fonttools", "pillow"
)  # fmt: skip
"""The distributions whose version can change a PDF's bytes."""


def _file_key(key: str) -> str:
    # A team key is the roster's external id, which may hold anything: one that is not already a safe file name
    # gets a hash of itself appended, so that two keys never share a file.
    safe = re.sub(r"[^A-Za-z0-9_.]+", "_", key).strip(".") or "team"
    return safe if safe == key else f"{safe}_{hashlib.sha256(key.encode()).hexdigest()[:8]}"


def library_versions() -> dict[str, str]:
    """The installed version of each of `RENDERING_LIBRARIES`."""
    return {name: importlib.metadata.version(name) for name in RENDERING_LIBRARIES}


def harfbuzz_subsetting() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz rather than fontTools: the two give different bytes.

    WeasyPrint uses HarfBuzz's subsetter when libharfbuzz-subset loads and HarfBuzz is at least 4.1.0
    (`weasyprint.pdf.fonts`); this is the same test.
    """
    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def pango_version() -> int:
    """The version of Pango that lays out the text, as Pango encodes it (1.50.6 is 15006)."""
    return int(pango.pango_version())


def renderer_fingerprint(directories: tuple[Path, ...] = RENDERER_DIRS) -> str:
    """SHA-256 of what renders a PDF besides its inputs: a new renderer renders again.

    That is every file of `reports/` and `symmetry/`, the versions of the libraries that draw and write the PDF
    and of Pango, and whether WeasyPrint subsets fonts with HarfBuzz. Computed once per run.
    """
    digest = hashlib.sha256()
    for directory in directories:
        for path in sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(directory.parent).as_posix().encode())
            digest.update(b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    libraries = {"libraries": library_versions(), "pango": pango_version(), "harfbuzz_subset": harfbuzz_subsetting()}
    digest.update(_canonical(libraries))
    return digest.hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _plain(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value


def _shared_digest(data: WaveReportData, renderer: str) -> str:
    inputs = data.inputs
    return hashlib.sha256(
        _canonical(
            {
                "renderer": renderer,
                "analysis": data.document,
                "wave": dataclasses.asdict(inputs.wave),
                "teams": {key: dataclasses.asdict(info) for key, info in inputs.teams.items()},
                "comment_threshold": inputs.comment_threshold,
                "groups": {key: _plain(group) for key, group in inputs.groups.items()},
                "organisation": _plain(inputs.organisation),
                "rates": [dataclasses.asdict(rate) for rate in inputs.rates],
            }
        )
    ).hexdigest()


def inputs_digest(shared: str, job: ReportJob) -> str:
    """SHA-256 of everything one PDF depends on: the wave's shared inputs (by their digest) and the job's own."""
    return hashlib.sha256(
        _canonical(
            {
                "shared": shared,
                "language": job.language,
                "team": job.team,
                "extras": dataclasses.asdict(job.extras),
            }
        )
    ).hexdigest()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file, or None when there is no such file."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


@dataclass(frozen=True, slots=True)
class PlannedReport:
    """One report of the wave: its job, the id of its status row, and whether its file is already up to date."""

    job: ReportJob
    record_id: uuid.UUID
    inputs_digest: str
    up_to_date: bool


@dataclass(frozen=True, slots=True)
class ReportPlan:
    """A wave's reports, those to render and those already up to date."""

    data: WaveReportData
    reports: list[PlannedReport]

    @property
    def to_render(self) -> list[PlannedReport]:
        """The reports whose file is missing, changed or made from other inputs (all of them when forced)."""
        return [report for report in self.reports if not report.up_to_date]

    @property
    def up_to_date(self) -> list[PlannedReport]:
        """The reports skipped: rendered from the same inputs, their file unchanged."""
        return [report for report in self.reports if report.up_to_date]

    def by_path(self) -> dict[Path, PlannedReport]:
        """The reports by the path of their file, to match the outcomes that come back from the workers."""
        return {report.job.path: report for report in self.reports}


async def plan_reports(
    session: AsyncSession,
    wave: Wave,
    out: Path,
    *,
    comment_threshold: int,
    public_url: str | None = None,
    force: bool = False,
    team_language: Language | None = None,
    only: frozenset[uuid.UUID] | None = None,
    data: WaveReportData | None = None,
) -> ReportPlan:
    """The wave's reports: each front-line team's in its language, and the organisation report in each language.

    Files go to `out/organisation-<language>.pdf` and `out/teams/<key>-<name>.pdf`. `team_language`, when given,
    replaces every team's own language. A status row is added for a report that has none. Raises `ReportError`
    for a wave that is not closed and analysed. `only` limits the plan to the reports of those status rows (a
    chunk of the wave); `data`, the wave's report data when the caller has it already. With `public_url`, each team
    report links to its team's page, where the manager plans an action.
    """
    if data is None:
        data = await load_report_data(session, wave, comment_threshold=comment_threshold, public_url=public_url)
    shared = _shared_digest(data, renderer_fingerprint())
    teams = data.inputs.teams
    jobs: list[tuple[uuid.UUID | None, ReportJob]] = [
        (None, ReportJob(out / f"organisation-{language}.pdf", language)) for language in LANGUAGES
    ]
    jobs += [
        (
            data.team_ids[key],
            ReportJob(
                out / "teams" / f"{_file_key(key)}-{slugify(teams[key].name) or 'team'}.pdf",
                team_language or data.languages[key],
                key,
                data.extras[key],
            ),
        )
        for key in data.inputs.analysis.teams
    ]
    records = {
        (row.team_id, None if row.team_id else row.language): row
        for row in await session.scalars(sa.select(ReportRecord).where(ReportRecord.wave_id == wave.id))
    }
    planned: list[PlannedReport] = []
    for team_id, job in jobs:
        row = records.get((team_id, None if team_id else job.language))
        if only is not None and (row is None or row.id not in only):
            continue
        if row is None:
            row = ReportRecord(id=uuid.uuid4(), wave_id=wave.id, team_id=team_id, language=job.language)
            session.add(row)
        else:
            row.language = job.language
        digest = inputs_digest(shared, job)
        # A file uploaded to the object store is taken as it is: its bytes are checked at every download.
        up_to_date = (
            not force
            and row.status is ReportStatus.RENDERED
            and row.inputs_digest == digest
            and row.file_digest is not None
            and (
                row.path == stored_key(wave.id, out, job.path)
                or (row.path == str(job.path) and file_digest(job.path) == row.file_digest)
            )
        )
        planned.append(PlannedReport(job, row.id, digest, up_to_date))
    await session.flush()
    return ReportPlan(data, planned)


async def record_outcome(session: AsyncSession, report: PlannedReport, outcome: ReportOutcome) -> ReportRecord:
    """Keep what one rendering gave: the file's digest and pages, or the error (shortened)."""
    row = await session.get_one(ReportRecord, report.record_id)
    row.inputs_digest = report.inputs_digest
    row.path = str(outcome.job.path)
    if outcome.error is None:
        row.status, row.error = ReportStatus.RENDERED, None
        row.file_digest, row.pages = outcome.file_digest, outcome.pages
        row.rendered_at = dt.datetime.now(dt.UTC)
    else:
        row.status, row.error = ReportStatus.FAILED, outcome.error[:ERROR_LENGTH]
        row.file_digest, row.pages, row.rendered_at = None, None, None
    await session.flush()
    return row


async def record_render(
    session: AsyncSession, wave: Wave, *, actor: str, rendered: int, skipped: int, failed: int, unfinished: int = 0
) -> None:
    """The audit event of one rendering run: counts only, with the reports left unrendered by a run that stopped."""
    details = {"rendered": rendered, "skipped": skipped, "failed": failed}
    if unfinished:
        details["unfinished"] = unfinished
    await record(
        session,
        actor=actor,
        action="report.render",
        organisation_id=wave.organisation_id,
        target=wave.name,
        details=details,
    )

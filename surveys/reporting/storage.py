"""Where report files live, so that any web node serves any report.

Reports are rendered into a local folder (WeasyPrint writes files in worker processes). With
``SYMMETRY_REPORT_STORAGE`` set to an object store's URL (``s3://bucket/prefix``, ``gs://...``, ``az://...``, or
``file:///shared/folder``; credentials from the usual environment variables of each cloud), the report job then
uploads each rendered file there and records its key instead of the local path, through obstore. Either way the
file is checked against the SHA-256 recorded at rendering before anyone gets it.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import obstore
import sqlalchemy as sa
from obstore.store import from_url
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.settings import Settings

STORED = "store:"
"""The prefix of a recorded path that is a key in the object store."""


class ReportFileError(Exception):
    """A report's file cannot be handed out: none recorded, missing, or not the file that was rendered."""


def stored_key(wave_id: object, out: Path, local: Path) -> str:
    """The recorded path of a report file uploaded from `local`, rendered into `out` (a wave's folder)."""
    return f"{STORED}{wave_id}/{local.relative_to(out).as_posix()}"


def object_store(settings: Settings) -> Any:
    """The configured object store, or None for local files."""
    return from_url(settings.report_storage) if settings.report_storage else None


async def upload_rendered(session: AsyncSession, settings: Settings, wave_id: object, out: Path) -> int:
    """Put the wave's rendered files still on local disk into the object store; the number uploaded."""
    store = object_store(settings)
    if store is None:
        return 0
    reports = list(
        await session.scalars(
            sa.select(ReportRecord).where(
                ReportRecord.wave_id == wave_id,
                ReportRecord.status == ReportStatus.RENDERED,
                ReportRecord.path.not_like(f"{STORED}%"),
            )
        )
    )
    for report in reports:
        assert report.path is not None  # rendered; narrows the type
        local = Path(report.path)
        report.path = stored_key(wave_id, out, local)
        await obstore.put_async(store, report.path.removeprefix(STORED), await asyncio.to_thread(local.read_bytes))
    await session.commit()
    return len(reports)


async def read_report_file(report: ReportRecord, settings: Settings) -> bytes:
    """The bytes of a rendered report, only if their SHA-256 equals the digest recorded at rendering."""
    if report.status is not ReportStatus.RENDERED or report.path is None or report.file_digest is None:
        raise ReportFileError("the report is not rendered")
    try:
        if report.path.startswith(STORED):
            store = object_store(settings)
            if store is None:
                raise ReportFileError("the report is in an object store, and SYMMETRY_REPORT_STORAGE is not set")
            found = await obstore.get_async(store, report.path.removeprefix(STORED))
            data = bytes(await found.bytes_async())
        else:
            data = await asyncio.to_thread(Path(report.path).read_bytes)
    except (OSError, FileNotFoundError):
        raise ReportFileError("the report file is missing") from None
    if hashlib.sha256(data).hexdigest() != report.file_digest:
        raise ReportFileError("the report file does not match the SHA-256 recorded when it was rendered")
    return data

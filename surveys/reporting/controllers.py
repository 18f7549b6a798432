"""A wave's reports: the list of those a user may see, and the download of a checked PDF."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import msgspec
import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import LEADS, REFUSAL, allow, check_organisation
from surveys.accounts.models import User
from surveys.accounts.services import visible_team_ids
from surveys.audit.services import record
from surveys.explained import N_
from surveys.i18n import message_page
from surveys.org.models import Team
from surveys.reporting.delivery import REPORT_READERS, report_file_name
from surveys.reporting.jobs import wave_reports_job
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.reporting.storage import ReportFileError, read_report_file
from surveys.waves.models import Wave, WaveState
from surveys.worker.queue import defer

logger = logging.getLogger(__name__)


class ReportRow(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the reports page."""

    id: uuid.UUID
    team: str | None
    """None for the organisation report."""
    language: str
    status: str
    pages: int | None
    rendered_at: dt.datetime | None
    downloadable: bool


def _describe(report: ReportRecord, team_name: str | None) -> str:
    return f"report {report.id} ({team_name or 'organisation'}, {report.language})"


class ReportsController(Controller):
    """``/waves/<id>/reports`` and ``/reports/<id>/download``: leads see every report, managers their teams'."""

    guards = [allow(REPORT_READERS)]  # noqa: RUF012 - Litestar's declared attribute
    include_in_schema = False

    @get("/waves/{wave_id:uuid}/reports")
    async def wave_reports(
        self, request: Request[User, Any, Any], wave_id: FromPath[uuid.UUID], db_session: NamedDependency[AsyncSession]
    ) -> Template:
        """The wave's reports with their status; a manager sees the reports of their subtree's teams only."""
        user = request.user
        wave = await db_session.get(Wave, wave_id)
        if wave is None:
            raise PermissionDeniedException(REFUSAL)  # the same refusal as for another organisation's wave
        check_organisation(user, wave.organisation_id)
        visible = await visible_team_ids(db_session, user)
        query = (
            sa.select(ReportRecord, Team.name)
            .outerjoin(Team, Team.id == ReportRecord.team_id)
            .where(ReportRecord.wave_id == wave.id)
            .order_by(ReportRecord.team_id.is_not(None), Team.name, ReportRecord.language)
        )
        if visible is not None:
            query = query.where(ReportRecord.team_id.in_(visible))  # never the organisation report
        rows = [
            ReportRow(
                id=report.id,
                team=team_name,
                language=report.language,
                status=report.status.value,
                pages=report.pages,
                rendered_at=report.rendered_at,
                downloadable=report.status is ReportStatus.RENDERED,
            )
            for report, team_name in await db_session.execute(query)
        ]
        counts = {status.value: sum(row.status == status.value for row in rows) for status in ReportStatus}
        return Template(
            "reports/list.html",
            context={
                "user": user,
                "wave": wave,
                "reports": rows,
                "counts": counts,
                "can_render": user.role in LEADS and wave.state is WaveState.CLOSED,
            },
        )

    @post("/waves/{wave_id:uuid}/reports/render", guards=[allow(LEADS)], status_code=303)
    async def render_again(
        self, request: Request[User, Any, Any], wave_id: FromPath[uuid.UUID], db_session: NamedDependency[AsyncSession]
    ) -> Redirect:
        """Render the wave's missing and failed reports again, in a job (its notices follow)."""
        user = request.user
        wave = await db_session.get(Wave, wave_id)
        if wave is None:
            raise PermissionDeniedException(REFUSAL)
        check_organisation(user, wave.organisation_id)
        if wave.state is WaveState.CLOSED:
            defer(request, wave_reports_job(wave.id))
            await record(
                db_session, actor=user.email, action="report.render_requested", organisation_id=wave.organisation_id,
                target=wave.name,
            )  # fmt: skip
        return Redirect(f"/waves/{wave.id}/reports", status_code=303)

    @get("/reports/{report_id:uuid}/download", status_code=200)
    async def download(
        self,
        request: Request[User, Any, Any],
        report_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[bytes] | Template:
        """The PDF, as an attachment, once its bytes match the digest recorded at rendering; every download audited.

        A report the user may not see gets the same refusal as one that does not exist.
        """
        user = request.user
        report = await db_session.get(ReportRecord, report_id)
        if report is None:
            raise PermissionDeniedException(REFUSAL)
        wave = await db_session.get_one(Wave, report.wave_id)
        check_organisation(user, wave.organisation_id)
        visible = await visible_team_ids(db_session, user)
        if visible is not None and (report.team_id is None or report.team_id not in visible):
            raise PermissionDeniedException(REFUSAL)
        team_name = None
        if report.team_id is not None:
            team_name = (await db_session.get_one(Team, report.team_id)).name
        if report.status is not ReportStatus.RENDERED:
            return message_page(user, N_("This report is not rendered yet."), 409)
        try:
            data = await read_report_file(report, request.app.state.settings)
        except ReportFileError as error:
            await record(
                db_session,
                actor=user.email,
                action="report.refused",
                organisation_id=wave.organisation_id,
                target=_describe(report, team_name),
                details={"reason": str(error)},
            )
            await db_session.commit()  # an error response rolls the request back: keep the trace
            logger.warning("Report %s not sent: %s", report.id, error)
            return message_page(user, N_("This report's file is not the one that was rendered: it was not sent."), 500)
        await record(
            db_session,
            actor=user.email,
            action="report.download",
            organisation_id=wave.organisation_id,
            target=_describe(report, team_name),
        )
        name = report_file_name(wave.name, team_name, report.language)
        return Response(
            content=data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

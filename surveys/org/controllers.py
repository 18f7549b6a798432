"""The roster upload page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import LEADS, allow
from surveys.accounts.models import Role, User
from surveys.audit.services import record
from surveys.explained import N_, Explained
from surveys.org.importing import import_roster
from surveys.org.models import Organisation
from surveys.org.roster import RosterError, RosterProblem, RosterTable, read_roster_file

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class OrganisationChoice:
    """An organisation the user may import into."""

    id: str
    name: str


class RosterController(Controller):
    """``/org/import``: upload CSV or XLSX files, check them, preview the changes, apply them."""

    path = "/org/import"
    guards = [allow(LEADS)]  # noqa: RUF012 - Litestar's declared attribute
    include_in_schema = False

    async def _organisations(self, user: User, db_session: AsyncSession) -> list[OrganisationChoice]:
        # Plain values: a dry run rolls the session back, which would expire ORM objects before rendering.
        query = sa.select(Organisation).order_by(Organisation.slug)
        if user.role is not Role.ADMIN:
            query = query.where(Organisation.id == user.organisation_id)
        return [OrganisationChoice(str(o.id), o.name) for o in await db_session.scalars(query)]

    @get("/")
    async def form(self, request: Request[User, Any, Any], db_session: NamedDependency[AsyncSession]) -> Template:
        """The upload form."""
        organisations = await self._organisations(request.user, db_session)
        return Template(
            "admin/import.html",
            context={"user": request.user, "organisations": organisations, "problems": [], "changes": None},
        )

    @post("/", status_code=200)
    async def upload(
        self,
        request: Request[User, Any, Any],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        """Check the files; apply them unless it is a dry run or something is wrong (then nothing changes)."""
        user = request.user
        organisations = await self._organisations(user, db_session)
        files = data.get("files")
        uploads = [files] if isinstance(files, UploadFile) else list(files or [])
        problems: list[RosterProblem] = []
        tables: list[RosterTable] = []
        for upload in uploads:
            content = await upload.read()
            if len(content) > MAX_UPLOAD_BYTES:
                problems.append(RosterProblem(upload.filename, None, None, Explained(N_("larger than 20 MB"))))
                continue
            found, file_problems = read_roster_file(upload.filename, content)
            tables += found
            problems += file_problems
        if not uploads:
            problems.append(RosterProblem("files", None, None, Explained(N_("choose at least one CSV or XLSX file"))))
        choice = next((o for o in organisations if o.id == data.get("organisation_id")), None)
        organisation = await db_session.get(Organisation, uuid.UUID(choice.id)) if choice else None
        if organisation is None:
            problems.append(RosterProblem("organisation", None, None, Explained(N_("choose an organisation"))))
        context: dict[str, Any] = {"user": user, "organisations": organisations, "changes": None, "dry_run": False}
        if problems or organisation is None:
            return Template("admin/import.html", context={**context, "problems": problems}, status_code=422)
        dry_run = data.get("dry_run") == "on"
        try:
            changes = await import_roster(db_session, organisation, tables)
        except RosterError as error:
            await db_session.rollback()
            return Template("admin/import.html", context={**context, "problems": error.problems}, status_code=422)
        if dry_run:
            await db_session.rollback()
        else:
            await record(
                db_session,
                actor=user.email,
                action="roster.import",
                organisation_id=organisation.id,
                target=", ".join(upload.filename for upload in uploads),
                details=changes.summary(),
            )
        return Template(
            "admin/import.html", context={**context, "problems": [], "changes": changes, "dry_run": dry_run}
        )

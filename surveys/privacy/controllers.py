"""The privacy pages: an organisation's notice for respondents, and the admins' page for subject requests.

``/notice/<organisation>`` is public (the survey pages link to it). ``/admin/privacy`` is for admins: a person's data
found by e-mail, shown, downloaded as JSON or as a readable copy, and erased after the e-mail is typed again; and
each organisation's notice settings. The e-mail travels in form bodies only, never in a URL (access logs keep URLs).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import ADMINS, allow, visible_organisation
from surveys.accounts.models import User
from surveys.audit.services import record
from surveys.explained import N_, Explained, field_problem
from surveys.i18n import message_page, page_language, request_language
from surveys.org.models import Organisation
from surveys.privacy.documents import subject_context, subject_document
from surveys.privacy.notice import NOTICE_FIELDS, checked_notice, notice_context, set_notice
from surveys.privacy.subject import ERASED_LABELS, checked_email, erase_subject, found_counts, normalised, subject_data
from surveys.settings import Settings


class NoticeController(Controller):
    """``/notice/<organisation>``: the privacy notice respondents read, in their language."""

    path = "/notice"
    include_in_schema = False

    @get("/{organisation_id:uuid}")
    async def notice(
        self,
        request: Request[Any, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Who collects, why, how long, the respondent's rights and whom to ask."""
        organisation = await db_session.get(Organisation, organisation_id)
        if organisation is None:
            raise NotFoundException()
        language = request_language(request)
        context = await notice_context(db_session, organisation, language)
        thresholds = {"threshold": settings.anonymity_threshold, "comments": settings.comment_threshold}
        return Template("survey/notice.html", context={"language": language, **context, **thresholds})


class PrivacyAdminController(Controller):
    """``/admin/privacy``: subject requests (articles 15 and 17) and the organisations' notices, for admins."""

    path = "/admin/privacy"
    guards = [allow(ADMINS)]  # noqa: RUF012 - Litestar's declared attribute
    include_in_schema = False

    async def _page(self, request: Request[User, Any, Any], session: AsyncSession, **context: Any) -> Template:
        organisations = list(await session.scalars(sa.select(Organisation).order_by(Organisation.name)))
        values = {
            org.id: {field: getattr(org, column) or "" for field, column in NOTICE_FIELDS.items()}
            for org in organisations
        }
        status = 422 if context.get("problem") else 200
        base = {"user": request.user, "organisations": organisations, "notice_values": values, "problem": None}
        return Template("admin/privacy.html", context=base | context, status_code=status)

    @get("/")
    async def index(self, request: Request[User, Any, Any], db_session: NamedDependency[AsyncSession]) -> Template:
        """Find a person by e-mail; set each organisation's notice."""
        return await self._page(request, db_session)

    @post("/subject", status_code=200)
    async def subject(
        self,
        request: Request[User, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Response[bytes]:
        """Everything held about the e-mail: shown (``format`` absent), or downloaded as ``json`` or ``html``."""
        try:
            email = checked_email(data.get("email", ""))
        except ValueError as error:
            return await self._page(request, db_session, problem=error, email=data.get("email", "")[:320])
        file_format = data.get("format", "")
        if file_format not in ("", "json", "html"):
            problem = field_problem("format", Explained(N_("one of %(choices)s"), choices="json, html"))
            return await self._page(request, db_session, problem=problem, email=email)
        found = await subject_data(db_session, email)
        await record(
            db_session, actor=request.user.email, action="privacy.export",
            details={"format": file_format or "page", **found_counts(found)},
        )  # fmt: skip
        if file_format == "json":
            body = json.dumps(found, ensure_ascii=False, indent=2).encode()
            return _download(body, "application/json", "personal-data.json")
        if file_format == "html":
            body = subject_document(found, page_language(request)).encode()
            return _download(body, "text/html; charset=utf-8", "personal-data.html")
        return await self._page(request, db_session, email=email, **subject_context(found))

    @post("/erase", status_code=200)
    async def erase(
        self,
        request: Request[User, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        """Erase the person once the e-mail is typed again in ``confirm``; what was done, kind by kind."""
        try:
            email = checked_email(data.get("email", ""))
        except ValueError as error:
            return await self._page(request, db_session, problem=error)
        if normalised(data.get("confirm", "")) != email:
            problem = field_problem("confirm", Explained(N_("type the same e-mail again to confirm the erasure")))
            found = await subject_data(db_session, email)
            return await self._page(request, db_session, problem=problem, email=email, **subject_context(found))
        try:
            counts = await erase_subject(db_session, email, actor=request.user.email)
        except ValueError as error:
            return message_page(request.user, error, 409)
        erased = [(ERASED_LABELS[kind], count) for kind, count in counts.items()]
        return await self._page(request, db_session, erased=erased)

    @post("/notice/{organisation_id:uuid}", status_code=200)
    async def set_notice(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """The organisation's contact for data questions and its own paragraph per language."""
        organisation = await visible_organisation(db_session, request.user, organisation_id)
        try:
            values = checked_notice({field: data.get(field, "") for field in NOTICE_FIELDS})
        except ValueError as error:
            return await self._page(request, db_session, problem=error)
        await set_notice(db_session, organisation, values, actor=request.user.email)
        return Redirect("/admin/privacy", status_code=303)


def _download(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(body, media_type=media_type, headers=headers)

"""``/waves/<id>/exports``: a closed wave's exports, listed, and each one downloaded (leads; response data: admins)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import LEADS, REFUSAL, allow
from surveys.accounts.models import Role, User
from surveys.explained import N_, Explained
from surveys.exports.services import FORMATS, checked_request, export
from surveys.exports.tables import NotAnalysed, closed_and_analysed
from surveys.i18n import message_page, page_language
from surveys.settings import Settings
from surveys.waves.controllers import wave_for
from surveys.waves.services import WaveStateError

ADMIN_ONLY = frozenset({"responses", "codebook"})
"""The response-level data and its codebook: for admins only."""
FILES = tuple(f"{kind}.{file_format}" for kind, formats in FORMATS.items() for file_format in formats)
NO_SUCH_EXPORT = N_("There is no export %(name)s: the exports are %(files)s.")


class ExportsController(Controller):
    """A closed wave's exports, through the disclosure gate, each download audited."""

    guards = [allow(LEADS)]  # noqa: RUF012 - Litestar's declared attribute
    include_in_schema = False

    @get("/waves/{wave_id:uuid}/exports")
    async def exports_page(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        """The exports the user may take of the wave, in French or English; a message while it is not closed."""
        user = request.user
        wave = await wave_for(db_session, user, wave_id)
        try:
            await closed_and_analysed(db_session, wave)
        except (WaveStateError, NotAnalysed) as error:
            return message_page(user, error, 409)
        return Template(
            "admin/exports.html",
            context={
                "user": user,
                "wave": wave,
                "admin": user.role is Role.ADMIN,
                "language": page_language(request),
                "rules": settings.disclosure_rules,
            },
        )

    @get("/waves/{wave_id:uuid}/exports/{file_name:str}", status_code=200)
    async def download(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        file_name: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        language: FromQuery[str | None] = None,
    ) -> Response[bytes] | Template:
        """One export as an attachment, with ``?language=fr`` or ``en`` (the page's by default).

        The files: ``teams.csv``, ``teams.xlsx``, ``teams.sav``, ``responses.csv``, ``responses.sav`` and
        ``codebook.json``.
        An unknown file is a 404 that lists the offered ones, a wrong language a 400, a wave not closed (or not
        analysed) a 409; response-level data for anyone but an admin, like another organisation's wave, the one
        refusal.
        """
        user = request.user
        kind, _, file_format = file_name.partition(".")
        if file_name not in FILES:
            missing = Explained(NO_SUCH_EXPORT, name=repr(file_name), files=", ".join(FILES))
            return message_page(user, missing, 404)
        if kind in ADMIN_ONLY and user.role is not Role.ADMIN:
            raise PermissionDeniedException(REFUSAL)
        wave = await wave_for(db_session, user, wave_id)
        chosen = page_language(request) if language is None else language
        try:
            checked_request(kind, file_format, chosen)
        except Explained as error:  # a language not offered: the refusal names the field
            return message_page(user, error, 400)
        try:
            made = await export(
                db_session,
                wave,
                kind=kind,
                file_format=file_format,
                language=chosen,
                rules=settings.disclosure_rules,
                actor=user.email,
            )
        except (WaveStateError, NotAnalysed) as error:
            return message_page(user, error, 409)
        return Response(
            content=made.content,
            media_type=made.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{made.file_name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

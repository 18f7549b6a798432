"""The audit log page, for admins."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import ADMINS, allow
from surveys.accounts.models import User
from surveys.audit.services import recent_events


class AuditController(Controller):
    """``/admin/audit``."""

    path = "/admin/audit"
    guards = [allow(ADMINS)]  # noqa: RUF012 - Litestar's declared attribute
    include_in_schema = False

    @get("/")
    async def events(self, request: Request[User, Any, Any], db_session: NamedDependency[AsyncSession]) -> Template:
        """The latest 200 events, newest first."""
        return Template("admin/audit.html", context={"user": request.user, "events": await recent_events(db_session)})

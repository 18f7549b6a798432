"""Who may call what.

Every non-public route declares the roles it admits; scope checks narrow managers to their subtree and everyone
but admins to their own organisation. Refusals say nothing about what exists.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.models import Role, User
from surveys.explained import N_
from surveys.org.models import Organisation

EVERYONE = frozenset(Role)
LEADS = frozenset({Role.ADMIN, Role.HR_LEAD, Role.CX_LEAD})
"""Those who run waves and load rosters."""
ADMINS = frozenset({Role.ADMIN})
REFUSAL = N_("You do not have access to this.")


def allow(roles: frozenset[Role]) -> Guard:
    """A guard admitting signed-in users whose role is in `roles`."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, User) or user.role not in roles:
            raise PermissionDeniedException(REFUSAL)

    return guard


def check_organisation(user: User, organisation_id: uuid.UUID) -> None:
    """Refuse a user of another organisation (admins see every organisation)."""
    if user.role is not Role.ADMIN and user.organisation_id != organisation_id:
        raise PermissionDeniedException(REFUSAL)


async def visible_organisation(session: AsyncSession, user: User, organisation_id: uuid.UUID) -> Organisation:
    """The organisation a page is about, or the 404 page.

    Another organisation's id, real or not, is refused before looking, so a refusal never tells what exists.
    """
    check_organisation(user, organisation_id)
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFoundException()
    return organisation


def check_team(visible: set[uuid.UUID] | None, team_id: uuid.UUID) -> None:
    """Refuse a team outside a manager's subtree (None: the user sees the whole organisation)."""
    if visible is not None and team_id not in visible:
        raise PermissionDeniedException(REFUSAL)

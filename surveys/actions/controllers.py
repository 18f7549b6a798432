"""Action plans on the web: a manager or a lead adds an action from a team's page and follows it; leads list all."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import LEADS, REFUSAL, allow, check_organisation, check_team
from surveys.accounts.models import Role, User
from surveys.accounts.services import visible_team_ids
from surveys.actions.models import ActionPlan, ActionStatus
from surveys.actions.services import new_action, parse_status
from surveys.audit.services import record
from surveys.explained import N_, Explained, field_problem
from surveys.i18n import message_page
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import stored_instrument
from surveys.org.models import Team
from surveys.waves.controllers import wave_and_team_for
from surveys.waves.models import Wave, WaveState

MANAGERS_AND_LEADS = LEADS | {Role.MANAGER}


class ActionsController(Controller):
    """``/waves/<id>/teams/<id>/actions``, ``/actions/<id>/status`` and the leads' ``/actions``."""

    include_in_schema = False

    @post("/waves/{wave_id:uuid}/teams/{team_id:uuid}/actions", guards=[allow(MANAGERS_AND_LEADS)], status_code=303)
    async def create(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        team_id: FromPath[uuid.UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Add an action to a team after a closed wave's results; nothing is stored on any error."""
        user = request.user
        wave, team = await wave_and_team_for(db_session, user, wave_id, team_id)
        if wave.state is not WaveState.CLOSED:
            return message_page(user, N_("An action answers a closed wave's results."), 409)
        instrument = stored_instrument(await db_session.get_one(InstrumentVersion, wave.instrument_version_id))
        try:
            action = new_action(
                team=team,
                wave=wave,
                dimensions=[d.key for d in instrument.dimensions],
                fields=data,
                created_by=user.email,
            )
        except ValueError as error:
            return message_page(user, error, 422)
        try:
            async with db_session.begin_nested():  # a savepoint: a duplicate leaves the rest of the request alone
                db_session.add(action)
        except sa.exc.IntegrityError:  # the same action again (a double click, or two managers at once)
            return Redirect(f"/waves/{wave.id}/teams/{team.id}#actions", status_code=303)
        await record(
            db_session, actor=user.email, action="action.create", organisation_id=team.organisation_id,
            target=team.name, details={"dimension": action.dimension},
        )  # fmt: skip
        return Redirect(f"/waves/{wave.id}/teams/{team.id}#actions", status_code=303)

    @post("/actions/{action_id:uuid}/status", guards=[allow(MANAGERS_AND_LEADS)], status_code=303)
    async def set_status(
        self,
        request: Request[User, Any, Any],
        action_id: FromPath[uuid.UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Move an action on (planned, in progress, done, dropped); the row is locked while it changes."""
        user = request.user
        action = await db_session.get(ActionPlan, action_id, with_for_update=True)
        if action is None:
            raise PermissionDeniedException(REFUSAL)
        check_organisation(user, action.organisation_id)
        check_team(await visible_team_ids(db_session, user), action.team_id)
        try:
            status = parse_status(data.get("status", ""))
        except ValueError as error:
            return message_page(user, error, 422)
        previous, action.status = action.status, status
        await record(
            db_session, actor=user.email, action="action.status", organisation_id=action.organisation_id,
            target=action.title[:100], details={"from": previous.value, "to": status.value},
        )  # fmt: skip
        return Redirect(f"/waves/{action.wave_id}/teams/{action.team_id}#actions", status_code=303)

    @get("/actions", guards=[allow(LEADS)])
    async def list_actions(
        self,
        request: Request[User, Any, Any],
        db_session: NamedDependency[AsyncSession],
        status: FromQuery[str | None] = None,
        branch: FromQuery[str | None] = None,
    ) -> Template:
        """Every action of the lead's organisation (every organisation for admins), in the hierarchy's order.

        ``?status=`` keeps one status, ``?branch=`` one branch of the hierarchy (its teams and those below them).
        """
        user = request.user
        teams_query = sa.select(Team)
        query = (
            sa.select(ActionPlan, Team, Wave)
            .join(Team, Team.id == ActionPlan.team_id)
            .join(Wave, Wave.id == ActionPlan.wave_id)
            .order_by(ActionPlan.created_at.desc())
        )
        if user.role is not Role.ADMIN:
            query = query.where(ActionPlan.organisation_id == user.organisation_id)
            teams_query = teams_query.where(Team.organisation_id == user.organisation_id)
        teams = {team.id: team for team in await db_session.scalars(teams_query)}
        chosen = _branch(branch, teams)
        if branch and chosen is None:
            return message_page(user, field_problem("branch", Explained(N_("no such branch"))), 400)
        if chosen is not None:
            subtree = sa.select(Team.id).where(Team.id == chosen.id).cte("subtree", recursive=True)
            subtree = subtree.union_all(sa.select(Team.id).where(Team.parent_id == subtree.c.id))
            query = query.where(ActionPlan.team_id.in_(sa.select(subtree.c.id)))
        if status:
            try:
                query = query.where(ActionPlan.status == parse_status(status))
            except ValueError as error:
                return message_page(user, error, 400)
        rows = sorted(
            ((action, team, wave) for action, team, wave in (await db_session.execute(query)).all()),
            key=lambda row: [name.casefold() for name in _path(row[1], teams)],
        )  # in the hierarchy's order, the newest action first within a team (a stable sort)
        versions = {wave.instrument_version_id for _, _, wave in rows}
        labels = {}
        for version_id in versions:
            instrument = stored_instrument(await db_session.get_one(InstrumentVersion, version_id))
            labels[version_id] = {d.key: dict(d.label) for d in instrument.dimensions}
        branches = [
            team for team in teams.values() if team.parent_id is not None and teams[team.parent_id].parent_id is None
        ]
        return Template(
            "admin/actions.html",
            context={
                "user": user,
                "rows": [(action, team, wave, _parent_name(team, teams)) for action, team, wave in rows],
                "labels": labels,
                "status": status,
                "statuses": list(ActionStatus),
                "branch": chosen,
                "branches": sorted(branches, key=lambda team: team.name.casefold()),
            },
        )


def _branch(value: str | None, teams: dict[uuid.UUID, Team]) -> Team | None:
    """The team a ``?branch=`` names by id, among the reader's; None when none is named or it is not one of them."""
    try:
        return teams.get(uuid.UUID(value)) if value else None
    except ValueError:
        return None


def _path(team: Team, teams: dict[uuid.UUID, Team]) -> list[str]:
    """The names from the top of the hierarchy down to `team`."""
    names = [team.name]
    while team.parent_id is not None and team.parent_id in teams:
        team = teams[team.parent_id]
        names.append(team.name)
    return names[::-1]


def _parent_name(team: Team, teams: dict[uuid.UUID, Team]) -> str:
    parent = teams.get(team.parent_id) if team.parent_id else None
    return parent.name if parent else ""

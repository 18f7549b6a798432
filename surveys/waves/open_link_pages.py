"""The leads' page of the front-line teams' open links: create them, print their cards, rotate, allow repeats."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import anyio
import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from reports.cards import Card, render_cards
from surveys.accounts.guards import LEADS, allow, visible_organisation
from surveys.accounts.models import User
from surveys.audit.services import record
from surveys.explained import N_, Explained, field_problem, one_of
from surveys.i18n import message_page
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import OpenLink
from surveys.waves.open_links import front_line_teams, open_link_url, rotate_link, team_links

CARD_LANGUAGES = ("team", "fr", "en")
"""A card speaks its team's language (that of most of its customers, else of its employees), or the one chosen."""


async def team_languages(db_session: AsyncSession, team_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each team's language: the one most of its active customers use, else most of its employees, else French."""
    chosen: dict[uuid.UUID, str] = {}
    for people in (Customer, Employee):  # customers read the card; employees stand in for a team with none listed
        counts: dict[uuid.UUID, Counter[str]] = {}
        rows = await db_session.execute(
            sa.select(people.team_id, people.language, sa.func.count())
            .where(people.team_id.in_(team_ids), people.active.is_(True))
            .group_by(people.team_id, people.language)
        )
        for team_id, language, count in rows:
            counts.setdefault(team_id, Counter())[language] = count
        for team_id, counter in counts.items():
            chosen.setdefault(team_id, max(sorted(counter), key=lambda language: counter[language]))
    return {team_id: chosen.get(team_id, "fr") for team_id in team_ids}


class OpenLinkPagesController(Controller):
    """Each front-line team's permanent open link, its card, its rotation and its one-answer-per-browser setting."""

    guards = [allow(LEADS)]  # noqa: RUF012 - Litestar's declared attribute

    @get("/open-links")
    async def own_open_links(self, request: Request[User, Any, Any], db_session: NamedDependency[AsyncSession]) -> Any:
        """The open links of the lead's organisation; an admin first picks one."""
        user = request.user
        if user.organisation_id is not None:
            return Redirect(f"/organisations/{user.organisation_id}/open-links", status_code=303)
        organisations = list(await db_session.scalars(sa.select(Organisation).order_by(Organisation.slug)))
        return Template(
            "admin/open_links.html",
            context={"user": user, "organisation": None, "organisations": organisations, "rows": None},
        )

    @get("/organisations/{organisation_id:uuid}/open-links")
    async def open_links(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Every front-line team with its link, or a button that creates the missing ones."""
        user = request.user
        organisation = await visible_organisation(db_session, user, organisation_id)
        teams = await front_line_teams(db_session, organisation.id)
        links = {
            link.team_id: link
            for link in await db_session.scalars(
                sa.select(OpenLink).where(OpenLink.team_id.in_([team.id for team in teams]))
            )
        }
        rows = [(team, links.get(team.id)) for team in teams]
        return Template(
            "admin/open_links.html",
            context={
                "user": user,
                "organisation": organisation,
                "rows": rows,
                "missing": sum(link is None for _, link in rows),
                "url": lambda code: open_link_url(settings.public_url, code),
            },
        )

    @post("/organisations/{organisation_id:uuid}/open-links")
    async def create_links(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
    ) -> Redirect:
        """Create the links the front-line teams lack; those that exist keep their codes."""
        user = request.user
        organisation = await visible_organisation(db_session, user, organisation_id)
        before = await _link_count(db_session, organisation.id)
        links, _ = await team_links(db_session, await front_line_teams(db_session, organisation.id))
        created = len(links) - before
        await record(
            db_session, actor=user.email, action="open_links.create", organisation_id=organisation.id,
            details={"created": created},
        )  # fmt: skip
        return Redirect(f"/organisations/{organisation.id}/open-links", status_code=303)

    @get("/organisations/{organisation_id:uuid}/open-links/{team_id:uuid}/rotate")
    async def confirm_rotation(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        team_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        """What a rotation does, before it does it: the printed cards stop working."""
        user = request.user
        organisation = await visible_organisation(db_session, user, organisation_id)
        team, link = await _team_link(db_session, organisation, team_id)
        if link is None:
            raise NotFoundException()
        return Template(
            "admin/open_link_rotate.html", context={"user": user, "organisation": organisation, "team": team}
        )

    @post("/organisations/{organisation_id:uuid}/open-links/{team_id:uuid}/rotate")
    async def rotate(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        team_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
    ) -> Redirect:
        """Give the team's link a new code; the old one names no link any more."""
        user = request.user
        organisation = await visible_organisation(db_session, user, organisation_id)
        team, link = await _team_link(db_session, organisation, team_id)
        if link is None:
            raise NotFoundException()
        await rotate_link(db_session, team.id)
        await record(
            db_session, actor=user.email, action="open_link.rotate", organisation_id=organisation.id,
            target=team.external_id,
        )  # fmt: skip
        return Redirect(f"/organisations/{organisation.id}/open-links#team-{team.id}", status_code=303)

    @post("/organisations/{organisation_id:uuid}/open-links/{team_id:uuid}/repeat")
    async def set_repeat(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        team_id: FromPath[uuid.UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Redirect | Template:
        """One answer per browser and wave, or several (a shared tablet at a counter), on an existing link."""
        user = request.user
        organisation = await visible_organisation(db_session, user, organisation_id)
        team, _ = await _team_link(db_session, organisation, team_id)
        choice = data.get("one_per_browser", "")
        if choice not in ("yes", "no"):
            return message_page(user, field_problem("one_per_browser", one_of(["yes", "no"])), 422)
        await team_links(db_session, [team], one_per_browser=choice == "yes")
        await record(
            db_session, actor=user.email, action="open_link.one_per_browser", organisation_id=organisation.id,
            target=team.external_id, details={"one_per_browser": choice == "yes"},
        )  # fmt: skip
        return Redirect(f"/organisations/{organisation.id}/open-links#team-{team.id}", status_code=303)

    @get("/organisations/{organisation_id:uuid}/open-links/cards.pdf")
    async def cards(
        self,
        request: Request[User, Any, Any],
        organisation_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        team: FromQuery[str | None] = None,
        language: FromQuery[str] = "team",
    ) -> Response[bytes] | Template:
        """The printable cards (A6, four to an A4 sheet) of one team, or of every team with a link."""
        user = request.user
        organisation = await visible_organisation(db_session, user, organisation_id)
        if language not in CARD_LANGUAGES:
            return message_page(user, field_problem("language", one_of(list(CARD_LANGUAGES))), 400)
        query = (
            sa.select(Team, OpenLink)
            .join(OpenLink, OpenLink.team_id == Team.id)
            .where(Team.organisation_id == organisation.id)
            .order_by(Team.external_id)
        )
        if team is not None:
            try:
                query = query.where(Team.id == uuid.UUID(team))
            except ValueError:
                return message_page(user, field_problem("team", Explained(N_("no such team"))), 400)
        rows = (await db_session.execute(query)).all()
        if not rows:
            return message_page(user, N_("No team has an open link yet: create the links first."), 404)
        languages = await team_languages(db_session, [row.Team.id for row in rows])
        cards = [
            Card(
                team=row.Team.name,
                organisation=organisation.name,
                url=open_link_url(settings.public_url, row.OpenLink.code),
                language=languages[row.Team.id] if language == "team" else language,  # type: ignore[arg-type]
            )
            for row in rows
        ]
        # A sheet takes about a tenth of a second (a hundred cards about two seconds): off the event loop.
        pdf = await anyio.to_thread.run_sync(render_cards, cards)
        name = f"open-link-cards-{organisation.slug}" + (f"-{rows[0].Team.external_id}" if team else "")
        return Response(
            pdf.data,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{_safe_file_name(name)}.pdf"'},
        )


def _safe_file_name(name: str) -> str:
    """A header-safe file name: letters, digits, hyphens and underscores only (a team id is roster data)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in name)


async def _link_count(db_session: AsyncSession, organisation_id: uuid.UUID) -> int:
    return int(
        await db_session.scalar(
            sa.select(sa.func.count())
            .select_from(OpenLink)
            .join(Team, Team.id == OpenLink.team_id)
            .where(Team.organisation_id == organisation_id)
        )
        or 0
    )


async def _team_link(
    db_session: AsyncSession, organisation: Organisation, team_id: uuid.UUID
) -> tuple[Team, OpenLink | None]:
    """A team of the organisation and its link; a team elsewhere is a 404 (its id says nothing)."""
    team = await db_session.get(Team, team_id)
    if team is None or team.organisation_id != organisation.id:
        raise NotFoundException()
    return team, await db_session.scalar(sa.select(OpenLink).where(OpenLink.team_id == team.id))

"""Front-line teams' permanent open links: created once, kept across waves, rotated on demand, printed as QR codes."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.db import dialect_insert
from surveys.org.models import Team
from surveys.waves.models import OpenLink, Wave, WaveState, WaveTeam

OPEN_LINK_BYTES = 12
"""96 random bits per open-link code: public by design, long enough not to be guessed for another team."""
QR_MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@dataclass(frozen=True, slots=True)
class TeamLink:
    """A front-line team and its open link."""

    team: Team
    link: OpenLink


def new_code() -> str:
    """A fresh open-link code (URL-safe base64, 16 characters)."""
    return secrets.token_urlsafe(OPEN_LINK_BYTES)


async def front_line_teams(
    session: AsyncSession, organisation_id: uuid.UUID, *, wave_id: uuid.UUID | None = None
) -> list[Team]:
    """The teams of an organisation (or of one wave) with no team below them, in the roster's order."""
    child = sa.orm.aliased(Team)
    front_line = ~sa.exists().where(child.parent_id == Team.id)
    query = sa.select(Team).where(Team.organisation_id == organisation_id, front_line)
    if wave_id is not None:
        query = query.join(WaveTeam, (WaveTeam.team_id == Team.id) & (WaveTeam.wave_id == wave_id))
    return list(await session.scalars(query.order_by(Team.external_id)))


async def team_links(
    session: AsyncSession, teams: Sequence[Team], *, one_per_browser: bool | None = None
) -> tuple[list[TeamLink], int]:
    """The open link of each team, created where missing; with `one_per_browser`, set on every one of them.

    Creating is an insert that skips a team whose link another process created a moment ago (the team's link is
    unique), so two leads printing cards at once get the same codes. Returns the links and how many existing ones
    changed their one-answer-per-browser setting.
    """
    if not teams:
        return [], 0
    team_ids = [team.id for team in teams]
    one_each = one_per_browser is not False
    await session.execute(
        dialect_insert(session)(OpenLink)
        .values(
            [
                {"id": uuid.uuid4(), "team_id": team_id, "code": new_code(), "one_per_browser": one_each}
                for team_id in team_ids
            ]
        )
        .on_conflict_do_nothing(index_elements=["team_id"])
    )
    changed = 0
    if one_per_browser is not None:
        result = await session.execute(
            sa.update(OpenLink)
            .where(OpenLink.team_id.in_(team_ids), OpenLink.one_per_browser.is_not(one_per_browser))
            .values(one_per_browser=one_per_browser)
            .execution_options(synchronize_session=False)
        )
        changed = int(result.rowcount)  # type: ignore[attr-defined]
    links = {
        link.team_id: link
        for link in await session.scalars(
            sa.select(OpenLink).where(OpenLink.team_id.in_(team_ids)).execution_options(populate_existing=True)
        )
    }
    return [TeamLink(team, links[team.id]) for team in teams], changed


async def rotate_link(session: AsyncSession, team_id: uuid.UUID) -> OpenLink | None:
    """Give a team's open link a new code: the old one, and every card printed with it, stops working at once."""
    link = await session.scalar(
        sa.update(OpenLink).where(OpenLink.team_id == team_id).values(code=new_code()).returning(OpenLink)
    )
    return link


async def wave_open_for(session: AsyncSession, team_id: uuid.UUID) -> Wave | None:
    """The wave an answer through the team's open link counts for: the open wave covering it, the latest opened."""
    return await session.scalar(
        sa.select(Wave)
        .join(WaveTeam, (WaveTeam.wave_id == Wave.id) & (WaveTeam.team_id == team_id))
        .where(Wave.state == WaveState.OPEN)
        .order_by(Wave.opens_on.desc(), Wave.created_at.desc())
        .limit(1)
    )


def open_link_url(public_url: str, code: str) -> str:
    """The address a card prints and its QR code holds."""
    return f"{public_url}/o/{code}"

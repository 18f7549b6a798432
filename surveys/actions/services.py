"""Creating and following actions, the suggested ones, and what the next wave measures after each."""

from __future__ import annotations

import functools
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.actions.models import ActionPlan, ActionStatus
from surveys.explained import N_, Explained, field_problem, one_of
from surveys.org.models import Team
from surveys.text_checks import checked_date, checked_text
from surveys.waves.models import Wave
from symmetry import stats

SUGGESTIONS = Path(__file__).with_name("suggestions.toml")


@functools.cache
def suggestions() -> dict[str, tuple[dict[str, str], ...]]:
    """Suggested actions by dimension, each in French and English (``suggestions.toml``)."""
    with SUGGESTIONS.open("rb") as handle:
        return {dimension: tuple(actions) for dimension, actions in tomllib.load(handle).items()}


def new_action(
    *,
    team: Team,
    wave: Wave,
    dimensions: list[str],
    fields: dict[str, str],
    created_by: str,
) -> ActionPlan:
    """The action described by the form `fields`, checked; a ValueError names the first field at fault."""
    dimension = fields.get("dimension", "")
    if dimension not in dimensions:
        raise field_problem("dimension", one_of(dimensions))
    title = checked_text(fields.get("title", "").strip(), field="title", max_length=200)
    if not title:
        raise field_problem("title", Explained(N_("required (choose a suggested action or write your own)")))
    owner = checked_text(fields.get("owner", "").strip(), field="owner", max_length=200)
    if not owner:
        raise field_problem("owner", Explained(N_("required (who carries the action)")))
    note = checked_text(fields.get("note", "").strip(), field="note", max_length=2000)
    due = fields.get("due_on", "").strip()
    due_on = checked_date(due, field="due_on") if due else None
    return ActionPlan(
        id=uuid.uuid4(),
        organisation_id=team.organisation_id,
        team_id=team.id,
        wave_id=wave.id,
        dimension=dimension,
        title=title,
        owner=owner,
        due_on=due_on,
        status=ActionStatus.PLANNED,
        note=note,
        created_by=created_by,
    )


def parse_status(value: str) -> ActionStatus:
    """The status a form sends, or a ValueError naming the field."""
    try:
        return ActionStatus(value)
    except ValueError:
        raise field_problem("status", one_of([status.value for status in ActionStatus])) from None


async def team_actions(session: AsyncSession, team_id: uuid.UUID) -> list[tuple[ActionPlan, Wave]]:
    """Every action of a team, newest first, with the wave it answers."""
    rows = await session.execute(
        sa.select(ActionPlan, Wave)
        .join(Wave, Wave.id == ActionPlan.wave_id)
        .where(ActionPlan.team_id == team_id)
        .order_by(ActionPlan.created_at.desc())
    )
    return [(action, wave) for action, wave in rows.all()]


@dataclass(frozen=True, slots=True)
class Change:
    """How a team's score on the action's dimension moved from the action's wave to this one, for one voice."""

    before: stats.MeanEstimate
    after: stats.MeanEstimate
    difference: stats.Difference


def change(before: stats.MeanEstimate | None, after: stats.MeanEstimate | None) -> Change | None:
    """Later minus earlier mean with its Welch interval; None where a side is withheld or too small."""
    if before is None or after is None:
        return None
    sides = [
        stats.GroupStatistics(
            labels=np.array(["team"]),
            n=np.array([estimate.n]),
            mean=np.array([estimate.mean]),
            variance=np.array([estimate.sd**2]),
        )
        for estimate in (after, before)
    ]
    difference = stats.differences_from_statistics(*sides).get("team")
    return None if difference is None else Change(before, after, difference)

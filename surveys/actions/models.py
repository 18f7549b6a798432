"""A team's actions on a dimension, decided after a wave's results."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from sqlalchemy.orm import Mapped, mapped_column

from surveys.db import enum_type


class ActionStatus(enum.StrEnum):
    """Where an action stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class ActionPlan(UUIDAuditBase):
    """One action of a team on one dimension, decided after the results of `wave_id`.

    The note is for the team's manager and the leads: no page for employees or customers shows it.
    """

    __tablename__ = "action_plan"
    # The same action twice on a team after one wave is a double click: the second adds nothing.
    __table_args__ = (sa.UniqueConstraint("team_id", "wave_id", "dimension", "title"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    wave_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    owner: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[dt.date | None]
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus), default=ActionStatus.PLANNED)
    note: Mapped[str] = mapped_column(sa.String(2000), default="")
    created_by: Mapped[str] = mapped_column(sa.String(320))

"""The organisation's roster: teams in a hierarchy, employees, and customers attributed to a team."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from sqlalchemy.orm import Mapped, mapped_column

DEFAULT_TIME_ZONE = "Europe/Paris"


class Organisation(UUIDAuditBase):
    """A company whose teams are surveyed; everything else belongs to one."""

    __tablename__ = "organisation"

    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    time_zone: Mapped[str] = mapped_column(sa.String(64), server_default=DEFAULT_TIME_ZONE)
    """Where the organisation's days begin and end (an IANA name): a wave opens on its opening date and takes
    answers through its closing date, there."""
    privacy_contact: Mapped[str | None] = mapped_column(sa.String(320))
    """Whom respondents write to about their data (the data-protection officer's address), in the privacy notice."""
    privacy_notice_fr: Mapped[str | None] = mapped_column(sa.Text())
    privacy_notice_en: Mapped[str | None] = mapped_column(sa.Text())
    """The organisation's own paragraph in its privacy notice, per language (plain text)."""


class Team(UUIDAuditBase):
    """A team of the HR hierarchy; its identity survives renames and moves through its external id."""

    __tablename__ = "team"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "external_id"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(200))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    manager_email: Mapped[str | None] = mapped_column(sa.String(320))


class Employee(UUIDAuditBase):
    """An employee of a team, invited to the engagement survey."""

    __tablename__ = "employee"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "email"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    language: Mapped[str] = mapped_column(sa.String(2))
    active: Mapped[bool] = mapped_column(default=True)
    """False once a re-import no longer lists the person: kept for past waves' rates, never invited again."""


class Customer(UUIDAuditBase):
    """A customer attributed to the team that served them, invited to the satisfaction survey."""

    __tablename__ = "customer"

    organisation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(320))
    language: Mapped[str] = mapped_column(sa.String(2))
    interaction_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    active: Mapped[bool] = mapped_column(default=True)

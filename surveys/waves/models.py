"""Survey waves and the personal invitations they send."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import DefaultBase, UUIDAuditBase, UUIDBase
from sqlalchemy.orm import Mapped, mapped_column

from surveys.db import enum_type
from symmetry.domain import CustomerForm, Respondent

WAVE_LOCK = {"key_share": True}
"""How a wave's row is locked for a change of state (``FOR NO KEY UPDATE``): two changes take turns, while the
answers being stored, whose foreign key only needs the row to stay, are not held up."""


class WaveState(enum.StrEnum):
    """A wave's life: drafted, scheduled, open, closing, then closed and analysed.

    Scheduled: launched before its opening date. Closing: answers no longer taken, results being computed by a job.
    """

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class Wave(UUIDAuditBase):
    """One survey campaign of an organisation on one instrument version."""

    __tablename__ = "wave"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    instrument_version_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("instrument_version.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    opens_on: Mapped[dt.date] = mapped_column(sa.Date)
    closes_on: Mapped[dt.date] = mapped_column(sa.Date)
    state: Mapped[WaveState] = mapped_column(enum_type(WaveState), default=WaveState.DRAFT)
    reminder_days: Mapped[str] = mapped_column(sa.String(64), server_default="")
    """Days before the closing date on which the scheduler reminds those who have not answered, largest first
    ("7,2"); empty: reminders only when a lead sends them."""
    reminder_rounds: Mapped[int] = mapped_column(server_default="0")
    """How many of those days have had their reminders queued: each is queued once, whatever runs at once."""

    introduction_fr: Mapped[str] = mapped_column(sa.Text, server_default="")
    """The lead's own paragraph for this wave, in French: in its e-mails and on its survey's first page."""
    introduction_en: Mapped[str] = mapped_column(sa.Text, server_default="")
    """The same paragraph in English; a respondent whose language has none reads none."""
    customer_form: Mapped[CustomerForm] = mapped_column(enum_type(CustomerForm), server_default=CustomerForm.FULL.value)
    """The questionnaire its customers answer: the instrument's full one, or its short variant (chosen at creation)."""

    def introduction(self, language: str) -> str:
        """The wave's own paragraph in `language` ("" when the lead wrote none)."""
        return self.introduction_en if language == "en" else self.introduction_fr

    @property
    def reminder_schedule(self) -> list[int]:
        """The days before closing of the automatic reminders, largest first."""
        return [int(day) for day in self.reminder_days.split(",") if day]


class Invitation(UUIDBase):
    """A personal single-use link for one person in one wave.

    Only the token's hash is stored. ``answered`` is the participation record used for response rates and
    reminders; no answer points back to it.
    """

    __tablename__ = "invitation"
    # One invitation per person and wave, whatever runs at once (two launches, two operators).
    __table_args__ = (
        sa.UniqueConstraint("wave_id", "employee_id", name="uq_invitation_wave_id_employee_id"),
        sa.UniqueConstraint("wave_id", "customer_id", name="uq_invitation_wave_id_customer_id"),
    )

    wave_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[Respondent] = mapped_column(enum_type(Respondent))
    employee_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("employee.id", ondelete="CASCADE"))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("customer.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(2))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    answered: Mapped[bool] = mapped_column(default=False)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    link_out: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    """Somebody holds the current link: an e-mail carrying it was sent, or ``wave links`` wrote it. The token made
    at launch is held by nobody."""


class WaveTeam(DefaultBase):
    """A team a wave covers."""

    __tablename__ = "wave_team"

    wave_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)


class OpenLink(UUIDAuditBase):
    """A front-line team's permanent public link for customers who are on no list: a counter, a receipt, a signature.

    The code is public by design (it is printed on a card as a QR code) and outlives waves: an answer through it
    counts for the wave open for its team at that moment, so a printed card serves every wave until the code is
    rotated. Answers are rate-limited per client and, unless ``one_per_browser`` is off, one per browser per wave.
    """

    __tablename__ = "open_link"

    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    one_per_browser: Mapped[bool] = mapped_column(default=True)

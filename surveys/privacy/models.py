"""An organisation's retention policy: how many days each kind of data is kept."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from sqlalchemy.orm import Mapped, mapped_column


class RetentionPolicy(UUIDAuditBase):
    """Days each kind of data is kept (None: kept until someone deletes it).

    An organisation without a row has the defaults of :data:`surveys.privacy.retention.DEFAULT_DAYS`.
    """

    __tablename__ = "retention_policy"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    people_days: Mapped[int | None]
    """Roster people: from the day they became inactive, or a customer's interaction date."""
    invitations_days: Mapped[int | None]
    """Who was invited and the e-mails sent, from a closed wave's closing date: then no longer tied to a person."""
    answers_days: Mapped[int | None]
    """Anonymous answers, from a closed wave's closing date (its stored results and reports stay)."""
    comments_days: Mapped[int | None]
    """Free-text comments, from a closed wave's closing date."""
    reports_days: Mapped[int | None]
    """Rendered PDF reports, from a closed wave's closing date."""
    audit_days: Mapped[int | None]
    """Audit-log events, from the day they happened."""
    last_run_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    """The organisation's date of the last scheduled run: the scheduler runs the policy once a day."""

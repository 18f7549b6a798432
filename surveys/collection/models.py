"""Submitted answers, stored without the identity of whoever gave them."""

from __future__ import annotations

import enum
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import DefaultBase, UUIDBase
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.db import enum_type
from symmetry.domain import Respondent


class Channel(enum.StrEnum):
    """How a response arrived: a personal invitation, or a team's open link (customers only)."""

    INVITATION = "invitation"
    OPEN_LINK = "open_link"


class Response(UUIDBase):
    """One person's answers: team, wave, instrument version and channel only.

    No date and random (v4) ids, rewritten with every submission in the team (:mod:`surveys.collection.scramble`),
    so that neither the key, nor a time, nor the row's place orders responses against the invitations marked
    answered, the reminders sent or the audit log.
    """

    __tablename__ = "response"

    wave_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    instrument_version_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("instrument_version.id"))
    respondent: Mapped[Respondent] = mapped_column(enum_type(Respondent))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    mixing_group: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    """The group of its team's responses it is rewritten with while the wave is open (0 for all once it closes)."""
    answers: Mapped[bytes] = mapped_column(sa.LargeBinary)
    """Its answers, a byte per item of its respondent's questionnaire (:mod:`surveys.collection.packing`)."""

    comments: Mapped[list[Comment]] = relationship(lazy="raise", cascade="all, delete-orphan", passive_deletes=True)


class Comment(DefaultBase):
    """A free-text answer. Never logged; shown only above the comment threshold, shuffled and undated."""

    __tablename__ = "comment"

    response_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)


class SealedResponse(UUIDBase):
    """Answers given through an invitation, encrypted (:mod:`surveys.collection.sealing`) until mixing admits them.

    Written in the transaction that consumes the invitation, so a reader of the database can pair the two; what
    they would learn is sealed. :mod:`surveys.collection.mixing` moves a team's sealed answers of a kind among its
    responses several at once, and closing the wave moves the rest.
    """

    __tablename__ = "sealed_response"
    __table_args__ = (sa.Index("ix_sealed_response_place", "wave_id", "team_id", "respondent"),)

    wave_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("wave.id", ondelete="CASCADE"))
    team_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    respondent: Mapped[Respondent] = mapped_column(enum_type(Respondent))
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)

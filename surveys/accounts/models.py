"""Users and their roles."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from surveys.db import enum_type


class Role(enum.StrEnum):
    """What a user may do. Managers see their own teams and those below; leads and viewers the organisation."""

    ADMIN = "admin"
    HR_LEAD = "hr_lead"
    CX_LEAD = "cx_lead"
    MANAGER = "manager"
    VIEWER = "viewer"


class User(UUIDAuditBase):
    """Someone who signs in. Admins may belong to no organisation; everyone else belongs to one."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(default=True)
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    """Counts the password's changes: a session signed in under an earlier count is no longer valid."""
    language: Mapped[str | None] = mapped_column(sa.String(2))
    """"fr" or "en" once the user has chosen; until then the browser's language, else French."""


class PasswordReset(UUIDAuditBase):
    """A request to set a new password through an e-mailed link: single use, expiring.

    Like a survey token, the link's token exists in clear only in the e-mail; its SHA-256 is recorded once the
    SMTP server has accepted the message (until then the hash is empty and no link works).
    """

    __tablename__ = "password_reset"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

"""Users and their roles."""

from __future__ import annotations

import enum
import uuid

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
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

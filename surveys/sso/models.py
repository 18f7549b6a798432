"""An organisation's OpenID Connect provider and the e-mail domains that sign in through it."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.base import UUIDAuditBase
from sqlalchemy.orm import Mapped, mapped_column


class SsoConfig(UUIDAuditBase):
    """How one organisation's people sign in through its identity provider (at most one per organisation)."""

    __tablename__ = "sso_config"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), unique=True
    )
    issuer: Mapped[str] = mapped_column(sa.String(500))
    """The provider's issuer URL, exactly as its discovery document and ID tokens state it."""
    client_id: Mapped[str] = mapped_column(sa.String(255))
    client_secret_sealed: Mapped[bytes] = mapped_column(sa.LargeBinary())
    """The client secret, AES-256-GCM under a key the database does not hold (:mod:`surveys.sso.secret`)."""
    role_claim: Mapped[str | None] = mapped_column(sa.String(100))
    """The claim whose values give a role (``groups``, for example); None: no role from claims."""
    role_map: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    """``[value, role]`` pairs in order of precedence: the first value the claim holds gives the role."""
    email_roles: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    """Roles by e-mail address, before the claim's."""
    local_passwords: Mapped[bool] = mapped_column(default=True)
    """False: the organisation's people sign in only through the provider (admins without one keep passwords)."""


class SsoDomain(UUIDAuditBase):
    """An e-mail domain whose people sign in through one organisation's provider: a domain has one organisation."""

    __tablename__ = "sso_domain"

    organisation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(sa.String(253), unique=True)

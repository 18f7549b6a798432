"""Recording and reading audit events, inside the caller's transaction so an action and its trace land together."""

from __future__ import annotations

import datetime as dt
import getpass
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.audit.models import AuditEvent


def cli_actor() -> str:
    """The actor of a command-line action: the system user who ran it."""
    return f"cli:{getpass.getuser()}"


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    organisation_id: uuid.UUID | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one event. Details hold counts and names, never answers, tokens or comments."""
    session.add(
        AuditEvent(
            occurred_at=dt.datetime.now(dt.UTC),
            actor=actor,
            action=action,
            organisation_id=organisation_id,
            target=target,
            details=details or {},
        )
    )
    await session.flush()


async def recent_events(
    session: AsyncSession, *, organisation_id: uuid.UUID | None = None, limit: int = 200
) -> list[AuditEvent]:
    """The latest events, newest first, for one organisation or all."""
    query = sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc()).limit(limit)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return list(await session.scalars(query))

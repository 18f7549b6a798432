"""Building and removing an organisation's roster."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.org.models import Organisation


async def find_organisation(session: AsyncSession, slug: str) -> Organisation | None:
    """The organisation with this slug, if any."""
    return await session.scalar(sa.select(Organisation).where(Organisation.slug == slug))


async def delete_organisation(session: AsyncSession, organisation: Organisation) -> None:
    """Delete an organisation and, through the cascades, its roster, waves, answers and results."""
    await session.execute(sa.delete(Organisation).where(Organisation.id == organisation.id))

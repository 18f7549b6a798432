"""Building and removing an organisation's roster."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.explained import N_, Explained
from surveys.org.models import Organisation


def local_today(time_zone: str, now: dt.datetime | None = None) -> dt.date:
    """The date it is `now` (by default, now) in `time_zone`, an IANA name such as ``Europe/Paris``."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def checked_time_zone(value: str) -> str:
    """`value` if it names a time zone (``Europe/Paris``, ``America/Montreal``), else a refusal."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        unknown = N_("unknown time zone %(value)s (an IANA name such as Europe/Paris)")
        raise Explained(unknown, value=repr(value[:64])) from None
    return value


async def organisation_today(session: AsyncSession, organisation_id: uuid.UUID) -> dt.date:
    """Today's date where the organisation is."""
    time_zone = await session.scalar(sa.select(Organisation.time_zone).where(Organisation.id == organisation_id))
    return local_today(time_zone or "UTC")


async def find_organisation(session: AsyncSession, slug: str) -> Organisation | None:
    """The organisation with this slug, if any."""
    return await session.scalar(sa.select(Organisation).where(Organisation.slug == slug))


async def delete_organisation(session: AsyncSession, organisation: Organisation) -> None:
    """Delete an organisation and, through the cascades, its roster, waves, answers and results."""
    await session.execute(sa.delete(Organisation).where(Organisation.id == organisation.id))

"""The scheduled retention run: each organisation's policy applied once a day, on its own date."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from surveys.org.models import Organisation
from surveys.org.services import local_today
from surveys.privacy.retention import scheduled_retention

logger = logging.getLogger("surveys.privacy")


async def apply_retention(ctx: dict[str, Any]) -> dict[str, int]:
    """Apply every organisation's retention policy that has not run today where the organisation is.

    Each organisation in a transaction of its own, its policy row locked: several workers at once run it once.
    """
    session_maker = ctx["session_maker"]
    async with session_maker() as session:
        organisations = list(await session.scalars(sa.select(Organisation.id)))
    ran = 0
    for organisation_id in organisations:
        async with session_maker() as session, session.begin():
            organisation = await session.get(Organisation, organisation_id)
            if organisation is None:
                continue  # deleted meanwhile
            if await scheduled_retention(session, ctx["settings"], organisation, local_today(organisation.time_zone)):
                ran += 1
    if ran:
        logger.info("retention applied for %s organisations", ran)
    return {"organisations": ran}

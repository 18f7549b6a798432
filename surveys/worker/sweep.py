"""The scheduled sweep: what a dead process left undone is enqueued again, and what has expired is purged."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

from surveys.mail.models import DeliveryStatus, EmailDelivery
from surveys.security.models import StoreEntry
from surveys.security.throttle import purge_expired
from surveys.waves.models import Wave, WaveState

logger = logging.getLogger("surveys.worker")
RETRIES_PER_EMAIL = 5
"""Sending runs per e-mail before the sweep leaves a failed one to a person (``symmetry wave send``)."""


async def sweep(ctx: dict[str, Any]) -> dict[str, int]:
    """Re-enqueue what is stuck, purge what has expired.

    Stuck: e-mails left pending, failed (a few times) or held by a dead sender, waves left closing, and batches
    of sealed answers whose mixing job was lost. Expired: sessions and throttle windows.
    """
    from surveys.collection.jobs import mixing_job
    from surveys.collection.mixing import waiting_batches
    from surveys.mail.jobs import email_job
    from surveys.waves.jobs import finish_closing_job

    now = dt.datetime.now(dt.UTC)
    settings = ctx["settings"]
    lease = dt.timedelta(seconds=settings.mail_lease_seconds)
    # A row untouched for a lease is stuck whatever its job says (a dead worker may hold that job as "active"); its
    # new job is keyed by this lease period, so the sweep asks again at most once per period.
    period = int(now.timestamp() // settings.mail_lease_seconds)
    async with ctx["session_maker"]() as session, session.begin():
        stuck = list(
            await session.execute(
                sa.select(EmailDelivery.id, EmailDelivery.updated_at).where(
                    sa.or_(
                        sa.and_(EmailDelivery.status == DeliveryStatus.PENDING, EmailDelivery.updated_at < now - lease),
                        sa.and_(
                            EmailDelivery.status == DeliveryStatus.FAILED,
                            EmailDelivery.attempts < RETRIES_PER_EMAIL * settings.mail_attempts,
                        ),
                        sa.and_(EmailDelivery.status == DeliveryStatus.SENDING, EmailDelivery.lease_until < now),
                    )
                )
            )
        ) if settings.smtp_enabled else []  # fmt: skip
        closing = list(await session.scalars(sa.select(Wave.id).where(Wave.state == WaveState.CLOSING)))
        open_waves = list(await session.scalars(sa.select(Wave.id).where(Wave.state == WaveState.OPEN)))
        batches = await waiting_batches(session, open_waves)
        sessions = await session.execute(sa.delete(StoreEntry).where(StoreEntry.expires_at < now))
        windows = await purge_expired(session)
    for delivery_id, version in stuck:
        await ctx["jobs"].enqueue(email_job(delivery_id, f"{version}:{period}"))
    for wave_id in closing:
        await ctx["jobs"].enqueue(finish_closing_job(wave_id))
    for batch in batches:
        await ctx["jobs"].enqueue(mixing_job(*batch))
    done = {
        "emails": len(stuck),
        "closing": len(closing),
        "batches": len(batches),
        "sessions_purged": int(sessions.rowcount),
        "throttles_purged": windows,
    }
    if any(done.values()):
        logger.info("sweep: %s", done)
    return done

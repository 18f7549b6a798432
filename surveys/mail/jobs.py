"""Sending the outbox, by run or by job.

A run sends the rows of a wave that may be claimed (``symmetry wave send``, ``symmetry report send``); the job
sends one row, keyed by it, so that enqueuing it twice sends it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.mail.models import EmailDelivery, MailKind
from surveys.mail.outbox import DeliveryReport, Mailer, Prepare, SessionMaker, claimable_rows, send_one, send_rows
from surveys.mail.services import prepare_invitation
from surveys.settings import Settings
from surveys.worker.queue import JobRequest

INVITATION_KINDS = (MailKind.INVITATION, MailKind.REMINDER)


def prepare_for(kind: MailKind) -> Prepare:
    """Who composes an e-mail of this kind: the feature that owns it."""
    if kind is MailKind.REPORT_NOTICE:
        from surveys.reporting.delivery import prepare_notice  # reporting builds on mail, not the reverse

        return prepare_notice
    if kind is MailKind.PASSWORD_RESET:
        from surveys.accounts.passwords import prepare_password_reset  # accounts build on mail too

        return prepare_password_reset
    return prepare_invitation


async def deliver(
    session_maker: SessionMaker,
    settings: Settings,
    mailer: Mailer,
    *,
    wave_id: uuid.UUID | None = None,
    kinds: Collection[MailKind] | None = None,
) -> DeliveryReport:
    """Send every row of the outbox that may be claimed now (of one wave and some kinds, if given)."""
    session: AsyncSession
    async with session_maker() as session:
        rows = await claimable_rows(session, wave_id=wave_id, kinds=kinds)
    return await send_rows(session_maker, rows, settings, mailer, prepare_for)


def email_job(delivery_id: uuid.UUID, version: object) -> JobRequest:
    """Send one outbox row: keyed by the row and its version (its last update), tried once per job.

    The same row in the same state is one job however often it is requested; once the row has changed (claimed by a
    sender that died, failed), a new request is a new job, even while the dead worker's job still looks active.
    """
    key = f"email:{delivery_id}:{version}"
    return JobRequest("send_email", key=key, kwargs={"delivery_id": str(delivery_id)}, retries=0)


def wave_emails_job(wave_id: uuid.UUID) -> JobRequest:
    """Send what a wave's outbox holds now (after a launch or a reminder)."""
    return JobRequest("send_wave_emails", key=f"emails:{wave_id}", kwargs={"wave_id": str(wave_id)})


async def send_email(ctx: dict[str, Any], *, delivery_id: str) -> str:
    """The job of one outbox row: claimed, composed, sent and recorded, or left to the sender that holds it."""
    session_maker = ctx["session_maker"]
    async with session_maker() as session:
        kind = await session.scalar(sa.select(EmailDelivery.kind).where(EmailDelivery.id == uuid.UUID(delivery_id)))
    if kind is None:
        return "gone"
    outcome = await send_one(session_maker, uuid.UUID(delivery_id), ctx["settings"], ctx["mailer"], prepare_for(kind))
    return outcome.value


async def send_wave_emails(ctx: dict[str, Any], *, wave_id: str) -> int:
    """One job per claimable row of the wave's outbox (workers send them in parallel); in-process, one after another."""
    session_maker = ctx["session_maker"]
    async with session_maker() as session:
        rows = await claimable_rows(session, wave_id=uuid.UUID(wave_id))
        if not ctx.get("parallel"):
            await session.close()
            await send_rows(session_maker, rows, ctx["settings"], ctx["mailer"], prepare_for)
            return len(rows)
    for delivery_id, _, version in rows:
        await ctx["jobs"].enqueue(email_job(delivery_id, version))
    return len(rows)

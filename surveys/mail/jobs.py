"""Sending the outbox, by run or by job.

A run sends the rows of a wave that may be claimed (``symmetry wave send``, ``symmetry report send``); the job
sends one row, keyed by it, so that enqueuing it twice sends it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from surveys.mail.models import MailKind
from surveys.mail.outbox import DeliveryReport, Mailer, Prepare, SessionMaker, claimable_rows, send_rows
from surveys.mail.services import prepare_invitation
from surveys.settings import Settings

INVITATION_KINDS = (MailKind.INVITATION, MailKind.REMINDER)


def prepare_for(kind: MailKind) -> Prepare:
    """Who composes an e-mail of this kind: the feature that owns it."""
    if kind is MailKind.REPORT_NOTICE:
        from surveys.reporting.delivery import prepare_notice  # reporting builds on mail, not the reverse

        return prepare_notice
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

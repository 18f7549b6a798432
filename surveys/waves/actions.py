"""What launching, reminding and closing a wave do, the same from the CLI and the web.

The state change, the outbox, the results and the audit trail happen in the caller's transaction; sending the
e-mails comes after the commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from surveys.audit.services import record
from surveys.mail.models import MailKind
from surveys.mail.services import queue
from surveys.org.services import organisation_today
from surveys.results.services import analyse, store_analysis, store_team_results
from surveys.settings import Settings
from surveys.waves.models import Wave
from surveys.waves.services import (
    begin_close,
    close_wave,
    extend_wave,
    launch_wave,
    schedule_wave,
    set_introduction,
    unanswered_for_reminder,
)


async def launch(
    session: AsyncSession, wave: Wave, settings: Settings, *, actor: str, today: dt.date | None = None
) -> int:
    """Open the wave and queue the invitations when e-mail is configured; returns the number of invitations.

    A wave whose opening date is still to come is scheduled instead (0 invitations): the scheduler opens it then.
    """
    if wave.opens_on > (today or await organisation_today(session, wave.organisation_id)):
        await schedule_wave(session, wave)
        await record(
            session, actor=actor, action="wave.schedule", organisation_id=wave.organisation_id, target=wave.name
        )
        return 0
    issued = await launch_wave(session, wave)
    if settings.smtp_enabled:
        await queue(session, wave, MailKind.INVITATION, [invitation.invitation_id for invitation in issued])
    await record(
        session,
        actor=actor,
        action="wave.launch",
        organisation_id=wave.organisation_id,
        target=wave.name,
        details={"invitations": len(issued)},
    )
    return len(issued)


async def extend(session: AsyncSession, wave: Wave, closes_on: dt.date, *, actor: str) -> None:
    """Move the wave's closing date later (audited, with both dates)."""
    previous = await extend_wave(session, wave, closes_on, await organisation_today(session, wave.organisation_id))
    await record(
        session,
        actor=actor,
        action="wave.extend",
        organisation_id=wave.organisation_id,
        target=wave.name,
        details={"from": previous.isoformat(), "to": closes_on.isoformat()},
    )


async def introduce(session: AsyncSession, wave: Wave, texts: dict[str, str], *, actor: str) -> None:
    """Write the wave's own paragraph (audited with its lengths: the text is the lead's, not the log's)."""
    await set_introduction(session, wave, texts)
    await record(
        session,
        actor=actor,
        action="wave.introduction",
        organisation_id=wave.organisation_id,
        target=wave.name,
        details={"fr": len(wave.introduction_fr), "en": len(wave.introduction_en)},
    )


async def remind(session: AsyncSession, wave: Wave, settings: Settings, *, actor: str) -> int:
    """Queue a reminder for everyone not yet answered (within the limit)."""
    invitation_ids = await unanswered_for_reminder(session, wave, settings.max_reminders)
    await queue(session, wave, MailKind.REMINDER, invitation_ids)
    await record(
        session,
        actor=actor,
        action="wave.remind",
        organisation_id=wave.organisation_id,
        target=wave.name,
        details={"reminders": len(invitation_ids)},
    )
    return len(invitation_ids)


async def request_close(session: AsyncSession, wave: Wave, *, actor: str) -> None:
    """Stop the wave's answers now; the close itself (scramble, analysis, results) is a job after the commit."""
    await begin_close(session, wave)
    await record(
        session, actor=actor, action="wave.close_requested", organisation_id=wave.organisation_id, target=wave.name
    )


async def close(session: AsyncSession, wave: Wave, settings: Settings, *, actor: str) -> int:
    """Close the wave and store its team results. Returns the number of teams with results."""
    await close_wave(session, wave)
    analysis = await analyse(session, wave, rules=settings.disclosure_rules)
    rows = await store_team_results(session, wave, analysis)
    await store_analysis(session, wave, analysis)
    await record(
        session,
        actor=actor,
        action="wave.close",
        organisation_id=wave.organisation_id,
        target=wave.name,
        details={"team_results": rows, "teams": len(analysis.teams)},
    )
    return len(analysis.teams)

"""What launching, reminding and closing a wave do, the same from the CLI and the web.

The state change, the outbox, the results and the audit trail happen in the caller's transaction; sending the
e-mails comes after the commit.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from surveys.audit.services import record
from surveys.mail.models import MailKind
from surveys.mail.services import queue
from surveys.results.services import analyse, store_analysis, store_team_results
from surveys.settings import Settings
from surveys.waves.models import Wave
from surveys.waves.services import close_wave, launch_wave, unanswered_for_reminder


async def launch(session: AsyncSession, wave: Wave, settings: Settings, *, actor: str) -> int:
    """Open the wave; queue the invitations when e-mail is configured. Returns the number of invitations."""
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

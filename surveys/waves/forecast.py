"""What launching, reminding or closing a wave will do, said before a lead confirms it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.org.models import Customer, Employee
from surveys.org.services import organisation_today
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave, WaveTeam
from surveys.waves.services import reminder_due
from symmetry.domain import Respondent

WaveAction = Literal["launch", "remind", "close"]


@dataclass(frozen=True, slots=True)
class Forecast:
    """The people an action concerns, and the e-mails that leave at once."""

    action: WaveAction
    employees: int
    """Employees to invite (launch), to remind (remind) or who have not answered (close)."""
    customers: int
    without_address: int
    """Of `customers`, those with no e-mail address: they are reached only by a personal link (``wave links``)."""
    inactive: int
    """People of the wave's teams left out because they are inactive (launch only)."""
    emails_now: int
    """E-mails that leave as soon as the action is confirmed (none without an SMTP server, or for a later date)."""
    opens_later: bool
    """A launch before the opening date: the wave is scheduled, and its invitations leave on that date."""


async def forecast(session: AsyncSession, wave: Wave, action: WaveAction, settings: Settings) -> Forecast:
    """What `action` on `wave` will do now: counts only, nothing changed."""
    if action == "launch":
        return await _launch(session, wave, settings)
    where = (
        reminder_due(wave.id, settings.max_reminders)
        if action == "remind"
        else (Invitation.wave_id == wave.id, Invitation.answered.is_(False))
    )
    counts = dict(
        (
            await session.execute(
                sa.select(Invitation.respondent, sa.func.count()).where(*where).group_by(Invitation.respondent)
            )
        ).all()
    )
    without_address = int(
        await session.scalar(
            sa.select(sa.func.count())
            .select_from(Invitation)
            .join(Customer, Customer.id == Invitation.customer_id)
            .where(*where, Customer.email.is_(None))
        )
        or 0
    )
    employees, customers = counts.get(Respondent.EMPLOYEE, 0), counts.get(Respondent.CUSTOMER, 0)
    emails = employees + customers - without_address if action == "remind" and settings.smtp_enabled else 0
    return Forecast(action, employees, customers, without_address, 0, emails, False)


async def _launch(session: AsyncSession, wave: Wave, settings: Settings) -> Forecast:
    covered = sa.select(WaveTeam.team_id).where(WaveTeam.wave_id == wave.id)

    async def count(model: type[Employee] | type[Customer], *where: sa.ColumnElement[bool]) -> int:
        query = sa.select(sa.func.count()).select_from(model).where(model.team_id.in_(covered), *where)
        return int(await session.scalar(query) or 0)

    employees = await count(Employee, Employee.active.is_(True))
    customers = await count(Customer, Customer.active.is_(True))
    without_address = await count(Customer, Customer.active.is_(True), Customer.email.is_(None))
    inactive = await count(Employee, Employee.active.is_(False)) + await count(Customer, Customer.active.is_(False))
    opens_later = wave.opens_on > await organisation_today(session, wave.organisation_id)
    emails = employees + customers - without_address if settings.smtp_enabled and not opens_later else 0
    return Forecast("launch", employees, customers, without_address, inactive, emails, opens_later)

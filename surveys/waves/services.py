"""A wave's life: creation, launch (the invitations), closing."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.org.models import Customer, Employee, Organisation
from surveys.waves.models import Invitation, Wave, WaveState
from symmetry.domain import Respondent

TOKEN_BYTES = 24
"""192 random bits per invitation token."""


class WaveStateError(ValueError):
    """An action that the wave's current state does not allow."""


def hash_token(token: str) -> str:
    """The stored form of an invitation token. Tokens are random, so an unsalted hash cannot be reversed."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """An invitation with its clear token, which exists only in memory until it is delivered."""

    invitation_id: uuid.UUID
    person_id: uuid.UUID
    respondent: Respondent
    team_id: uuid.UUID
    language: str
    token: str


async def create_wave(
    session: AsyncSession,
    organisation: Organisation,
    *,
    name: str,
    instrument_version_id: uuid.UUID,
    opens_on: dt.date,
    closes_on: dt.date,
) -> Wave:
    """A draft wave of the organisation."""
    if closes_on < opens_on:
        raise ValueError(f"closes_on ({closes_on}) is before opens_on ({opens_on})")
    wave = Wave(
        organisation_id=organisation.id,
        instrument_version_id=instrument_version_id,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        state=WaveState.DRAFT,
    )
    session.add(wave)
    await session.flush()
    return wave


async def launch_wave(session: AsyncSession, wave: Wave) -> list[IssuedInvitation]:
    """Open a draft wave and create one invitation per employee and customer of the organisation."""
    if wave.state is not WaveState.DRAFT:
        raise WaveStateError(f"wave {wave.name!r} is {wave.state}; only a draft wave can be launched")
    issued: list[IssuedInvitation] = []
    invitations: list[Invitation] = []
    people: list[tuple[Respondent, Employee | Customer]] = [
        (Respondent.EMPLOYEE, person)
        for person in await session.scalars(
            sa.select(Employee).where(Employee.organisation_id == wave.organisation_id).order_by(Employee.email)
        )
    ]
    people += [
        (Respondent.CUSTOMER, person)
        for person in await session.scalars(
            sa.select(Customer).where(Customer.organisation_id == wave.organisation_id).order_by(Customer.id)
        )
    ]
    for respondent, person in people:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation = Invitation(
            id=uuid.uuid4(),
            wave_id=wave.id,
            team_id=person.team_id,
            respondent=respondent,
            employee_id=person.id if respondent is Respondent.EMPLOYEE else None,
            customer_id=person.id if respondent is Respondent.CUSTOMER else None,
            language=person.language,
            token_hash=hash_token(token),
            answered=False,
        )
        invitations.append(invitation)
        issued.append(IssuedInvitation(invitation.id, person.id, respondent, person.team_id, person.language, token))
    session.add_all(invitations)
    wave.state = WaveState.OPEN
    await session.flush()
    return issued


async def close_wave(session: AsyncSession, wave: Wave) -> None:
    """Stop collection on an open wave."""
    if wave.state is not WaveState.OPEN:
        raise WaveStateError(f"wave {wave.name!r} is {wave.state}; only an open wave can be closed")
    wave.state = WaveState.CLOSED
    await session.flush()

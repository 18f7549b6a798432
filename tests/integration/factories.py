"""Factories for the integration tests: a small organisation with an open wave."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Response
from surveys.collection.packing import unpack_answers
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import register_instrument, stored_instrument
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.waves.models import OpenLink, Wave
from surveys.waves.open_links import front_line_teams, team_links
from surveys.waves.services import IssuedInvitation, create_wave, launch_wave
from symmetry.domain import CustomerForm, Instrument, Respondent


@dataclass
class OpenWave:
    organisation: Organisation
    team: Team
    wave: Wave
    instrument: Instrument
    invitations: list[IssuedInvitation]
    open_links: list[OpenLink]

    def token(self, respondent: Respondent, language: str | None = None) -> str:
        return next(
            invitation.token
            for invitation in self.invitations
            if invitation.respondent is respondent and language in (None, invitation.language)
        )


def complete_answers(
    instrument: Instrument, respondent: Respondent, value: int = 4, form: CustomerForm = CustomerForm.FULL
) -> dict[str, object]:
    """An answer to every question of one population (customers asked `form`), `value` clipped to each scale."""
    return {
        item.id: min(max(value, item.scale.low), item.scale.high) for item in instrument.asked_items(respondent, form)
    }


async def build_open_wave(
    session: AsyncSession, *, more_employees: int = 0, customer_form: CustomerForm = CustomerForm.FULL
) -> OpenWave:
    """An open wave of one team: Ana (fr), Ben (en), `more_employees` others, one customer asked `customer_form`."""
    organisation = Organisation(id=uuid.uuid4(), slug=f"org-{uuid.uuid4().hex[:8]}", name="Test organisation")
    team = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id="T1", name="Team one")
    session.add_all([organisation, team])
    await session.flush()
    session.add_all(
        [
            Employee(organisation_id=organisation.id, team_id=team.id, email="ana@example.com", language="fr"),
            Employee(organisation_id=organisation.id, team_id=team.id, email="ben@example.com", language="en"),
            Customer(organisation_id=organisation.id, team_id=team.id, email="client@example.com", language="en"),
            *(
                Employee(organisation_id=organisation.id, team_id=team.id, email=f"e{n}@example.com", language="fr")
                for n in range(more_employees)
            ),
        ]
    )
    version, instrument = await register_instrument(session, "attention")
    wave = await create_wave(
        session,
        organisation,
        name="W1",
        instrument_version_id=version.id,
        opens_on=dt.date(2026, 1, 5),
        closes_on=dt.date(2026, 1, 25),
        customer_form=customer_form,
    )
    invitations = await launch_wave(session, wave)
    links, _ = await team_links(session, await front_line_teams(session, organisation.id, wave_id=wave.id))
    return OpenWave(organisation, team, wave, instrument, invitations, [team_link.link for team_link in links])


@dataclass(frozen=True)
class StoredResponse:
    """A stored response as the analysis reads it: where it belongs and its answers unpacked."""

    id: uuid.UUID
    team_id: uuid.UUID
    respondent: Respondent
    answers: dict[str, int]


async def stored_responses(session: AsyncSession, wave_id: uuid.UUID | None = None) -> list[StoredResponse]:
    """Every stored response (of one wave, when given) with its answers unpacked through its own instrument version."""
    query = sa.select(Response) if wave_id is None else sa.select(Response).where(Response.wave_id == wave_id)
    rows = (await session.execute(query)).scalars().all()
    instruments = {
        version.id: stored_instrument(version) for version in (await session.scalars(sa.select(InstrumentVersion)))
    }
    return [
        StoredResponse(
            row.id,
            row.team_id,
            row.respondent,
            unpack_answers(instruments[row.instrument_version_id], row.respondent, row.answers),
        )
        for row in rows
    ]

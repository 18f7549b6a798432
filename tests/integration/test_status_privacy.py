"""While a wave is open, no row of the status table moves when someone in a team under the threshold answers."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.services import submit_response
from surveys.instruments.services import register_instrument
from surveys.org.models import Employee, Organisation, Team
from surveys.waves.services import create_wave, launch_wave
from surveys.waves.status import wave_status
from symmetry.disclosure import DisclosureRules
from symmetry.domain import Respondent
from tests.integration.factories import complete_answers


async def test_an_answer_in_a_hidden_team_changes_no_label(session: AsyncSession) -> None:
    organisation = Organisation(id=uuid.uuid4(), slug="g", name="G")
    session.add(organisation)
    await session.flush()
    group = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id="G", name="Group")
    session.add(group)
    await session.flush()
    hidden = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id="C", name="Small", parent_id=group.id)
    shown = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id="D", name="Large", parent_id=group.id)
    session.add_all([hidden, shown])
    await session.flush()
    for team, size in ((hidden, 5), (shown, 6)):
        session.add_all(
            Employee(
                organisation_id=organisation.id,
                team_id=team.id,
                email=f"{team.external_id}{i}@x.example",
                language="en",
            )
            for i in range(size)
        )
    version, instrument = await register_instrument(session, "attention")
    wave = await create_wave(session, organisation, name="W", instrument_version_id=version.id,
                             opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 1, 31))  # fmt: skip
    invitations = await launch_wave(session, wave)
    answers = complete_answers(instrument, Respondent.EMPLOYEE)
    for invitation in invitations:
        if invitation.team_id == shown.id:
            await submit_response(session, invitation.token, answers)

    labels = []
    in_hidden_team = [invitation for invitation in invitations if invitation.team_id == hidden.id]
    for answered in range(5):
        status = await wave_status(session, wave, rules=DisclosureRules())
        labels.append({row.external_id: row.employees_answered_label for row in status.rows})
        rates = {row.external_id: row.shown_teams_rate for row in status.rows}
        assert rates == {"G": 1.0, "C": None, "D": 1.0}  # the group's rate is that of D, the team shown, alone
        if answered < 4:
            await submit_response(session, in_hidden_team[answered].token, answers)
    assert labels[0] == {"G": "6 + 1 team under 5", "C": "fewer than 5", "D": "6"}
    assert all(label == labels[0] for label in labels)  # 0, 1, 2, 3 and 4 answers in C look the same
    await submit_response(session, in_hidden_team[4].token, answers)
    final = {
        row.external_id: row.employees_answered_label
        for row in (await wave_status(session, wave, rules=DisclosureRules())).rows
    }
    assert final == {"G": "11", "C": "5", "D": "6"}

"""Submitting through an invitation token: single use, validated, and stored without identity."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Answer, Response
from surveys.collection.services import SubmissionError, submit_response
from surveys.instruments.services import register_instrument
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.waves.models import Invitation
from surveys.waves.services import IssuedInvitation, WaveStateError, close_wave, create_wave, launch_wave
from symmetry.domain import Respondent

EMPLOYEE_ANSWERS = {"listening.employee": 4, "listening.mirror": 3, "outcome.enps": 9}


@pytest.fixture
async def invitations(session: AsyncSession) -> tuple[list[IssuedInvitation], object]:
    organisation = Organisation(id=uuid.uuid4(), slug=f"org-{uuid.uuid4().hex[:8]}", name="Test organisation")
    team = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id="T1", name="Team one")
    session.add_all([organisation, team])
    await session.flush()
    session.add_all(
        [
            Employee(organisation_id=organisation.id, team_id=team.id, email="ana@example.com", language="fr"),
            Customer(organisation_id=organisation.id, team_id=team.id, email="client@example.com", language="en"),
        ]
    )
    version, _ = await register_instrument(session, "attention")
    wave = await create_wave(
        session,
        organisation,
        name="W1",
        instrument_version_id=version.id,
        opens_on=dt.date(2026, 1, 5),
        closes_on=dt.date(2026, 1, 25),
    )
    return await launch_wave(session, wave), wave


def token_of(issued: list[IssuedInvitation], respondent: Respondent) -> str:
    return next(invitation.token for invitation in issued if invitation.respondent is respondent)


async def test_stored_employee_response_carries_no_identity(session: AsyncSession, invitations: tuple) -> None:
    issued, _wave = invitations
    token = token_of(issued, Respondent.EMPLOYEE)
    await submit_response(session, token, EMPLOYEE_ANSWERS, today=dt.date(2026, 1, 7))

    response_columns = {column.name for column in Response.__table__.columns}
    # sa_orm_sentinel is advanced-alchemy's always-empty column for batched inserts.
    assert response_columns == {
        "id",
        "wave_id",
        "team_id",
        "instrument_version_id",
        "respondent",
        "submitted_on",
        "sa_orm_sentinel",
    }
    row = (await session.execute(sa.select(Response.__table__))).mappings().one()
    assert row["submitted_on"] == dt.date(2026, 1, 7)
    stored_text = " ".join(str(value) for value in row.values())
    assert token not in stored_text
    assert "ana@example.com" not in stored_text
    answers = (await session.execute(sa.select(Answer.item_id, Answer.value))).all()
    assert sorted(answers) == sorted(EMPLOYEE_ANSWERS.items())
    invitation_hashes = await session.scalars(sa.select(Invitation.token_hash))
    assert token not in set(invitation_hashes)


async def test_second_use_of_a_token_is_refused(session: AsyncSession, invitations: tuple) -> None:
    issued, _ = invitations
    token = token_of(issued, Respondent.EMPLOYEE)
    await submit_response(session, token, EMPLOYEE_ANSWERS)
    with pytest.raises(SubmissionError, match="already been used"):
        await submit_response(session, token, EMPLOYEE_ANSWERS)
    assert await session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"listening.customer": 4}, "answers.listening.customer"),
        ({"listening.employee": 6}, "answers.listening.employee"),
        ({"outcome.enps": 11}, "answers.outcome.enps"),
        ({"listening.employee": True}, "answers.listening.employee"),
        ({}, "answers"),
    ],
)
async def test_invalid_answers_name_the_field_and_store_nothing(
    session: AsyncSession, invitations: tuple, answers: dict, field: str
) -> None:
    issued, _ = invitations
    with pytest.raises(SubmissionError) as caught:
        await submit_response(session, token_of(issued, Respondent.EMPLOYEE), answers)
    assert caught.value.field == field
    assert await session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
    assert await session.scalar(sa.select(sa.func.count()).select_from(Invitation).where(Invitation.answered)) == 0


async def test_unknown_token_and_closed_wave_are_refused(session: AsyncSession, invitations: tuple) -> None:
    issued, wave = invitations
    with pytest.raises(SubmissionError, match="unknown invitation"):
        await submit_response(session, "not-a-token", EMPLOYEE_ANSWERS)
    await close_wave(session, wave)
    with pytest.raises(SubmissionError, match="closed"):
        await submit_response(session, token_of(issued, Respondent.CUSTOMER), {"listening.customer": 5})
    with pytest.raises(WaveStateError, match="only an open wave"):
        await close_wave(session, wave)


async def test_each_person_gets_a_distinct_long_token(invitations: tuple) -> None:
    issued, _ = invitations
    tokens = [invitation.token for invitation in issued]
    assert len(issued) == 2
    assert len(set(tokens)) == 2
    assert all(len(token) >= 22 for token in tokens)  # 128 bits in URL-safe base64 need at least 22 characters

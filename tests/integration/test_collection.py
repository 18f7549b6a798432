"""Submitting answers: single use, validated, all or nothing, stored without identity."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.mixing import admit_all
from surveys.collection.models import Channel, Comment, Response, SealedResponse
from surveys.collection.services import FieldProblem, Refusal, SubmissionError, submit_open_response, submit_response
from surveys.db import alchemy_config
from surveys.settings import Settings
from surveys.waves.models import Invitation
from surveys.waves.services import WaveStateError, close_wave, issue_links
from surveys.waves.status import wave_status
from symmetry.disclosure import DisclosureRules
from symmetry.domain import Respondent
from tests.integration.factories import OpenWave, build_open_wave, complete_answers, stored_responses


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


async def answers_kept(session: AsyncSession) -> int:
    """Responses, sealed or admitted."""
    return await count(session, Response) + await count(session, SealedResponse)


async def test_stored_employee_response_carries_no_identity(session: AsyncSession, open_wave: OpenWave) -> None:
    token = open_wave.token(Respondent.EMPLOYEE, "fr")
    answers = complete_answers(open_wave.instrument, Respondent.EMPLOYEE)
    await submit_response(session, token, answers, {"comment.employee": "  Plus de réunions d'équipe.  "})

    # Until mixing admits it, the answer is sealed: its row says where it waits, and nothing readable.
    assert {column.name for column in SealedResponse.__table__.columns} == {
        "id", "wave_id", "team_id", "respondent", "sealed", "sa_orm_sentinel"
    }  # fmt: skip
    sealed = (await session.execute(sa.select(SealedResponse.__table__))).mappings().one()
    assert sealed["team_id"] == open_wave.team.id and await count(session, Response) == 0
    assert b"r\xc3\xa9unions" not in sealed["sealed"] and b"listening" not in sealed["sealed"]
    assert await admit_all(session, open_wave.wave.id) == 1 and await count(session, SealedResponse) == 0

    # sa_orm_sentinel is advanced-alchemy's always-empty column for batched inserts.
    assert {column.name for column in Response.__table__.columns} == {
        "id", "wave_id", "team_id", "instrument_version_id", "respondent", "channel", "mixing_group", "sa_orm_sentinel",
        "answers",
    }  # fmt: skip
    row = (await session.execute(sa.select(Response.__table__))).mappings().one()
    assert row["team_id"] == open_wave.team.id and row["channel"] == Channel.INVITATION
    stored = " ".join(str(value) for value in row.values())
    assert token not in stored and "ana@example.com" not in stored
    assert [stored.answers for stored in await stored_responses(session)] == [answers]
    assert [tuple(row) for row in await session.execute(sa.select(Comment.item_id, Comment.text))] == [
        ("comment.employee", "Plus de réunions d'équipe.")
    ]
    # The participation record says who answered, and nothing joins it to the answers.
    invitation_columns = {column.name for column in Invitation.__table__.columns}
    assert not invitation_columns & {"response_id", "answered_at", "answered_on", "token"}
    assert not {column.name for column in Response.__table__.columns} & {"invitation_id", "employee_id"}
    assert token not in set(await session.scalars(sa.select(Invitation.token_hash)))


async def test_second_use_of_a_token_is_refused(session: AsyncSession, open_wave: OpenWave) -> None:
    token = open_wave.token(Respondent.CUSTOMER)
    answers = complete_answers(open_wave.instrument, Respondent.CUSTOMER)
    await submit_response(session, token, answers)
    with pytest.raises(SubmissionError) as caught:
        await submit_response(session, token, answers)
    assert caught.value.refusal is Refusal.USED and caught.value.status_code == 409
    assert await answers_kept(session) == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"listening.customer": 4}, "answers.listening.customer", "not a question of the employee questionnaire"),
        ({"listening.employee": 6}, "answers.listening.employee", "must be from 1 to 5, got 6"),
        ({"outcome.enps": 11}, "answers.outcome.enps", "must be from 0 to 10, got 11"),
        ({"listening.employee": 3.5}, "answers.listening.employee", "whole number"),
        ({"listening.employee": "4"}, "answers.listening.employee", "whole number"),
        ({"listening.employee": True}, "answers.listening.employee", "whole number"),
        ({"listening.employee": None}, "answers.listening.employee", "an answer is required"),
    ],
)
async def test_each_bad_answer_is_named_and_nothing_is_stored(
    session: AsyncSession, open_wave: OpenWave, change: dict[str, object], field: str, message: str
) -> None:
    answers = {**complete_answers(open_wave.instrument, Respondent.EMPLOYEE), **change}
    answers = {item: value for item, value in answers.items() if value is not None}
    with pytest.raises(SubmissionError) as caught:
        await submit_response(session, open_wave.token(Respondent.EMPLOYEE), answers)
    assert caught.value.refusal is Refusal.INVALID and caught.value.status_code == 422
    assert message in caught.value.errors[field].message
    assert await answers_kept(session) == 0
    assert not any(await session.scalars(sa.select(Invitation.answered)))


async def test_over_long_comment_is_refused(session: AsyncSession, open_wave: OpenWave) -> None:
    answers = complete_answers(open_wave.instrument, Respondent.CUSTOMER)
    with pytest.raises(SubmissionError) as caught:
        await submit_response(session, open_wave.token(Respondent.CUSTOMER), answers, {"comment.customer": "x" * 1001})
    assert caught.value.errors == {
        "comments.comment.customer": FieldProblem("too_long", "at most 1000 characters, got 1001")
    }
    assert await count(session, Comment) == 0


async def test_unknown_token_and_closed_wave_are_refused(session: AsyncSession, open_wave: OpenWave) -> None:
    answers = complete_answers(open_wave.instrument, Respondent.CUSTOMER)
    with pytest.raises(SubmissionError) as unknown:
        await submit_response(session, "not-a-token", answers)
    assert unknown.value.status_code == 404
    await close_wave(session, open_wave.wave)
    with pytest.raises(SubmissionError) as closed:
        await submit_response(session, open_wave.token(Respondent.CUSTOMER), answers)
    assert closed.value.status_code == 410
    assert "closed" in closed.value.errors["token"].message
    with pytest.raises(WaveStateError, match="only an open wave"):
        await close_wave(session, open_wave.wave)


async def test_each_person_gets_a_distinct_long_token(open_wave: OpenWave) -> None:
    tokens = [invitation.token for invitation in open_wave.invitations]
    assert len(tokens) == 3 and len(set(tokens)) == 3
    assert all(len(token) == 32 for token in tokens)  # 24 random bytes (192 bits) in URL-safe base64


async def test_reissued_links_replace_the_old_ones_for_unanswered_invitations_only(
    session: AsyncSession, open_wave: OpenWave
) -> None:
    answered = open_wave.token(Respondent.CUSTOMER)
    await submit_response(session, answered, complete_answers(open_wave.instrument, Respondent.CUSTOMER))
    links = (await issue_links(session, open_wave.wave, reissue=True)).links
    assert sorted(link.email or "" for link in links) == ["ana@example.com", "ben@example.com"]
    old = open_wave.token(Respondent.EMPLOYEE, "fr")
    with pytest.raises(SubmissionError) as caught:
        await submit_response(session, old, complete_answers(open_wave.instrument, Respondent.EMPLOYEE))
    assert caught.value.refusal is Refusal.UNKNOWN
    fresh = next(link.token for link in links if link.email == "ana@example.com")
    await submit_response(session, fresh, complete_answers(open_wave.instrument, Respondent.EMPLOYEE))


async def test_open_link_answers_count_for_its_team_as_customers(session: AsyncSession, open_wave: OpenWave) -> None:
    code = open_wave.open_links[0].code
    answers = complete_answers(open_wave.instrument, Respondent.CUSTOMER, value=5)
    await submit_open_response(session, code, answers)
    await submit_open_response(session, code, answers)
    stored = await session.execute(sa.select(Response.team_id, Response.respondent, Response.channel))
    rows = [tuple(row) for row in stored]
    assert rows == [(open_wave.team.id, Respondent.CUSTOMER, Channel.OPEN_LINK)] * 2
    status = await wave_status(session, open_wave.wave, rules=DisclosureRules())
    (row,) = status.rows  # the rates count them beside the invited customers' own
    assert row.open_link_answers == 2 and row.customers.answered == 0
    with pytest.raises(SubmissionError) as caught:
        await submit_open_response(session, code, complete_answers(open_wave.instrument, Respondent.EMPLOYEE))
    assert "answers.listening.employee" in caught.value.errors


async def test_concurrent_double_submission_stores_exactly_one_response(clean_database: Settings) -> None:
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session, session.begin():
            wave = await build_open_wave(session)
        token = wave.token(Respondent.EMPLOYEE, "fr")
        answers = complete_answers(wave.instrument, Respondent.EMPLOYEE)

        async def submit() -> str:
            async with config.get_session() as session:
                try:
                    async with session.begin():
                        await submit_response(session, token, answers)
                except SubmissionError as error:
                    return error.refusal.value
                return "stored"

        outcomes = await asyncio.gather(*(submit() for _ in range(4)))
        async with config.get_session() as session:
            stored = await answers_kept(session)
    finally:
        await config.get_engine().dispose()
    assert sorted(outcomes) == ["stored", "used", "used", "used"]
    assert stored == 1

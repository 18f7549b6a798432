"""Closing a wave rewrites its responses so that nothing physical pairs one with the invitation it consumed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

import surveys.collection.mixing
from surveys.collection.mixing import admit_batch
from surveys.collection.models import Comment, Response
from surveys.collection.services import submit_response
from surveys.db import alchemy_config
from surveys.settings import Settings
from surveys.waves.models import Wave
from surveys.waves.services import close_wave
from symmetry.domain import Respondent
from tests.integration.factories import build_open_wave, complete_answers, stored_responses


async def test_closing_scrambles_responses_and_keeps_every_answer(
    clean_database: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(surveys.collection.mixing, "MIXING_BATCH", 1)  # each answer admitted as it comes
    config = alchemy_config(clean_database)
    postgres = config.get_engine().dialect.name == "postgresql"
    try:
        async with config.get_session() as session, session.begin():
            wave = await build_open_wave(session)
        for position, invitation in enumerate(wave.invitations):
            async with config.get_session() as session, session.begin():
                answers = complete_answers(wave.instrument, invitation.respondent, value=position + 2)
                stored = await submit_response(
                    session, invitation.token, answers, {f"comment.{invitation.respondent}": f"n{position}"}
                )
            async with config.get_session() as session, session.begin():
                await admit_batch(session, stored.wave_id, stored.team_id, stored.respondent)

        async def snapshot(session: AsyncSession) -> tuple[set[object], list[tuple[object, ...]], set[str]]:
            ids = set(await session.scalars(sa.select(Response.id)))
            answers = sorted(
                (stored.respondent, item, value)
                for stored in await stored_responses(session)
                for item, value in stored.answers.items()
            )
            transactions = set()
            if postgres:
                transactions = {str(x) for x in await session.scalars(sa.text("SELECT xmin::text FROM response"))}
            return ids, answers, transactions

        async with config.get_session() as session:
            before_ids, before_answers, _ = await snapshot(session)
        async with config.get_session() as session, session.begin():
            await close_wave(session, await session.get_one(Wave, wave.wave.id))
        async with config.get_session() as session:
            after_ids, after_answers, response_transactions = await snapshot(session)
            comments = sorted(await session.scalars(sa.select(Comment.text)))
            if postgres:
                invitation_transactions = {
                    str(x) for x in await session.scalars(sa.text("SELECT xmin::text FROM invitation WHERE answered"))
                }
                # Every response now carries the closing transaction's id, which no answered invitation carries.
                assert len(response_transactions) == 1
                assert not response_transactions & invitation_transactions
    finally:
        await config.get_engine().dispose()
    assert len(after_ids) == len(before_ids) == 3
    assert not after_ids & before_ids
    assert after_answers == before_answers
    assert comments == ["n0", "n1", "n2"]
    assert {r for r, _, _ in after_answers} == {Respondent.EMPLOYEE, Respondent.CUSTOMER}

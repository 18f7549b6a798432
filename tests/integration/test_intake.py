"""Intake as the API takes it: one statement per answer, sealed answers mixed in batches, closes that lose nothing."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient

import surveys.collection.sealing
from surveys.app import create_app
from surveys.collection.intake import intake_connection
from surveys.collection.jobs import mixing_job
from surveys.collection.mixing import MIXING_BATCH
from surveys.collection.models import Comment, Response, SealedResponse
from surveys.collection.sealing import UnsealError
from surveys.collection.services import SubmissionError, submit_open_response, submit_response
from surveys.db import alchemy_config
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave, WaveState
from surveys.waves.services import begin_close, close_wave
from surveys.worker.queue import JobRequest
from surveys.worker.sweep import sweep
from symmetry.domain import Respondent
from tests.integration.factories import OpenWave, build_open_wave, complete_answers

EMPLOYEES = 2 + 3 * MIXING_BATCH
SLOW_FUNCTION = """
CREATE FUNCTION slow_sealing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(0.05); RETURN NEW; END $$
"""
SLOW_TRIGGER = (
    "CREATE TRIGGER slow_sealing BEFORE INSERT ON sealed_response FOR EACH ROW EXECUTE FUNCTION slow_sealing()"
)


@pytest.fixture
async def wave(clean_database: Settings) -> OpenWave:
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session, session.begin():
            return await build_open_wave(session, more_employees=EMPLOYEES - 2)
    finally:
        await config.get_engine().dispose()


async def _counts(settings: Settings) -> dict[str, int]:
    """Responses, sealed answers and answered invitations, in one statement: one snapshot, whatever mixes meanwhile."""
    config = alchemy_config(settings)
    counted = {
        "responses": sa.select(sa.func.count()).select_from(Response),
        "sealed": sa.select(sa.func.count()).select_from(SealedResponse),
        "answered": sa.select(sa.func.count()).where(Invitation.answered),
    }
    try:
        async with config.get_session() as session:
            row = (await session.execute(sa.select(*(q.scalar_subquery().label(k) for k, q in counted.items())))).one()
            return {name: int(value) for name, value in row._mapping.items()}
    finally:
        await config.get_engine().dispose()


async def _settled(settings: Settings) -> dict[str, int]:
    """The counts once no answer is sealed, or after ten seconds."""
    for _ in range(100):
        counts = await _counts(settings)
        if not counts["sealed"]:
            break
        await asyncio.sleep(0.1)
    return counts


def _employee_tokens(wave: OpenWave) -> list[str]:
    return [i.token for i in wave.invitations if i.respondent is Respondent.EMPLOYEE]


async def test_the_api_seals_answers_and_its_job_admits_each_batch(clean_database: Settings, wave: OpenWave) -> None:
    answers = complete_answers(wave.instrument, Respondent.EMPLOYEE)
    tokens = _employee_tokens(wave)
    async with AsyncTestClient(app=create_app(clean_database)) as client:
        for token in tokens[: MIXING_BATCH - 1]:
            assert (
                await client.post("/api/v1/responses", json={"token": token, "answers": answers})
            ).status_code == 201
        assert await _counts(clean_database) == {"responses": 0, "sealed": MIXING_BATCH - 1, "answered": 9}
        batch = await client.post("/api/v1/responses", json={"token": tokens[MIXING_BATCH - 1], "answers": answers})
        assert batch.status_code == 201
        # The mixing job the tenth answer asked for runs in the app's process, after the response.
        assert await _settled(clean_database) == {"responses": MIXING_BATCH, "sealed": 0, "answered": MIXING_BATCH}
        extra = await client.post("/api/v1/responses", json={"token": tokens[MIXING_BATCH], "answers": answers})
        assert extra.status_code == 201
    assert await _counts(clean_database) == {"responses": MIXING_BATCH, "sealed": 1, "answered": MIXING_BATCH + 1}


async def test_the_sweep_asks_again_for_a_batch_whose_job_was_lost(clean_database: Settings, wave: OpenWave) -> None:
    answers = complete_answers(wave.instrument, Respondent.EMPLOYEE)
    config = alchemy_config(clean_database)
    asked: list[JobRequest] = []

    class Recorder:
        async def enqueue(self, request: JobRequest) -> None:
            asked.append(request)

    try:
        for token in _employee_tokens(wave)[: MIXING_BATCH + 2]:
            async with intake_connection(config.get_engine()) as connection:
                await submit_response(connection, token, answers)
        ctx = {"settings": clean_database, "session_maker": config.create_session_maker(), "jobs": Recorder()}
        done = await sweep(ctx)
    finally:
        await config.get_engine().dispose()
    assert done["batches"] == 1
    assert [r.key for r in asked] == [mixing_job(wave.wave.id, wave.team.id, Respondent.EMPLOYEE).key]


async def test_a_close_amid_submissions_keeps_every_answer_it_accepted(
    clean_database: Settings, wave: OpenWave
) -> None:
    """Thirty-two people answer while a lead closes the wave: each is stored and counted, or refused; none is lost.

    On PostgreSQL each submission is one statement in autocommit on its own connection, the close another
    connection's transaction: the wave's advisory lock must keep any answer from landing after the close read them.
    A trigger holds each submission 50 ms between consuming its token and committing, so that the close always
    falls in that window (without the lock, sealed answers are left behind, never admitted).
    """
    answers = complete_answers(wave.instrument, Respondent.EMPLOYEE)
    config = alchemy_config(clean_database)
    postgres = config.get_engine().dialect.name == "postgresql"
    if postgres:
        async with config.get_engine().begin() as connection:
            await connection.execute(sa.text(SLOW_FUNCTION))
            await connection.execute(sa.text(SLOW_TRIGGER))

    async def answer(token: str, outcomes: list[str]) -> None:
        try:
            async with intake_connection(config.get_engine()) as connection:
                await submit_response(connection, token, answers)
            outcomes.append("stored")
        except SubmissionError as error:
            outcomes.append(error.refusal.value)

    # Three groups, so that the close falls amid them whatever the machine's speed (a fixed delay let it come
    # before any answer, or after all of them): the first answer at once; the close as soon as one of them is
    # stored, with the second group racing it; the third once the wave is closing, which must all be refused.
    tokens = _employee_tokens(wave)
    groups = (tokens[:16], tokens[16:24], tokens[24:])
    first: list[str] = []
    racing: list[str] = []
    late: list[str] = []
    closing = asyncio.Event()

    async def close_amid() -> None:  # a lead's process, with connections of its own
        for _ in range(2000):
            if "stored" in first:
                break
            await asyncio.sleep(0.005)
        lead = alchemy_config(clean_database)
        try:
            async with lead.get_session() as session, session.begin():
                await begin_close(session, await session.get_one(Wave, wave.wave.id))
            closing.set()
            async with lead.get_session() as session, session.begin():
                await close_wave(session, await session.get_one(Wave, wave.wave.id))
        finally:
            await lead.get_engine().dispose()

    async def second_group() -> None:
        while "stored" not in first:
            await asyncio.sleep(0.005)
        await asyncio.gather(*(answer(token, racing) for token in groups[1]))

    async def last_group() -> None:
        await closing.wait()
        await asyncio.gather(*(answer(token, late) for token in groups[2]))

    try:
        await asyncio.gather(close_amid(), second_group(), last_group(), *(answer(token, first) for token in groups[0]))
    finally:
        if postgres:
            async with config.get_engine().begin() as connection:
                await connection.execute(sa.text("DROP FUNCTION slow_sealing() CASCADE"))
        await config.get_engine().dispose()
    outcomes = first + racing + late
    counts = await _counts(clean_database)
    assert set(outcomes) <= {"stored", "not_open"} and len(outcomes) == EMPLOYEES
    assert "stored" in first and late == ["not_open"] * len(groups[2])
    assert counts == {"responses": outcomes.count("stored"), "sealed": 0, "answered": outcomes.count("stored")}


async def test_a_close_refuses_sealed_answers_it_cannot_open_and_changes_nothing(
    clean_database: Settings, wave: OpenWave, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session, session.begin():
            await submit_response(
                session, _employee_tokens(wave)[0], complete_answers(wave.instrument, Respondent.EMPLOYEE)
            )
        monkeypatch.setenv("SYMMETRY_SECRET_KEY", "another deployment's key")
        surveys.collection.sealing._sealer.cache_clear()
        with pytest.raises(UnsealError, match="another key"):
            async with config.get_session() as session, session.begin():
                await close_wave(session, await session.get_one(Wave, wave.wave.id))
        async with config.get_session() as session:
            state = (await session.get_one(Wave, wave.wave.id)).state
    finally:
        surveys.collection.sealing._sealer.cache_clear()
        await config.get_engine().dispose()
    assert state is WaveState.OPEN
    assert await _counts(clean_database) == {"responses": 0, "sealed": 1, "answered": 1}


async def test_sealed_answers_are_all_one_length_whatever_their_comment(
    clean_database: Settings, wave: OpenWave
) -> None:
    # A length that grew with the comment would tell a reader which invitation wrote the long comment a report shows.
    answers = complete_answers(wave.instrument, Respondent.EMPLOYEE)
    comments = [{}, {"comment.employee": "Oui."}, {"comment.employee": "é" * 1000}, {"comment.employee": "🙂" * 1000}]
    config = alchemy_config(clean_database)
    try:
        for token, comment in zip(_employee_tokens(wave), comments, strict=False):
            async with intake_connection(config.get_engine()) as connection:
                await submit_response(connection, token, answers, comment)
        async with config.get_session() as session:
            lengths = {len(blob) for blob in await session.scalars(sa.select(SealedResponse.sealed))}
            await close_wave(session, await session.get_one(Wave, wave.wave.id))
            texts = sorted(await session.scalars(sa.select(Comment.text)))
            await session.commit()
    finally:
        await config.get_engine().dispose()
    assert len(lengths) == 1
    assert texts == sorted(["Oui.", "é" * 1000, "🙂" * 1000])  # and they open whole


async def test_a_close_waits_for_an_open_link_answer_being_stored_and_keeps_it(
    clean_database: Settings, wave: OpenWave
) -> None:
    """An open-link answer has no token to consume: it must still hold the wave's intake lock until it commits.

    On PostgreSQL the test sees the close queue behind that lock; on SQLite the answer's write transaction keeps
    the close waiting for the write lock. Either way the answer is in the closed wave.
    """
    config, lead = alchemy_config(clean_database), alchemy_config(clean_database)
    postgres = config.get_engine().dialect.name == "postgresql"
    try:
        async with config.get_session() as customer:
            await customer.begin()
            answers = complete_answers(wave.instrument, Respondent.CUSTOMER)
            await submit_open_response(customer, wave.open_links[0].code, answers)  # stored, not yet committed

            async def close() -> None:
                async with lead.get_session() as session, session.begin():
                    await begin_close(session, await session.get_one(Wave, wave.wave.id))

            closing = asyncio.create_task(close())
            if postgres:
                async with lead.get_engine().connect() as watcher:  # the close queues behind the open link's lock
                    waiting = 0
                    for _ in range(200):
                        waiting = await watcher.scalar(
                            sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                        )
                        if waiting:
                            break
                        await asyncio.sleep(0.02)
                assert waiting == 1
            else:
                await asyncio.sleep(0.2)
            assert not closing.done()
            await customer.commit()
        await closing
        async with config.get_session() as session, session.begin():
            await close_wave(session, await session.get_one(Wave, wave.wave.id))
    finally:
        await config.get_engine().dispose()
        await lead.get_engine().dispose()
    assert (await _counts(clean_database))["responses"] == 1  # the open-link answer is in the closed wave

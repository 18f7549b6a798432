"""What admitting a batch of sealed answers costs, with its mixing group rewritten, beside admitting it alone.

One team of 1,000 employees on PostgreSQL (``BENCH_SERVER_URL``); employees answer one transaction at a time,
through `submit_response` as the web does, and the team's sealed answers are admitted a batch
(``MIXING_BATCH``, 10) at a time, as the mixing job does. The admission of a batch is timed with 0, 50, 200 and
800 responses already in the team, twice in one run: as Symmetry does it (the batch written, then its mixing
group, at most 100 responses, rewritten in a random order), and with the rewrite turned off (the batch written,
nothing more): the floor. This is the worker's share of each answer, off the submission's path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import time
import uuid

import asyncpg

import surveys.collection.mixing as mixing
from surveys.collection.services import submit_response
from surveys.db import alchemy_config
from surveys.instruments.loader import load_instrument
from surveys.instruments.services import register_instrument
from surveys.migrations import upgrade
from surveys.org.models import Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.services import IssuedInvitation, create_wave, launch_wave
from symmetry.domain import Respondent

SERVER = os.environ.get("BENCH_SERVER_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
DATABASE = "symmetry_bench_mixing"
EMPLOYEES = 1_000
MARKS = (0, 50, 200, 800)
TIMED = 5
"""Batches timed per mark."""


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(SERVER.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _launch(settings: Settings) -> list[IssuedInvitation]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug=f"bench-{uuid.uuid4().hex[:6]}", name="Bench")
            team = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id="T", name="Team")
            session.add_all([organisation, team])
            await session.flush()
            session.add_all(
                Employee(organisation_id=organisation.id, team_id=team.id, email=f"e{i}@x.example", language="en")
                for i in range(EMPLOYEES)
            )
            version, _ = await register_instrument(session, "attention")
            wave = await create_wave(session, organisation, name="W", instrument_version_id=version.id,
                                     opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 1, 31))  # fmt: skip
            return [i for i in await launch_wave(session, wave) if i.respondent is Respondent.EMPLOYEE]
    finally:
        await config.get_engine().dispose()


async def _answer(settings: Settings, tokens: list[str]) -> list[float]:
    """Answer with each token, admitting each batch as it fills; the seconds each admission took."""
    config = alchemy_config(settings)
    answers = {item.id: 4 for item in load_instrument("attention").items_for(Respondent.EMPLOYEE)}
    seconds = []
    try:
        for position, token in enumerate(tokens, 1):
            async with config.get_session() as session, session.begin():
                stored = await submit_response(session, token, answers)
            if position % mixing.MIXING_BATCH == 0:
                started = time.perf_counter()
                async with config.get_session() as session, session.begin():
                    await mixing.admit_batch(session, stored.wave_id, stored.team_id, stored.respondent)
                seconds.append(time.perf_counter() - started)
    finally:
        await config.get_engine().dispose()
    return seconds


async def _run(settings: Settings, rewrite: bool) -> dict[int, float]:
    tokens = [invitation.token for invitation in await _launch(settings)]
    original = mixing.rewrite_responses

    async def write_only(*_: object, **__: object) -> int:
        return 0

    mixing.rewrite_responses = original if rewrite else write_only  # type: ignore[assignment]
    medians: dict[int, float] = {}
    done = 0
    per_mark = TIMED * mixing.MIXING_BATCH
    try:
        for mark in MARKS:
            await _answer(settings, tokens[done:mark])  # fill the team up to the mark, untimed
            medians[mark] = statistics.median(await _answer(settings, tokens[mark : mark + per_mark]))
            done = mark + per_mark
    finally:
        mixing.rewrite_responses = original
    return medians


def main() -> None:
    url = SERVER.rsplit("/", 1)[0] + f"/{DATABASE}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{DATABASE}"'))
    try:
        settings = Settings(environment="test", database_url=url)
        upgrade(settings)
        floor = asyncio.run(_run(settings, rewrite=False))
        rewritten = asyncio.run(_run(settings, rewrite=True))
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    print(f"admitting a batch of {mixing.MIXING_BATCH} sealed answers, one transaction, PostgreSQL, median of {TIMED}:")
    print("responses already in the team | batch written (floor) | with its mixing group rewritten | ratio")
    for mark in MARKS:
        print(f"{mark:>30} | {floor[mark] * 1000:>17.1f} ms | {rewritten[mark] * 1000:>28.1f} ms | "
              f"{rewritten[mark] / floor[mark]:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()

"""What rewriting a team's responses at every submission costs, beside the floor of storing the answer alone.

One team of 1,000 employees on PostgreSQL (``BENCH_SERVER_URL``); employees answer one transaction at a time,
through `submit_response`, as the web and the API do. Timed per submission, with 0, 50, 200 and 800 responses
already in the team, twice in one run: as Symmetry does it (the responses of the submission's mixing group, at
most 100, rewritten in a random order), and with the rewrite turned off (the answer stored and the invitation
consumed, nothing more): the floor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import time
import uuid

import asyncpg

import surveys.collection.services as collection
from surveys.db import alchemy_config
from surveys.instruments.loader import load_instrument
from surveys.instruments.services import register_instrument
from surveys.migrations import upgrade
from surveys.org.models import Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.services import IssuedInvitation, create_wave, launch_wave
from symmetry.domain import Respondent

SERVER = os.environ.get("BENCH_SERVER_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
DATABASE = "symmetry_bench_rewrite"
EMPLOYEES = 1_000
MARKS = (0, 50, 200, 800)
TIMED = 20


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
    config = alchemy_config(settings)
    answers = {item.id: 4 for item in load_instrument("attention").items_for(Respondent.EMPLOYEE)}
    seconds = []
    try:
        for token in tokens:
            started = time.perf_counter()
            async with config.get_session() as session, session.begin():
                await collection.submit_response(session, token, answers)
            seconds.append(time.perf_counter() - started)
    finally:
        await config.get_engine().dispose()
    return seconds


async def _run(settings: Settings, rewrite: bool) -> dict[int, float]:
    tokens = [invitation.token for invitation in await _launch(settings)]
    original = collection.rewrite_after_submission

    async def store_only(*_: object) -> None:
        return None

    collection.rewrite_after_submission = original if rewrite else store_only  # type: ignore[assignment]
    medians: dict[int, float] = {}
    done = 0
    try:
        for mark in MARKS:
            await _answer(settings, tokens[done:mark])  # fill the team up to the mark, untimed
            timed = await _answer(settings, tokens[mark : mark + TIMED])
            medians[mark] = statistics.median(timed)
            done = mark + TIMED
    finally:
        collection.rewrite_after_submission = original
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
    print(f"median per submission, one transaction each, PostgreSQL, median of {TIMED}:")
    print("responses already in the team | store only (floor) | with its mixing group rewritten | ratio")
    for mark in MARKS:
        print(f"{mark:>30} | {floor[mark] * 1000:>14.1f} ms | {rewritten[mark] * 1000:>28.1f} ms | "
              f"{rewritten[mark] / floor[mark]:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()

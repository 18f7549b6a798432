"""The floor of answer intake: a bare Litestar endpoint that decodes the answers with msgspec and does one INSERT.

``uvicorn --factory intake_floor:create_app`` with ``FLOOR_DATABASE_URL`` set to ``postgresql://...`` (asyncpg,
a pool) or ``sqlite:///path`` (aiosqlite, one connection, a commit per answer). No validation beyond the JSON's
shape, no token check, no anonymity: what any endpoint that stores an answer must at least spend.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
import asyncpg
import msgspec
from litestar import Litestar, post

TABLE = "CREATE TABLE IF NOT EXISTS floor_response (token text NOT NULL, answers text NOT NULL)"


class Submission(msgspec.Struct):
    token: str
    answers: dict[str, int]


def create_app() -> Litestar:
    url = os.environ["FLOOR_DATABASE_URL"]
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def database(_: Litestar) -> AsyncIterator[None]:
        if url.startswith("postgresql"):
            state["pool"] = await asyncpg.create_pool(url, min_size=10, max_size=10)
            await state["pool"].execute(TABLE)
        else:
            state["sqlite"] = await aiosqlite.connect(url.removeprefix("sqlite:///"), timeout=30)
            state["writing"] = asyncio.Lock()  # one connection: each INSERT and its commit in turn
            await state["sqlite"].execute("PRAGMA journal_mode=WAL")
            await state["sqlite"].execute(TABLE)
        try:
            yield
        finally:
            if "pool" in state:
                await state["pool"].close()
            else:
                await state["sqlite"].close()

    @post("/api/v1/responses", status_code=201)
    async def submit(data: Submission) -> dict[str, str]:
        answers = json.dumps(data.answers)
        if "pool" in state:
            await state["pool"].execute("INSERT INTO floor_response VALUES ($1, $2)", data.token, answers)
        else:
            async with state["writing"]:
                await state["sqlite"].execute("INSERT INTO floor_response VALUES (?, ?)", (data.token, answers))
                await state["sqlite"].commit()
        return {"status": "recorded"}

    return Litestar([submit], lifespan=[database])

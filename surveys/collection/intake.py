"""Taking an answer in: its token consumed and its answers stored sealed, in one statement where it can be.

On PostgreSQL one statement of data-modifying CTEs marks the invitation answered and inserts the sealed answers,
in autocommit: one round trip, atomic. On SQLite, the UPDATE ... RETURNING and the INSERT run in one write
transaction. Either way the token is consumed by a conditional UPDATE, so of two concurrent submissions of one
token exactly one is stored.

So that the statement need not be preceded by a SELECT of the invitation and its wave, the answers are checked
first against the questionnaires of the waves open now (:class:`OpenQuestionnaires`, kept a second per
process), and the statement consumes the token only if its wave and kind are among those the answers are valid
for, and if its wave takes answers at that moment. When it consumes nothing, the caller reads the invitation to
say why (unknown, used, closed, invalid): the cache only saves work, the statement decides.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from surveys.collection.sealing import sealed_size
from surveys.instruments.services import instrument_in_use
from surveys.text_checks import CONTROL
from surveys.waves.models import Wave, WaveState
from symmetry.domain import CustomerForm, Instrument, Respondent

INTAKE_LOCKS = 0x53594D
"""First key of intake's advisory locks on PostgreSQL, the second being the wave's (migration 0014): a submission
holds its wave's lock shared while it stores, a close takes it exclusively to stop them."""
Database = AsyncSession | AsyncConnection

CONSUME_AND_SEAL = """
    WITH consumed AS (
        UPDATE invitation SET answered = true
        WHERE token_hash = $1 AND NOT answered
          AND (wave_id, respondent) IN (SELECT * FROM unnest($2::uuid[], $3::varchar[]))
          AND symmetry_wave_takes_answers(wave_id)
        RETURNING wave_id, team_id, respondent
    ), sealed AS (
        INSERT INTO sealed_response (id, wave_id, team_id, respondent, sealed)
        SELECT gen_random_uuid(), wave_id, team_id, respondent, $4 FROM consumed
        RETURNING wave_id, team_id, respondent
    )
    SELECT wave_id, team_id, respondent FROM sealed
"""
"""The PostgreSQL form, in asyncpg's own parameters: sent by the driver itself on an intake connection (a third
less CPU than through SQLAlchemy), by SQLAlchemy in a session's transaction."""


def dialect(database: Database) -> str:
    """The database's kind: ``postgresql`` or ``sqlite``."""
    return (database.get_bind() if isinstance(database, AsyncSession) else database).dialect.name


def database_url(database: Database) -> str:
    """The URL of the database as the engine was given it: the key of this process's caches, the sealing key's file."""
    bind = database.get_bind() if isinstance(database, AsyncSession) else database
    return bind.engine.url.render_as_string(hide_password=False)


@asynccontextmanager
async def session_on(database: Database) -> AsyncIterator[AsyncSession]:
    """An ORM session on this database: the caller's own, or one on its connection (closed after the block)."""
    if isinstance(database, AsyncSession):
        yield database
        return
    async with AsyncSession(bind=database) as session:
        yield session


async def wave_takes_answers(session: AsyncSession, wave_id: uuid.UUID) -> bool:
    """For a store that is not the intake statement (an open link): whether the wave takes answers now.

    On PostgreSQL this holds the wave's intake lock shared until the transaction ends, as the intake statement
    does, so that a close waits for the store; on SQLite the write transaction already keeps the close out.
    """
    if dialect(session) != "postgresql":
        return True
    return bool(await session.scalar(sa.select(sa.func.symmetry_wave_takes_answers(wave_id))))


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a consumed token's answers wait."""

    wave_id: uuid.UUID
    team_id: uuid.UUID
    respondent: Respondent


async def consume_and_seal(
    database: Database, token_hash: str, places: Sequence[tuple[uuid.UUID, Respondent]], sealed: bytes
) -> Stored | None:
    """Consume the token if its (wave, kind) is one of `places` and its wave takes answers; None if it was not."""
    if not places:
        return None
    if dialect(database) == "postgresql":
        arguments = (token_hash, [wave_id for wave_id, _ in places], [kind.value for _, kind in places], sealed)
        if isinstance(database, AsyncConnection):  # in autocommit (intake_connection): the statement alone
            driver: Any = (await database.get_raw_connection()).driver_connection
            row = await driver.fetchrow(CONSUME_AND_SEAL, *arguments)
        else:
            connection = await database.connection()
            row = (await connection.exec_driver_sql(CONSUME_AND_SEAL, arguments)).one_or_none()
        return None if row is None else Stored(row[0], row[1], Respondent(row[2]))
    connection = database if isinstance(database, AsyncConnection) else await database.connection()
    consumed: Any = (
        await connection.exec_driver_sql(
            _sqlite_consume(len(places)),
            (token_hash, *(value for wave_id, kind in places for value in (wave_id.bytes, kind.value))),
        )
    ).one_or_none()
    if consumed is None:
        return None
    wave_id, team_id, respondent = uuid.UUID(bytes=consumed[0]), uuid.UUID(bytes=consumed[1]), consumed[2]
    await connection.exec_driver_sql(
        SQLITE_SEAL, (uuid.uuid4().bytes, wave_id.bytes, team_id.bytes, respondent, sealed)
    )
    return Stored(wave_id, team_id, Respondent(respondent))


@functools.cache
def _sqlite_consume(places: int) -> str:
    """The SQLite form for so many (wave, kind) places, in the driver's own parameters (ids as 16 bytes).

    Built once: SQLAlchemy's statements, built and keyed for its cache at every request, cost a quarter of its CPU.
    """
    return f"""
    UPDATE invitation SET answered = 1
    WHERE token_hash = ? AND answered = 0
      AND (wave_id, respondent) IN (VALUES {", ".join(["(?, ?)"] * places)})
      AND wave_id IN (SELECT id FROM wave WHERE state = 'open')
    RETURNING wave_id, team_id, respondent
    """


SQLITE_SEAL = "INSERT INTO sealed_response (id, wave_id, team_id, respondent, sealed) VALUES (?, ?, ?, ?, ?)"


async def stop_intake(session: AsyncSession, wave_id: uuid.UUID) -> None:
    """Before a wave leaves the open state: wait for the submissions storing into it, and turn new ones away.

    On PostgreSQL the exclusive lock waits for every statement that holds it shared, and makes the next ones find
    it taken (they are refused as closing) until this transaction commits the wave's new state. On SQLite, the
    write lock this transaction holds already keeps every other writer out.
    """
    if dialect(session) == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(INTAKE_LOCKS, sa.func.hashtext(str(wave_id)))))


_SQLITE_WRITERS: weakref.WeakKeyDictionary[sa.Engine, asyncio.Lock] = weakref.WeakKeyDictionary()
"""One lock per engine, so per event loop (an engine's connections belong to the loop that opened them)."""


@asynccontextmanager
async def intake_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for one submission, committed when the block ends without error.

    In autocommit on PostgreSQL, where the statement is its own transaction; in one write transaction on SQLite.
    """
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")
        return
    # SQLite has one writer: this process's submissions queue here rather than in SQLite's busy handler, which
    # polls with growing sleeps (p99 fifteen times the p50); other writers still wait for its busy timeout.
    async with _SQLITE_WRITERS.setdefault(engine.sync_engine, asyncio.Lock()), engine.begin() as connection:
        yield connection


@dataclass(frozen=True, slots=True)
class OpenQuestionnaire:
    """The questionnaire of one kind in one open wave, with what its answers may be."""

    wave_id: uuid.UUID
    respondent: Respondent
    scales: Mapping[str, tuple[int, int]]
    """Every question's item id and the lowest and highest answers."""
    comment_lengths: Mapping[str, int]
    sealed_size: int

    @classmethod
    def of(
        cls,
        wave_id: uuid.UUID,
        respondent: Respondent,
        instrument: Instrument,
        form: CustomerForm = CustomerForm.FULL,
    ) -> OpenQuestionnaire:
        """The questionnaire of `respondent` in `instrument`, customers asked `form`.

        Its sealed size is the full questionnaire's, whatever the form: one size for a wave's answers of a kind.
        """
        return cls(
            wave_id,
            respondent,
            {item.id: (item.scale.low, item.scale.high) for item in instrument.asked_items(respondent, form)},
            {comment.id: comment.max_length for comment in instrument.comments_for(respondent)},
            sealed_size(instrument, respondent),
        )

    def passes(self, answers: Mapping[str, object], comments: Mapping[str, object]) -> bool:
        """Whether ``check_submission`` finds nothing wrong (it says what is wrong), in a fifth of its time."""
        scales = self.scales
        if len(answers) != len(scales):
            return False
        for item_id, value in answers.items():
            scale = scales.get(item_id)
            if scale is None or type(value) is not int or not scale[0] <= value <= scale[1]:
                return False
        for comment_id, text in comments.items():
            limit = self.comment_lengths.get(comment_id)
            if limit is None or type(text) is not str or CONTROL.search(text) or len(text.strip()) > limit:
                return False
        return True


class OpenQuestionnaires:
    """The questionnaires of the open waves, read at most every `seconds` by this process."""

    def __init__(self, seconds: float = 1.0) -> None:
        self.seconds = seconds
        self._read_at = -float("inf")
        self._questionnaires: list[OpenQuestionnaire] = []

    async def current(self, database: Database) -> list[OpenQuestionnaire]:
        """The open waves' questionnaires as of at most `seconds` ago.

        Submissions that find them stale at once each read them (a few reads, once a second): cheaper than a lock,
        which would also tie this process-wide object to one event loop.
        """
        if time.monotonic() - self._read_at >= self.seconds:
            self._questionnaires = await self._read(database)
            self._read_at = time.monotonic()
        return self._questionnaires

    @staticmethod
    async def _read(database: Database) -> list[OpenQuestionnaire]:
        waves = (
            await database.execute(
                sa.select(Wave.id, Wave.instrument_version_id, Wave.customer_form).where(Wave.state == WaveState.OPEN)
            )
        ).all()
        async with session_on(database) as session:
            return [
                OpenQuestionnaire.of(wave_id, respondent, await instrument_in_use(session, version_id), form)
                for wave_id, version_id, form in waves
                for respondent in Respondent
            ]


_OPEN: dict[str, OpenQuestionnaires] = {}


def open_questionnaires(database: Database) -> OpenQuestionnaires:
    """The open waves of this database, as this process last read them."""
    return _OPEN.setdefault(database_url(database), OpenQuestionnaires())

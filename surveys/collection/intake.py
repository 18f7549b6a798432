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

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from surveys.collection.models import SealedResponse
from surveys.instruments.services import instrument_in_use
from surveys.waves.models import Invitation, Wave, WaveState
from symmetry.domain import Instrument, Respondent

INTAKE_LOCKS = 0x53594D
"""First key of intake's advisory locks on PostgreSQL, the second being the wave's (migration 0014): a submission
holds its wave's lock shared while it stores, a close takes it exclusively to stop them."""
Database = AsyncSession | AsyncConnection

CONSUME_AND_SEAL = sa.text(
    """
    WITH consumed AS (
        UPDATE invitation SET answered = true
        WHERE token_hash = :token_hash AND NOT answered
          AND (wave_id, respondent) IN (SELECT * FROM unnest(CAST(:waves AS uuid[]), CAST(:kinds AS varchar[])))
          AND symmetry_wave_takes_answers(wave_id)
        RETURNING wave_id, team_id, respondent
    ), sealed AS (
        INSERT INTO sealed_response (id, wave_id, team_id, respondent, sealed)
        SELECT gen_random_uuid(), wave_id, team_id, respondent, :sealed FROM consumed
        RETURNING wave_id, team_id, respondent
    )
    SELECT wave_id, team_id, respondent, 1 + (
        SELECT count(*) FROM sealed_response AS waiting
        WHERE waiting.wave_id = sealed.wave_id AND waiting.team_id = sealed.team_id
          AND waiting.respondent = sealed.respondent
    ) AS waiting
    FROM sealed
    """
)
"""The PostgreSQL form. The count reads the statement's snapshot, which does not hold the row it inserts."""


def dialect(database: Database) -> str:
    """The database's kind: ``postgresql`` or ``sqlite``."""
    return (database.get_bind() if isinstance(database, AsyncSession) else database).dialect.name


def database_url(database: Database) -> str:
    """The URL of the database, password included (it names the sealing key's file on SQLite)."""
    bind = database.get_bind() if isinstance(database, AsyncSession) else database
    return bind.engine.url.render_as_string(hide_password=False)


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a consumed token's answers wait, and how many of that team and kind wait with them."""

    wave_id: uuid.UUID
    team_id: uuid.UUID
    respondent: Respondent
    waiting: int


async def consume_and_seal(
    database: Database, token_hash: str, places: Sequence[tuple[uuid.UUID, Respondent]], sealed: bytes
) -> Stored | None:
    """Consume the token if its (wave, kind) is one of `places` and its wave takes answers; None if it was not."""
    if not places:
        return None
    if dialect(database) == "postgresql":
        row = (
            await database.execute(
                CONSUME_AND_SEAL,
                {
                    "token_hash": token_hash,
                    "waves": [wave_id for wave_id, _ in places],
                    "kinds": [respondent.value for _, respondent in places],
                    "sealed": sealed,
                },
            )
        ).one_or_none()
        return None if row is None else Stored(row.wave_id, row.team_id, Respondent(row.respondent), row.waiting)
    consumed = (
        await database.execute(
            sa.update(Invitation)
            .where(
                Invitation.token_hash == token_hash,
                Invitation.answered.is_(False),
                sa.tuple_(Invitation.wave_id, Invitation.respondent).in_(places),
                Invitation.wave_id.in_(sa.select(Wave.id).where(Wave.state == WaveState.OPEN)),
            )
            .values(answered=True)
            .returning(Invitation.wave_id, Invitation.team_id, Invitation.respondent)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if consumed is None:
        return None
    wave_id, team_id, respondent = consumed
    place = (
        SealedResponse.wave_id == wave_id,
        SealedResponse.team_id == team_id,
        SealedResponse.respondent == respondent,
    )
    waiting = await database.scalar(sa.select(sa.func.count()).where(*place))
    await database.execute(
        sa.insert(SealedResponse).values(
            id=uuid.uuid4(), wave_id=wave_id, team_id=team_id, respondent=respondent, sealed=sealed
        )
    )
    return Stored(wave_id, team_id, respondent, int(waiting or 0) + 1)


async def stop_intake(session: AsyncSession, wave_id: uuid.UUID) -> None:
    """Before a wave leaves the open state: wait for the submissions storing into it, and turn new ones away.

    On PostgreSQL the exclusive lock waits for every statement that holds it shared, and makes the next ones find
    it taken (they are refused as closing) until this transaction commits the wave's new state. On SQLite, the
    write lock this transaction holds already keeps every other writer out.
    """
    if dialect(session) == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(INTAKE_LOCKS, sa.func.hashtext(str(wave_id)))))


@asynccontextmanager
async def intake_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for one submission, committed when the block ends without error.

    In autocommit on PostgreSQL, where the statement is its own transaction; in one write transaction on SQLite.
    """
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")
        return
    async with engine.begin() as connection:
        yield connection


@dataclass(frozen=True, slots=True)
class OpenQuestionnaire:
    """The questionnaire of one kind in one open wave."""

    wave_id: uuid.UUID
    respondent: Respondent
    instrument: Instrument


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
            await database.execute(sa.select(Wave.id, Wave.instrument_version_id).where(Wave.state == WaveState.OPEN))
        ).all()
        session = database if isinstance(database, AsyncSession) else AsyncSession(bind=database)
        return [
            OpenQuestionnaire(wave_id, respondent, await instrument_in_use(session, version_id))
            for wave_id, version_id in waves
            for respondent in Respondent
        ]


_OPEN: dict[str, OpenQuestionnaires] = {}


def open_questionnaires(database: Database) -> OpenQuestionnaires:
    """The open waves of this database, as this process last read them."""
    return _OPEN.setdefault(database_url(database), OpenQuestionnaires())

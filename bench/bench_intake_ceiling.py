"""What PostgreSQL alone can take of answer intake, beside the one-INSERT floor: no web server, no Python.

``pgbench`` (PostgreSQL's own client, prepared statements, 32 clients, 2 threads) runs, in a database migrated to
the head revision, each of:

- ``floor``: the INSERT of ``bench/intake_floor.py``, the same row (a token and the answers' JSON);
- ``consume``: a conditional UPDATE of an invitation by its token hash and the INSERT of a sealed row, in one
  statement but without intake's checks of the wave (the least any single-use token needs);
- ``intake``: ``surveys.collection.intake.CONSUME_AND_SEAL`` itself, with the wave's check and lock.

Sealed rows have the size intake pads the built-in questionnaire's employee answers to (``sealed_size``), of
random bytes as ciphertext is; PostgreSQL computes them (72 SHA-512 digests, a few microseconds). Every client
uses tokens of its own in turn, so each is consumed once. The three run in turn, BENCH_ROUNDS (3) times for
BENCH_SECONDS (10) each, and the median transactions per second and the ratios to the floor are printed: the most
``POST /api/v1/responses`` could reach beside its floor on this machine. Run with ``make bench-intake-ceiling``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import statistics
import subprocess
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa
from bench_analysis import SERVER, admin  # beside this script

from surveys.collection.intake import CONSUME_AND_SEAL
from surveys.collection.sealing import sealed_size
from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.migrations import upgrade
from surveys.org.models import Organisation, Team
from surveys.settings import Settings
from surveys.waves.services import create_wave
from symmetry.domain import Respondent

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CLIENTS = 32
TOKENS_PER_CLIENT = 20_000
"""More than a client consumes in all the rounds."""
TEAMS = 400
DATABASE = "symmetry_bench_ceiling"
FLOOR_TABLE = "CREATE TABLE floor_response (token text NOT NULL, answers text NOT NULL)"
ANSWERS = '{"listening.employee": 3, "recognition.employee": 4, "trust.employee": 3, "outcome.enps": 7}'
TOKEN = "encode(sha256((:client_id * 1000000 + :k)::text::bytea), 'hex')"
"""Client c's k-th token: the invitations below are made with the same hashes."""


async def _world(url: str) -> tuple[uuid.UUID, int]:
    """An open wave with CLIENTS x TOKENS_PER_CLIENT employee invitations spread over TEAMS teams."""
    settings = Settings(environment="test", database_url=url)
    await asyncio.to_thread(upgrade, settings)
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="ceiling", name="Ceiling")
            session.add(organisation)
            await session.flush()
            session.add_all(
                Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id=f"T{t}", name=f"Team {t}")
                for t in range(TEAMS)
            )
            version, instrument = await register_instrument(session, "attention")
            today = dt.date.today()
            wave = await create_wave(session, organisation, name="Ceiling", instrument_version_id=version.id,
                                     opens_on=today, closes_on=today + dt.timedelta(days=20))  # fmt: skip
            await session.flush()
            await session.execute(sa.text("UPDATE wave SET state = 'open' WHERE id = :wave"), {"wave": wave.id})
            # Invitations by SQL (no employees: the statements under test never read them).
            await session.execute(
                sa.text(
                    "INSERT INTO invitation (id, wave_id, team_id, respondent, language, token_hash, answered,"
                    " reminders_sent)"
                    " SELECT gen_random_uuid(), :wave, teams.ids[1 + (c * 7 + k) % :teams], 'employee', 'fr',"
                    "  encode(sha256((c * 1000000 + k)::text::bytea), 'hex'), false, 0"
                    " FROM generate_series(0, :clients - 1) c, generate_series(1, :tokens) k,"
                    "  (SELECT array_agg(id) AS ids FROM team) teams"
                ),
                {"wave": wave.id, "teams": TEAMS, "clients": CLIENTS, "tokens": TOKENS_PER_CLIENT},
            )
            await session.execute(sa.text(FLOOR_TABLE))
        async with config.get_engine().connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text("VACUUM ANALYZE"))
    finally:
        await config.get_engine().dispose()
    return wave.id, sealed_size(instrument, Respondent.EMPLOYEE)


def scripts(wave_id: uuid.UUID, size: int) -> dict[str, str]:
    """The pgbench script of each statement, the client's next token first."""
    sealed = f"(SELECT string_agg(sha512(random()::text::bytea), ''::bytea) FROM generate_series(1, {size // 64}))"
    arguments = {"$1": TOKEN, "$2": f"'{{{wave_id}}}'", "$3": "'{employee}'", "$4": sealed}
    intake = re.sub(r"\$\d", lambda match: arguments[match.group(0)], CONSUME_AND_SEAL)
    consume = (
        f"WITH consumed AS (UPDATE invitation SET answered = true WHERE token_hash = {TOKEN} AND NOT answered"
        " RETURNING wave_id, team_id, respondent)"
        f" INSERT INTO sealed_response (id, wave_id, team_id, respondent, sealed)"
        f" SELECT gen_random_uuid(), wave_id, team_id, respondent, {sealed} FROM consumed"
    )
    floor = f"INSERT INTO floor_response VALUES ({TOKEN}, '{ANSWERS}')"
    return {
        name: "\\set k :k + 1\n" + " ".join(statement.split()) + ";\n"
        for name, statement in (("floor", floor), ("consume", consume), ("intake", intake))
    }


def pgbench(script: Path, start: int) -> float:
    """Transactions per second of one run, each client's tokens counted on from `start`."""
    server = SERVER.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0]
    command = ["pgbench", "-n", "-M", "prepared", "-c", str(CLIENTS), "-j", "2", "-T", str(SECONDS),
               "-D", f"k={start}", "-f", str(script), f"{server}/{DATABASE}"]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^tps = ([\d.]+)", output, re.MULTILINE)
    if found is None:
        raise SystemExit(f"pgbench printed no tps:\n{output}")
    return float(found.group(1))


def main() -> None:
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{DATABASE}"'))
    try:
        wave_id, size = asyncio.run(_world(f"{SERVER.rsplit('/', 1)[0]}/{DATABASE}"))
        print(f"{os.cpu_count()} cores; {CLIENTS} pgbench clients, {ROUNDS} rounds of {SECONDS} s each; "
              f"sealed rows of {size} bytes; load average {os.getloadavg()[0]:.2f}")  # fmt: skip
        rates: dict[str, list[float]] = {}
        used = 0
        with tempfile.TemporaryDirectory(prefix="bench-ceiling-") as directory:
            for name, text in scripts(wave_id, size).items():
                (Path(directory) / f"{name}.sql").write_text(text)
            for number in range(ROUNDS):
                for name in ("floor", "consume", "intake"):
                    rate = pgbench(Path(directory) / f"{name}.sql", used)
                    rates.setdefault(name, []).append(rate)
                    if name != "floor":
                        used += int(rate * SECONDS / CLIENTS * 1.5) + 100  # past every token this run used
                    if used >= TOKENS_PER_CLIENT:
                        raise SystemExit("out of tokens: raise TOKENS_PER_CLIENT")
                    print(f"round {number + 1} {name:8} {rate:7.0f} statements/s")
        median = {name: statistics.median(runs) for name, runs in rates.items()}
        print(
            f"median: floor {median['floor']:.0f}/s; token consumed and sealed row stored {median['consume']:.0f}/s "
            f"({median['consume'] / median['floor']:.2f}x); with intake's wave check and lock "
            f"{median['intake']:.0f}/s ({median['intake'] / median['floor']:.2f}x)"
        )
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

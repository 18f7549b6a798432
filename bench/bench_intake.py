"""Answer intake beside its floor: ``POST /api/v1/responses`` on Symmetry and on a bare one-INSERT endpoint.

For PostgreSQL and then SQLite, each in databases of their own (created and dropped here): Symmetry gets an open
wave of teams of 100 employees, each invited with a token; the floor (``bench/intake_floor.py``) an empty table.
Both run in one uvicorn process (uvloop, httptools, no access log) and are driven by ``wrk`` (Debian's package)
with 32 connections in a closed loop, each token used once, for BENCH_SECONDS (5) per round, the two servers'
rounds interleaved BENCH_ROUNDS (3) times (Symmetry's tokens are split between its rounds: BENCH_EMPLOYEES,
60,000, must exceed what it answers). On PostgreSQL a ``symmetry worker`` mixes the sealed answers meanwhile.
Prints each round's requests per second, p50 and p99, the CPU milliseconds per request of the server, of
PostgreSQL's processes and of the worker (from /proc), and the answers that were not 201, then the median of the
rounds and Symmetry's ratio to the floor. Run with ``make bench-intake``; BENCH_KINDS (``postgresql,sqlite``)
chooses the databases, BENCH_APP another ASGI factory in Symmetry's place (a variant measured beside the floor, such
as ``intake_api_alone:create_app``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import load  # beside this script
import sqlalchemy as sa
from bench_analysis import SERVER, admin

from surveys.collection.mixing import waiting_batches
from surveys.collection.models import SealedResponse
from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.migrations import upgrade
from surveys.org.models import Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import Wave
from surveys.waves.services import create_wave, launch_wave
from symmetry.domain import Respondent

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "60000"))
PER_TEAM = 100
FLOOR_TOKENS = 40_000
"""Tokens per floor round: more than it answers in a round."""
CONNECTIONS = 32
KINDS = os.environ.get("BENCH_KINDS", "postgresql,sqlite").split(",")
SYMMETRY_APP = os.environ.get("BENCH_APP", "surveys.app:create_app")
HERE = Path(__file__).resolve().parent
# One wrk thread: each request takes the next token of the file. Past the last one it asks for /exhausted, a 404
# that the bench reports (raise BENCH_EMPLOYEES): each token is used once.
WRK_SCRIPT = """
local tokens, body, next_token = {}, "", 0
function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  local file = io.open(args[2]); body = file:read("*a"); file:close()
end
function request()
  next_token = next_token + 1
  if next_token > #tokens then
    return wrk.format("GET", "/exhausted")
  end
  local filled = body:gsub("TOKEN", tokens[next_token])
  return wrk.format("POST", "/api/v1/responses", {["Content-Type"] = "application/json"}, filled)
end
"""


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _symmetry_world(url: str) -> tuple[list[str], dict[str, int]]:
    """An open wave with every employee invited: their tokens, and a complete employee answer."""
    settings = Settings(environment="test", database_url=url)
    await asyncio.to_thread(upgrade, settings)
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(id=uuid.uuid4(), slug="bench", name="Bench")
            session.add(organisation)
            await session.flush()
            teams = [
                Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id=f"T{t:03d}", name=f"Team {t}")
                for t in range(EMPLOYEES // PER_TEAM)
            ]
            session.add_all(teams)
            await session.flush()
            session.add_all(
                Employee(
                    organisation_id=organisation.id, team_id=team.id, email=f"e{t}-{e}@bench.example", language="fr"
                )
                for t, team in enumerate(teams)
                for e in range(PER_TEAM)
            )
            await session.flush()
            version, instrument = await register_instrument(session, "attention")
            today = dt.date.today()
            wave = await create_wave(session, organisation, name="Bench", instrument_version_id=version.id,
                                     opens_on=today, closes_on=today + dt.timedelta(days=20))  # fmt: skip
            tokens = [issued.token for issued in await launch_wave(session, wave)]
    finally:
        await config.get_engine().dispose()
    # Respondents of every team answer at once, not one team after another (a team's submissions queue up).
    random.Random(0).shuffle(tokens)
    answers = {item.id: (item.scale.low + item.scale.high) // 2 for item in instrument.items_for(Respondent.EMPLOYEE)}
    return tokens, answers


def drive(port: int, tokens: list[str], answers: dict[str, int], scratch: Path) -> dict[str, float]:
    token_file, body_file, script = scratch / "tokens.txt", scratch / "body.json", scratch / "intake.lua"
    token_file.write_text("\n".join(tokens) + "\n")
    body_file.write_text(json.dumps({"token": "TOKEN", "answers": answers}))
    script.write_text(WRK_SCRIPT)
    return load.wrk(
        ["-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", str(script), f"http://127.0.0.1:{port}", "--",
         str(token_file), str(body_file)]
    )  # fmt: skip


def start(name: str, app: str, env: dict[str, str], scratch: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = load.free_port()
    log = (scratch / f"{name}.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", app, "--loop", "uvloop", "--http", "httptools",
         "--no-access-log", "--port", str(port)],
        env=env, cwd=HERE, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/api/v1/responses", json={}, timeout=1)
            return server, port
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not start; see {scratch}/{name}.log")


async def _sealed(url: str) -> tuple[int, int]:
    """Answers still sealed, and the batches among them a worker would admit."""
    config = alchemy_config(Settings(environment="test", database_url=url))
    try:
        async with config.get_session() as session:
            total = int(await session.scalar(sa.select(sa.func.count()).select_from(SealedResponse)) or 0)
            return total, len(await waiting_batches(session, list(await session.scalars(sa.select(Wave.id)))))
    finally:
        await config.get_engine().dispose()


def mix_afterwards(url: str, env: dict[str, str], scratch: Path) -> None:
    """The worker's share, off the request's path: a worker admits the answers the rounds left sealed."""
    waiting, _ = asyncio.run(_sealed(url))
    log = (scratch / "worker.log").open("wb")
    command = [sys.executable, "-c", "from surveys.cli import main; main()", "worker", "--concurrency", "4"]
    started, database = time.monotonic(), database_cpu("postgresql")
    worker = subprocess.Popen(command, env={**env, "SYMMETRY_SWEEP_SECONDS": "1"}, cwd=HERE, stdout=log,
                              stderr=subprocess.STDOUT)  # fmt: skip
    try:
        while (state := asyncio.run(_sealed(url)))[1]:
            time.sleep(0.5)
        left = state[0]
        seconds, cpu = time.monotonic() - started, process_cpu(worker.pid)
        database = database_cpu("postgresql") - database
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=60)
    admitted = waiting - left
    print(
        f"postgresql mixing afterwards: a worker admitted {admitted} sealed answers in {seconds:.1f} s, "
        f"{1000 * cpu / admitted:.2f} worker + {1000 * database / admitted:.2f} database CPU ms per answer"
    )


def database_cpu(kind: str) -> float:
    """CPU seconds of the PostgreSQL server's processes so far (SQLite runs inside the web process)."""
    if kind == "sqlite":
        return 0.0
    listed = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True, check=False).stdout
    total = 0.0
    for pid in listed.split():
        try:
            total += process_cpu(int(pid))
        except FileNotFoundError:  # a backend that ended meanwhile
            continue
    return total


def run_kind(kind: str, symmetry_url: str, floor_url: str, scratch: Path) -> None:
    tokens, answers = asyncio.run(_symmetry_world(symmetry_url))
    per_round = len(tokens) // ROUNDS
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SYMMETRY_", "FLOOR_"))}
    symmetry_env = {
        **base,
        "SYMMETRY_ENVIRONMENT": "production",
        "SYMMETRY_DATABASE_URL": symmetry_url,
        "SYMMETRY_SECRET_KEY": "bench-intake",
        "SYMMETRY_PUBLIC_URL": "https://symmetry.example",
    }
    servers = {
        "floor": start(f"{kind}-floor", "intake_floor:create_app", {**base, "FLOOR_DATABASE_URL": floor_url}, scratch),
        "symmetry": start(f"{kind}-symmetry", SYMMETRY_APP, symmetry_env, scratch),
    }
    rounds: dict[str, list[dict[str, float]]] = {"floor": [], "symmetry": []}
    try:
        for number in range(ROUNDS):
            for name, (server, port) in servers.items():
                used = tokens[number * per_round : (number + 1) * per_round] if name == "symmetry" else [
                    uuid.uuid4().hex for _ in range(FLOOR_TOKENS)
                ]  # fmt: skip
                cpu, database = process_cpu(server.pid), database_cpu(kind)
                figures = drive(port, used, answers, scratch)
                figures["cpu_ms"] = 1000 * (process_cpu(server.pid) - cpu) / figures["requests"]
                figures["database_ms"] = 1000 * (database_cpu(kind) - database) / figures["requests"]
                rounds[name].append(figures)
                print(f"{kind:10} round {number + 1} {name:8} {figures['rps']:7.0f} req/s  p50 {figures['p50']:6.1f} ms"
                      f"  p99 {figures['p99']:6.1f} ms  CPU ms per request: server {figures['cpu_ms']:.2f}, "
                      f"database {figures['database_ms']:.2f}  not 201: {figures['errors']:.0f}")  # fmt: skip
        if kind == "postgresql":
            mix_afterwards(symmetry_url, symmetry_env, scratch)
    finally:
        for server, _ in servers.values():
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    median = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for name, runs in rounds.items()}
    floor, ours = median["floor"], median["symmetry"]
    print(f"{kind:10} median: floor {floor['rps']:.0f} req/s (p99 {floor['p99']:.1f} ms, {floor['cpu_ms']:.2f} "
          f"+ {floor['database_ms']:.2f} database CPU ms); Symmetry {ours['rps']:.0f} req/s (p50 {ours['p50']:.1f}, "
          f"p99 {ours['p99']:.1f} ms, {ours['cpu_ms']:.2f} + {ours['database_ms']:.2f} database CPU ms): "
          f"{ours['rps'] / floor['rps']:.2f}x the floor's "
          f"throughput, p99 {ours['p99'] / ours['p50']:.1f}x its p50")  # fmt: skip


def main() -> None:
    print(f"{os.cpu_count()} cores; {ROUNDS} rounds of {SECONDS} s per server, {CONNECTIONS} connections, "
          f"{EMPLOYEES} employees invited")  # fmt: skip
    names = ("symmetry_bench_intake", "symmetry_bench_floor")
    for name in names:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    server = SERVER.rsplit("/", 1)[0]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-intake-") as directory:
            scratch = Path(directory)
            floor = f"{server}/{names[1]}".replace("postgresql+asyncpg://", "postgresql://")
            if "postgresql" in KINDS:
                run_kind("postgresql", f"{server}/{names[0]}", floor, scratch)
            if "sqlite" in KINDS:
                run_kind(
                    "sqlite", f"sqlite+aiosqlite:///{scratch}/symmetry.db", f"sqlite:///{scratch}/floor.db", scratch
                )
    finally:
        for name in names:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

"""Answer intake beside its floor: ``POST /api/v1/responses`` on Symmetry and on a bare one-INSERT endpoint.

For PostgreSQL and then SQLite, each in databases of their own (created and dropped here): Symmetry gets an open
wave of teams of 100 employees, each invited with a token; the floor (``bench/intake_floor.py``) an empty table.
Both run in one uvicorn process (uvloop, httptools, no access log) and are driven by ``wrk`` (Debian's package)
with 32 connections in a closed loop, each token used once, for BENCH_SECONDS (5) per round, the two servers'
rounds interleaved BENCH_ROUNDS (3) times (Symmetry's tokens are split between its rounds: BENCH_EMPLOYEES,
12,000, must exceed what it answers). Prints each round's requests per second, p50 and p99, the
server's CPU milliseconds per request (its process, from /proc) and the answers that were not 201, then the
median of the rounds and Symmetry's ratio to the floor. Run with ``make bench-intake``.
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
from bench_analysis import SERVER, admin

from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.migrations import upgrade
from surveys.org.models import Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.services import create_wave, launch_wave
from symmetry.domain import Respondent

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "12000"))
PER_TEAM = 100
FLOOR_TOKENS = 40_000
"""Tokens per floor round: more than it answers in a round."""
CONNECTIONS = 32
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
        "symmetry": start(f"{kind}-symmetry", "surveys.app:create_app", symmetry_env, scratch),
    }
    rounds: dict[str, list[dict[str, float]]] = {"floor": [], "symmetry": []}
    try:
        for number in range(ROUNDS):
            for name, (server, port) in servers.items():
                used = tokens[number * per_round : (number + 1) * per_round] if name == "symmetry" else [
                    uuid.uuid4().hex for _ in range(FLOOR_TOKENS)
                ]  # fmt: skip
                cpu = process_cpu(server.pid)
                figures = drive(port, used, answers, scratch)
                figures["cpu_ms"] = 1000 * (process_cpu(server.pid) - cpu) / figures["requests"]
                rounds[name].append(figures)
                print(f"{kind:10} round {number + 1} {name:8} {figures['rps']:7.0f} req/s  p50 {figures['p50']:6.1f} ms"
                      f"  p99 {figures['p99']:6.1f} ms  {figures['cpu_ms']:.2f} CPU ms per request  "
                      f"not 201: {figures['errors']:.0f}")  # fmt: skip
    finally:
        for server, _ in servers.values():
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    median = {name: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for name, runs in rounds.items()}
    floor, ours = median["floor"], median["symmetry"]
    print(f"{kind:10} median: floor {floor['rps']:.0f} req/s (p99 {floor['p99']:.1f} ms, "
          f"{floor['cpu_ms']:.2f} CPU ms); Symmetry {ours['rps']:.0f} req/s (p50 {ours['p50']:.1f}, "
          f"p99 {ours['p99']:.1f} ms, {ours['cpu_ms']:.2f} CPU ms): {ours['rps'] / floor['rps']:.2f}x the floor's "
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
            run_kind("postgresql", f"{server}/{names[0]}",
                     f"{server}/{names[1]}".replace("postgresql+asyncpg://", "postgresql://"), scratch)  # fmt: skip
            run_kind("sqlite", f"sqlite+aiosqlite:///{scratch}/symmetry.db", f"sqlite:///{scratch}/floor.db", scratch)
    finally:
        for name in names:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

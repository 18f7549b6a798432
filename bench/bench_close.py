"""Time a closed wave's reports through the job queue, with 1 and then 2 worker processes, beside the CLI's batch.

Generates, in a database of its own on the local PostgreSQL (created and dropped here), a wave of 1,000 teams with
25,000 employee and 100,000 customer responses, and closes it (scramble, analysis, stored results). Then renders
every report of the wave (each team's and the organisation's in French and English) three times, each time into a
new folder so that nothing is up to date:

- the floor: ``symmetry report render --workers 1``, the batch in one rendering process, no queue;
- the queue with 1, then 2, ``symmetry worker`` processes, each rendering in 1 process
  (``SYMMETRY_RENDER_PROCESSES=1``), started after the planning job is enqueued and stopped when the last report
  is recorded.

Every process is pinned to one core of its own (``taskset``): the batch and the single worker to core 0, the two
workers to cores 0 and 1, as if each were a machine of one core, so that the scaling from 1 to 2 workers is that
of adding a machine, not of sharing cores a single worker already keeps busy.

Each round is timed from its start to the last report recorded; its CPU is that of every process it started and
their rendering processes (``RUSAGE_CHILDREN``). Prints reports per second, CPU seconds per report, the speed-up of
2 workers over 1, and the projection for 20,000 teams. Run with ``make bench-close``; set BENCH_TEAMS for another
number of teams, BENCH_CHUNK for the reports per job (``SYMMETRY_RENDER_CHUNK``), BENCH_SERVER_URL for another
server.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import sqlalchemy as sa
from bench_analysis import ANALYSE, SERVER, admin, generate  # beside this script

from surveys.db import alchemy_config
from surveys.reporting.jobs import wave_reports_job
from surveys.reporting.models import ReportRecord, ReportStatus
from surveys.settings import Settings
from surveys.waves.models import Wave
from surveys.worker.queue import QueueJobs
from surveys.worker.saq_queue import saq_queue

TEAMS = int(os.environ.get("BENCH_TEAMS", "1000"))
CHUNK = os.environ.get("BENCH_CHUNK", "100")
DATABASE = "symmetry_bench_close"
REPORTS = TEAMS + 2  # each team's, and the organisation's in French and English
SYMMETRY = str(Path(sys.executable).with_name("symmetry"))
CORES = os.cpu_count() or 1


INVITE = """
INSERT INTO employee (id, organisation_id, team_id, email, language, active, created_at, updated_at)
SELECT gen_random_uuid(), team.organisation_id, team.id, team.external_id || '-' || g || '@bench.example', 'fr',
       true, now(), now()
FROM team
JOIN (SELECT team_id, count(*) AS n FROM response WHERE respondent = 'employee' GROUP BY team_id) AS r
  ON r.team_id = team.id
CROSS JOIN LATERAL generate_series(1, r.n * 5 / 4 + 1) AS g;
INSERT INTO invitation (id, wave_id, team_id, respondent, employee_id, language, token_hash, answered,
                        reminders_sent)
SELECT gen_random_uuid(), wave.id, employee.team_id, 'employee', employee.id, 'fr',
       encode(sha256(employee.id::text::bytea), 'hex'), false, 0
FROM employee CROSS JOIN wave;
"""
"""Each team's employees, a fifth more than answered, each invited (the response rates need invitations)."""


async def _invite(url: str) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(INVITE)
    finally:
        await connection.close()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _recorded(settings: Settings, out: Path) -> tuple[int, int]:
    """Reports rendered and failed into `out` (this round's folder)."""
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            rows = await session.execute(
                sa.select(ReportRecord.status, sa.func.count())
                .where(ReportRecord.path.like(f"{out}%"))
                .group_by(ReportRecord.status)
            )
            counts: dict[ReportStatus, int] = dict(rows.all())
    finally:
        await config.get_engine().dispose()
    return counts.get(ReportStatus.RENDERED, 0), counts.get(ReportStatus.FAILED, 0)


async def _wave_id(settings: Settings) -> uuid.UUID:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return (await session.scalars(sa.select(Wave.id))).one()
    finally:
        await config.get_engine().dispose()


async def _enqueue_rendering(settings: Settings, wave_id: uuid.UUID) -> None:
    jobs = QueueJobs(saq_queue(settings), settings)
    try:
        await jobs.enqueue(wave_reports_job(wave_id))
    finally:
        await jobs.close()


def _environment(url: str, reports_dir: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("SYMMETRY_")},
        "SYMMETRY_ENVIRONMENT": "test",
        "SYMMETRY_DATABASE_URL": url,
        "SYMMETRY_SECRET_KEY": "bench",
        "SYMMETRY_JOBS": "queue",
        "SYMMETRY_REPORTS_DIR": str(reports_dir),
        "SYMMETRY_RENDER_PROCESSES": "1",
        "SYMMETRY_RENDER_CHUNK": CHUNK,
    }


def _round(label: str, url: str, root: Path, workers: int) -> tuple[float, float]:
    """One rendering of every report: the CLI's batch when `workers` is 0, else through the queue."""
    settings = Settings(environment="test", database_url=url, jobs="queue")
    out = root / label
    env = _environment(url, out)
    cpu, started = children_cpu(), time.perf_counter()
    if workers == 0:
        wave_id = asyncio.run(_wave_id(settings))
        subprocess.run(
            ["taskset", "-c", "0", SYMMETRY, "report", "render", str(wave_id), "--out", str(out / str(wave_id)),
             "--workers", "1"],
            env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    else:
        asyncio.run(_enqueue_rendering(settings, asyncio.run(_wave_id(settings))))
        logs = [(root / f"{label}-worker-{n}.log").open("wb") for n in range(workers)]
        processes = [
            subprocess.Popen(["taskset", "-c", str(n % CORES), SYMMETRY, "worker", "--concurrency", "4"], env=env,
                             stdout=log, stderr=subprocess.STDOUT)
            for n, log in enumerate(logs)
        ]  # fmt: skip
        try:
            while sum(asyncio.run(_recorded(settings, out))) < REPORTS:
                if any(process.poll() is not None for process in processes):
                    raise SystemExit(f"a worker stopped; see {root}/{label}-worker-*.log")
                time.sleep(0.5)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process, log in zip(processes, logs, strict=True):
                process.wait()
                log.close()
    wall = time.perf_counter() - started
    rendered, failed = asyncio.run(_recorded(settings, out))
    if failed or rendered != REPORTS:
        raise SystemExit(f"{label}: {rendered} rendered, {failed} failed of {REPORTS}")
    return wall, children_cpu() - cpu


def main() -> None:
    url = SERVER.rsplit("/", 1)[0] + f"/{DATABASE}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{DATABASE}"'))
    root = Path(tempfile.mkdtemp(prefix="bench-close-"))
    try:
        asyncio.run(generate(url, TEAMS, TEAMS * 25, TEAMS * 100))
        asyncio.run(_invite(url))
        subprocess.run([sys.executable, "-c", ANALYSE, url], check=True, stdout=subprocess.DEVNULL)
        print(f"{TEAMS} teams closed; {REPORTS} reports per round, {CHUNK} per job; {os.cpu_count()} cores")
        results: dict[str, tuple[float, float]] = {}
        for label, workers in (("cli-batch", 0), ("queue-1-worker", 1), ("queue-2-workers", 2)):
            wall, cpu = _round(label, url, root, workers)
            results[label] = wall, cpu / REPORTS
            print(f"{label:16} {wall:7.1f} s  {REPORTS / wall:5.2f} reports/s  {cpu / REPORTS:.3f} CPU s per report "
                  f"({cpu / wall:.2f} cores busy)")  # fmt: skip
        (one, _), (two, per_report) = results["queue-1-worker"], results["queue-2-workers"]
        if CORES < 2:
            print("one core only: the two workers shared it")
        batch = results["cli-batch"][0]
        print(f"2 workers over 1: {one / two:.2f}x; 1 worker over the CLI's batch: {batch / one:.2f}x")
        for machines, cores in ((1, 2), (4, 8), (10, 8)):
            minutes = 20_002 * per_report / (machines * cores) / 60
            print(f"projection, 20,000 teams on {machines} machine(s) of {cores} cores at the CPU per report of "
                  f"2 workers, one worker per core: {minutes:.0f} min")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

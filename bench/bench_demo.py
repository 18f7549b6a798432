"""Time the demo's stages on a throw-away SQLite database: simulation and storage, analysis, PDF rendering.

Run with ``make bench-demo``. Prints one line per figure; the latest figures go into the README.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from reports.batch import ReportJob, render_reports
from reports.context import TeamInfo, WaveInfo
from surveys.db import alchemy_config
from surveys.demo.services import DemoRun, run_demo
from surveys.migrations import upgrade
from surveys.settings import Settings

TEAMS = int(os.environ.get("BENCH_TEAMS", "40"))


async def build(settings: Settings) -> DemoRun:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            return await run_demo(session, n_teams=TEAMS, seed=1, anonymity_threshold=5)
    finally:
        await config.get_engine().dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(environment="test", database_url=f"sqlite+aiosqlite:///{directory}/bench.sqlite3")
        upgrade(settings)
        started = time.perf_counter()
        run = asyncio.run(build(settings))
        built = time.perf_counter() - started
        responses = sum(run.answered.values())
        print(f"demo wave, {TEAMS} teams, {responses} responses: {built:.2f} s to build, answer, close and analyse")

        wave = WaveInfo(run.organisation_name, run.wave_name, run.opens_on, run.closes_on)
        infos = [TeamInfo(t.external_id, t.name, None) for t in run.teams if t.external_id in run.analysis.teams]
        for workers in sorted({1, os.cpu_count() or 1}):
            jobs = [ReportJob(Path(directory) / f"{workers}" / f"{info.key}.pdf", "en", info) for info in infos]
            started = time.perf_counter()
            outcomes = render_reports(run.analysis, wave, infos, jobs, workers=workers)
            elapsed = time.perf_counter() - started
            failed = sum(1 for outcome in outcomes if outcome.error)
            print(
                f"team reports, {workers} worker(s): {len(jobs)} PDFs in {elapsed:.1f} s "
                f"({elapsed / len(jobs) * 1000:.0f} ms per report, process start-up included, {failed} failed)"
            )


if __name__ == "__main__":
    main()

"""Time the demo's two waves on a throw-away SQLite database: simulation, storage, closing and analysis.

Run with ``make bench-demo``; the reports have their own benchmark (``make bench-reports``). Prints one line per
figure; the latest figures go into the README.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time

from surveys.db import alchemy_config
from surveys.demo.services import DemoRun, run_demo
from surveys.migrations import upgrade
from surveys.settings import Settings
from symmetry.disclosure import DisclosureRules

TEAMS = int(os.environ.get("BENCH_TEAMS", "40"))


async def build(settings: Settings) -> DemoRun:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            return await run_demo(session, n_teams=TEAMS, seed=1, rules=DisclosureRules())
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
        print(
            f"demo, {TEAMS} teams, two waves ({responses} responses in the latest): {built:.2f} s to build, answer, "
            "close and analyse both"
        )


if __name__ == "__main__":
    main()

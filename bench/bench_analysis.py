"""Time closing a wave and its analysis on PostgreSQL at the scale of a large employer.

Generates, in a database of its own on the local server (created and dropped here), one open wave of
10,000 teams with 250,000 employee and 1,000,000 customer responses (about 14 million answers), then closes it
in a child process as the close job does (the scramble of every response, the analysis, the stored results and
document, one transaction) and reports the time of each step and the peak memory; then, in another child
process, the analyst's reduced peer (pandas reading the responses, overall scores, ICCs and r only) on the same
closed wave, beside Symmetry's full analysis. Run with ``make bench-analysis``;
set BENCH_SERVER_URL for another server, BENCH_SCALE (0 < scale <= 1) for a smaller wave, and BENCH_KEEP=1 to
keep the generated database (``symmetry_bench``) for study.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid

import asyncpg
import numpy as np

from surveys.db import alchemy_config
from surveys.instruments.loader import load_instrument
from surveys.instruments.services import register_instrument
from surveys.migrations import upgrade
from surveys.org.models import Organisation
from surveys.settings import Settings
from surveys.waves.models import Wave, WaveState
from symmetry.domain import Respondent

SERVER = os.environ.get("BENCH_SERVER_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
TEAMS = int(10_000 * SCALE)
EMPLOYEES = int(250_000 * SCALE)
CUSTOMERS = int(1_000_000 * SCALE)
DATABASE = "symmetry_bench"


def _dsn(url: str, database: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0] + f"/{database}"


async def generate(url: str, teams: int = TEAMS, employees: int = EMPLOYEES, customers: int = CUSTOMERS) -> None:
    """An open wave of `teams` teams with the responses of `employees` employees and `customers` customers."""
    settings = Settings(environment="test", database_url=url)
    await asyncio.to_thread(upgrade, settings)
    config = alchemy_config(settings)
    async with config.get_session() as session, session.begin():
        organisation = Organisation(id=uuid.uuid4(), slug="bench", name="Bench")
        session.add(organisation)
        await session.flush()
        version, instrument = await register_instrument(session, "attention")
        wave = Wave(organisation_id=organisation.id, instrument_version_id=version.id, name="Bench",
                    opens_on=dt.date(2026, 1, 1), closes_on=dt.date(2026, 1, 31), state=WaveState.OPEN)  # fmt: skip
        session.add(wave)
        await session.flush()
        organisation_id, wave_id, version_id = organisation.id, wave.id, version.id
    await config.get_engine().dispose()

    rng = np.random.default_rng(0)
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        team_ids = [uuid.uuid4() for _ in range(teams)]
        now = dt.datetime.now(dt.UTC)
        team_columns = ["id", "organisation_id", "external_id", "name", "parent_id", "manager_email"]
        team_rows = [(t, organisation_id, f"T{j:05d}", f"Team {j}", None, None) for j, t in enumerate(team_ids)]
        await connection.copy_records_to_table(
            "team",
            records=[(*row, None, now, now) for row in team_rows],
            columns=[*team_columns, "sa_orm_sentinel", "created_at", "updated_at"],
        )
        climate = rng.normal(0, 0.35, teams)
        for respondent, count in (("employee", employees), ("customer", customers)):
            items = list(instrument.items_for(Respondent(respondent)))
            served = rng.integers(0, teams, count)
            response_ids = [uuid.uuid4() for _ in range(count)]
            latent = 3.6 + climate[served][:, None] + rng.normal(0, 0.8, (count, len(items)))
            values = np.empty((count, len(items)), dtype=np.int64)
            for column, item in enumerate(items):
                low, high = item.scale.low, item.scale.high
                spread = (high - low) / 4
                values[:, column] = np.clip(np.rint(low + (latent[:, column] - 1) * spread), low, high)
            packed = [row.tobytes() for row in values.astype(np.uint8)]  # every item answered: its value, a byte
            await connection.copy_records_to_table(
                "response",
                records=[
                    (r, wave_id, team_ids[t], version_id, respondent, "invitation", a)
                    for r, t, a in zip(response_ids, served.tolist(), packed, strict=True)
                ],
                columns=["id", "wave_id", "team_id", "instrument_version_id", "respondent", "channel", "answers"],
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


ANALYSE = """
import asyncio, json, resource, sys, time
import sqlalchemy as sa
from surveys.db import alchemy_config
from surveys.results.services import analyse, store_analysis, store_team_results
from symmetry.disclosure import DisclosureRules
from surveys.settings import Settings
from surveys.waves.models import Wave
from surveys.waves.services import close_wave

async def main():
    config = alchemy_config(Settings(environment="test", database_url=sys.argv[1]))
    async with config.get_session() as session, session.begin():
        wave = await session.scalar(sa.select(Wave))
        started = time.perf_counter()
        await close_wave(session, wave)
        scrambled = time.perf_counter()
        analysis = await analyse(session, wave, rules=DisclosureRules())
        analysed = time.perf_counter()
        await store_team_results(session, wave, analysis)
        await store_analysis(session, wave, analysis)
    stored = time.perf_counter()
    again = []  # the closed wave analysed again, as the reports' inputs do: three times, for a median
    for _ in range(3):
        async with config.get_session() as session:
            wave = await session.scalar(sa.select(Wave))
            begun = time.perf_counter()
            await analyse(session, wave, rules=DisclosureRules())
            again.append(time.perf_counter() - begun)
    await config.get_engine().dispose()
    print(json.dumps({"close_seconds": round(stored - started, 1), "scramble_seconds": round(scrambled - started, 1),
                      "analysis_seconds": round(analysed - scrambled, 1), "store_seconds": round(stored - analysed, 1),
                      "analysis_again_median": round(sorted(again)[1], 2), "teams": len(analysis.teams),
                      "r": analysis.linkage.correlation.r,
                      "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))

asyncio.run(main())
"""


# The analyst's peer, reduced to what every linkage study computes: the overall score of each team for employees
# and for customers, ICC(1) and ICC(2) of each (one-way ANOVA of the respondents' scores by team), and Pearson's r
# across the teams with both. pandas reads the closed wave's responses, numpy unpacks their answers (a byte per
# item; argv[2] says which bytes are the employees' and the customers' own items: every item answered here);
# scipy gives r.
PEER = """
import json, resource, sys, time
import numpy as np, pandas as pd, sqlalchemy as sa
from scipy import stats

def iccs(frame, column):
    groups = frame.groupby("team_id")[column]
    n, k = groups.size(), groups.ngroups
    grand, means = frame[column].mean(), groups.mean()
    between = (n * (means - grand) ** 2).sum() / (k - 1)
    within = ((frame[column] - groups.transform("mean")) ** 2).sum() / (len(frame) - k)
    size = (len(frame) - (n ** 2).sum() / len(frame)) / (k - 1)
    return means, (between - within) / (between + (size - 1) * within), (between - within) / between

def peer():
    engine = sa.create_engine(sys.argv[1].replace("+asyncpg", "+psycopg"))
    with engine.connect() as connection:
        frame = pd.read_sql("SELECT team_id, respondent, answers FROM response", connection)
    engine.dispose()
    columns = json.loads(sys.argv[2])

    def scored(respondent):
        rows = frame[frame.respondent == respondent].copy()
        answers = np.frombuffer(b"".join(rows.answers), dtype=np.uint8).reshape(len(rows), -1)
        rows[respondent + "_score"] = answers[:, columns[respondent]].mean(axis=1)
        return rows

    employees, customers = scored("employee"), scored("customer")
    employee_means, employee_icc1, employee_icc2 = iccs(employees, "employee_score")
    customer_means, customer_icc1, customer_icc2 = iccs(customers, "customer_score")
    both = pd.concat([employee_means, customer_means], axis=1, join="inner")
    r = stats.pearsonr(both.iloc[:, 0], both.iloc[:, 1]).statistic
    return both, r, [employee_icc1, employee_icc2, customer_icc1, customer_icc2]

times = []
for _ in range(3):  # three times, for a median, as the analysis is run again
    started = time.perf_counter()
    both, r, icc = peer()
    times.append(time.perf_counter() - started)
print(json.dumps({"peer_seconds": round(times[0], 1), "peer_median": round(sorted(times)[1], 2), "teams": len(both),
                  "r": r, "icc": icc,
                  "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


async def admin(statement: str, server: str = SERVER) -> None:
    """Run `statement` on the server's own database (to create or drop the benchmark's)."""
    connection = await asyncpg.connect(_dsn(server, server.rsplit("/", 1)[1]))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> None:
    url = SERVER.rsplit("/", 1)[0] + f"/{DATABASE}"
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{DATABASE}"'))
    try:
        started = time.perf_counter()
        asyncio.run(generate(url))
        print(f"generated {TEAMS} teams, {EMPLOYEES} employee and {CUSTOMERS} customer responses "
              f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
        result = subprocess.run([sys.executable, "-c", ANALYSE, url], capture_output=True, text=True, check=True)
        print(f"close (scramble, analysis, stored results): {result.stdout.strip()}")
        instrument = load_instrument("attention")
        own = {
            respondent.value: [
                j for j, item in enumerate(instrument.items_for(respondent)) if item.voice.value == voice
            ]
            for respondent, voice in ((Respondent.EMPLOYEE, "employee"), (Respondent.CUSTOMER, "customer"))
        }
        peer = subprocess.run(
            [sys.executable, "-c", PEER, url, json.dumps(own)], capture_output=True, text=True, check=True
        )
        print(f"the reduced pandas peer on the closed wave (scores, ICCs and r only): {peer.stdout.strip()}")
        ours, theirs = json.loads(result.stdout)["analysis_again_median"], json.loads(peer.stdout)["peer_median"]
        print(f"the closed wave analysed again, median of 3: {ours:.2f} s; the peer, median of 3: {theirs:.2f} s: "
              f"{ours / theirs:.2f}x the peer's time")  # fmt: skip
    finally:
        if not os.environ.get("BENCH_KEEP"):
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

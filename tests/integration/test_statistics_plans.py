"""The database's statistics of a wave do not depend on how PostgreSQL plans their aggregation.

A stored analysis is recomputed before any report is drawn from it and must come out the same; PostgreSQL adds
floats in the order its plan reads them (parallel workers, hash or sorted aggregation), so order-dependent sums
once made a 1,000-team wave unreportable (its Spearman and Kendall ranks broke ties between teams differently).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from surveys.cli import symmetry
from surveys.db import alchemy_config
from surveys.results.services import wave_statistics
from surveys.settings import Settings
from surveys.waves.models import Wave, WaveState
from symmetry.analysis import analyse_statistics
from symmetry.disclosure import DisclosureRules
from symmetry.document import analysis_document
from tests.support import run_sync

pytestmark = pytest.mark.skipif(
    not os.environ.get("SYMMETRY_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite adds in one fixed order; PostgreSQL's plans vary",
)
PLANS = {
    "serial, sorted": [
        "SET LOCAL max_parallel_workers_per_gather = 0",
        "SET LOCAL enable_hashagg = off",
    ],
    "parallel, hashed": [
        "SET LOCAL max_parallel_workers_per_gather = 2",
        "SET LOCAL parallel_setup_cost = 0",
        "SET LOCAL parallel_tuple_cost = 0",
        "SET LOCAL min_parallel_table_scan_size = 0",
        "SET LOCAL min_parallel_index_scan_size = 0",
        "SET LOCAL enable_sort = off",
    ],
}


async def _documents(settings: Settings) -> dict[str, dict[str, Any]]:
    config = alchemy_config(settings)
    documents = {}
    try:
        for plan, statements in PLANS.items():
            async with config.get_session() as session, session.begin():
                for statement in statements:
                    await session.execute(sa.text(statement))
                # The demo's latest wave, left open; its earlier one is closed.
                wave = (await session.scalars(sa.select(Wave).where(Wave.state == WaveState.OPEN))).one()
                instrument, statistics = await wave_statistics(session, wave)
            documents[plan] = analysis_document(analyse_statistics(instrument, statistics, rules=DisclosureRules()))
    finally:
        await config.get_engine().dispose()
    return documents


def test_the_same_answers_give_the_same_analysis_whatever_the_plan(cli_env: dict[str, str], tmp_path: object) -> None:
    demo = CliRunner().invoke(
        symmetry, ["demo", "--teams", "60", "--seed", "3", "--out", str(tmp_path), "--leave-open"], env=cli_env
    )
    assert demo.exit_code == 0, demo.output
    settings = Settings(environment="test", database_url=cli_env["SYMMETRY_DATABASE_URL"])
    documents = run_sync(_documents(settings))
    assert documents["serial, sorted"] == documents["parallel, hashed"]

"""Test database: a fresh SQLite file, or a fresh PostgreSQL database when SYMMETRY_TEST_DATABASE_URL is set.

The schema is built by running the migrations once per test run; every test that touches the database
gets it empty (see ``clean_database``), and the PostgreSQL database is dropped at the end of the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from surveys.db import alchemy_config
from surveys.migrations import upgrade
from surveys.models import metadata
from surveys.settings import Settings
from tests.support import in_thread, run_sync


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


def _new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server_url = os.environ.get("SYMMETRY_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    name = f"symmetry_test_{uuid.uuid4().hex[:12]}"
    run_sync(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        run_sync(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a database created for this run only."""
    yield from _new_database(tmp_path_factory)


@pytest.fixture
def empty_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a database of this test's own, with no schema: for testing migrations step by step."""
    yield from _new_database(tmp_path_factory)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # Jobs run in-process whatever the database: the tests that need a queue and workers start them themselves.
    reports = str(tmp_path_factory.mktemp("reports"))
    return Settings(environment="test", database_url=database_url, jobs="inline", reports_dir=reports)


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Settings:
    in_thread(upgrade, settings)
    return settings


async def _delete_everything(settings: Settings) -> None:
    engine = alchemy_config(settings).get_engine()
    try:
        async with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())
    finally:
        await engine.dispose()


@pytest.fixture
def clean_database(migrated: Settings) -> Iterator[Settings]:
    """The migrated test database, emptied after the test whatever it left behind."""
    yield migrated
    run_sync(_delete_everything(migrated))


@pytest.fixture
async def session(migrated: Settings) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back at the end of the test."""
    config = alchemy_config(migrated)
    try:
        async with config.get_session() as db_session:
            yield db_session
            await db_session.rollback()
    finally:
        await config.get_engine().dispose()


@pytest.fixture
def cli_env(clean_database: Settings) -> dict[str, str]:
    """Environment for the ``symmetry`` CLI pointed at the test database."""
    return {
        "SYMMETRY_DATABASE_URL": clean_database.database_url,
        "SYMMETRY_ENVIRONMENT": "test",
        "SYMMETRY_JOBS": "inline",
        "SYMMETRY_LANGUAGE": "en",  # whatever this machine's locale: the tests that read French set it
    }

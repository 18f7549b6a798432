"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.app import create_app
from surveys.settings import Settings
from tests.integration.factories import OpenWave, build_open_wave
from tests.integration.mailbox import Inbox, running
from tests.integration.world import World, build_world


@pytest.fixture
async def open_wave(session: AsyncSession) -> OpenWave:
    return await build_open_wave(session)


@pytest.fixture
async def world(clean_database: Settings) -> World:
    wave_id, manager_team, other_team, viewer_id, alpha_id, version_id = await build_world(clean_database)
    return World(create_app(clean_database), wave_id, manager_team, other_team, viewer_id, alpha_id, version_id)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """An SMTP server of this test's own, and what it received."""
    inbox = Inbox()
    with running(inbox) as port:
        yield inbox, port

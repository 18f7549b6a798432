"""Fixtures of the integration tests."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.integration.factories import OpenWave, build_open_wave


@pytest.fixture
async def open_wave(session: AsyncSession) -> OpenWave:
    return await build_open_wave(session)

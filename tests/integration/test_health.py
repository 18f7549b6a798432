"""Health and the OpenAPI schema over HTTP."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from surveys.app import create_app
from surveys.settings import Settings


async def test_health_is_ok_when_the_database_answers(migrated: Settings) -> None:
    async with AsyncTestClient(app=create_app(migrated)) as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_health_is_503_when_the_database_is_unreachable() -> None:
    settings = Settings(environment="test", database_url="postgresql+asyncpg://nobody@127.0.0.1:9/absent")
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


async def test_openapi_schema_is_served(migrated: Settings) -> None:
    async with AsyncTestClient(app=create_app(migrated)) as client:
        response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Symmetry"
    assert "/health" in schema["paths"]

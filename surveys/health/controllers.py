"""Liveness with the database: what load balancers and the operators' probes call."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from msgspec import Struct
from sqlalchemy.ext.asyncio import AsyncSession


class Health(Struct, frozen=True):
    """The service's state."""

    status: str
    database: str


class HealthController(Controller):
    """``GET /health``."""

    path = "/health"
    tags = ("operations",)

    @get(
        "/",
        summary="Service health",
        description="200 when the database answers, 503 otherwise.",
        responses={503: ResponseSpec(data_container=Health, description="The database is unreachable")},
        cache=False,
    )
    async def health(self, db_session: NamedDependency[AsyncSession]) -> Response[Health]:
        """Report whether the database answers a trivial query."""
        try:
            await db_session.execute(sa.text("SELECT 1"))
        except Exception:
            return Response(Health("unavailable", "unreachable"), status_code=HTTP_503_SERVICE_UNAVAILABLE)
        return Response(Health("ok", "ok"), status_code=HTTP_200_OK)

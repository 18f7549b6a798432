"""Counting hits per key and time window, shared by every web process: open links, sign-in, password resets.

A fixed window per key, counted by one atomic upsert (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), or
Redis's ``INCR`` when ``SYMMETRY_REDIS_URL`` is set, so two processes never both read a count below the limit and
both admit the hit. The key stored is an HMAC of what is
counted (a client address, an e-mail), so the table holds neither; rows expire with their window and are purged
by the sweep.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from litestar.connection import ASGIConnection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.security.models import ThrottleWindow
from surveys.settings import Settings

PURGE_ONE_IN = 200
"""One hit in this many also deletes the windows that have ended."""


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `hits` per `seconds`, for one kind of thing counted."""

    name: str
    hits: int
    seconds: int


def client_address(connection: ASGIConnection[Any, Any, Any, Any], settings: Settings) -> str:
    """The client's address: the socket's peer, or the configured proxy header's last value when one is set.

    Only a header that the deployment's own reverse proxy sets may be trusted (a client can send any header); the
    last value of a list is the one that proxy appended.
    """
    if settings.client_address_header:
        values = connection.headers.get(settings.client_address_header, "")
        last = values.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return connection.client.host if connection.client else "unknown"


class Throttle:
    """Fixed-window counters in the database, or in Redis when one is configured (``INCR`` with an expiry)."""

    def __init__(self, session_maker: Callable[[], AsyncSession], secret: str, redis_url: str = "") -> None:
        self.session_maker = session_maker
        self.secret = secret.encode()
        self.redis: Any = None
        if redis_url:
            from redis.asyncio import Redis

            self.redis = Redis.from_url(redis_url)

    async def close(self) -> None:
        """Close the Redis connections, if any."""
        if self.redis is not None:
            await self.redis.aclose()

    def _key(self, limit: Limit, subject: str, window: int) -> str:
        message = f"{limit.name}\x00{subject}\x00{window}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    @staticmethod
    def _window(limit: Limit, now: dt.datetime) -> tuple[int, dt.datetime]:
        index = math.floor(now.timestamp() / limit.seconds)
        return index, dt.datetime.fromtimestamp((index + 1) * limit.seconds, dt.UTC)

    async def hit(self, limit: Limit, subject: str, session: AsyncSession | None = None) -> int | None:
        """Count one hit; None while within the limit, else the seconds until the window ends (for Retry-After).

        In its own transaction, or in `session`'s (a request that has written already: on SQLite a second
        connection could not write before it commits).
        """
        now = dt.datetime.now(dt.UTC)
        index, ends = self._window(limit, now)
        key = self._key(limit, subject, index)
        if self.redis is not None:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expireat(key, ends, nx=True)
                hits = int((await pipe.execute())[0])
        elif session is None:
            async with self.session_maker() as own, own.begin():
                hits = await self._count(own, key, ends)
                if secrets.randbelow(PURGE_ONE_IN) == 0:
                    await purge_expired(own)  # where no worker sweeps (the embedded default)
        else:
            hits = await self._count(session, key, ends)
        return None if hits <= limit.hits else max(1, math.ceil((ends - now).total_seconds()))

    @staticmethod
    async def _count(session: AsyncSession, key: str, ends: dt.datetime) -> int:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        insert = dialect.insert(ThrottleWindow).values(key=key, hits=1, expires_at=ends)
        statement = insert.on_conflict_do_update(
            index_elements=[ThrottleWindow.key], set_={"hits": ThrottleWindow.hits + 1}
        ).returning(ThrottleWindow.hits)
        return int((await session.execute(statement)).scalar_one())

    async def exceeded(self, limit: Limit, subject: str, session: AsyncSession) -> int | None:
        """Without counting, in `session`: None while within the limit, else the seconds until the window ends."""
        now = dt.datetime.now(dt.UTC)
        index, ends = self._window(limit, now)
        key = self._key(limit, subject, index)
        if self.redis is not None:
            hits = int(await self.redis.get(key) or 0)
        else:
            hits = int(await session.scalar(sa.select(ThrottleWindow.hits).where(ThrottleWindow.key == key)) or 0)
        return None if hits < limit.hits else max(1, math.ceil((ends - now).total_seconds()))


async def purge_expired(session: AsyncSession) -> int:
    """Delete the windows that have ended; the number deleted."""
    result = await session.execute(sa.delete(ThrottleWindow).where(ThrottleWindow.expires_at < dt.datetime.now(dt.UTC)))
    return int(result.rowcount)  # type: ignore[attr-defined]

"""What the web processes share: sessions (a key-value store) and throttle counters, in the database."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from advanced_alchemy.base import DefaultBase
from advanced_alchemy.extensions.litestar.store import StoreModelMixin
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column


class StoreEntry(StoreModelMixin):
    """One entry of Litestar's stores (sessions), shared by every web process (advanced-alchemy's store)."""

    __tablename__ = "store_entry"
    # The mixin adds a unique index for Spanner only, which Alembic would compare anyway; the constraint suffices.
    __table_args__ = (sa.UniqueConstraint("key", "namespace", name="uq_store_entry_key_namespace"),)

    # The mixin's column is a naive timestamp compared with aware datetimes; a UTC-aware column holds on both dialects.
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)


class ThrottleWindow(DefaultBase):
    """How many hits one key took in one time window. The key is a keyed hash: no address or e-mail is stored."""

    __tablename__ = "throttle_window"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)

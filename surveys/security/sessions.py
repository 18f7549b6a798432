"""Server-side sessions that cannot be fixed by an attacker, stored where every web process reads them.

Litestar's server-side backend adopts whatever session id the browser sends, so an attacker who plants a cookie
in the victim's browser before sign-in shares the victim's session afterwards. Here an id is used only if the
store holds it; anything else (unknown, malformed, expired) counts as no session and a new id is drawn when there
is something to keep. Signing in draws a new id and deletes the old one (``rotate_session``). Visitors without a
session (respondents) get no cookie and no row.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar.connection import ASGIConnection, Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

SESSION_ID_BYTES = 32
_SESSION_ID = re.compile(rf"[0-9a-f]{{{2 * SESSION_ID_BYTES}}}")
_KNOWN = "symmetry.session_known"
"""The scope key of the id the store held for this request's cookie."""
_FRESH = "symmetry.session_fresh"
"""The scope key of the id drawn for this request."""
_ROTATE = "symmetry.session_rotate"
_LOADED = "symmetry.session_loaded"
_WRITES = "symmetry.session_writes"


def rotate_session(request: Request[Any, Any, Any]) -> None:
    """Give this request's session a new id when the response is sent, and forget the old one (at sign-in)."""
    request.scope[_ROTATE] = True  # type: ignore[literal-required]


class RotatingSessionBackend(ServerSideSessionBackend):
    """Sessions by server-side id, never adopting an id the server did not issue."""

    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        """The session of a cookie that names a stored session; an empty one for anything else."""
        session_id = connection.cookies.get(self.config.key, "")
        if not _SESSION_ID.fullmatch(session_id):
            return {}
        data = await self.get(session_id, store=self.config.get_store_from_app(connection.scope["app"]))
        if data is None:
            return {}
        try:
            session = self.deserialize_data(data)
        except (msgspec.DecodeError, ValueError, TypeError):
            return {}
        if not isinstance(session, dict):
            return {}
        connection.scope[_KNOWN] = session_id  # type: ignore[literal-required]
        connection.scope[_LOADED] = data  # type: ignore[literal-required]
        return session

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        """The stored session's id, unless it is being rotated; otherwise an id drawn for this request."""
        scope: dict[str, Any] = connection.scope  # type: ignore[assignment]
        known = scope.get(_KNOWN)
        if known and not scope.get(_ROTATE):
            return str(known)
        if _FRESH not in scope:
            scope[_FRESH] = self.generate_session_id()
        return str(scope[_FRESH])

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        """Set the cookie now; leave the store's writes to :func:`session_writer`, which runs after the commit.

        The request's own transaction commits in a ``before_send`` hook that runs after this; on SQLite it holds the
        only write lock until then, so a store write here would wait for it forever.
        """
        scope: dict[str, Any] = connection.scope  # type: ignore[assignment]
        known = scope.get(_KNOWN)
        empty = scope_session is Empty or not scope_session
        if not known and empty:
            return  # a visitor without a session (a respondent): no cookie, no row
        headers = MutableScopeHeaders.from_message(message)
        cookie_params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        forget = [str(known)] if known and (empty or scope.get(_ROTATE)) else []
        if empty:
            headers.add(
                "Set-Cookie", Cookie(value="null", key=self.config.key, expires=0, **cookie_params).to_header(header="")
            )
            scope[_WRITES] = (forget, None)
            return
        session_id = self.get_session_id(connection)
        data = self.serialize_data(scope_session, connection.scope)
        headers.add("Set-Cookie", Cookie(value=session_id, key=self.config.key, **cookie_params).to_header(header=""))
        changed = not known or forget or data != scope.get(_LOADED)
        scope[_WRITES] = (forget, (session_id, data) if changed else None)


def session_writer(config: ServerSideSessionConfig) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """What runs once the request's transaction has committed: the store writes the response decided."""

    async def write_sessions(scope: dict[str, Any]) -> None:
        writes = scope.pop(_WRITES, None)
        if writes is None:
            return
        forget, keep = writes
        store = config.get_store_from_app(scope["app"])
        for session_id in forget:
            await store.delete(session_id)
        if keep is not None:
            expires_in = int(config.max_age) if config.max_age is not None else None
            await store.set(keep[0], keep[1], expires_in=expires_in)

    return write_sessions


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    """The configuration that selects :class:`RotatingSessionBackend`."""

    _backend_class = RotatingSessionBackend

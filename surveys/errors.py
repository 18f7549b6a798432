"""Every error a user can meet: a page in their language outside ``/api``, JSON inside; unexpected ones logged.

The log line names the route's template (``/r/{token:str}``), never the path, which may hold a survey token or an
open-link code, and the engine hides SQL parameters (``surveys.db``), so a traceback carries no answer, comment,
token or e-mail address.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from surveys.explained import N_
from surveys.i18n import request_language, survey_message

logger = logging.getLogger("surveys.errors")
ERROR_TEXTS = {
    400: (
        N_("Unreadable request"),
        N_("Your browser sent a request we cannot read. Go back and try again."),
    ),
    404: (
        N_("Page not found"),
        N_("This address leads to no page. Check the link you received."),
    ),
    405: (
        N_("Action not possible"),
        N_("This page does not allow that action. Go back and try again."),
    ),
    413: (
        N_("Upload too large"),
        N_("What you sent is larger than we accept."),
    ),
    429: (
        N_("Too many requests"),
        N_("Too many requests in a short time. Wait a moment, then try again."),
    ),
    500: (
        N_("Something went wrong"),
        N_("An unexpected error keeps us from showing this page. It has been recorded; try again in a few minutes."),
    ),
    503: (
        N_("Service briefly unavailable"),
        N_("The service is very busy. Try again in a few seconds: nothing was lost."),
    ),
}
"""The title and text of the page of each status a user can meet; any other is shown as 400 or 500."""


def _route(request: Request[Any, Any, Any]) -> str:
    handler = request.scope.get("route_handler")
    paths = getattr(handler, "paths", None)
    return ", ".join(sorted(paths)) if paths else "(no route)"


def error_response(
    request: Request[Any, Any, Any], status_code: int, detail: str, headers: dict[str, str], extra: Any = None
) -> Response[Any]:
    """JSON under ``/api/`` (Litestar's shape, with the fields at fault in ``extra``); elsewhere a page."""
    if request.url.path.startswith(("/api/", "/schema")):
        body: dict[str, Any] = {"status_code": status_code, "detail": detail}
        if extra:
            body["extra"] = extra
        return Response(body, status_code=status_code, headers=headers)
    shown = status_code if status_code in ERROR_TEXTS else (500 if status_code >= 500 else 400)
    return survey_message(request_language(request), *ERROR_TEXTS[shown], status_code, headers=headers)


def http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """An expected refusal (404, 405, 400, 413, 429, 503...): its status, its headers (Retry-After), a page."""
    if error.status_code >= 500:
        logger.error("%s %s failed with %s: %s", request.method, _route(request), error.status_code, error.detail)
    return error_response(request, error.status_code, error.detail, dict(error.headers or {}), error.extra)


BUSY_RETRY_SECONDS = 2


def unexpected_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Anything else: logged with its traceback, answered 500 without details.

    SQLite's writers wait their turn for ``busy_timeout``; past it, the request is refused with 503 and Retry-After,
    and its transaction rolled back, so nothing is half stored.
    """
    if isinstance(error, sa.exc.OperationalError) and "database is locked" in str(error.orig):
        logger.warning("%s %s: the database stayed locked, answered 503", request.method, _route(request))
        return error_response(request, 503, "The database is busy", {"Retry-After": str(BUSY_RETRY_SECONDS)})
    logger.error("%s %s raised an unexpected error", request.method, _route(request), exc_info=error)
    return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error", {})

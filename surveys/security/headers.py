"""Security headers on every response, and no caching of pages that carry a survey token or an account's data."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from surveys.settings import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
"""No script at all (the pages have none), no inline style, nothing from elsewhere; never framed."""
CACHEABLE_PREFIXES = ("/static/",)
"""Only the assets may be kept by a browser or proxy: every other page is a survey (its URL is a token) or a page of
an account, and neither may stay in a shared cache or the browser's history cache."""
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(settings: Settings) -> Any:
    """A ``before_send`` hook that adds the headers to the start of each HTTP response."""
    production = settings.environment == "production"

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if production:
            headers["Strict-Transport-Security"] = HSTS
        if not str(scope.get("path", "")).startswith(CACHEABLE_PREFIXES):
            headers["Cache-Control"] = "no-store"

    return add_headers

"""Access logs without tokens or client addresses: survey links are secrets, and who opened one is nobody's business."""

from __future__ import annotations

import logging
import re

SECRET_PATH = re.compile(r"^/(r|o)/[^/?]+")
SECRET_QUERY = re.compile(r"^(/sso/callback)\?.*")
"""The single sign-on callback carries the provider's authorization code and the state in its query."""


class RedactSurveyLinks(logging.Filter):
    """Rewrite uvicorn's access-log arguments: a survey path's token or code, the SSO callback's query, the address."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place and keep it."""
        if isinstance(record.args, tuple) and len(record.args) == 5:
            _client, method, path, version, status = record.args
            redacted = SECRET_QUERY.sub(r"\1?…", SECRET_PATH.sub(r"/\1/…", str(path)))
            record.args = ("-", method, redacted, version, status)
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger."""
    logging.getLogger("uvicorn.access").addFilter(RedactSurveyLinks())

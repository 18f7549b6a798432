"""Access logs without tokens or client addresses: survey links are secrets, and who opened one is nobody's business."""

from __future__ import annotations

import logging
import re

SECRET_PATH = re.compile(r"^/(r|o)/[^/?]+")


class RedactSurveyLinks(logging.Filter):
    """Rewrite uvicorn's access-log arguments: the token or code of a survey path, and the client address."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place and keep it."""
        if isinstance(record.args, tuple) and len(record.args) == 5:
            _client, method, path, version, status = record.args
            record.args = ("-", method, SECRET_PATH.sub(r"/\1/…", str(path)), version, status)
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger."""
    logging.getLogger("uvicorn.access").addFilter(RedactSurveyLinks())

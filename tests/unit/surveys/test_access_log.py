"""Access logs never carry a survey token, an open-link code or a client address."""

from __future__ import annotations

import logging

from surveys.access_log import RedactSurveyLinks


def access_record(path: str) -> logging.LogRecord:
    # The shape of uvicorn's access records: client address, method, path with query, HTTP version, status.
    return logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:51234", "GET", path, "1.1", 200), None,
    )  # fmt: skip


def test_tokens_codes_and_addresses_are_redacted() -> None:
    for path, expected in [
        ("/r/q3X9n0cJtZ1aV7yR2mKp8sW4bLd6Hf0E", "/r/…"),
        ("/r/q3X9n0cJtZ1aV7yR2mKp8sW4bLd6Hf0E?lang=en", "/r/…?lang=en"),
        ("/o/Zk3p9QwE1xR4/qr.svg", "/o/…/qr.svg"),
        ("/sso/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj", "/sso/callback?…"),
        ("/health", "/health"),
    ]:
        record = access_record(path)
        assert RedactSurveyLinks().filter(record)
        assert record.getMessage() == f'- - "GET {expected} HTTP/1.1" 200'

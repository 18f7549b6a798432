"""The JSON shapes of the collection API."""

from __future__ import annotations

import msgspec


class ResponseSubmission(msgspec.Struct, forbid_unknown_fields=True):
    """One person's answers, sent with their personal token."""

    token: str
    answers: dict[str, int | float | str | bool | None]
    """Answers keyed by item id; every question of the person's questionnaire is required."""
    comments: dict[str, str] = msgspec.field(default_factory=dict)
    """Optional free-text answers keyed by comment id, each capped in length."""


class ResponseAccepted(msgspec.Struct):
    """The response is stored; nothing identifies it, so nothing is returned but the fact."""

    status: str = "recorded"


class FieldError(msgspec.Struct):
    """One problem, with the field it concerns (``answers.<item id>``, ``comments.<id>``, ``token``)."""

    field: str
    code: str
    message: str


class SubmissionErrorBody(msgspec.Struct):
    """Why nothing was stored."""

    status_code: int
    detail: str
    errors: list[FieldError]

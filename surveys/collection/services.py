"""Accepting a response: one use of one token, answers checked against the instrument, identity dropped.

Answers through an invitation are stored sealed with the consumption of their token, in one statement or one
transaction (:mod:`surveys.collection.intake`), and later admitted among their team's responses in batches
(:mod:`surveys.collection.mixing`). Answers through an open link have no invitation to be paired with: they are
stored as responses at once.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.intake import (
    Database,
    Stored,
    consume_and_seal,
    database_url,
    open_questionnaires,
    session_on,
    wave_takes_answers,
)
from surveys.collection.mixing import NewResponse, insert_responses
from surveys.collection.models import Channel
from surveys.collection.sealing import Sealer, sealed_size, sealer_for
from surveys.instruments.services import instrument_in_use
from surveys.org.models import Team
from surveys.text_checks import CONTROL as CONTROL_CHARACTERS
from surveys.waves.models import Invitation, OpenLink, Wave, WaveState
from surveys.waves.open_links import wave_open_for
from surveys.waves.services import hash_token
from symmetry.domain import CustomerForm, Instrument, Respondent


class Refusal(enum.StrEnum):
    """Why a submission is refused; each maps to one HTTP status."""

    INVALID = "invalid"
    UNKNOWN = "unknown"
    USED = "used"
    NOT_OPEN = "not_open"
    ALREADY_ANSWERED_HERE = "already_answered_here"
    NONE_OPEN = "none_open"
    """A team's open link between two waves: it works again when the next wave opens."""


STATUS_CODES = {
    Refusal.INVALID: 422,
    Refusal.UNKNOWN: 404,
    Refusal.USED: 409,
    Refusal.NOT_OPEN: 410,
    Refusal.ALREADY_ANSWERED_HERE: 409,
    Refusal.NONE_OPEN: 410,
}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """What is wrong with one field: a stable code for translations, and an English message for the API."""

    code: Literal["unknown", "required", "not_integer", "out_of_range", "not_text", "too_long", "refused"]
    message: str


class SubmissionError(ValueError):
    """A response that cannot be accepted, with every problem by field (``answers.<item id>``, ``token``...)."""

    def __init__(self, refusal: Refusal, errors: dict[str, FieldProblem], *, language: str | None = None) -> None:
        self.refusal = refusal
        self.errors = errors
        self.language = language
        """The respondent's language when the refusal concerns a known invitation."""
        super().__init__("; ".join(f"{field}: {problem.message}" for field, problem in errors.items()))

    @classmethod
    def refused(cls, refusal: Refusal, field: str, message: str, *, language: str | None = None) -> SubmissionError:
        """A refusal of the whole submission, attributed to one field (the token or the link)."""
        return cls(refusal, {field: FieldProblem("refused", message)}, language=language)

    @property
    def status_code(self) -> int:
        """The HTTP status of this refusal."""
        return STATUS_CODES[self.refusal]


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """What one respondent is asked, in which wave and for which team."""

    wave: Wave
    team_id: uuid.UUID
    respondent: Respondent
    instrument: Instrument
    instrument_version_id: uuid.UUID
    language: str
    team_name: str
    """The team the questions are about, named on the form."""

    @property
    def form(self) -> CustomerForm:
        """The questionnaire the wave asks its customers (employees are asked theirs whole)."""
        return self.wave.customer_form

    def introduction(self, language: str) -> str:
        """The wave's own paragraph in `language`."""
        return self.wave.introduction(language)

    @property
    def organisation_id(self) -> uuid.UUID:
        """The wave's organisation, whose privacy notice the form links to."""
        return self.wave.organisation_id


def check_submission(
    instrument: Instrument,
    respondent: Respondent,
    answers: Mapping[str, object],
    comments: Mapping[str, object],
    *,
    required: Collection[str] | None = None,
    form: CustomerForm = CustomerForm.FULL,
) -> dict[str, FieldProblem]:
    """Every problem of a submission, by field; empty when it can be stored.

    `required` restricts the required answers to these item ids (one page of a form); by default every
    question of the respondent's questionnaire must be answered. `form` is the wave's customer questionnaire: an
    answer to an item it does not ask is refused as an unknown one.
    """
    errors: dict[str, FieldProblem] = {}
    items = {item.id: item for item in instrument.asked_items(respondent, form)}
    for item_id in answers.keys() - items.keys():
        errors[f"answers.{item_id}"] = FieldProblem("unknown", f"not a question of the {respondent} questionnaire")
    for item_id, item in items.items():
        value, scale = answers.get(item_id), item.scale
        if value is None:
            if required is None or item_id in required:
                errors[f"answers.{item_id}"] = FieldProblem("required", "an answer is required")
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[f"answers.{item_id}"] = FieldProblem(
                "not_integer", f"must be a whole number from {scale.low} to {scale.high}"
            )
        elif not scale.low <= value <= scale.high:
            errors[f"answers.{item_id}"] = FieldProblem(
                "out_of_range", f"must be from {scale.low} to {scale.high}, got {value}"
            )
    questions = {comment.id: comment for comment in instrument.comments_for(respondent)}
    for comment_id, text in comments.items():
        question = questions.get(comment_id)
        field = f"comments.{comment_id}"
        if question is None:
            errors[field] = FieldProblem("unknown", f"not a comment of the {respondent} questionnaire")
        elif not isinstance(text, str):
            errors[field] = FieldProblem("not_text", "must be text")
        elif CONTROL_CHARACTERS.search(text):
            errors[field] = FieldProblem("not_text", "must not contain control characters")
        elif len(text.strip()) > question.max_length:
            errors[field] = FieldProblem(
                "too_long", f"at most {question.max_length} characters, got {len(text.strip())}"
            )
    return errors


async def _questionnaire(
    session: AsyncSession, wave: Wave, team_id: uuid.UUID, respondent: Respondent, language: str
) -> Questionnaire:
    if wave.state is not WaveState.OPEN:
        raise SubmissionError.refused(
            Refusal.NOT_OPEN, "token", f"this survey is {wave.state}, it does not take answers", language=language
        )
    instrument = await instrument_in_use(session, wave.instrument_version_id)
    team_name = await session.scalar(sa.select(Team.name).where(Team.id == team_id))
    return Questionnaire(wave, team_id, respondent, instrument, wave.instrument_version_id, language, team_name or "")


LINK_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
"""What an open-link code can look like (``secrets.token_urlsafe``)."""


async def invitation_questionnaire(session: AsyncSession, token: str) -> tuple[Invitation, Questionnaire]:
    """The invitation of a token and what it asks, or a SubmissionError saying why it cannot be answered."""
    found = (
        await session.execute(
            sa.select(Invitation, Wave)
            .join(Wave, Wave.id == Invitation.wave_id)
            .where(Invitation.token_hash == hash_token(token))
        )
    ).one_or_none()  # the invitation and its wave in one round trip
    if found is None:
        raise SubmissionError.refused(Refusal.UNKNOWN, "token", "this link is not a valid survey link")
    invitation, wave = found
    if invitation.answered:
        raise SubmissionError.refused(
            Refusal.USED, "token", "this link has already been used to answer", language=invitation.language
        )
    questionnaire = await _questionnaire(session, wave, invitation.team_id, invitation.respondent, invitation.language)
    return invitation, questionnaire


async def open_link(session: AsyncSession, code: str) -> OpenLink:
    """The open link of a code, whether or not a wave is open for its team, or a SubmissionError."""
    # Codes are URL-safe base64; anything else (a NUL byte, which PostgreSQL refuses in text) names no link.
    link = await session.scalar(sa.select(OpenLink).where(OpenLink.code == code)) if LINK_CODE.fullmatch(code) else None
    if link is None:
        raise SubmissionError.refused(Refusal.UNKNOWN, "code", "this link is not a valid survey link")
    return link


async def open_link_questionnaire(
    session: AsyncSession, code: str, *, language: str = "fr"
) -> tuple[OpenLink, Questionnaire]:
    """The open link of a code and the customer questionnaire of the wave open for its team, or a SubmissionError."""
    link = await open_link(session, code)
    wave = await wave_open_for(session, link.team_id)
    if wave is None:
        raise SubmissionError.refused(Refusal.NONE_OPEN, "code", "no survey is open for this team at the moment")
    return link, await _questionnaire(session, wave, link.team_id, Respondent.CUSTOMER, language)


def _require_valid(questionnaire: Questionnaire, answers: Mapping[str, object], comments: Mapping[str, object]) -> None:
    errors = check_submission(
        questionnaire.instrument, questionnaire.respondent, answers, comments, form=questionnaire.form
    )
    if errors:
        raise SubmissionError(Refusal.INVALID, errors)


async def submit_response(
    database: Database,
    token: str,
    answers: Mapping[str, object],
    comments: Mapping[str, object] | None = None,
) -> Stored:
    """Consume one invitation token and store its answers, sealed until mixing admits them; where they wait.

    The answers are first checked against the open waves' questionnaires, so that a valid submission costs one
    statement; when that statement consumes nothing, the invitation is read to say why, or to store it (a wave
    opened within the last second).
    """
    comments = comments or {}
    token_hash = hash_token(token)
    sealer = sealer_for(database_url(database))
    open_now = await open_questionnaires(database).current(database)
    # Padded alike for every questionnaire open: a size chosen by the questionnaires the answers pass would
    # depend on what they say.
    size = max((q.sealed_size for q in open_now), default=0)
    passing = [q for q in open_now if q.passes(answers, comments)]
    if passing:
        places = [(q.wave_id, q.respondent) for q in passing]
        stored = await consume_and_seal(database, token_hash, places, _seal(sealer, answers, comments, size=size))
        if stored is not None:
            return stored
    async with session_on(database) as session:
        _, questionnaire = await invitation_questionnaire(session, token)
    _require_valid(questionnaire, answers, comments)
    place = (questionnaire.wave.id, questionnaire.respondent)
    size = max(size, sealed_size(questionnaire.instrument, questionnaire.respondent))  # a wave opened just now
    stored = await consume_and_seal(database, token_hash, [place], _seal(sealer, answers, comments, size=size))
    if stored is not None:
        return stored
    language = questionnaire.language
    if await database.scalar(sa.select(Invitation.answered).where(Invitation.token_hash == token_hash)):
        raise SubmissionError.refused(
            Refusal.USED, "token", "this link has already been used to answer", language=language
        )
    raise SubmissionError.refused(
        Refusal.NOT_OPEN, "token", "this survey is closing, it does not take answers", language=language
    )


def _seal(sealer: Sealer, answers: Mapping[str, object], comments: Mapping[str, object], *, size: int) -> bytes:
    return sealer.seal(dict(answers), _texts(comments), size=size)


def _texts(comments: Mapping[str, object]) -> dict[str, str]:
    """The comments that say something, trimmed."""
    return {comment_id: str(text).strip() for comment_id, text in comments.items() if str(text).strip()}


async def submit_open_response(
    session: AsyncSession,
    code: str,
    answers: Mapping[str, object],
    comments: Mapping[str, object] | None = None,
) -> None:
    """Store a customer's answers given through a team's open link (no invitation: nothing to pair it with)."""
    _, questionnaire = await open_link_questionnaire(session, code)
    _require_valid(questionnaire, answers, comments or {})
    if not await wave_takes_answers(session, questionnaire.wave.id):
        raise SubmissionError.refused(Refusal.NOT_OPEN, "code", "this survey is closing, it does not take answers")
    valid = cast("Mapping[str, int]", answers)  # checked above: whole numbers on their scales
    response = NewResponse(
        questionnaire.team_id, Respondent.CUSTOMER, Channel.OPEN_LINK, 0, valid, _texts(comments or {})
    )
    wave = questionnaire.wave
    await insert_responses(session, wave.id, questionnaire.instrument_version_id, questionnaire.instrument, [response])

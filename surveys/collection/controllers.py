"""Survey pages (forms without JavaScript) and the collection API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from reports.qr import qr_code
from surveys.catalog import Language, choose_language
from surveys.collection.forms import (
    Asked,
    PreviewBanner,
    Submitted,
    build_page,
    first_step_with_problems,
    read_form,
    step_problems,
    steps_for,
)
from surveys.collection.intake import intake_connection
from surveys.collection.jobs import mix_when_due
from surveys.collection.schemas import FieldError, ResponseAccepted, ResponseSubmission, SubmissionErrorBody
from surveys.collection.services import (
    Refusal,
    SubmissionError,
    invitation_questionnaire,
    open_link,
    open_link_questionnaire,
    submit_open_response,
    submit_response,
)
from surveys.explained import N_
from surveys.i18n import survey_message
from surveys.privacy.notice import notice_url
from surveys.settings import Settings
from surveys.waves.open_links import QR_MEDIA_TYPES, open_link_url

FormData = URLEncodedBody[dict[str, str]]
Submit = Callable[[dict[str, object], dict[str, str]], Awaitable[object]]
ANSWERED = N_("You have already answered")
REFUSAL_TEXTS = {
    Refusal.UNKNOWN: (
        N_("This link is not valid"),
        N_(
            "Check that you copied the whole link. If it was sent again since, only the latest link you received works."
        ),
    ),
    Refusal.USED: (
        ANSWERED,
        N_("This link has already been used to answer; each person answers once. Thank you for taking part."),
    ),
    Refusal.NOT_OPEN: (
        N_("This survey is closed"),
        N_("This survey no longer takes answers. Thank you for your interest."),
    ),
    Refusal.ALREADY_ANSWERED_HERE: (
        ANSWERED,
        N_("An answer has already been sent from this browser for this survey. Thank you for taking part."),
    ),
    Refusal.NONE_OPEN: (
        N_("No survey at the moment"),
        N_("This team has no survey open right now. The same link will work again for its next survey."),
    ),
}


def _language(request: Request[Any, Any, Any], requested: str | None, fallback: str) -> Language:
    return choose_language(requested, fallback, request.headers.get("accept-language"))


def refusal_page(error: SubmissionError, language: Language) -> Template:
    """The page that says why a link cannot be answered, in the invitation's language when it is known."""
    language = choose_language(error.language, language)
    title, body = REFUSAL_TEXTS[error.refusal]
    return survey_message(language, title, body, error.status_code)


def form_page(
    questionnaire: Asked,
    submitted: Submitted,
    language: Language,
    settings: Settings,
    *,
    step: int,
    action_url: str,
    problems: dict[str, Any] | None = None,
    preview: PreviewBanner | None = None,
) -> Template:
    """One step of the form; 422 when it shows problems. A `preview` shows its banner over the form."""
    page = build_page(questionnaire, submitted, language, step=step, problems=problems)
    return Template(
        "survey/form.html",
        context={
            "page": page,
            "action_url": action_url,
            "language": language,
            "anonymity_threshold": settings.anonymity_threshold,
            "comment_threshold": settings.comment_threshold,
            "preview": preview,
            "notice_url": notice_url(questionnaire.organisation_id, language),
        },
        status_code=422 if page.errors else 200,
    )


async def advance(
    questionnaire: Asked,
    data: dict[str, str],
    settings: Settings,
    *,
    action_url: str,
    submit: Submit,
    on_success: Callable[[Redirect], Redirect] = lambda redirect: redirect,
    preview: PreviewBanner | None = None,
) -> Template | Redirect:
    """Move a form along: switch language, go back, check a step and go on, or send the whole response."""
    steps = len(steps_for(questionnaire.instrument, questionnaire.respondent, questionnaire.form))
    submitted = read_form(data, steps)
    language = choose_language(data.get("lang"), questionnaire.language)

    def page(step: int, language: Language, problems: dict[str, Any] | None = None) -> Template:
        return form_page(
            questionnaire, submitted, language, settings, step=step, action_url=action_url, problems=problems,
            preview=preview,
        )  # fmt: skip

    if submitted.action.startswith("lang:"):
        return page(submitted.step, choose_language(submitted.action.removeprefix("lang:"), language))
    if submitted.action == "back":
        return page(max(submitted.step - 1, 1), language)
    problems = step_problems(questionnaire, submitted, submitted.step)
    if problems or (submitted.action != "submit" and submitted.step < steps):
        return page(submitted.step if problems else submitted.step + 1, language, problems)
    try:
        await submit(submitted.answers, submitted.comments)
    except SubmissionError as error:
        if error.refusal is not Refusal.INVALID:
            return refusal_page(error, language)
        return page(first_step_with_problems(questionnaire, error.errors), language, error.errors)
    return on_success(Redirect(f"/thanks?lang={language}", status_code=303))


def _answered_here_cookie(wave_id: object) -> str:
    return f"symmetry_answered_{str(wave_id).replace('-', '')[:16]}"


class SurveyPagesController(Controller):
    """The pages respondents see: the form of a personal link, the form of a team's open link, thanks."""

    include_in_schema = False

    @get("/r/{token:str}")
    async def invitation_form(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        lang: FromQuery[str | None] = None,
    ) -> Template:
        """The first step of the form of a personal link, in the invitation's language unless asked otherwise."""
        try:
            _, questionnaire = await invitation_questionnaire(db_session, token)
        except SubmissionError as error:
            return refusal_page(error, _language(request, lang, "fr"))
        language = choose_language(lang, questionnaire.language)
        return form_page(
            questionnaire, Submitted({}, {}, 1, "next"), language, settings, step=1, action_url=f"/r/{token}"
        )

    @post("/r/{token:str}", status_code=200)
    async def invitation_step(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        data: FormData,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        """A step of the form of a personal link, or the whole response on the last step."""
        try:
            _, questionnaire = await invitation_questionnaire(db_session, token)
        except SubmissionError as error:
            return refusal_page(error, choose_language(data.get("lang"), "fr"))

        async def submit(answers: dict[str, object], comments: dict[str, str]) -> object:
            mix_when_due(request, await submit_response(db_session, token, answers, comments))
            return None

        return await advance(questionnaire, data, settings, action_url=f"/r/{token}", submit=submit)

    @get("/o/{code:str}")
    async def open_form(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        lang: FromQuery[str | None] = None,
    ) -> Template:
        """The customer form of a team's open link, in the browser's language unless asked otherwise."""
        language = _language(request, lang, "fr")
        try:
            link, questionnaire = await open_link_questionnaire(db_session, code, language=language)
            if link.one_per_browser and request.cookies.get(_answered_here_cookie(questionnaire.wave.id)):
                raise SubmissionError.refused(Refusal.ALREADY_ANSWERED_HERE, "code", "already answered here")
        except SubmissionError as error:
            return refusal_page(error, language)
        return form_page(
            questionnaire, Submitted({}, {}, 1, "next"), language, settings, step=1, action_url=f"/o/{code}"
        )

    @post("/o/{code:str}", status_code=200)
    async def open_step(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        data: FormData,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        """A step of the open-link form; the last one stores the response and marks this browser."""
        language = _language(request, data.get("lang"), "fr")
        try:
            link, questionnaire = await open_link_questionnaire(db_session, code, language=language)
            cookie = _answered_here_cookie(questionnaire.wave.id)
            if link.one_per_browser and request.cookies.get(cookie):
                raise SubmissionError.refused(Refusal.ALREADY_ANSWERED_HERE, "code", "already answered here")
        except SubmissionError as error:
            return refusal_page(error, language)

        async def submit(answers: dict[str, object], comments: dict[str, str]) -> object:
            await submit_open_response(db_session, code, answers, comments)
            return None

        def mark_browser(redirect: Redirect) -> Redirect:
            days_left = max((questionnaire.wave.closes_on - dt.date.today()).days, 0) + 1
            redirect.cookies.append(
                Cookie(
                    key=cookie,
                    value="1",
                    path=f"/o/{code}",
                    max_age=days_left * 86400,
                    httponly=True,
                    samesite="lax",
                    secure=settings.environment == "production",
                )
            )
            return redirect

        return await advance(
            questionnaire, data, settings, action_url=f"/o/{code}", submit=submit, on_success=mark_browser
        )

    @get(["/o/{code:str}/qr.svg", "/o/{code:str}/qr.png"])
    async def open_link_qr(
        self,
        request: Request[Any, Any, Any],
        code: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        """The open link as a QR code, SVG or PNG, to print on a counter card or a receipt."""
        try:
            await open_link(db_session, code)  # a card is printed between waves too
        except SubmissionError as error:
            return Response(str(error).encode(), status_code=error.status_code, media_type="text/plain")
        kind = request.url.path.rsplit(".", 1)[-1]
        return Response(qr_code(open_link_url(settings.public_url, code), kind), media_type=QR_MEDIA_TYPES[kind])

    @get("/thanks")
    async def thanks(self, request: Request[Any, Any, Any], lang: FromQuery[str | None] = None) -> Template:
        """The thank-you page; it carries nothing about the response."""
        return survey_message(
            _language(request, lang, "fr"),
            N_("Thank you!"),
            N_("Your answers are recorded. You may close this page."),
        )


EXAMPLE_TOKEN = "q3X9n0cJtZ1aV7yR2mKp8sW4bLd6Hf0E"


def _error_spec(status: int, description: str, field: str, code: str, message: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=SubmissionErrorBody,
        description=description,
        examples=[
            Example(
                summary=description,
                value={
                    "status_code": status,
                    "detail": f"{field}: {message}",
                    "errors": [{"field": field, "code": code, "message": message}],
                },
            )
        ],
    )


def submission_error_response(
    _request: Request[Any, Any, Any], error: SubmissionError
) -> Response[SubmissionErrorBody]:
    """The JSON body of a refused submission, naming every field at fault."""
    errors = [FieldError(field, problem.code, problem.message) for field, problem in error.errors.items()]
    return Response(SubmissionErrorBody(error.status_code, str(error), errors), status_code=error.status_code)


class ResponseApiController(Controller):
    """``POST /api/v1/responses``: answers from integrations and kiosks, with a personal token."""

    path = "/api/v1/responses"
    tags = ("collection",)
    exception_handlers = {SubmissionError: submission_error_response}  # noqa: RUF012 - Litestar's declared mapping

    @post(
        "/",
        status_code=201,
        summary="Submit one person's answers",
        description=(
            "Stores the answers given through one personal token, and consumes the token: a token answers once. "
            "Every question of the person's questionnaire (employee or customer) is required; comments are optional "
            "and capped. Nothing is stored unless everything is valid. A response is stored with its "
            "team, wave and instrument version only, with no time."
        ),
        responses={
            404: _error_spec(404, "Unknown token", "token", "refused", "this link is not a valid survey link"),
            409: _error_spec(
                409, "Token already used", "token", "refused", "this link has already been used to answer"
            ),
            410: _error_spec(
                410, "Wave not open", "token", "refused", "this survey is closed, it does not take answers"
            ),
            422: _error_spec(
                422, "Invalid answers", "answers.listening.employee", "out_of_range", "must be from 1 to 5, got 6"
            ),
        },
    )
    async def submit(
        self,
        data: Annotated[
            ResponseSubmission,
            Body(
                title="Answers",
                examples=[
                    Example(
                        summary="A customer's answers",
                        value={
                            "token": EXAMPLE_TOKEN,
                            "answers": {
                                "listening.customer": 4,
                                "recognition.customer": 5,
                                "trust.customer": 4,
                                "information.customer": 3,
                                "responsiveness.customer": 4,
                                "respect.customer": 5,
                                "simplicity.customer": 4,
                                "outcome.nps": 9,
                                "outcome.csat": 4,
                                "outcome.ces": 2,
                            },
                            "comments": {"comment.customer": "Quick and friendly."},
                        },
                    )
                ],
            ),
        ],
        db_engine: NamedDependency[AsyncEngine],
        request: Request[Any, Any, Any],
    ) -> ResponseAccepted:
        """Store the answers of one token, in one statement on PostgreSQL (no session: nothing else to commit)."""
        async with intake_connection(db_engine) as connection:
            stored = await submit_response(connection, data.token, data.answers, data.comments)
        mix_when_due(request, stored)
        return ResponseAccepted()

"""``/instruments``: the stored instrument versions, an upload form, and any version previewed as respondents see it.

A preview is the real survey form (:func:`surveys.collection.controllers.form_page` and ``advance``) over an
instrument version instead of a wave: its answers are checked as a respondent's are, and never stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body, FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import LEADS, REFUSAL, allow, check_organisation
from surveys.accounts.models import User
from surveys.audit.services import record
from surveys.catalog import Language, choose_language, translation
from surveys.collection.controllers import advance, form_page
from surveys.collection.forms import PreviewBanner, Submitted
from surveys.collection.services import Refusal, SubmissionError, check_submission
from surveys.explained import N_, Explained, field_problem, one_of
from surveys.i18n import message_page, page_language
from surveys.instruments.loader import FILE_SIZE_CAP, InstrumentError, document_of, read_document
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.schemas import Registered
from surveys.instruments.services import (
    SHIPPED,
    store_instrument,
    stored_instrument,
    version_rows,
)
from surveys.settings import Settings
from surveys.text_checks import CONTROL
from surveys.waves.models import Wave
from symmetry.domain import CustomerForm, Instrument, Respondent

PREVIEW_CHOICES = {"respondent": ("employee", "customer", "customer_short"), "language": ("fr", "en")}
"""What a preview may show: both kinds of respondent (customers' full form or their short one), in each language."""
PREVIEWED = {
    "employee": (Respondent.EMPLOYEE, CustomerForm.FULL),
    "customer": (Respondent.CUSTOMER, CustomerForm.FULL),
    "customer_short": (Respondent.CUSTOMER, CustomerForm.SHORT),
}
"""Who a preview's ``respondent`` shows the form of, and which customer form."""
NO_SHORT_FORM = field_problem(
    "respondent", Explained(N_("this instrument version has no short customer questionnaire"))
)
NO_FILE = Explained(N_("choose a TOML file"))
EXAMPLE_TEAM = N_("Example team")
"""The team a preview names where a respondent reads their own team's name (versions belong to no organisation)."""


@dataclass(frozen=True, slots=True)
class PreviewForm:
    """What a previewed form asks: an instrument version's questions, of one kind of respondent."""

    instrument: Instrument
    respondent: Respondent
    form: CustomerForm
    language: str
    team_name: str

    def introduction(self, language: str) -> str:
        """None: an instrument previewed belongs to no wave (a wave's page previews its e-mails with it)."""
        return ""

    @property
    def organisation_id(self) -> None:
        """None: a version belongs to no organisation, so the preview links to no privacy notice."""
        return None


def _preview_problem(**chosen: str) -> Explained | None:
    """What is wrong with the preview's query, field by field, or None."""
    for field, value in chosen.items():
        if value not in PREVIEW_CHOICES[field]:
            return field_problem(field, one_of(list(PREVIEW_CHOICES[field])))
    return None


def _file_name(uploaded: str) -> str:
    """The name of an uploaded file as the page and the audit log show it: no folders, no control characters."""
    name = CONTROL.sub("", PurePath(uploaded.replace("\\", "/")).name)[:200]
    return name or "instrument.toml"


class InstrumentPagesController(Controller):
    """The instruments page, its upload, and the previews: for leads, over every stored version."""

    path = "/instruments"
    guards = [allow(LEADS)]  # noqa: RUF012 - Litestar's declared attribute
    include_in_schema = False

    async def _page(
        self,
        user: User,
        db_session: AsyncSession,
        *,
        problems: list[Explained] | None = None,
        source: str = "",
        registered: Registered | None = None,
    ) -> Template:
        rows = await version_rows(db_session)
        return Template(
            "admin/instruments.html",
            context={
                "user": user,
                "rows": rows,
                "shipped_stored": any(row.shipped for row in rows),
                "problems": problems or [],
                "source": source,
                "registered": registered,
                "size_cap": FILE_SIZE_CAP // 1024,
            },
            status_code=422 if problems else 200,
        )

    @get("/")
    async def instruments(
        self, request: Request[User, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> Template:
        """Every stored version with its questions counted, whether a wave uses it, and the upload form."""
        return await self._page(request.user, db_session)

    @post("/", status_code=200)
    async def upload(
        self,
        request: Request[User, Any, Any],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        """Store an uploaded TOML file (or the shipped instrument) as a version; every problem on the page if not."""
        user = request.user
        upload = data.get("file")
        try:
            if data.get("shipped") == SHIPPED:
                source, document = f"{SHIPPED}.toml", read_document(SHIPPED)[0]
            elif isinstance(upload, UploadFile):
                source = _file_name(upload.filename)
                document = document_of(await upload.read(FILE_SIZE_CAP + 1), source)
            else:
                return await self._page(user, db_session, problems=[field_problem("file", NO_FILE)])
            registered = await store_instrument(db_session, document, source)
        except InstrumentError as error:
            return await self._page(user, db_session, problems=error.problems, source=error.source)
        await record(
            db_session, actor=user.email, action="instrument.register", organisation_id=user.organisation_id,
            target=f"{registered.key} v{registered.version}",
            details={"file": source, "outcome": registered.outcome.value},
        )  # fmt: skip
        return await self._page(user, db_session, source=source, registered=registered)

    async def _preview_of(
        self,
        db_session: AsyncSession,
        user: User,
        version_id: uuid.UUID,
        respondent: str,
        language: Language,
        wave_id: uuid.UUID | None,
    ) -> tuple[PreviewForm, PreviewBanner]:
        """The form and banner of a preview; :data:`NO_SHORT_FORM` for the short form of a version without one.

        A `wave_id` (the wave page that opened it) must be a wave of the user's organisation: one refusal otherwise.
        """
        version = await db_session.get(InstrumentVersion, version_id)
        if version is None:
            raise PermissionDeniedException(REFUSAL)  # one refusal, whatever the id
        if wave_id is not None:
            wave = await db_session.get(Wave, wave_id)
            if wave is None:
                raise PermissionDeniedException(REFUSAL)
            check_organisation(user, wave.organisation_id)
        instrument = stored_instrument(version)
        kind, customer_form = PREVIEWED[respondent]
        if customer_form is CustomerForm.SHORT and instrument.short_customer is None:
            raise NO_SHORT_FORM
        form = PreviewForm(
            instrument=instrument,
            respondent=kind,
            form=customer_form,
            language=language,
            team_name=translation(language).gettext(EXAMPLE_TEAM),
        )
        url = f"/instruments/{version.id}/preview"
        banner = PreviewBanner(
            f"{version.key} v{version.version}", url, respondent, instrument.short_customer is not None, wave_id
        )
        return form, banner

    @get("/{version_id:uuid}/preview")
    async def preview(
        self,
        request: Request[User, Any, Any],
        version_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        respondent: FromQuery[str] = "employee",
        language: FromQuery[str | None] = None,
        wave: FromQuery[uuid.UUID | None] = None,
    ) -> Template:
        """The first page of the version's form for employees or customers, in French or English, storing nothing.

        ``respondent=customer_short`` shows the customers' short form, for a version that has one.
        """
        user = request.user
        chosen = {"respondent": respondent, "language": language or page_language(request)}
        problem = _preview_problem(**chosen)
        if problem is not None:
            return message_page(user, problem, 400)
        shown = choose_language(chosen["language"], "fr")
        try:
            form, banner = await self._preview_of(db_session, user, version_id, respondent, shown, wave)
        except Explained as refused:
            return message_page(user, refused, 400)
        first = Submitted({}, {}, 1, "next")
        action_url = f"{banner.url}?respondent={respondent}{banner.kept}"
        return form_page(form, first, shown, settings, step=1, action_url=action_url, preview=banner)

    @post("/{version_id:uuid}/preview", status_code=200)
    async def preview_step(
        self,
        request: Request[User, Any, Any],
        version_id: FromPath[uuid.UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        respondent: FromQuery[str] = "employee",
        wave: FromQuery[uuid.UUID | None] = None,
    ) -> Template | Redirect:
        """A step of the previewed form, checked as a respondent's is; the last one stores nothing and says so."""
        user = request.user
        problem = _preview_problem(respondent=respondent)
        if problem is not None:
            return message_page(user, problem, 400)
        language = choose_language(data.get("lang"), page_language(request))
        action = data.get("action", "")
        # The example team is named in the language the page will be shown in, a switch of language included.
        shown = choose_language(action.removeprefix("lang:"), language) if action.startswith("lang:") else language
        try:
            form, banner = await self._preview_of(db_session, user, version_id, respondent, shown, wave)
        except Explained as refused:
            return message_page(user, refused, 400)

        async def check_only(answers: dict[str, object], comments: dict[str, str]) -> None:
            # The whole response checked as submit_response checks it, and then dropped.
            errors = check_submission(form.instrument, form.respondent, answers, comments, form=form.form)
            if errors:
                raise SubmissionError(Refusal.INVALID, errors)

        def done(_thanks: Redirect) -> Redirect:
            # Instead of the thank-you page a respondent reaches, in the language the form was sent in.
            done_url = f"{banner.url}/done?respondent={respondent}&language={language}{banner.kept}"
            return Redirect(done_url, status_code=303)

        return await advance(
            form, data, settings, action_url=f"{banner.url}?respondent={respondent}{banner.kept}", submit=check_only,
            on_success=done, preview=banner,
        )  # fmt: skip

    @get("/{version_id:uuid}/preview/done")
    async def preview_done(
        self,
        request: Request[User, Any, Any],
        version_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        respondent: FromQuery[str] = "employee",
        language: FromQuery[str] = "fr",
        wave: FromQuery[uuid.UUID | None] = None,
    ) -> Template:
        """Where a respondent is thanked: the preview says that nothing was stored."""
        user = request.user
        problem = _preview_problem(respondent=respondent, language=language)
        if problem is not None:
            return message_page(user, problem, 400)
        shown = choose_language(language, "fr")
        try:
            _, banner = await self._preview_of(db_session, user, version_id, respondent, shown, wave)
        except Explained as refused:
            return message_page(user, refused, 400)
        return Template("survey/preview_done.html", context={"language": shown, "preview": banner})

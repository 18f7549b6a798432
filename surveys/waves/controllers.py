"""The leads' and managers' pages: the dashboard, a wave's response rates, and running a wave."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.guards import EVERYONE, LEADS, REFUSAL, allow, check_organisation, check_team
from surveys.accounts.models import Role, User
from surveys.accounts.services import visible_team_ids
from surveys.actions.models import ActionStatus
from surveys.actions.services import suggestions
from surveys.audit.services import record
from surveys.explained import N_, Explained, field_problem, one_of
from surveys.i18n import message_page, page_language
from surveys.instruments.services import chosen_version, instrument_choices, instrument_in_use
from surveys.mail.jobs import wave_emails_job
from surveys.mail.models import MailKind
from surveys.mail.services import preview
from surveys.org.models import Organisation, Team
from surveys.results.dashboard import open_participation, organisation_dashboard, team_lines
from surveys.results.models import WaveAnalysisRecord
from surveys.results.team_page import team_page
from surveys.settings import Settings
from surveys.text_checks import checked_date
from surveys.waves.actions import extend, introduce, launch, remind, request_close
from surveys.waves.forecast import forecast
from surveys.waves.jobs import finish_closing_job
from surveys.waves.models import Wave, WaveState, WaveTeam
from surveys.waves.services import INTRODUCTION_LENGTH, WaveStateError, create_wave
from surveys.waves.status import wave_status
from surveys.worker.queue import defer
from symmetry.domain import Respondent


async def wave_for(db_session: AsyncSession, user: User, wave_id: uuid.UUID) -> Wave:
    """The wave, if the user's organisation holds it; one refusal for another organisation's and a missing one."""
    wave = await db_session.get(Wave, wave_id)
    if wave is None:
        raise PermissionDeniedException(REFUSAL)  # the same refusal as for another organisation's wave
    check_organisation(user, wave.organisation_id)
    return wave


async def wave_and_team_for(
    db_session: AsyncSession, user: User, wave_id: uuid.UUID, team_id: uuid.UUID
) -> tuple[Wave, Team]:
    """The wave and one of its organisation's teams that the user may see; one refusal for anything else."""
    wave = await wave_for(db_session, user, wave_id)
    team = await db_session.get(Team, team_id)
    if team is None or team.organisation_id != wave.organisation_id:
        raise PermissionDeniedException(REFUSAL)
    check_team(await visible_team_ids(db_session, user), team.id)
    return wave, team


NOT_YET = N_("The results appear once the wave is closed and analysed.")


async def _analysis_of_closed(db_session: AsyncSession, wave: Wave) -> WaveAnalysisRecord | None:
    """The stored analysis the results pages show; None while the wave is not closed or not yet analysed."""
    return await db_session.get(WaveAnalysisRecord, wave.id) if wave.state is WaveState.CLOSED else None


WAVE_ACTIONS = ("launch", "remind", "close")
PREVIEW_CHOICES = {
    "language": ("fr", "en"),
    "respondent": ("employee", "customer"),
    "kind": ("invitation", "reminder"),
}
"""What an e-mail preview may show: each language, both kinds of respondent, the invitation and the reminder."""
NO_SMTP = N_("No SMTP server is configured: reminders cannot be sent.")
ACTION_REFUSALS = {
    "launch": N_("wave %(wave)s is %(state)s; only a draft wave can be launched"),
    "remind": N_("wave %(wave)s is %(state)s; only an open wave gets reminders"),
    "close": N_("wave %(wave)s is %(state)s; only an open wave can be closed"),
}
"""What the confirmation page says of an action the wave's state no longer allows (a second tab, a back button)."""


class WavePagesController(Controller):
    """``/dashboard`` and ``/waves/...``."""

    include_in_schema = False

    @get("/dashboard", guards=[allow(EVERYONE)])
    async def dashboard(self, request: Request[User, Any, Any], db_session: NamedDependency[AsyncSession]) -> Template:
        """The waves of the user's organisation (every organisation for admins)."""
        user = request.user
        query = sa.select(Wave, Organisation.name).join(Organisation).order_by(Wave.opens_on.desc())
        if user.role is not Role.ADMIN:
            query = query.where(Wave.organisation_id == user.organisation_id)
        waves = (await db_session.execute(query)).all()
        return Template("admin/dashboard.html", context={"user": user, "waves": waves, "leads": LEADS})

    @get("/waves/new", guards=[allow(LEADS)])
    async def new_wave(self, request: Request[User, Any, Any], db_session: NamedDependency[AsyncSession]) -> Template:
        """The form of a new wave."""
        return await self._new_wave_page(request.user, db_session, {}, None)

    async def _new_wave_page(
        self, user: User, db_session: AsyncSession, values: dict[str, str], error: str | Exception | None
    ) -> Template:
        query = sa.select(Organisation).order_by(Organisation.slug)
        if user.role is not Role.ADMIN:
            query = query.where(Organisation.id == user.organisation_id)
        organisations = list(await db_session.scalars(query))
        instruments = await instrument_choices(db_session)
        # The customer questionnaire's sizes shown are those of the instrument chosen, else of the default one.
        counted = next((choice for choice in instruments if choice.value == values.get("instrument")), instruments[0])
        context = {
            "user": user,
            "organisations": organisations,
            "instruments": instruments,
            "counted": counted,
            "values": values,
        }
        return Template("admin/wave_new.html", context={**context, "error": error}, status_code=422 if error else 200)

    @post("/waves", guards=[allow(LEADS)], status_code=200)
    async def create(
        self,
        request: Request[User, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Create a draft wave on the chosen instrument, over the whole organisation or the teams listed."""
        user = request.user
        try:
            organisation = await _organisation(db_session, data.get("organisation_id", ""))
            if organisation is None:
                raise field_problem("organisation", Explained(N_("no such organisation")))
            check_organisation(user, organisation.id)
            name = data.get("name", "").strip()
            if not name:
                raise field_problem("name", Explained(N_("required")))
            opens_on = checked_date(data.get("opens_on", ""), field="opens_on")
            closes_on = checked_date(data.get("closes_on", ""), field="closes_on")
            keys = [key.strip() for key in data.get("teams", "").split(",") if key.strip()]
            teams = None
            if keys:
                teams = list(
                    await db_session.scalars(
                        sa.select(Team).where(Team.organisation_id == organisation.id, Team.external_id.in_(keys))
                    )
                )
                missing = sorted(set(keys) - {team.external_id for team in teams})
                if missing:
                    raise field_problem("teams", Explained(N_("unknown teams %(teams)s"), teams=", ".join(missing)))
            version = await chosen_version(db_session, data.get("instrument", ""))
            wave = await create_wave(
                db_session,
                organisation,
                name=name,
                instrument_version_id=version.id,
                opens_on=opens_on,
                closes_on=closes_on,
                teams=teams,
                reminder_days=data.get("reminder_days", ""),
                customer_form=data.get("customer_form", "full"),
            )
        except ValueError as error:
            return await self._new_wave_page(user, db_session, data, error)
        await record(db_session, actor=user.email, action="wave.create", organisation_id=organisation.id, target=name)
        return Redirect(f"/waves/{wave.id}", status_code=303)

    @get("/waves/{wave_id:uuid}", guards=[allow(EVERYONE)])
    async def wave_page(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Response rates per team; a manager sees the teams of their subtree only."""
        user = request.user
        wave = await wave_for(db_session, user, wave_id)
        status = await wave_status(db_session, wave, rules=settings.disclosure_rules)
        visible = await visible_team_ids(db_session, user)
        rows = [row for row in status.rows if visible is None or row.team_id in visible]
        instrument = await instrument_in_use(db_session, wave.instrument_version_id)
        return Template(
            "admin/wave.html",
            context={
                "user": user,
                "wave": wave,
                "customer_questions": len(instrument.asked_items(Respondent.CUSTOMER, wave.customer_form)),
                "status": status,
                "rows": rows,
                "can_run": user.role in LEADS,
                "introduction_length": INTRODUCTION_LENGTH,
                "smtp": settings.smtp_enabled,
                "closed": wave.state is WaveState.CLOSED,
                "not_launched": wave.state in (WaveState.DRAFT, WaveState.SCHEDULED),
                "show_deliveries": visible is None,  # the outbox counts the whole wave, beyond a manager's teams
            },
        )

    @get("/waves/{wave_id:uuid}/results", guards=[allow(LEADS)])
    async def organisation_results(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        voice: FromQuery[str] = "employee",
        branch: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Template:
        """A closed wave's organisation dashboard, or an open wave's participation so far.

        The dashboard holds the headline, the linkage and the heatmap of a branch's teams.
        """
        user = request.user
        wave = await wave_for(db_session, user, wave_id)
        if wave.state is WaveState.OPEN:
            participation = await open_participation(db_session, wave, settings.disclosure_rules)
            return Template(
                "admin/participation.html",
                context={
                    "user": user,
                    "wave": wave,
                    "participation": participation,
                    "rules": settings.disclosure_rules,
                },
            )
        stored = await _analysis_of_closed(db_session, wave)
        if stored is None:
            return message_page(user, NOT_YET, 200)
        try:
            board = await organisation_dashboard(
                db_session,
                wave,
                stored,
                rules=settings.disclosure_rules,
                language=page_language(request),
                voice=voice,
                branch=branch,
                sort=sort,
            )
        except ValueError as error:
            return message_page(user, error, 400)
        await record(
            db_session, actor=user.email, action="results.view", organisation_id=wave.organisation_id,
            target=branch or "organisation",
        )  # fmt: skip
        return Template("admin/results.html", context={"user": user, "wave": wave, "board": board})

    @get("/waves/{wave_id:uuid}/teams", guards=[allow(EVERYONE)])
    async def team_list(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        """The teams of a closed wave the reader may see, with their overall figures; a single team opens at once."""
        user = request.user
        wave = await wave_for(db_session, user, wave_id)
        stored = await _analysis_of_closed(db_session, wave)
        if stored is None:
            return message_page(user, NOT_YET, 200)
        visible = await visible_team_ids(db_session, user)
        lines = await team_lines(db_session, wave, stored, visible, rules=settings.disclosure_rules)
        if len(lines) == 1:
            return Redirect(f"/waves/{wave.id}/teams/{lines[0].team_id}", status_code=303)
        return Template("admin/team_list.html", context={"user": user, "wave": wave, "lines": lines})

    @get("/waves/{wave_id:uuid}/teams/{team_id:uuid}", guards=[allow(EVERYONE)])
    async def team_results(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        team_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        """A team's page: its three voices per dimension, the gaps in words, its branch and the organisation beside.

        A branch shows its teams pooled; employee figures exist only above the anonymity threshold.
        """
        user = request.user
        wave, team = await wave_and_team_for(db_session, user, wave_id, team_id)
        stored = await _analysis_of_closed(db_session, wave)
        if stored is None:
            return message_page(user, NOT_YET, 200)
        page = await team_page(
            db_session,
            wave,
            stored,
            team,
            rules=settings.disclosure_rules,
            language=page_language(request),
            comment_threshold=settings.comment_threshold,
            with_comments=user.role is not Role.VIEWER,  # comments go where the team's report goes
        )
        await record(
            db_session, actor=user.email, action="results.view", organisation_id=wave.organisation_id, target=team.name
        )
        return Template(
            "admin/team_results.html",
            context={
                "user": user,
                "wave": wave,
                "team": team,
                "page": page,
                "view": page.view,
                "suggestions": suggestions(),
                "statuses": list(ActionStatus),
            },
        )

    @post("/waves/{wave_id:uuid}/closing-date", guards=[allow(LEADS)], status_code=200)
    async def extend_closing(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """Give a wave that is still to close a later closing date."""
        user = request.user
        wave = await wave_for(db_session, user, wave_id)
        try:
            await extend(db_session, wave, checked_date(data.get("closes_on", ""), field="closes_on"), actor=user.email)
        except ValueError as error:
            return message_page(user, error, 409 if isinstance(error, WaveStateError) else 422)
        return Redirect(f"/waves/{wave.id}", status_code=303)

    @post("/waves/{wave_id:uuid}/introduction", guards=[allow(LEADS)], status_code=200)
    async def write_introduction(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
    ) -> Template | Redirect:
        """The wave's own paragraph in French and English, until it closes."""
        user = request.user
        wave = await wave_for(db_session, user, wave_id)
        texts = {language: data.get(f"introduction_{language}", "") for language in ("fr", "en")}
        try:
            await introduce(db_session, wave, texts, actor=user.email)
        except ValueError as error:
            return message_page(user, error, 409 if isinstance(error, WaveStateError) else 422)
        return Redirect(f"/waves/{wave.id}", status_code=303)

    @get("/waves/{wave_id:uuid}/emails", guards=[allow(LEADS)])
    async def email_preview(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        language: FromQuery[str] = "fr",
        respondent: FromQuery[str] = "employee",
        kind: FromQuery[str] = "invitation",
    ) -> Template:
        """The invitation or reminder e-mail of the wave, for employees or customers, in French or English."""
        user = request.user
        wave = await wave_for(db_session, user, wave_id)
        chosen = {"language": language, "respondent": respondent, "kind": kind}
        for field, choices in PREVIEW_CHOICES.items():
            if chosen[field] not in choices:
                return message_page(user, field_problem(field, one_of(list(choices))), 400)
        organisation = await db_session.get_one(Organisation, wave.organisation_id)
        team = await db_session.scalar(  # the customer e-mail names a team: the wave's first, as an example
            sa.select(Team.name)
            .join(WaveTeam, (WaveTeam.team_id == Team.id) & (WaveTeam.wave_id == wave.id))
            .order_by(Team.external_id)
            .limit(1)
        )
        message = preview(
            wave, organisation.name, team or organisation.name, settings,
            language=language, kind=MailKind(kind), respondent=Respondent(respondent),
        )  # fmt: skip
        body = message.get_body(("plain",))
        return Template(
            "admin/email_preview.html",
            context={
                "user": user,
                "wave": wave,
                "subject": message["Subject"],
                "text": body.get_content() if body is not None else "",
                "chosen": chosen,
                "choices": PREVIEW_CHOICES,
            },
        )

    @get("/waves/{wave_id:uuid}/confirm/{action:str}", guards=[allow(LEADS)])
    async def confirm_action(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        action: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Before a launch, a reminder or a close: what it will do (who, how many e-mails now), to confirm."""
        user = request.user
        wave = await wave_for(db_session, user, wave_id)
        if action not in WAVE_ACTIONS:
            raise PermissionDeniedException(REFUSAL)
        if action == "remind" and not settings.smtp_enabled:
            return message_page(user, NO_SMTP, 409)
        allowed = {"launch": (WaveState.DRAFT,), "remind": (WaveState.OPEN,), "close": (WaveState.OPEN,)}[action]
        if wave.state not in allowed:
            return message_page(user, WaveStateError(ACTION_REFUSALS[action], wave), 409)
        said = await forecast(db_session, wave, action, settings)  # type: ignore[arg-type]  # checked above
        return Template("admin/confirm.html", context={"user": user, "wave": wave, "forecast": said})

    @post("/waves/{wave_id:uuid}/{action:str}", guards=[allow(LEADS)], status_code=200)
    async def run_action(
        self,
        request: Request[User, Any, Any],
        wave_id: FromPath[uuid.UUID],
        action: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        """Launch, remind or close the wave; the long work is a job, enqueued once this request has committed.

        E-mails are sent by jobs; closing stops the answers at once and a job scrambles, analyses, stores the
        results and renders the reports.
        """
        user = request.user
        wave = await wave_for(db_session, user, wave_id)
        if action not in WAVE_ACTIONS:
            raise PermissionDeniedException(REFUSAL)
        if action == "remind" and not settings.smtp_enabled:
            return message_page(user, NO_SMTP, 409)
        try:
            if action == "launch":
                await launch(db_session, wave, settings, actor=user.email)
            elif action == "remind":
                await remind(db_session, wave, settings, actor=user.email)
            else:
                await request_close(db_session, wave, actor=user.email)
        except WaveStateError as error:
            return message_page(user, error, 409)
        if action == "close":
            defer(request, finish_closing_job(wave.id))
        elif settings.smtp_enabled and wave.state is WaveState.OPEN:
            defer(request, wave_emails_job(wave.id))
        return Redirect(f"/waves/{wave.id}", status_code=303)


async def _organisation(db_session: AsyncSession, value: str) -> Organisation | None:
    """The organisation a form names by id, or None when there is none (a malformed id included)."""
    try:
        organisation_id = uuid.UUID(value)
    except ValueError:
        return None
    return await db_session.get(Organisation, organisation_id)

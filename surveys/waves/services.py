"""A wave's life: creation, launch (the invitations), closing."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.intake import stop_intake
from surveys.collection.mixing import admit_all
from surveys.collection.scramble import scramble_responses
from surveys.explained import N_, Explained, field_problem, one_of
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import stored_instrument
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.text_checks import checked_text
from surveys.waves.models import WAVE_LOCK, Invitation, Wave, WaveState, WaveTeam
from symmetry.domain import CustomerForm, Respondent

TOKEN_BYTES = 24
"""192 random bits per invitation token."""


class WaveStateError(Explained):
    """An action that the wave's current state does not allow."""

    def __init__(self, message: str, wave: Wave) -> None:
        # The state's word is a message of the catalog already (the pages' state labels): translated with the rest.
        super().__init__(message, wave=repr(wave.name), state=Explained(wave.state.value))


def hash_token(token: str) -> str:
    """The stored form of an invitation token. Tokens are random, so an unsalted hash cannot be reversed."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """An invitation with its clear token, which exists only in memory until it is delivered."""

    invitation_id: uuid.UUID
    person_id: uuid.UUID
    respondent: Respondent
    team_id: uuid.UUID
    language: str
    token: str


async def subtree_ids(session: AsyncSession, organisation_id: uuid.UUID, roots: list[uuid.UUID]) -> set[uuid.UUID]:
    """The given teams and every team below them."""
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for team_id, parent_id in await session.execute(
        sa.select(Team.id, Team.parent_id).where(Team.organisation_id == organisation_id)
    ):
        children.setdefault(parent_id, []).append(team_id)
    found, stack = set(), list(roots)
    while stack:
        team_id = stack.pop()
        if team_id not in found:
            found.add(team_id)
            stack.extend(children.get(team_id, []))
    return found


async def earlier_closed_waves(session: AsyncSession, wave: Wave, *, limit: int) -> list[Wave]:
    """Up to `limit` of the organisation's waves closed before `wave` opened, the latest first."""
    return list(
        await session.scalars(
            sa.select(Wave)
            .where(
                Wave.organisation_id == wave.organisation_id,
                Wave.state == WaveState.CLOSED,
                Wave.id != wave.id,
                Wave.closes_on <= wave.opens_on,
            )
            .order_by(Wave.closes_on.desc(), Wave.name)
            .limit(limit)
        )
    )


def checked_reminder_days(value: str, opens_on: dt.date, closes_on: dt.date) -> list[int]:
    """The days before closing of "7, 2", largest first, each within the wave; or a refusal naming the field."""
    days: set[int] = set()
    for part in value.replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            day = int(part.strip())
        except ValueError:
            day = -1
        if not 0 <= day <= (closes_on - opens_on).days:
            raise field_problem(
                "reminder_days",
                Explained(
                    N_("days before the closing date, from 0 to %(longest)s, separated by commas: got %(value)s"),
                    longest=(closes_on - opens_on).days,
                    value=repr(part.strip()[:20]),
                ),
            )
        days.add(day)
    return sorted(days, reverse=True)


async def checked_customer_form(
    session: AsyncSession, value: CustomerForm | str, instrument_version_id: uuid.UUID
) -> CustomerForm:
    """The customer form a new wave asks for, if its instrument version has it: a field problem otherwise."""
    try:
        form = CustomerForm(value)
    except ValueError:
        raise field_problem("customer_form", one_of([form.value for form in CustomerForm])) from None
    if form is CustomerForm.SHORT:
        version = await session.get(InstrumentVersion, instrument_version_id)
        if version is None or stored_instrument(version).short_customer is None:
            raise field_problem(
                "customer_form", Explained(N_("this instrument version has no short customer questionnaire"))
            )
    return form


async def create_wave(
    session: AsyncSession,
    organisation: Organisation,
    *,
    name: str,
    instrument_version_id: uuid.UUID,
    opens_on: dt.date,
    closes_on: dt.date,
    teams: list[Team] | None = None,
    reminder_days: str = "",
    introduction: dict[str, str] | None = None,
    customer_form: CustomerForm | str = CustomerForm.FULL,
) -> Wave:
    """A draft wave covering `teams` and every team below them (the whole organisation by default).

    `reminder_days`, days before the closing date separated by commas ("7, 2"), are when the scheduler reminds
    those who have not answered; `introduction` is the lead's own paragraph by language; `customer_form` is the
    questionnaire its customers answer, "short" only on an instrument version that has a short customer form.
    """
    form = await checked_customer_form(session, customer_form, instrument_version_id)
    name = checked_text(name.strip(), field="name", max_length=200)
    if not name:
        raise field_problem("name", Explained(N_("required")))
    if closes_on < opens_on:
        raise Explained(
            N_("the closing date (%(closes_on)s) is before the opening date (%(opens_on)s)"),
            closes_on=closes_on.isoformat(),
            opens_on=opens_on.isoformat(),
        )
    if await session.scalar(sa.select(Wave.id).where(Wave.organisation_id == organisation.id, Wave.name == name)):
        raise Explained(N_("the organisation already has a wave named %(name)s"), name=repr(name))
    schedule = checked_reminder_days(reminder_days, opens_on, closes_on)
    paragraph = checked_introduction(introduction or {})
    wave = Wave(
        organisation_id=organisation.id,
        instrument_version_id=instrument_version_id,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        state=WaveState.DRAFT,
        reminder_days=",".join(str(day) for day in schedule),
        reminder_rounds=0,
        introduction_fr=paragraph["fr"],
        introduction_en=paragraph["en"],
        customer_form=form,
    )
    session.add(wave)
    if teams is None:
        covered = set(await session.scalars(sa.select(Team.id).where(Team.organisation_id == organisation.id)))
    else:
        covered = await subtree_ids(session, organisation.id, [team.id for team in teams])
    session.add_all(WaveTeam(wave_id=wave.id, team_id=team_id) for team_id in covered)
    await session.flush()
    return wave


async def launch_wave(session: AsyncSession, wave: Wave) -> list[IssuedInvitation]:
    """Open a draft wave and create one invitation per active employee and customer of the teams it covers.

    The wave's row is locked and its state read again inside the lock, so that of two launches at once the second
    finds the wave open and is refused.
    """
    await session.refresh(wave, with_for_update=WAVE_LOCK)
    if wave.state not in (WaveState.DRAFT, WaveState.SCHEDULED):
        raise WaveStateError(N_("wave %(wave)s is %(state)s; only a draft or scheduled wave can be launched"), wave)
    issued: list[IssuedInvitation] = []
    invitations: list[Invitation] = []
    people: list[tuple[Respondent, Employee | Customer]] = [
        (Respondent.EMPLOYEE, person)
        for person in await session.scalars(
            sa.select(Employee)
            .join(WaveTeam, (WaveTeam.team_id == Employee.team_id) & (WaveTeam.wave_id == wave.id))
            .where(Employee.active)
            .order_by(Employee.email)
        )
    ]
    people += [
        (Respondent.CUSTOMER, person)
        for person in await session.scalars(
            sa.select(Customer)
            .join(WaveTeam, (WaveTeam.team_id == Customer.team_id) & (WaveTeam.wave_id == wave.id))
            .where(Customer.active)
            .order_by(Customer.id)
        )
    ]
    for respondent, person in people:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation = Invitation(
            id=uuid.uuid4(),
            wave_id=wave.id,
            team_id=person.team_id,
            respondent=respondent,
            employee_id=person.id if respondent is Respondent.EMPLOYEE else None,
            customer_id=person.id if respondent is Respondent.CUSTOMER else None,
            language=person.language,
            token_hash=hash_token(token),
            answered=False,
        )
        invitations.append(invitation)
        issued.append(IssuedInvitation(invitation.id, person.id, respondent, person.team_id, person.language, token))
    session.add_all(invitations)
    wave.state = WaveState.OPEN
    await session.flush()
    return issued


async def schedule_wave(session: AsyncSession, wave: Wave) -> None:
    """A draft wave launched before its opening date: opened by the scheduler on that date."""
    await session.refresh(wave, with_for_update=WAVE_LOCK)
    if wave.state is not WaveState.DRAFT:
        raise WaveStateError(N_("wave %(wave)s is %(state)s; only a draft wave can be launched"), wave)
    wave.state = WaveState.SCHEDULED
    await session.flush()


async def begin_close(session: AsyncSession, wave: Wave) -> None:
    """Stop collection on an open wave at once; a job finishes the close (``close_wave``) after the commit."""
    await stop_intake(session, wave.id)
    await session.refresh(wave, with_for_update=WAVE_LOCK)  # two closes at once: the second finds it closing
    if wave.state is not WaveState.OPEN:
        raise WaveStateError(N_("wave %(wave)s is %(state)s; only an open wave can be closed"), wave)
    wave.state = WaveState.CLOSING
    await session.flush()


async def close_wave(session: AsyncSession, wave: Wave) -> None:
    """Close an open or closing wave: admit its sealed answers, and scramble its responses, each team whole."""
    await stop_intake(session, wave.id)
    await session.refresh(wave, with_for_update=WAVE_LOCK)  # two closes at once: the second finds it closed
    if wave.state not in (WaveState.OPEN, WaveState.CLOSING):
        raise WaveStateError(N_("wave %(wave)s is %(state)s; only an open wave can be closed"), wave)
    wave.state = WaveState.CLOSED
    await session.flush()
    await admit_all(session, wave.id)
    await scramble_responses(session, wave.id)


async def extend_wave(session: AsyncSession, wave: Wave, closes_on: dt.date, today: dt.date) -> dt.date:
    """Move a wave's closing date later, while it is still to close; the date it had.

    The row is locked and its state read inside the lock: a close at the same moment wins or waits.
    """
    await session.refresh(wave, with_for_update=WAVE_LOCK)
    if wave.state not in (WaveState.DRAFT, WaveState.SCHEDULED, WaveState.OPEN):
        raise WaveStateError(N_("wave %(wave)s is %(state)s; its closing date can no longer change"), wave)
    if closes_on <= wave.closes_on:
        raise field_problem(
            "closes_on",
            Explained(N_("a date after the current closing date (%(current)s)"), current=wave.closes_on.isoformat()),
        )
    if closes_on < today:
        raise field_problem("closes_on", Explained(N_("a date from today (%(today)s)"), today=today.isoformat()))
    previous, wave.closes_on = wave.closes_on, closes_on
    await session.flush()
    return previous


INTRODUCTION_LENGTH = 1000
"""At most this many characters in a wave's own paragraph: an introduction, not a letter."""


def checked_introduction(texts: dict[str, str]) -> dict[str, str]:
    """A wave's paragraph by language ("fr", "en"), trimmed, or a refusal naming ``introduction_fr`` or ``_en``."""
    return {
        language: checked_text(texts.get(language, "").strip(), field=f"introduction_{language}",
                               max_length=INTRODUCTION_LENGTH)
        for language in ("fr", "en")
    }  # fmt: skip


async def set_introduction(session: AsyncSession, wave: Wave, texts: dict[str, str]) -> None:
    """Write the wave's own paragraph in French and English, until it closes (a close at once wins or waits).

    E-mails already sent keep the paragraph they had; later e-mails and the survey's first page show the new one.
    """
    checked = checked_introduction(texts)
    await session.refresh(wave, with_for_update=WAVE_LOCK)
    if wave.state not in (WaveState.DRAFT, WaveState.SCHEDULED, WaveState.OPEN):
        raise WaveStateError(N_("wave %(wave)s is %(state)s; its introduction can no longer change"), wave)
    wave.introduction_fr, wave.introduction_en = checked["fr"], checked["en"]
    await session.flush()


@dataclass(frozen=True, slots=True)
class PersonalLink:
    """A fresh token for one invitation that has not been answered, with whom it is for."""

    email: str | None
    language: str
    respondent: Respondent
    team_external_id: str
    token: str


@dataclass(frozen=True, slots=True)
class IssuedLinks:
    """The links `issue_links` made, and how many people kept the link they hold or lost it."""

    links: list[PersonalLink]
    kept: int
    """Unanswered invitations whose link is out and was left as it is."""
    invalidated: int
    """Links that were out and no longer work, replaced by one of `links`."""


async def issue_links(session: AsyncSession, wave: Wave, *, reissue: bool = False) -> IssuedLinks:
    """New links for an open wave's unanswered invitations whose link nobody holds, or with `reissue` for all.

    With `reissue`, the links already out stop working. Only hashes are stored, so a link can be given out again
    only by replacing its token. The wave's row is locked, so that two exports at once do not both replace the
    same links.
    """
    await session.refresh(wave, with_for_update=WAVE_LOCK)
    if wave.state is not WaveState.OPEN:
        raise WaveStateError(N_("wave %(wave)s is %(state)s; links exist only while it is open"), wave)
    rows = await session.execute(
        sa.select(Invitation, Team.external_id, Employee.email, Customer.email)
        .join(Team, Team.id == Invitation.team_id)
        .outerjoin(Employee, Employee.id == Invitation.employee_id)
        .outerjoin(Customer, Customer.id == Invitation.customer_id)
        .where(Invitation.wave_id == wave.id, Invitation.answered.is_(False))
        .order_by(Invitation.respondent, Team.external_id, Employee.email, Customer.email)
    )
    links, kept, invalidated = [], 0, 0
    for invitation, team_external_id, employee_email, customer_email in rows:
        if invitation.link_out and not reissue:
            kept += 1
            continue
        invalidated += invitation.link_out
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation.token_hash = hash_token(token)
        invitation.link_out = True
        links.append(
            PersonalLink(
                employee_email or customer_email, invitation.language, invitation.respondent, team_external_id, token
            )
        )
    await session.flush()
    return IssuedLinks(links, kept, invalidated)


async def unanswered_for_reminder(session: AsyncSession, wave: Wave, max_reminders: int) -> list[uuid.UUID]:
    """Invitations of an open wave still unanswered, reminded fewer than `max_reminders` times, none pending."""
    await session.refresh(wave, with_for_update=WAVE_LOCK)  # two reminders at once queue one set
    if wave.state is not WaveState.OPEN:
        raise WaveStateError(N_("wave %(wave)s is %(state)s; only an open wave gets reminders"), wave)
    return list(await session.scalars(sa.select(Invitation.id).where(*reminder_due(wave.id, max_reminders))))


def reminder_due(wave_id: uuid.UUID, max_reminders: int) -> tuple[sa.ColumnElement[bool], ...]:
    """Which invitations a reminder goes to: unanswered, reminded fewer than `max_reminders` times, none pending."""
    from surveys.mail.models import DeliveryStatus, EmailDelivery, MailKind

    pending_reminder = sa.exists().where(
        EmailDelivery.invitation_id == Invitation.id,
        EmailDelivery.kind == MailKind.REMINDER,
        EmailDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED]),
    )
    return (
        Invitation.wave_id == wave_id,
        Invitation.answered.is_(False),
        Invitation.reminders_sent < max_reminders,
        ~pending_reminder,
    )

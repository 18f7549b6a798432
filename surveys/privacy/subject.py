"""A person's rights of access and erasure (RGPD articles 15 and 17): everything held about an e-mail, and its removal.

A person is found by e-mail wherever the platform holds one: roster rows (employee, customer), their invitations
and the e-mails sent for them, accounts, teams they manage, action plans they wrote, audit events that name them.
Answers are not among them, by design: a response row holds no identity, no invitation and no time, so nothing
ties an answer to its author, and there is nothing to find, export or erase for one person (the export says so).

Erasure keeps what the closed waves' rates need without naming anyone: an invitation of a closed wave, or one
already answered, is untied from its person (as retention does); the person's unanswered invitations to a wave
still open are deleted with their e-mails, so that nothing more is sent. Where the audit log named them, it names
a pseudonym made for this erasure (random: it cannot be recomputed from the e-mail to confirm a guess).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from surveys.accounts.models import PasswordReset, Role, User
from surveys.actions.models import ActionPlan
from surveys.audit.models import AuditEvent
from surveys.audit.services import record
from surveys.explained import N_, Explained, field_problem
from surveys.mail.models import DeliveryStatus, EmailDelivery
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.privacy.retention import count_rows
from surveys.sso.models import SsoConfig
from surveys.text_checks import EMAIL, malformed_email
from surveys.waves.models import Invitation, Wave, WaveState

ANSWERS_STATEMENT = N_(
    "Answers are stored without any link to the person who gave them: no name, e-mail, invitation or time ties an "
    "answer to its author. They cannot be found, exported or erased for one person, and that is the point of the "
    "design. An invitation records only whether its person answered."
)


def normalised(email: str) -> str:
    """An e-mail as it is compared: trimmed, in lower case."""
    return email.strip().lower()


ERASED_LABELS = {
    "employees": N_("employee rows deleted"),
    "customers": N_("customer rows deleted"),
    "invitations": N_("invitations withdrawn from open waves, or kept for the rates tied to nobody"),
    "accounts": N_("accounts deleted"),
    "teams managed": N_("teams no longer naming them as manager"),
    "action plans": N_("action plans naming a pseudonym instead"),
    "audit events": N_("audit events naming a pseudonym instead"),
    "single sign-on roles": N_("single sign-on role mappings removed"),
    "notice contacts": N_("privacy notice contacts cleared"),
}
"""What an erasure did, kind by kind (the command prints the same)."""


def checked_email(value: str) -> str:
    """The e-mail of a subject request, normalised, or a refusal naming the field."""
    email = normalised(value)
    if not EMAIL.fullmatch(email):
        raise field_problem("email", malformed_email(value))
    return email


def found_counts(data: dict[str, Any]) -> dict[str, int]:
    """How many rows of each section an export found: what its audit event says (never the e-mail)."""
    return {key: len(value) for key, value in data.items() if isinstance(value, list) and value}


def _same_email(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], email: str
) -> sa.ColumnElement[bool]:
    return sa.func.lower(column) == email


def _holds(column: Any, email: str) -> sa.ColumnElement[bool]:
    """The database's first sieve: the column's text holds the e-mail somewhere (case-insensitive, no wildcards)."""
    return sa.func.lower(sa.func.coalesce(sa.cast(column, sa.Text), "")).contains(email, autoescape=True)


def _address(email: str) -> re.Pattern[str]:
    """The e-mail as a whole address in any text: not ``sub.a@x.fr`` for ``a@x.fr``, nor ``a@x.fr.example``."""
    return re.compile(r"(?<![\w.%+-])" + re.escape(email) + r"(?![\w-]|\.\w)", re.IGNORECASE)


def _names(address: re.Pattern[str], *values: Any) -> bool:
    """Whether any value (text, or JSON-like lists and dicts) holds the whole address."""
    return any(address.search(value if isinstance(value, str) else json.dumps(value)) for value in values if value)


async def _naming_events(session: AsyncSession, email: str) -> list[AuditEvent]:
    """The audit events whose actor, target or details hold the whole address, oldest first."""
    sieve = _holds(AuditEvent.actor, email) | _holds(AuditEvent.target, email) | _holds(AuditEvent.details, email)
    address = _address(email)
    events = await session.scalars(sa.select(AuditEvent).where(sieve).order_by(AuditEvent.occurred_at))
    return [event for event in events if _names(address, event.actor, event.target, event.details)]


async def _naming_plans(session: AsyncSession, email: str) -> list[ActionPlan]:
    """The action plans written by, owned by or noting the whole address."""
    sieve = _holds(ActionPlan.created_by, email) | _holds(ActionPlan.owner, email) | _holds(ActionPlan.note, email)
    address = _address(email)
    plans = await session.scalars(sa.select(ActionPlan).where(sieve))
    return [plan for plan in plans if _names(address, plan.created_by, plan.owner, plan.note)]


def _day(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.date().isoformat()


async def subject_data(session: AsyncSession, email: str) -> dict[str, Any]:
    """Everything held about the person with this e-mail, as plain JSON-ready values (article 15)."""
    email = normalised(email)
    organisations = {org.id: org.name for org in await session.scalars(sa.select(Organisation))}
    teams = {team.id: team.name for team in await session.scalars(sa.select(Team))}

    employees = list(await session.scalars(sa.select(Employee).where(_same_email(Employee.email, email))))
    customers = list(await session.scalars(sa.select(Customer).where(_same_email(Customer.email, email))))
    invitations = [
        (invitation, wave)
        for invitation, wave in (
            await session.execute(
                sa.select(Invitation, Wave)
                .join(Wave, Wave.id == Invitation.wave_id)
                .where(
                    Invitation.employee_id.in_([person.id for person in employees])
                    | Invitation.customer_id.in_([person.id for person in customers])
                )
                .order_by(Wave.opens_on)
            )
        )
    ]
    invitation_ids = [invitation.id for invitation, _ in invitations]
    waves = {wave.id: wave.name for _, wave in invitations}
    accounts = list(await session.scalars(sa.select(User).where(_same_email(User.email, email))))
    account_ids = [account.id for account in accounts]
    emails = list(
        await session.scalars(
            sa.select(EmailDelivery)
            .where(EmailDelivery.invitation_id.in_(invitation_ids) | EmailDelivery.recipient_id.in_(account_ids))
            .order_by(EmailDelivery.created_at)
        )
    )
    resets: dict[uuid.UUID, int] = {}
    for user_id, count in await session.execute(
        sa.select(PasswordReset.user_id, sa.func.count())
        .where(PasswordReset.user_id.in_(account_ids))
        .group_by(PasswordReset.user_id)
    ):
        resets[user_id] = count
    managed = list(await session.scalars(sa.select(Team).where(_same_email(Team.manager_email, email))))
    plans = await _naming_plans(session, email)
    audit = await _naming_events(session, email)
    address = _address(email)
    return {
        "email": email,
        "answers": ANSWERS_STATEMENT,
        "employee_of": [
            {"organisation": organisations.get(person.organisation_id), "team": teams.get(person.team_id),
             "language": person.language, "active": person.active, "added_on": _day(person.created_at),
             "changed_on": _day(person.updated_at)}
            for person in employees
        ],
        "customer_of": [
            {"organisation": organisations.get(person.organisation_id), "team": teams.get(person.team_id),
             "language": person.language, "interaction_date": _iso(person.interaction_date), "active": person.active,
             "added_on": _day(person.created_at)}
            for person in customers
        ],
        "invitations": [
            {"wave": wave.name, "organisation": organisations.get(wave.organisation_id),
             "opens_on": _iso(wave.opens_on), "closes_on": _iso(wave.closes_on), "as": invitation.respondent.value,
             "team": teams.get(invitation.team_id),
             # Not while the wave is open: the admin reading this would learn who has just answered.
             "language": invitation.language,
             "answered": invitation.answered if wave.state is WaveState.CLOSED else None,
             "reminders_sent": invitation.reminders_sent, "personal_link_given_out": invitation.link_out}
            for invitation, wave in invitations
        ],
        "emails": [
            {"kind": mail.kind.value, "wave": waves.get(mail.wave_id) if mail.wave_id else None,
             "status": mail.status.value, "queued_on": _day(mail.created_at), "sent_on": _day(mail.sent_at)}
            for mail in emails
        ],
        "accounts": [
            {"role": account.role.value, "organisation": organisations.get(account.organisation_id)
             if account.organisation_id else None, "active": account.active, "language": account.language,
             "created_on": _day(account.created_at), "password_resets": resets.get(account.id, 0)}
            for account in accounts
        ],
        "teams_managed": [
            {"organisation": organisations.get(team.organisation_id), "team": team.name} for team in managed
        ],
        "action_plans": [
            {"team": teams.get(plan.team_id), "title": plan.title, "status": plan.status.value,
             "written_by_them": _names(address, plan.created_by), "owned_by_them": _names(address, plan.owner)}
            for plan in plans
        ],
        "audit_events": [
            {"occurred_at": event.occurred_at.isoformat(timespec="seconds"), "actor": event.actor,
             "action": event.action, "organisation": organisations.get(event.organisation_id)
             if event.organisation_id else None, "target": event.target, "details": event.details}
            for event in audit
        ],
    }  # fmt: skip


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _replaced(value: Any, address: re.Pattern[str], pseudonym: str) -> Any:
    """`value` with every whole occurrence of the address replaced, through lists and dicts."""
    if isinstance(value, str):
        return address.sub(pseudonym, value)
    if isinstance(value, list):
        return [_replaced(item, address, pseudonym) for item in value]
    if isinstance(value, dict):
        return {_replaced(key, address, pseudonym): _replaced(item, address, pseudonym) for key, item in value.items()}
    return value


async def erase_subject(session: AsyncSession, email: str, *, actor: str) -> dict[str, int]:
    """Remove, or untie, everything that names the person (article 17); the counts by kind, audited.

    Refused, changing nothing, if it would delete the last active administrator.
    """
    email = normalised(email)
    # Every active admin locked: two admins erasing each other at once cannot both be the one that is left.
    admins = list(
        await session.scalars(sa.select(User).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update())
    )
    accounts = list(await session.scalars(sa.select(User).where(_same_email(User.email, email)).with_for_update()))
    last_admin = not any(admin.email.lower() != email for admin in admins)
    if last_admin and any(account.role is Role.ADMIN and account.active for account in accounts):
        raise Explained(N_("this is the last active administrator: create another one before erasing it"))
    employee_ids = _ids(Employee, email)
    customer_ids = _ids(Customer, email)
    theirs = Invitation.employee_id.in_(employee_ids) | Invitation.customer_id.in_(customer_ids)
    still_to_answer = (
        theirs,
        Invitation.answered.is_(False),
        Invitation.wave_id.in_(sa.select(Wave.id).where(Wave.state != WaveState.CLOSED)),
    )
    counts = {
        "employees": await count_rows(session, Employee, _same_email(Employee.email, email)),
        "customers": await count_rows(session, Customer, _same_email(Customer.email, email)),
        "invitations": await count_rows(session, Invitation, theirs),
        "accounts": len(accounts),
        "teams managed": await count_rows(session, Team, _same_email(Team.manager_email, email)),
        "action plans": 0,
        "audit events": 0,
        "single sign-on roles": 0,
        "notice contacts": 0,
    }
    pseudonym = f"erased-{secrets.token_hex(4)}"
    address = _address(email)
    # What is still to be sent for them goes; what was sent stays as a record tied to an invitation of nobody.
    await session.execute(
        sa.delete(EmailDelivery).where(
            EmailDelivery.invitation_id.in_(sa.select(Invitation.id).where(theirs)),
            EmailDelivery.status != DeliveryStatus.SENT,
        )
    )
    await session.execute(sa.delete(Invitation).where(*still_to_answer))
    await session.execute(
        sa.update(Invitation).where(Invitation.employee_id.in_(employee_ids)).values(employee_id=None)
    )
    await session.execute(
        sa.update(Invitation).where(Invitation.customer_id.in_(customer_ids)).values(customer_id=None)
    )
    await session.execute(sa.delete(Employee).where(_same_email(Employee.email, email)))
    await session.execute(sa.delete(Customer).where(_same_email(Customer.email, email)))
    for account in accounts:
        await session.delete(account)  # its password resets and report notices go with it (foreign-key cascade)
    await session.execute(sa.update(Team).where(_same_email(Team.manager_email, email)).values(manager_email=None))
    for plan in await _naming_plans(session, email):
        plan.created_by = _replaced(plan.created_by, address, pseudonym)
        plan.owner = _replaced(plan.owner, address, pseudonym)
        plan.note = _replaced(plan.note, address, pseudonym)
        counts["action plans"] += 1
    for event in await _naming_events(session, email):
        event.actor = _replaced(event.actor, address, pseudonym)
        event.target = _replaced(event.target, address, pseudonym)
        event.details = _replaced(event.details, address, pseudonym)
        counts["audit events"] += 1
    for config in await session.scalars(sa.select(SsoConfig).where(_holds(SsoConfig.email_roles, email))):
        kept = {key: role for key, role in config.email_roles.items() if key.strip().lower() != email}
        if kept != config.email_roles:
            config.email_roles = kept
            counts["single sign-on roles"] += 1
    for organisation in await session.scalars(
        sa.select(Organisation).where(_holds(Organisation.privacy_contact, email))
    ):
        if _names(address, organisation.privacy_contact):
            organisation.privacy_contact = None
            counts["notice contacts"] += 1
    await session.flush()
    await record(
        session, actor=actor, action="privacy.erase", target=pseudonym,
        details={kind: count for kind, count in counts.items() if count},
    )  # fmt: skip
    await session.flush()
    return counts


def _ids(model: type[Employee] | type[Customer], email: str) -> sa.Select[uuid.UUID]:
    return sa.select(model.id).where(_same_email(model.email, email))

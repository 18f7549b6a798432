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
    "invitations withdrawn": N_("invitations to open waves withdrawn"),
    "invitations untied": N_("invitations kept for the rates, tied to nobody"),
    "accounts": N_("accounts deleted"),
    "teams managed": N_("teams no longer naming them as manager"),
    "action plans": N_("action plans naming a pseudonym instead"),
    "audit events": N_("audit events naming a pseudonym instead"),
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


def _audit_naming(email: str) -> sa.ColumnElement[bool]:
    """Audit events whose actor, target or details hold the e-mail (case-insensitive, wildcards escaped)."""
    return (
        _same_email(AuditEvent.actor, email)
        | sa.func.lower(sa.func.coalesce(AuditEvent.target, "")).contains(email, autoescape=True)
        | sa.func.lower(sa.cast(AuditEvent.details, sa.Text)).contains(email, autoescape=True)
    )


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
    plans = list(
        await session.scalars(
            sa.select(ActionPlan).where(
                _same_email(ActionPlan.created_by, email) | _same_email(ActionPlan.owner, email)
            )
        )
    )
    audit = list(
        await session.scalars(sa.select(AuditEvent).where(_audit_naming(email)).order_by(AuditEvent.occurred_at))
    )
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
             "language": invitation.language, "answered": invitation.answered,
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
             "written_by_them": _same(plan.created_by, email), "owned_by_them": _same(plan.owner, email)}
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


def _same(value: str | None, email: str) -> bool:
    return value is not None and value.strip().lower() == email


def _replaced(value: Any, email: str, pseudonym: str) -> Any:
    """`value` with every occurrence of the e-mail (any case) replaced, through lists and dicts."""
    if isinstance(value, str):
        lowered, out, start = value.lower(), [], 0
        while (found := lowered.find(email, start)) >= 0:
            out += [value[start:found], pseudonym]
            start = found + len(email)
        return "".join(out) + value[start:]
    if isinstance(value, list):
        return [_replaced(item, email, pseudonym) for item in value]
    if isinstance(value, dict):
        return {_replaced(key, email, pseudonym): _replaced(item, email, pseudonym) for key, item in value.items()}
    return value


async def erase_subject(session: AsyncSession, email: str, *, actor: str) -> dict[str, int]:
    """Remove, or untie, everything that names the person (article 17); the counts by kind, audited.

    Refused, changing nothing, if it would delete the last active administrator.
    """
    email = normalised(email)
    accounts = list(await session.scalars(sa.select(User).where(_same_email(User.email, email)).with_for_update()))
    if any(account.role is Role.ADMIN and account.active for account in accounts):
        others = await session.scalar(
            sa.select(sa.func.count()).select_from(User).where(
                User.role == Role.ADMIN, User.active.is_(True), sa.func.lower(User.email) != email
            )
        )  # fmt: skip
        if not others:
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
        "invitations withdrawn": await count_rows(session, Invitation, *still_to_answer),
        "invitations untied": 0,
        "accounts": len(accounts),
        "teams managed": await count_rows(session, Team, _same_email(Team.manager_email, email)),
        "action plans": 0,
        "audit events": 0,
    }
    counts["invitations untied"] = await count_rows(session, Invitation, theirs) - counts["invitations withdrawn"]
    pseudonym = f"erased-{secrets.token_hex(4)}"
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
    for plan in await session.scalars(
        sa.select(ActionPlan).where(_same_email(ActionPlan.created_by, email) | _same_email(ActionPlan.owner, email))
    ):
        plan.created_by = _replaced(plan.created_by, email, pseudonym)
        plan.owner = _replaced(plan.owner, email, pseudonym)
        counts["action plans"] += 1
    for event in await session.scalars(sa.select(AuditEvent).where(_audit_naming(email))):
        event.actor = _replaced(event.actor, email, pseudonym)
        event.target = _replaced(event.target, email, pseudonym)
        event.details = _replaced(event.details, email, pseudonym)
        counts["audit events"] += 1
    await session.flush()
    await record(
        session, actor=actor, action="privacy.erase", target=pseudonym,
        details={kind: count for kind, count in counts.items() if count},
    )  # fmt: skip
    await session.flush()
    return counts


def _ids(model: type[Employee] | type[Customer], email: str) -> sa.Select[uuid.UUID]:
    return sa.select(model.id).where(_same_email(model.email, email))

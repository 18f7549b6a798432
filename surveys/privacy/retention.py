"""Retention: what of an organisation's data has been kept longer than its policy says, counted and deleted.

Each kind has its clock (docs/privacy.md): roster people from the day they left the roster (or a customer's
interaction date), a closed wave's invitations, e-mails, answers, comments and reports from its closing date, audit
events from the day they happened. What a closed wave computed (its stored analysis, team results) is never
deleted: it holds only figures the disclosure gate released, and the reports and pages read it, not the answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Mapping
from pathlib import Path

import obstore
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.audit.models import AuditEvent
from surveys.audit.services import record
from surveys.collection.models import Comment, Response
from surveys.db import dialect_insert
from surveys.explained import N_, Explained, field_problem
from surveys.mail.models import EmailDelivery, MailKind
from surveys.org.models import Customer, Employee, Organisation
from surveys.privacy.models import RetentionPolicy
from surveys.reporting.models import ReportRecord
from surveys.reporting.storage import STORED, object_store
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave, WaveState

DEFAULT_DAYS: dict[str, int | None] = {
    "people": 365,
    "invitations": 90,
    "answers": 730,
    "comments": 365,
    "reports": 730,
    "audit": 365,
}
"""The policy of an organisation that has set none (docs/privacy.md says why each)."""
KINDS = tuple(DEFAULT_DAYS)
COUNTED = ("people", "invitations", "emails", "answers", "comments", "reports", "audit")
"""What a run counts: the kinds, and the e-mail records that go with the invitations."""
MAX_DAYS = 36500


async def policy_of(session: AsyncSession, organisation_id: uuid.UUID) -> dict[str, int | None]:
    """The organisation's days per kind (the defaults where it has set none)."""
    policy = await session.scalar(sa.select(RetentionPolicy).where(RetentionPolicy.organisation_id == organisation_id))
    if policy is None:
        return dict(DEFAULT_DAYS)
    return {kind: getattr(policy, f"{kind}_days") for kind in KINDS}


def checked_days(values: Mapping[str, str]) -> dict[str, int | None]:
    """Days per kind from text ("365", or "never" to keep), or a refusal naming the kind."""
    days: dict[str, int | None] = {}
    for kind, text in values.items():
        if kind not in KINDS:
            raise field_problem(kind, Explained(N_("unknown kind of data (known: %(kinds)s)"), kinds=", ".join(KINDS)))
        text = text.strip().lower()
        if text == "never":
            days[kind] = None
            continue
        if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
            raise field_problem(
                kind, Explained(N_("a number of days from 1 to %(max)s, or never; got %(value)s"), max=MAX_DAYS,
                                value=repr(text[:20]))
            )  # fmt: skip
        days[kind] = int(text)
    return days


async def _policy_row(session: AsyncSession, organisation_id: uuid.UUID) -> RetentionPolicy:
    """The organisation's policy row, locked, created with the defaults if it has none (two at once: one row)."""
    policy = await session.scalar(
        sa.select(RetentionPolicy).where(RetentionPolicy.organisation_id == organisation_id).with_for_update()
    )
    if policy is None:
        await session.execute(
            dialect_insert(session)(RetentionPolicy)
            .values(id=uuid.uuid4(), organisation_id=organisation_id, created_at=_now(), updated_at=_now(),
                    **{f"{kind}_days": days for kind, days in DEFAULT_DAYS.items()})
            .on_conflict_do_nothing(index_elements=["organisation_id"])
        )  # fmt: skip
        policy = await session.scalar(
            sa.select(RetentionPolicy).where(RetentionPolicy.organisation_id == organisation_id).with_for_update()
        )
    assert policy is not None  # inserted just now, or by the other process
    return policy


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def set_policy(
    session: AsyncSession, organisation: Organisation, days: Mapping[str, int | None], *, actor: str
) -> dict[str, int | None]:
    """Change some kinds' days (audited with the old and new values); the whole policy after."""
    policy = await _policy_row(session, organisation.id)
    changes = {}
    for kind, value in days.items():
        before = getattr(policy, f"{kind}_days")
        if before != value:
            setattr(policy, f"{kind}_days", value)
            changes[kind] = {"from": before, "to": value}
    await session.flush()
    if changes:
        await record(session, actor=actor, action="retention.policy", organisation_id=organisation.id, details=changes)
    return {kind: getattr(policy, f"{kind}_days") for kind in KINDS}


def _closed_before(organisation_id: uuid.UUID, day: dt.date) -> sa.Select[uuid.UUID]:
    """The organisation's closed waves whose closing date is before `day`."""
    return sa.select(Wave.id).where(
        Wave.organisation_id == organisation_id, Wave.state == WaveState.CLOSED, Wave.closes_on < day
    )


async def count_rows(session: AsyncSession, model: type, *where: sa.ColumnElement[bool]) -> int:
    """How many rows of `model` match."""
    return int(await session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)


async def run_retention(
    session: AsyncSession,
    settings: Settings,
    organisation: Organisation,
    *,
    today: dt.date,
    dry_run: bool = False,
    actor: str = "retention",
) -> dict[str, int]:
    """Delete (or, with `dry_run`, only count) what the organisation's policy no longer keeps; the counts by kind.

    A run that deletes something is recorded in the audit log with its counts, never with what was deleted.
    """
    days = await policy_of(session, organisation.id)
    now = dt.datetime.combine(today, dt.time(), dt.UTC)
    counts = dict.fromkeys(COUNTED, 0)
    org = organisation.id

    def cutoff(kind: str) -> dt.date | None:
        kept = days[kind]
        return None if kept is None else today - dt.timedelta(days=kept)

    if (day := cutoff("invitations")) is not None:
        waves = _closed_before(org, day)
        named = (
            Invitation.wave_id.in_(waves),
            (Invitation.employee_id.is_not(None)) | (Invitation.customer_id.is_not(None)),
        )
        mails = (
            EmailDelivery.wave_id.in_(waves),
            EmailDelivery.kind.in_([MailKind.INVITATION, MailKind.REMINDER]),
        )
        counts["invitations"] = await count_rows(session, Invitation, *named)
        counts["emails"] = await count_rows(session, EmailDelivery, *mails)
        if not dry_run:
            # Kept for the closed wave's rates (team, respondent, answered), tied to nobody.
            await session.execute(sa.update(Invitation).where(*named).values(employee_id=None, customer_id=None))
            await session.execute(sa.delete(EmailDelivery).where(*mails))

    if (day := cutoff("people")) is not None:
        left = dt.datetime.combine(day, dt.time(), dt.UTC)
        still_asked = (
            sa.select(Invitation.id).join(Wave, Wave.id == Invitation.wave_id).where(Wave.state != WaveState.CLOSED)
        )
        employees = (
            Employee.organisation_id == org,
            Employee.active.is_(False),
            Employee.updated_at < left,
            ~sa.exists(still_asked.where(Invitation.employee_id == Employee.id)),
        )
        customers = (
            Customer.organisation_id == org,
            (Customer.active.is_(False) & (Customer.updated_at < left)) | (Customer.interaction_date < day),
            ~sa.exists(still_asked.where(Invitation.customer_id == Customer.id)),
        )
        counts["people"] = await count_rows(session, Employee, *employees) + await count_rows(
            session, Customer, *customers
        )
        if not dry_run:
            # Their closed waves' invitations stay for the rates, tied to nobody (a delete would cascade to them).
            gone_employees = sa.select(Employee.id).where(*employees)
            gone_customers = sa.select(Customer.id).where(*customers)
            await session.execute(
                sa.update(Invitation).where(Invitation.employee_id.in_(gone_employees)).values(employee_id=None)
            )
            await session.execute(
                sa.update(Invitation).where(Invitation.customer_id.in_(gone_customers)).values(customer_id=None)
            )
            await session.execute(sa.delete(Employee).where(*employees))
            await session.execute(sa.delete(Customer).where(*customers))

    if (day := cutoff("comments")) is not None:
        comments = Comment.response_id.in_(sa.select(Response.id).where(Response.wave_id.in_(_closed_before(org, day))))
        counts["comments"] = await count_rows(session, Comment, comments)
        if not dry_run:
            await session.execute(sa.delete(Comment).where(comments))

    if (day := cutoff("answers")) is not None:
        answers = Response.wave_id.in_(_closed_before(org, day))
        counts["answers"] = await count_rows(session, Response, answers)
        if not dry_run:
            await session.execute(
                sa.delete(Comment).where(Comment.response_id.in_(sa.select(Response.id).where(answers)))
            )
            await session.execute(sa.delete(Response).where(answers))

    if (day := cutoff("reports")) is not None:
        reports = list(
            await session.scalars(sa.select(ReportRecord).where(ReportRecord.wave_id.in_(_closed_before(org, day))))
        )
        counts["reports"] = len(reports)
        if not dry_run and reports:
            paths = [report.path for report in reports if report.path]
            await session.execute(sa.delete(ReportRecord).where(ReportRecord.id.in_([r.id for r in reports])))
            await session.flush()
            # The files after the rows: a failure in between leaves a file nobody can reach, never a row whose
            # download would serve a file the policy deleted.
            await _delete_files(settings, paths)

    if (kept := days["audit"]) is not None:
        events = (AuditEvent.organisation_id == org, AuditEvent.occurred_at < now - dt.timedelta(days=kept))
        counts["audit"] = await count_rows(session, AuditEvent, *events)
        if not dry_run:
            await session.execute(sa.delete(AuditEvent).where(*events))

    if not dry_run and any(counts.values()):
        await record(
            session, actor=actor, action="retention.run", organisation_id=org,
            details={kind: count for kind, count in counts.items() if count},
        )  # fmt: skip
    await session.flush()
    return counts


async def _delete_files(settings: Settings, paths: list[str]) -> None:
    store = object_store(settings) if any(path.startswith(STORED) for path in paths) else None
    for path in paths:
        if path.startswith(STORED):
            if store is not None:
                await obstore.delete_async(store, path.removeprefix(STORED))
        else:
            await asyncio.to_thread(Path(path).unlink, missing_ok=True)


async def scheduled_retention(
    session: AsyncSession, settings: Settings, organisation: Organisation, today: dt.date
) -> bool:
    """The day's run for one organisation, once a day whatever runs at once (its policy row locked); whether it ran."""
    policy = await _policy_row(session, organisation.id)
    if policy.last_run_on is not None and policy.last_run_on >= today:
        return False
    await run_retention(session, settings, organisation, today=today)
    policy.last_run_on = today
    await session.flush()
    return True

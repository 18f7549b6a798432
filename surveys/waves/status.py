"""Response rates of a wave, per team and rolled up the hierarchy, safe to show while it is open and after.

An exact employee count under the threshold tells how many of a small team answered, and while a wave is open
a count that moves tells who just did. A team the disclosure gate withholds (:mod:`symmetry.disclosure`) therefore
shows "fewer than N", open wave or closed, and a total above such a team counts only the answers of the teams
shown, adding how many teams are under the threshold: no subtraction of visible rows from a total, and no
change of a range's bounds, can then reveal a hidden count. Customer counts are not protected by the threshold
and are exact.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.mail.models import DeliveryStatus, EmailDelivery, MailKind
from surveys.org.models import Team
from surveys.results.models import WaveAnalysisRecord
from surveys.waves.models import Invitation, Wave, WaveState, WaveTeam
from symmetry.disclosure import DisclosureRules, rules_of_document
from symmetry.domain import Respondent


@dataclass(frozen=True, slots=True)
class Count:
    """Invited and answered."""

    invited: int
    answered: int

    def __add__(self, other: Count) -> Count:
        return Count(self.invited + other.invited, self.answered + other.answered)

    @property
    def rate(self) -> float | None:
        """Share answered, None with nobody invited."""
        return self.answered / self.invited if self.invited else None


@dataclass(frozen=True, slots=True)
class TeamStatus:
    """One team's line, its own people and everyone below it counted."""

    team_id: uuid.UUID
    external_id: str
    name: str
    depth: int
    employees: Count
    customers: Count
    employees_answered_label: str
    """What may be shown of the employee answers, in English for the CLI: exact, "fewer than N" or a range."""
    employee_rate_shown: bool
    employees_answered_shown: int
    """The employee answers of the teams shown (the label's first figure); the web words the rest itself."""
    hidden_teams: int
    """Teams counted here whose answers are below the threshold and left out; 0 when the count is exact."""
    only_own_hidden: bool
    """The team itself is the one below the threshold: the label is "fewer than N"."""
    open_link_answers: int = 0
    """Customer answers through the teams' open links (no invitation: beside the invited customers' rate)."""
    employees_invited_shown: int = 0
    """The employees invited in the teams shown: with `employees_answered_shown`, the rate of those teams, which
    their own rows give already (a total above hidden teams then has a rate, never theirs)."""

    @property
    def shown_teams_rate(self) -> float | None:
        """The employee response rate of the teams shown here, None when none is."""
        if not self.employees_invited_shown:
            return None
        return self.employees_answered_shown / self.employees_invited_shown


@dataclass(frozen=True, slots=True)
class WaveStatus:
    """The status table of one wave."""

    name: str
    state: WaveState
    closes_on: dt.date
    rows: list[TeamStatus]
    deliveries: dict[DeliveryStatus, int]
    anonymity_threshold: int


async def invitation_counts(session: AsyncSession, wave: Wave) -> dict[tuple[uuid.UUID, Respondent], Count]:
    """Invited and answered through an invitation, per team and kind of respondent, as the database holds them.

    Exact counts: what may be shown of them is decided by whoever shows them (:func:`wave_status`, the dashboard).
    """
    return {
        (team_id, respondent): Count(int(invited), int(answered or 0))
        for team_id, respondent, invited, answered in await session.execute(
            sa.select(
                Invitation.team_id,
                Invitation.respondent,
                sa.func.count(),
                sa.func.sum(sa.case((Invitation.answered, 1), else_=0)),
            )
            .where(Invitation.wave_id == wave.id)
            .group_by(Invitation.team_id, Invitation.respondent)
        )
    }


async def roster_counts(session: AsyncSession, wave: Wave) -> dict[tuple[uuid.UUID, Respondent], Count]:
    """Before launch: the active employees and customers of each team the wave covers, as invited (none answered)."""
    from surveys.org.models import Customer, Employee

    counts: dict[tuple[uuid.UUID, Respondent], Count] = {}
    for respondent, model in ((Respondent.EMPLOYEE, Employee), (Respondent.CUSTOMER, Customer)):
        rows = await session.execute(
            sa.select(model.team_id, sa.func.count())
            .join(WaveTeam, (WaveTeam.team_id == model.team_id) & (WaveTeam.wave_id == wave.id))
            .where(model.active.is_(True))
            .group_by(model.team_id)
        )
        counts.update({(team_id, respondent): Count(int(count), 0) for team_id, count in rows})
    return counts


async def open_link_counts(session: AsyncSession, wave: Wave) -> dict[uuid.UUID, int]:
    """Customer answers through each team's open link in the wave (exact: customer counts are not withheld)."""
    from surveys.collection.models import Channel, Response  # collection builds on waves

    return {
        team_id: int(count)
        for team_id, count in await session.execute(
            sa.select(Response.team_id, sa.func.count())
            .where(Response.wave_id == wave.id, Response.channel == Channel.OPEN_LINK)
            .group_by(Response.team_id)
        )
    }


def _label(*, answered_shown: int, hidden_groups: int, only_own_hidden: bool, threshold: int) -> tuple[str, bool]:
    if hidden_groups == 0:
        return str(answered_shown), True
    if only_own_hidden:
        return f"fewer than {threshold}", False
    teams = "team" if hidden_groups == 1 else "teams"
    return f"{answered_shown} + {hidden_groups} {teams} under {threshold}", False


async def wave_status(session: AsyncSession, wave: Wave, *, rules: DisclosureRules) -> WaveStatus:
    """Invited and answered per covered team and rolled up its ancestors, in hierarchy order.

    A closed wave is shown under the stricter of `rules` and those it was analysed with, so that lowering a
    threshold later never shows a count that its reports withhold.
    """
    stored = await session.get(WaveAnalysisRecord, wave.id) if wave.state is WaveState.CLOSED else None
    if stored is not None:
        rules = rules.stricter(rules_of_document(stored.document))
    teams = {
        team.id: team
        for team in await session.scalars(sa.select(Team).where(Team.organisation_id == wave.organisation_id))
    }
    covered = set(await session.scalars(sa.select(WaveTeam.team_id).where(WaveTeam.wave_id == wave.id)))
    own: dict[tuple[uuid.UUID, Respondent], Count] = defaultdict(lambda: Count(0, 0))
    if wave.state in (WaveState.DRAFT, WaveState.SCHEDULED):
        own.update(await roster_counts(session, wave))  # before launch: those its launch will invite
    else:
        own.update(await invitation_counts(session, wave))
    open_answers = await open_link_counts(session, wave)

    children: dict[uuid.UUID | None, list[Team]] = defaultdict(list)
    for team in teams.values():
        children[team.parent_id if team.parent_id in teams else None].append(team)
    shown_ids = set(covered)
    for team_id in covered:  # ancestors of covered teams carry the roll-up
        parent = teams[team_id].parent_id
        while parent is not None and parent in teams:
            shown_ids.add(parent)
            parent = teams[parent].parent_id

    rows: list[TeamStatus] = []
    threshold = rules.anonymity_threshold

    def visit(team: Team, depth: int) -> tuple[Count, Count, int, int, int, int]:
        """The subtree's invitations, shown employee answers, hidden teams, open-link answers, shown invitees."""
        employees, customers = own[team.id, Respondent.EMPLOYEE], own[team.id, Respondent.CUSTOMER]
        open_link = open_answers.get(team.id, 0)
        own_hidden = rules.employees_withheld(employees.answered, employees.invited)
        answered_shown, hidden_groups = (0, 1) if own_hidden else (employees.answered, 0)
        invited_shown = 0 if own_hidden else employees.invited
        position = len(rows)
        for child in sorted(children[team.id], key=lambda t: t.external_id):
            if child.id in shown_ids:
                child_employees, child_customers, child_shown, child_hidden, child_open, child_invited = visit(
                    child, depth + 1
                )
                employees, customers = employees + child_employees, customers + child_customers
                open_link += child_open
                invited_shown += child_invited
                answered_shown, hidden_groups = answered_shown + child_shown, hidden_groups + child_hidden
        only_own_hidden = own_hidden and employees == own[team.id, Respondent.EMPLOYEE]
        label, rate_shown = _label(
            answered_shown=answered_shown,
            hidden_groups=hidden_groups,
            only_own_hidden=only_own_hidden,
            threshold=threshold,
        )
        rows.insert(
            position,
            TeamStatus(
                team.id,
                team.external_id,
                team.name,
                depth,
                employees,
                customers,
                label,
                rate_shown,
                answered_shown,
                hidden_groups,
                hidden_groups > 0 and only_own_hidden,
                open_link,
                invited_shown,
            ),
        )
        return employees, customers, answered_shown, hidden_groups, open_link, invited_shown

    for root in sorted(children[None], key=lambda t: t.external_id):
        if root.id in shown_ids:
            visit(root, 0)
    deliveries = {
        status: int(count)
        for status, count in await session.execute(
            sa.select(EmailDelivery.status, sa.func.count())
            .where(EmailDelivery.wave_id == wave.id, EmailDelivery.kind.in_([MailKind.INVITATION, MailKind.REMINDER]))
            .group_by(EmailDelivery.status)
        )
    }
    return WaveStatus(wave.name, wave.state, wave.closes_on, rows, deliveries, threshold)

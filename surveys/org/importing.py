"""Importing a roster: every problem found before anything changes, then one transaction of upserts.

Teams are matched by external id, so renaming or moving a team keeps its identity and history. Employees
are matched by e-mail, customers by e-mail and team. People no longer listed in an imported table are made
inactive (kept for past waves' response rates, never invited again).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.explained import N_, Explained
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.org.roster import RosterError, RosterProblem, RosterRow, RosterTable
from surveys.text_checks import EMAIL, malformed_email, not_a_date

LANGUAGES = ("fr", "en")


@dataclass
class RosterChanges:
    """What an import does (or, in a dry run, would do)."""

    teams_created: list[str] = field(default_factory=list)
    teams_renamed: list[str] = field(default_factory=list)
    teams_moved: list[str] = field(default_factory=list)
    employees_added: int = 0
    employees_updated: int = 0
    employees_deactivated: int = 0
    customers_added: int = 0
    customers_updated: int = 0
    customers_deactivated: int = 0

    def summary(self) -> dict[str, int]:
        """Counts by change, for the audit log and the command's output."""
        return {
            "teams_created": len(self.teams_created),
            "teams_renamed": len(self.teams_renamed),
            "teams_moved": len(self.teams_moved),
            "employees_added": self.employees_added,
            "employees_updated": self.employees_updated,
            "employees_deactivated": self.employees_deactivated,
            "customers_added": self.customers_added,
            "customers_updated": self.customers_updated,
            "customers_deactivated": self.customers_deactivated,
        }


class _Checker:
    def __init__(self) -> None:
        self.problems: list[RosterProblem] = []

    def add(self, table: RosterTable, row: RosterRow | None, column: str | None, problem: Explained) -> None:
        self.problems.append(RosterProblem(table.source, row.number if row else None, column, problem))

    def required(self, table: RosterTable, row: RosterRow, column: str) -> str:
        value = row.values.get(column, "")
        if not value:
            self.add(table, row, column, Explained(N_("required")))
        return value

    def email(self, table: RosterTable, row: RosterRow, column: str, *, required: bool) -> str:
        value = row.values.get(column, "").strip().lower()
        if not value:
            if required:
                self.add(table, row, column, Explained(N_("required")))
        elif not EMAIL.match(value):
            self.add(table, row, column, malformed_email(value))
        return value

    def duplicate(
        self, table: RosterTable, row: RosterRow, column: str, what: Explained, first: tuple[RosterTable, RosterRow]
    ) -> None:
        duplicate = N_("duplicate %(what)s (first at %(source)s, row %(row)s)")
        self.add(table, row, column, Explained(duplicate, what=what, source=first[0].source, row=first[1].number))

    def person(self, table: RosterTable, row: RosterRow, team_keys: set[str]) -> tuple[str, str, str]:
        """The e-mail, team and language of an employee or customer row, each checked."""
        email = self.email(table, row, "email", required=True)
        team = self.required(table, row, "team")
        language = self.language(table, row)
        if team and team not in team_keys:
            self.add(table, row, "team", Explained(N_("unknown team %(team)s"), team=repr(team)))
        return email, team, language

    def language(self, table: RosterTable, row: RosterRow) -> str:
        value = row.values.get("language", "").strip().lower()
        if value not in LANGUAGES:
            self.add(table, row, "language", Explained(N_("expected fr or en, got %(value)s"), value=repr(value)))
        return value


@dataclass(frozen=True, slots=True)
class _TeamLine:
    external_id: str
    name: str
    parent: str | None
    manager_email: str | None


def _check_teams(tables: list[RosterTable], existing: dict[str, Team], checker: _Checker) -> dict[str, _TeamLine]:
    lines: dict[str, _TeamLine] = {}
    seen: dict[str, tuple[RosterTable, RosterRow]] = {}
    for table in tables:
        for row in table.rows:
            external_id = checker.required(table, row, "external_id")
            name = checker.required(table, row, "name")
            manager = checker.email(table, row, "manager_email", required=False)
            if external_id in seen:
                checker.duplicate(
                    table, row, "external_id", Explained(N_("team %(team)s"), team=repr(external_id)), seen[external_id]
                )
                continue
            if external_id:
                seen[external_id] = (table, row)
                lines[external_id] = _TeamLine(
                    external_id, name, row.values.get("parent_external_id") or None, manager or None
                )
    known = set(existing) | set(lines)
    parents = _existing_parents(existing)
    parents.update({key: line.parent for key, line in lines.items()})
    for external_id, line in lines.items():
        table, row = seen[external_id]
        if line.parent is not None and line.parent not in known:
            unknown = Explained(N_("unknown parent team %(team)s"), team=repr(line.parent))
            checker.add(table, row, "parent_external_id", unknown)
        elif line.parent == external_id:
            checker.add(table, row, "parent_external_id", Explained(N_("a team cannot be its own parent")))
    reported: set[str] = set()
    for external_id in lines:
        cycle = _cycle_from(external_id, parents)
        if cycle and not reported & set(cycle):
            reported |= set(cycle)
            table, row = seen[external_id]
            cycle_text = " -> ".join([*cycle, cycle[0]])
            checker.add(
                table, row, "parent_external_id", Explained(N_("cycle in the hierarchy: %(cycle)s"), cycle=cycle_text)
            )
    return lines


def _existing_parents(existing: dict[str, Team]) -> dict[str, str | None]:
    by_id = {team.id: key for key, team in existing.items()}
    return {key: by_id.get(team.parent_id) if team.parent_id else None for key, team in existing.items()}


def _cycle_from(start: str, parents: dict[str, str | None]) -> list[str] | None:
    path: list[str] = []
    current: str | None = start
    while current is not None and current in parents:
        if current in path:
            cycle = path[path.index(current) :]
            return cycle if start in cycle else None
        path.append(current)
        current = parents[current]
        if current == start and len(path) == 1:
            return None  # its own parent, reported separately
    return None


async def import_roster(
    session: AsyncSession, organisation: Organisation, tables: Iterable[RosterTable]
) -> RosterChanges:
    """Check every table, then apply all of them, or raise RosterError and change nothing.

    The caller owns the transaction: it commits, or rolls back for a dry run.
    """
    by_kind: dict[str, list[RosterTable]] = {"teams": [], "employees": [], "customers": []}
    for table in tables:
        by_kind[table.kind].append(table)
    checker = _Checker()
    existing_teams = {
        team.external_id: team
        for team in await session.scalars(sa.select(Team).where(Team.organisation_id == organisation.id))
    }
    team_lines = _check_teams(by_kind["teams"], existing_teams, checker)
    team_keys = set(existing_teams) | set(team_lines)

    employees: dict[str, tuple[str, str]] = {}
    first_seen: dict[str, tuple[RosterTable, RosterRow]] = {}
    for table in by_kind["employees"]:
        for row in table.rows:
            email, team, language = checker.person(table, row, team_keys)
            if email in first_seen:
                checker.duplicate(
                    table, row, "email", Explained(N_("e-mail %(email)s"), email=repr(email)), first_seen[email]
                )
            elif email:
                first_seen[email] = (table, row)
                employees[email] = (team, language)

    customers: dict[tuple[str, str], tuple[str, dt.date | None]] = {}
    customer_seen: dict[tuple[str, str], tuple[RosterTable, RosterRow]] = {}
    for table in by_kind["customers"]:
        for row in table.rows:
            email, team, language = checker.person(table, row, team_keys)
            interaction = None
            if row.values.get("interaction_date"):
                try:
                    interaction = dt.date.fromisoformat(row.values["interaction_date"][:10])
                except ValueError:
                    checker.add(
                        table,
                        row,
                        "interaction_date",
                        not_a_date(row.values["interaction_date"]),
                    )
            key = (email, team)
            if key in customer_seen:
                what = Explained(N_("customer %(email)s for team %(team)s"), email=repr(email), team=repr(team))
                checker.duplicate(table, row, "email", what, customer_seen[key])
            elif email:
                customer_seen[key] = (table, row)
                customers[key] = (language, interaction)

    if checker.problems:
        raise RosterError(checker.problems)

    changes = RosterChanges()
    team_ids = await _apply_teams(session, organisation, existing_teams, team_lines, changes)
    if by_kind["employees"]:
        await _apply_employees(session, organisation, employees, team_ids, changes)
    if by_kind["customers"]:
        await _apply_customers(session, organisation, customers, team_ids, changes)
    await session.flush()
    return changes


async def _apply_teams(
    session: AsyncSession,
    organisation: Organisation,
    existing: dict[str, Team],
    lines: dict[str, _TeamLine],
    changes: RosterChanges,
) -> dict[str, uuid.UUID]:
    team_ids = {key: team.id for key, team in existing.items()}
    for key in lines:
        if key not in existing:
            team_ids[key] = uuid.uuid4()
            changes.teams_created.append(key)
    for key, line in lines.items():
        parent_id = team_ids[line.parent] if line.parent else None
        team = existing.get(key)
        if team is None:
            session.add(
                Team(
                    id=team_ids[key],
                    organisation_id=organisation.id,
                    external_id=key,
                    name=line.name,
                    parent_id=parent_id,
                    manager_email=line.manager_email,
                )
            )
            continue
        if team.name != line.name:
            changes.teams_renamed.append(key)
        if team.parent_id != parent_id:
            changes.teams_moved.append(key)
        team.name, team.parent_id, team.manager_email = line.name, parent_id, line.manager_email
    await session.flush()
    return team_ids


async def _apply_employees(
    session: AsyncSession,
    organisation: Organisation,
    lines: dict[str, tuple[str, str]],
    team_ids: dict[str, uuid.UUID],
    changes: RosterChanges,
) -> None:
    current = {
        person.email: person
        for person in await session.scalars(sa.select(Employee).where(Employee.organisation_id == organisation.id))
    }
    for email, (team, language) in lines.items():
        person = current.get(email)
        if person is None:
            session.add(
                Employee(organisation_id=organisation.id, team_id=team_ids[team], email=email, language=language)
            )
            changes.employees_added += 1
        elif (person.team_id, person.language, person.active) != (team_ids[team], language, True):
            person.team_id, person.language, person.active = team_ids[team], language, True
            changes.employees_updated += 1
    for email, person in current.items():
        if email not in lines and person.active:
            person.active = False
            changes.employees_deactivated += 1


async def _apply_customers(
    session: AsyncSession,
    organisation: Organisation,
    lines: dict[tuple[str, str], tuple[str, dt.date | None]],
    team_ids: dict[str, uuid.UUID],
    changes: RosterChanges,
) -> None:
    keys_by_id = {team_id: key for key, team_id in team_ids.items()}
    current = {
        (person.email or "", keys_by_id.get(person.team_id, "")): person
        for person in await session.scalars(sa.select(Customer).where(Customer.organisation_id == organisation.id))
    }
    for (email, team), (language, interaction) in lines.items():
        person = current.get((email, team))
        if person is None:
            session.add(
                Customer(
                    organisation_id=organisation.id,
                    team_id=team_ids[team],
                    email=email,
                    language=language,
                    interaction_date=interaction,
                )
            )
            changes.customers_added += 1
        elif (person.language, person.interaction_date, person.active) != (language, interaction, True):
            person.language, person.interaction_date, person.active = language, interaction, True
            changes.customers_updated += 1
    for key, person in current.items():
        if key not in lines and person.active:
            person.active = False
            changes.customers_deactivated += 1

"""What an export holds, read from the database through the disclosure gate, before any file format.

Team results are the stored ones (``team_result``, written from the released statistics when the wave closed),
never computed again from the answers. As the pages do, a closed wave is shown under the stricter of the rules it
was analysed with and today's (:meth:`symmetry.disclosure.DisclosureRules.stricter`): the gate
(:func:`symmetry.disclosure.decide`) is asked again, on the stored counts only, which teams today's rules withhold,
and their cells are left out too. A count that the stored document withholds stays unknown to the gate, so no
decision depends on it.

Response-level data is one row per stored response of the teams the gate shows for that respondent (employees
and their mirror estimates: the employee side; customers: the customer side), its answers decoded from the packed
byte string, in a fresh random order, numbered by row; no id, no date, no channel, no comment.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.models import Response
from surveys.collection.packing import unpack_answers
from surveys.explained import N_, Explained
from surveys.instruments.models import InstrumentVersion
from surveys.instruments.services import stored_instrument
from surveys.org.models import Team
from surveys.results.models import TeamResultRow, WaveAnalysisRecord
from surveys.results.services import wave_statistics
from surveys.waves.models import Invitation, Wave, WaveState
from surveys.waves.services import WaveStateError
from symmetry.analysis import OVERALL
from symmetry.disclosure import DisclosureRules, Gate, decide, rules_of_document
from symmetry.domain import Instrument, Item, Respondent, Voice
from symmetry.sufficient import WaveStatistics

MIRRORED = (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER)


class NotAnalysed(Explained):
    """A closed wave with no stored analysis: nothing to export yet."""


async def closed_and_analysed(session: AsyncSession, wave: Wave) -> WaveAnalysisRecord:
    """The wave's stored analysis; a refusal for a wave that is not closed, or not analysed yet."""
    if wave.state is not WaveState.CLOSED:
        raise WaveStateError(N_("wave %(wave)s is %(state)s; only a closed wave can be exported"), wave)
    record = await session.get(WaveAnalysisRecord, wave.id)
    if record is None:
        raise NotAnalysed(N_("wave %(wave)s has no stored results yet: run symmetry analyze"), wave=repr(wave.name))
    return record


@dataclass(frozen=True, slots=True)
class Figure:
    """One stored team result: a voice's mean, or an outcome's score, with its n and 95% interval."""

    n: int
    estimate: float
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class TeamLine:
    """One team of the export, with only the cells the gate releases."""

    key: str
    """The team's external id, from the roster."""
    name: str
    parent: str
    """The name of the team it belongs to, empty at the top."""
    employee_respondents: int | None
    """None where withheld: even the exact count is not released."""
    customer_respondents: int
    employees_withheld: bool
    customers_withheld: bool
    figures: dict[tuple[str, Voice], Figure]
    """By (measure, voice): the overall score or a dimension for each mirrored voice; outcomes under ``OUTCOME``."""


@dataclass(frozen=True, slots=True)
class TeamTable:
    """A closed wave's team results as released."""

    wave: str
    instrument: Instrument
    rules: DisclosureRules
    measures: tuple[str, ...]
    """The overall score, then the dimensions, in the instrument's order."""
    outcomes: tuple[Item, ...]
    """The outcome items the wave asks (a short customer form keeps some only)."""
    not_asked: frozenset[str]
    """Dimensions the wave's customer form does not ask: no customer figure there."""
    lines: tuple[TeamLine, ...]

    @property
    def withheld(self) -> int:
        """How many teams have a side withheld."""
        return sum(line.employees_withheld or line.customers_withheld for line in self.lines)


def export_rules(record: WaveAnalysisRecord, today: DisclosureRules) -> DisclosureRules:
    """The stricter of the rules the wave was analysed with and today's, as its pages apply them."""
    return rules_of_document(record.document).stricter(today)


async def _teams(session: AsyncSession, wave: Wave) -> dict[str, Team]:
    teams = await session.scalars(sa.select(Team).where(Team.organisation_id == wave.organisation_id))
    return {team.external_id: team for team in teams}


async def _invited(session: AsyncSession, wave: Wave) -> dict[str, int]:
    rows = await session.execute(
        sa.select(Team.external_id, sa.func.count())
        .select_from(Invitation)
        .join(Team, Team.id == Invitation.team_id)
        .where(Invitation.wave_id == wave.id, Invitation.respondent == Respondent.EMPLOYEE)
        .group_by(Team.external_id)
    )
    return {key: int(count) for key, count in rows}


def released_gate(document: Mapping[str, Any], invited: Mapping[str, int], rules: DisclosureRules) -> Gate:
    """The gate's decision under `rules` from what the stored document released and the invitations sent.

    A team the document withheld enters with no employee count, so the gate withholds it again (it was invited,
    or it is taken as too small for customer figures); the callers add the document's own decisions on top.
    """
    teams: Mapping[str, Any] = document.get("teams", {})
    employees = {
        key: int(team["employee_respondents"])
        for key, team in teams.items()
        if team["employee_respondents"] is not None
    }
    customers = {key: int(team.get("customer_respondents") or 0) for key, team in teams.items()}
    statistics = WaveStatistics(
        columns={},
        outcomes={},
        respondents={Respondent.EMPLOYEE: employees, Respondent.CUSTOMER: customers},
        deviations={},
        team_sizes=dict(invited),
    )
    return decide(statistics, rules)


async def team_table(session: AsyncSession, wave: Wave, *, rules: DisclosureRules) -> TeamTable:
    """The wave's stored team results under the stricter of its own rules and `rules` (today's)."""
    record = await closed_and_analysed(session, wave)
    applied = export_rules(record, rules)
    instrument = stored_instrument(await session.get_one(InstrumentVersion, wave.instrument_version_id))
    document_teams: Mapping[str, Any] = record.document.get("teams", {})
    gate = released_gate(record.document, await _invited(session, wave), applied)
    teams = await _teams(session, wave)
    by_id = {team.id: team for team in teams.values()}
    respondent_of = {item.outcome: item.respondent for item in instrument.items if item.outcome is not None}
    figures: dict[str, dict[tuple[str, Voice], Figure]] = {key: {} for key in document_teams}
    stored = await session.execute(
        sa.select(Team.external_id, TeamResultRow)
        .join(Team, Team.id == TeamResultRow.team_id)
        .where(TeamResultRow.wave_id == wave.id)
    )
    lines = []
    withheld_employees = {key for key, team in document_teams.items() if team["suppressed"]} | gate.employees_withheld
    withheld_customers = {
        key for key, team in document_teams.items() if not team["customer_figures_shown"]
    } | gate.customers_withheld
    for key, row in stored:
        voice = Voice(row.voice)
        side = respondent_of.get(row.measure) if voice is Voice.OUTCOME else None
        employee_side = voice in (Voice.EMPLOYEE, Voice.MIRROR) or side is Respondent.EMPLOYEE
        if key not in figures or key in (withheld_employees if employee_side else withheld_customers):
            continue
        figures[key][row.measure, voice] = Figure(row.n, row.estimate, row.ci_low, row.ci_high)
    for key in sorted(document_teams, key=lambda key: (teams[key].name if key in teams else key, key)):
        team, entry = teams.get(key), document_teams[key]
        parent = by_id.get(team.parent_id) if team is not None and team.parent_id is not None else None
        employees_withheld = key in withheld_employees
        lines.append(
            TeamLine(
                key=key,
                name=team.name if team is not None else key,
                parent=parent.name if parent is not None else "",
                employee_respondents=None if employees_withheld else entry["employee_respondents"],
                customer_respondents=int(entry.get("customer_respondents") or 0),
                employees_withheld=employees_withheld,
                customers_withheld=key in withheld_customers,
                figures=figures[key],
            )
        )
    asked = set(instrument.customer_dimensions(wave.customer_form))
    return TeamTable(
        wave=wave.name,
        instrument=instrument,
        rules=applied,
        measures=(OVERALL, *(d.key for d in instrument.dimensions)),
        outcomes=tuple(
            item
            for respondent in Respondent
            for item in instrument.asked_items(respondent, wave.customer_form)
            if item.voice is Voice.OUTCOME and item.outcome is not None
        ),
        not_asked=frozenset(d.key for d in instrument.dimensions if d.key not in asked),
        lines=tuple(lines),
    )


@dataclass(frozen=True, slots=True)
class ResponseTable:
    """A closed wave's responses of the teams shown, one row per respondent in a fresh random order."""

    wave: str
    instrument: Instrument
    rules: DisclosureRules
    items: tuple[Item, ...]
    """The columns: every employee item, then the customer items the wave's customer form asks."""
    teams: tuple[tuple[str, str], ...]
    """The teams with a row, as (external id, name), in the order of their codes (1, 2, ...)."""
    rows: tuple[tuple[Respondent, int, dict[str, int]], ...]
    """Each respondent's kind, the code of their team and their answers by item id (unanswered items absent)."""
    left_out: dict[Respondent, int]
    """Per respondent, how many teams the gate withholds (their rows are absent)."""


async def response_table(session: AsyncSession, wave: Wave, *, rules: DisclosureRules) -> ResponseTable:
    """The wave's responses of the teams whose side the gate shows, decoded, shuffled afresh."""
    record = await closed_and_analysed(session, wave)
    applied = export_rules(record, rules)
    instrument, statistics = await wave_statistics(session, wave)
    gate = decide(statistics, applied)
    withheld = {Respondent.EMPLOYEE: gate.employees_withheld, Respondent.CUSTOMER: gate.customers_withheld}
    teams = await _teams(session, wave)
    asked = {respondent: instrument.asked_items(respondent, wave.customer_form) for respondent in Respondent}
    answers: list[tuple[Respondent, str, dict[str, int]]] = []
    query = (
        sa.select(Team.external_id, Response.respondent, Response.answers)
        .join(Team, Team.id == Response.team_id)
        .where(Response.wave_id == wave.id)
    )
    for key, respondent, packed in await session.execute(query):
        if key in withheld[respondent]:
            continue
        decoded = unpack_answers(instrument, respondent, packed)
        kept = {item.id: decoded[item.id] for item in asked[respondent] if item.id in decoded}
        answers.append((respondent, key, kept))
    # A whole pattern of answers can fingerprint its author as a comment can: employees' rows only from the
    # comment threshold, as the comments themselves. The teams between the two thresholds are left out too.
    employees = Counter(key for respondent, key, _ in answers if respondent is Respondent.EMPLOYEE)
    too_few = {key for key, count in employees.items() if not applied.shows_comments(count)}
    withheld[Respondent.EMPLOYEE] = withheld[Respondent.EMPLOYEE] | too_few
    answers = [row for row in answers if not (row[0] is Respondent.EMPLOYEE and row[1] in too_few)]
    secrets.SystemRandom().shuffle(answers)
    keys = sorted({key for _, key, _ in answers}, key=lambda key: (teams[key].name, key))
    code = {key: number for number, key in enumerate(keys, start=1)}
    return ResponseTable(
        wave=wave.name,
        instrument=instrument,
        rules=applied,
        items=(*asked[Respondent.EMPLOYEE], *asked[Respondent.CUSTOMER]),
        teams=tuple((key, teams[key].name) for key in keys),
        rows=tuple((respondent, code[key], kept) for respondent, key, kept in answers),
        left_out={respondent: len(withheld[respondent] & gate.teams) for respondent in Respondent},
    )

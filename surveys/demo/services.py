"""The demo: a whole wave from roster to analysis, through the same services as a real wave."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.actions.services import new_action, suggestions
from surveys.collection.mixing import admit_batch, waiting_batches
from surveys.collection.services import submit_response
from surveys.demo.comments import draw_comment
from surveys.demo.roster import DEMO_SLUG, build_roster
from surveys.instruments.services import register_instrument
from surveys.org.models import Customer, Employee, Organisation, Team
from surveys.org.services import delete_organisation, find_organisation
from surveys.results.services import analyse, store_analysis, store_team_results
from surveys.waves.models import Wave
from surveys.waves.services import close_wave, create_wave, launch_wave
from symmetry.analysis import WaveAnalysis
from symmetry.disclosure import DisclosureRules
from symmetry.domain import CustomerForm, Respondent
from symmetry.simulation import REALISTIC, GenerativeModel, Simulator

DEMO_TEAMS = 120
"""Enough teams for the realistic model's linkage to have about even odds of showing (the power statement says)."""
EMPLOYEE_RESPONSE_RATE = 0.85
CUSTOMER_RESPONSE_RATE = 0.35
WAVE_DAYS = 21
WAVES_APART_DAYS = 182
"""The previous wave closed about six months before the demo's main wave."""
OPEN_DAYS_SO_FAR, OPEN_DAYS_LEFT = 7, 14


@dataclass(frozen=True, slots=True)
class DemoRun:
    """What the demo built, for the reports and the summary."""

    organisation_name: str
    wave_name: str
    """The demo's main wave: the latest, whose reports the demo renders."""
    previous_wave_name: str
    opens_on: dt.date
    closes_on: dt.date
    teams: list[Team]
    """Every team of the hierarchy, head office and regions included."""
    invited: dict[Respondent, int]
    answered: dict[Respondent, int]
    """Of the main wave."""
    model: GenerativeModel
    true_team_correlation: float
    """Correlation across teams of the main wave's drawn employee and customer climates: what the analysis should
    recover."""
    analysis: WaveAnalysis | None
    """The main wave's; None when it was left open."""
    document: dict[str, Any] | None
    """The main wave's stored analysis document, with the comparison with the previous wave."""
    replaced_previous: bool


@dataclass(frozen=True, slots=True)
class _Roster:
    organisation: Organisation
    branches: list[Team]
    employees: list[Employee]
    customers: list[Customer]
    rules: DisclosureRules


@dataclass(frozen=True, slots=True)
class _WaveRun:
    wave: Wave
    answered: dict[Respondent, int]
    analysis: WaveAnalysis | None
    document: dict[str, Any] | None


async def run_demo(
    session: AsyncSession,
    *,
    n_teams: int,
    seed: int,
    rules: DisclosureRules,
    model: GenerativeModel = REALISTIC,
    today: dt.date | None = None,
    leave_open: bool = False,
    short_customers: bool = False,
) -> DemoRun:
    """Build the demo organisation and run two waves six months apart on simulated answers.

    The team climates carry on from one wave to the next; both waves are closed and analysed, the second with the
    comparison with the first.
    A previous demo organisation (and only that one) is deleted first, so the demo can be rerun on any database.
    With `leave_open`, the second wave stays open with half as many answers, for trying the survey pages; with
    `short_customers`, its customers answer the instrument's short form.
    """
    if n_teams < 4:
        raise ValueError(f"--teams must be at least 4 for a correlation across teams, got {n_teams}")
    rng = np.random.default_rng(seed)
    previous = await find_organisation(session, DEMO_SLUG)
    if previous is not None:
        await delete_organisation(session, previous)

    version, instrument = await register_instrument(session, "attention")
    organisation = Organisation(id=uuid.uuid4(), slug=DEMO_SLUG, name="Horizon Services (demo)")
    session.add(organisation)
    parents, branches, employees, customers = build_roster(organisation, n_teams, rng)
    session.add_all([*parents, *branches])
    await session.flush()
    session.add_all([*employees, *customers])
    await session.flush()
    roster = _Roster(organisation, branches, employees, customers, rules)

    today = today or dt.date.today()
    simulator = Simulator(instrument, model, n_teams, rng)
    # Comments come from their own stream, so that the simulated answers stay those of the seed.
    comment_rng = np.random.default_rng([seed, 1])
    earlier_close = today - dt.timedelta(days=WAVES_APART_DAYS)
    earlier = await _run_wave(
        session, roster, version.id, simulator, comment_rng, earlier_close - dt.timedelta(days=WAVE_DAYS), earlier_close
    )
    await _decide_actions(session, roster, earlier)
    simulator.next_wave()
    if leave_open:
        opens_on, closes_on = today - dt.timedelta(days=OPEN_DAYS_SO_FAR), today + dt.timedelta(days=OPEN_DAYS_LEFT)
    else:
        opens_on, closes_on = today - dt.timedelta(days=WAVE_DAYS), today
    latest = await _run_wave(
        session,
        roster,
        version.id,
        simulator,
        comment_rng,
        opens_on,
        closes_on,
        earlier=earlier,
        leave_open=leave_open,
        customer_form=CustomerForm.SHORT if short_customers else CustomerForm.FULL,
    )
    climates = simulator.climates
    return DemoRun(
        organisation_name=organisation.name,
        wave_name=latest.wave.name,
        previous_wave_name=earlier.wave.name,
        opens_on=opens_on,
        closes_on=closes_on,
        teams=[*parents, *branches],
        invited={Respondent.EMPLOYEE: len(employees), Respondent.CUSTOMER: len(customers)},
        answered=latest.answered,
        model=model,
        true_team_correlation=float(np.corrcoef(climates.employee_attention, climates.customer_attention)[0, 1]),
        analysis=latest.analysis,
        document=latest.document,
        replaced_previous=previous is not None,
    )


ACTING_TEAMS = 3
"""Branches that decide an action after the earlier wave, so that the reports show it re-measured."""


async def _decide_actions(session: AsyncSession, roster: _Roster, earlier: _WaveRun) -> None:
    """The first branches whose figures show take a suggested action on their widest perception gap."""
    assert earlier.analysis is not None  # the earlier wave is closed and analysed
    acting = 0
    for branch in roster.branches:
        result = earlier.analysis.teams.get(branch.external_id)
        if result is None or acting == ACTING_TEAMS:
            continue
        gaps = [(abs(row.perception_gap.estimate), row.dimension) for row in result.dimensions if row.perception_gap]
        if not gaps:
            continue
        dimension = max(gaps)[1]
        session.add(
            new_action(
                team=branch,
                wave=earlier.wave,
                dimensions=[row.dimension for row in result.dimensions],
                fields={"dimension": dimension, "title": suggestions()[dimension][0]["fr"], "owner": "Manager"},
                created_by=branch.manager_email or "demo",
            )
        )
        acting += 1
    await session.flush()


async def _run_wave(
    session: AsyncSession,
    roster: _Roster,
    instrument_version_id: uuid.UUID,
    simulator: Simulator,
    comment_rng: np.random.Generator,
    opens_on: dt.date,
    closes_on: dt.date,
    *,
    earlier: _WaveRun | None = None,
    leave_open: bool = False,
    customer_form: CustomerForm = CustomerForm.FULL,
) -> _WaveRun:
    """One wave from launch to its stored results (compared with `earlier`), on the simulator's current climates.

    Left open, it gets half the answers and no results. Its customers answer `customer_form`: the simulator draws
    every answer of a customer, so that the seed gives the same numbers, and only the questions asked are sent.
    """
    wave = await create_wave(
        session,
        roster.organisation,
        name=f"Demo {closes_on:%Y-%m}",
        instrument_version_id=instrument_version_id,
        opens_on=opens_on,
        closes_on=closes_on,
        customer_form=customer_form,
    )
    asked = {item.id for item in simulator.instrument.asked_items(Respondent.CUSTOMER, customer_form)}
    tokens = {issued.person_id: issued.token for issued in await launch_wave(session, wave)}
    position = {branch.id: index for index, branch in enumerate(roster.branches)}
    answered = dict.fromkeys(Respondent, 0)
    people: tuple[tuple[Respondent, Sequence[Employee | Customer], float], ...] = (
        (Respondent.EMPLOYEE, roster.employees, EMPLOYEE_RESPONSE_RATE),
        (Respondent.CUSTOMER, roster.customers, CUSTOMER_RESPONSE_RATE),
    )
    for respondent, group, rate in people:
        draw = simulator.employee if respondent is Respondent.EMPLOYEE else simulator.customer
        for person in group:
            if simulator.rng.random() >= (rate / 2 if leave_open else rate):
                continue
            comment = draw_comment(comment_rng) if respondent is Respondent.EMPLOYEE else {}
            answers = draw(position[person.team_id])
            if respondent is Respondent.CUSTOMER:
                answers = {item_id: value for item_id, value in answers.items() if item_id in asked}
            await submit_response(session, tokens[person.id], answers, comment)
            answered[respondent] += 1
    if leave_open:  # mixing admits the sealed answers as its jobs would (closing admits them all)
        for batch in await waiting_batches(session, [wave.id]):
            await admit_batch(session, *batch)
        return _WaveRun(wave, answered, None, None)
    await close_wave(session, wave)
    analysis = await analyse(session, wave, rules=roster.rules)
    await store_team_results(session, wave, analysis)
    document = await store_analysis(
        session,
        wave,
        analysis,
        previous=earlier.analysis if earlier else None,
        previous_name=earlier.wave.name if earlier else None,
    )
    return _WaveRun(wave, answered, analysis, document)

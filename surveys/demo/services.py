"""The demo: a whole wave from roster to analysis, through the same services as a real wave."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.collection.mixing import admit_batch, waiting_batches
from surveys.collection.services import submit_response
from surveys.demo.comments import draw_comment
from surveys.demo.roster import DEMO_SLUG, build_roster
from surveys.instruments.services import register_instrument
from surveys.org.models import Organisation, Team
from surveys.org.services import delete_organisation, find_organisation
from surveys.results.services import analyse, store_analysis, store_team_results
from surveys.waves.services import close_wave, create_wave, launch_wave
from symmetry.analysis import WaveAnalysis
from symmetry.disclosure import DisclosureRules
from symmetry.domain import Respondent
from symmetry.simulation import GenerativeModel, Simulator

EMPLOYEE_RESPONSE_RATE = 0.85
CUSTOMER_RESPONSE_RATE = 0.35
WAVE_DAYS = 21
OPEN_DAYS_SO_FAR, OPEN_DAYS_LEFT = 7, 14


@dataclass(frozen=True, slots=True)
class DemoRun:
    """What the demo built, for the reports and the summary."""

    organisation_name: str
    wave_name: str
    opens_on: dt.date
    closes_on: dt.date
    teams: list[Team]
    """Every team of the hierarchy, head office and regions included."""
    invited: dict[Respondent, int]
    answered: dict[Respondent, int]
    model: GenerativeModel
    true_team_correlation: float
    """Correlation across teams of the drawn employee and customer climates: what the analysis should recover."""
    analysis: WaveAnalysis | None
    """None when the wave was left open."""
    replaced_previous: bool


async def run_demo(
    session: AsyncSession,
    *,
    n_teams: int,
    seed: int,
    rules: DisclosureRules,
    model: GenerativeModel | None = None,
    today: dt.date | None = None,
    leave_open: bool = False,
) -> DemoRun:
    """Build the demo organisation, run one wave on simulated answers, close it and analyse it.

    A previous demo organisation (and only that one) is deleted first, so the demo can be rerun on any database.
    With `leave_open`, half as many people answer and the wave stays open, for trying the survey pages.
    """
    if n_teams < 4:
        raise ValueError(f"--teams must be at least 4 for a correlation across teams, got {n_teams}")
    model = model or GenerativeModel()
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

    today = today or dt.date.today()
    if leave_open:
        opens_on, closes_on = today - dt.timedelta(days=OPEN_DAYS_SO_FAR), today + dt.timedelta(days=OPEN_DAYS_LEFT)
    else:
        opens_on, closes_on = today - dt.timedelta(days=WAVE_DAYS), today
    wave = await create_wave(
        session,
        organisation,
        name=f"Demo {today:%Y-%m}",
        instrument_version_id=version.id,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    tokens = {issued.person_id: issued.token for issued in await launch_wave(session, wave)}

    simulator = Simulator(instrument, model, n_teams, rng)
    # Comments come from their own stream, so that the simulated answers stay those of the seed.
    comment_rng = np.random.default_rng([seed, 1])
    position = {branch.id: index for index, branch in enumerate(branches)}
    answered = dict.fromkeys(Respondent, 0)
    for respondent, people, rate in (
        (Respondent.EMPLOYEE, employees, EMPLOYEE_RESPONSE_RATE),
        (Respondent.CUSTOMER, customers, CUSTOMER_RESPONSE_RATE),
    ):
        draw = simulator.employee if respondent is Respondent.EMPLOYEE else simulator.customer
        for person in people:
            if rng.random() >= (rate / 2 if leave_open else rate):
                continue
            comment = draw_comment(comment_rng) if respondent is Respondent.EMPLOYEE else {}
            await submit_response(session, tokens[person.id], draw(position[person.team_id]), comment)
            answered[respondent] += 1
    if leave_open:  # mixing admits the sealed answers as its jobs would (closing admits them all)
        for batch in await waiting_batches(session, [wave.id]):
            await admit_batch(session, *batch)

    analysis = None
    if not leave_open:
        await close_wave(session, wave)
        analysis = await analyse(session, wave, rules=rules)
        await store_team_results(session, wave, analysis)
        await store_analysis(session, wave, analysis)
    climates = simulator.climates
    return DemoRun(
        organisation_name=organisation.name,
        wave_name=wave.name,
        opens_on=opens_on,
        closes_on=closes_on,
        teams=[*parents, *branches],
        invited={Respondent.EMPLOYEE: len(employees), Respondent.CUSTOMER: len(customers)},
        answered=answered,
        model=model,
        true_team_correlation=float(np.corrcoef(climates.employee_attention, climates.customer_attention)[0, 1]),
        analysis=analysis,
        replaced_previous=previous is not None,
    )

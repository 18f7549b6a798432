"""Time the team reports of the demo organisation: 200 front-line teams, with 1 and then 2 worker processes.

The wave is simulated in memory with the demo's roster and generative model and analysed by ``symmetry.analysis``
(no database), with the branches' pooled figures and response counts; then ``reports.batch.render_reports`` writes
every team's PDF into a temporary directory. Prints reports per second (wall clock), CPU seconds per report and
their split between data preparation, charts, HTML and PDF (summed over the workers' per-stage times), the
speed-up of 2 workers over 1, the page counts and the projected wall time of 1,000 reports; then, in one
process, each report's CPU beside WeasyPrint's floor, the same HTML without its charts. Run with
``make bench-reports``; set BENCH_TEAMS for another number of teams and BENCH_WORKERS (for example ``1,2``) for
other pool sizes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
import re
import statistics
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import numpy as np

from reports.batch import ReportJob, ReportOutcome, render_reports
from reports.context import build_team_context
from reports.inputs import TeamExtras, TeamInfo, TrendPoint, WaveInfo, WaveReportInputs
from reports.render import draw_charts, render_html, render_pdf, render_report
from surveys.demo.comments import EMPLOYEE_COMMENTS
from surveys.demo.roster import build_roster
from surveys.demo.services import CUSTOMER_RESPONSE_RATE, EMPLOYEE_RESPONSE_RATE
from surveys.instruments.loader import load_instrument
from surveys.org.models import Organisation
from surveys.reporting.inputs import branch_rates
from symmetry.analysis import AnswerMatrix, analyse_statistics, statistics_from_answers
from symmetry.disclosure import DisclosureRules, gate_statistics
from symmetry.domain import Respondent
from symmetry.hierarchy import branch_response_counts, group_members, pooled_results
from symmetry.simulation import GenerativeModel, Simulator

TEAMS = int(os.environ.get("BENCH_TEAMS", "200"))
WORKERS = tuple(int(w) for w in os.environ.get("BENCH_WORKERS", "1,2").split(","))
TARGET_CPU_PER_REPORT = 0.35
PROJECTED_REPORTS = 1_000
STAGES = ("prepare", "charts", "html", "pdf")
COMMENT_THRESHOLD = 10
MAX_COMMENTS = 12
FLOOR_TEAMS = int(os.environ.get("BENCH_FLOOR_TEAMS", "40"))


def demo_inputs(n_teams: int, seed: int = 1) -> tuple[WaveReportInputs, dict[str, TeamExtras]]:
    """The demo organisation's wave, simulated and analysed in memory, with two earlier waves for the trends and
    twelve comments for each team at or above the comment threshold, as the real reports have."""
    rng = np.random.default_rng(seed)
    instrument = load_instrument("attention")
    organisation = Organisation(id=uuid.uuid4(), slug="demo", name="Horizon Services (demo)")
    parents, branches, employees, customers = build_roster(organisation, n_teams, rng)
    simulator = Simulator(instrument, GenerativeModel(), n_teams, rng)
    position = {branch.id: index for index, branch in enumerate(branches)}
    key = {branch.id: branch.external_id for branch in branches}
    answers: dict[Respondent, list[tuple[str, dict[str, int]]]] = {}
    for respondent, people, rate in (
        (Respondent.EMPLOYEE, employees, EMPLOYEE_RESPONSE_RATE),
        (Respondent.CUSTOMER, customers, CUSTOMER_RESPONSE_RATE),
    ):
        draw = simulator.employee if respondent is Respondent.EMPLOYEE else simulator.customer
        answers[respondent] = [
            (key[person.team_id], draw(position[person.team_id])) for person in people if rng.random() < rate
        ]
    statistics = statistics_from_answers(
        instrument,
        *(
            AnswerMatrix.from_responses([item.id for item in instrument.items_for(respondent)], answers[respondent])
            for respondent in (Respondent.EMPLOYEE, Respondent.CUSTOMER)
        ),
    )
    analysis = analyse_statistics(instrument, statistics)
    teams = {team.id: team for team in (*parents, *branches)}

    def ancestors(team_id: uuid.UUID) -> tuple[str, ...]:
        parent = teams[team_id].parent_id
        return () if parent is None else (teams[parent].external_id, *ancestors(parent))

    infos = {team.external_id: TeamInfo(team.external_id, team.name, ancestors(team.id)) for team in teams.values()}
    members = group_members({key: info.parent for key, info in infos.items()})
    invited = Counter(key[person.team_id] for person in employees)
    gate, released = gate_statistics(instrument, statistics, DisclosureRules())
    closes_on = dt.date(2026, 3, 20)
    wave = WaveInfo(organisation.name, "Printemps 2026", closes_on - dt.timedelta(days=18), closes_on)
    extras = {}
    for team_key, result in analysis.teams.items():
        overall = result.overall
        now = (
            overall.employee.mean if overall.employee is not None else None,
            overall.customer.mean if overall.customer is not None else None,
        )
        earlier = [
            TrendPoint(name, day, *(None if score is None else score - drift for score in now))
            for name, day, drift in (
                ("Printemps 2025", dt.date(2025, 3, 21), 0.2),
                ("Automne 2025", dt.date(2025, 10, 17), 0.1),
            )
        ]
        commented = result.employee_respondents is not None and result.employee_respondents >= COMMENT_THRESHOLD
        comments = tuple(str(text) for text in rng.choice(EMPLOYEE_COMMENTS, size=MAX_COMMENTS)) if commented else ()
        extras[team_key] = TeamExtras(comments, (*earlier, TrendPoint(wave.name, closes_on, *now)))
    inputs = WaveReportInputs(
        analysis,
        wave,
        infos,
        groups=pooled_results(instrument, released, members, gate),
        rates=branch_rates(
            infos,
            branch_response_counts(members, statistics.respondents[Respondent.EMPLOYEE], invited, DisclosureRules()),
            organisation.name,
        ),
    )
    return inputs, extras


def _render(
    inputs: WaveReportInputs, extras: dict[str, TeamExtras], directory: Path, workers: int
) -> tuple[float, list[ReportOutcome]]:
    jobs = [
        ReportJob(directory / f"{workers}" / f"{team}.pdf", "fr", team, extras[team]) for team in inputs.analysis.teams
    ]
    started = time.perf_counter()
    outcomes = render_reports(inputs, jobs, workers=workers)
    return time.perf_counter() - started, outcomes


IMAGE = re.compile(r"<img\b[^>]*>")


def floor_ratio(inputs: WaveReportInputs, extras: dict[str, TeamExtras], teams: int) -> tuple[float, float]:
    """CPU s per report of Symmetry and of WeasyPrint's floor, team by team in this one process.

    The floor renders the same HTML with its images (the charts) removed: what any report of this content costs in
    WeasyPrint alone. Each team's report is rendered whole first, then its floor, so both see the same warm caches.
    """
    gc.freeze()  # the simulated wave out of the collector's way, as a rendering worker holds only its chunk
    ours, floor = [], []
    for team in list(inputs.analysis.teams)[:teams]:
        rendered = render_report(inputs, team, "fr", extras[team])
        ours.append(sum(dataclasses.astuple(rendered.times)))
        context = build_team_context(inputs, team, "fr", extras[team])
        html = IMAGE.sub("", render_html(context, draw_charts(context)))
        started = time.process_time()
        render_pdf(html)
        floor.append(time.process_time() - started)
    return statistics.fmean(ours), statistics.fmean(floor)


def main() -> None:
    started = time.perf_counter()
    inputs, extras = demo_inputs(TEAMS)
    print(
        f"demo organisation, {len(inputs.analysis.teams)} front-line teams simulated and analysed in memory "
        f"in {time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    walls: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as directory:
        for workers in WORKERS:
            wall, outcomes = _render(inputs, extras, Path(directory), workers)
            walls[workers] = wall
            failed = [outcome for outcome in outcomes if outcome.error]
            times = [dataclasses.astuple(outcome.times) for outcome in outcomes if outcome.times is not None]
            per_stage = [statistics.fmean(stage) for stage in zip(*times, strict=True)]
            cpu = sum(per_stage)
            pages = Counter(outcome.pages for outcome in outcomes if outcome.pages is not None)
            print(
                f"{workers} worker(s): {len(outcomes)} team reports in {wall:.1f} s wall, "
                f"{len(outcomes) / wall:.2f} reports/s, {cpu:.3f} CPU s per report "
                f"(target <= {TARGET_CPU_PER_REPORT}), {len(failed)} failed"
            )
            split = zip(STAGES, per_stage, strict=True)
            print("  split, mean CPU s per report: " + ", ".join(f"{s} {t:.3f} ({t / cpu:.0%})" for s, t in split))
            print("  pages: " + ", ".join(f"{count} x {n}" for n, count in sorted(pages.items())))
            for outcome in failed[:3]:
                print(f"  failed {outcome.job.team}: {outcome.error}")
    if 1 in walls:
        for workers, wall in walls.items():
            if workers != 1:
                print(f"speed-up of {workers} workers over 1: {walls[1] / wall:.2f}x (ideal {workers}x)")
    most = max(walls)
    projected = walls[most] / len(inputs.analysis.teams) * PROJECTED_REPORTS
    print(f"projected wall time for {PROJECTED_REPORTS:,} reports with {most} worker(s): {projected:.0f} s")
    ours, floor = floor_ratio(inputs, extras, FLOOR_TEAMS)
    print(f"beside WeasyPrint's floor (the same HTML without its charts), {FLOOR_TEAMS} teams in one process: "
          f"Symmetry {ours:.3f} CPU s per report, floor {floor:.3f}: {ours / floor:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()

"""Reports, read back from the PDFs' text: what a manager sees, and what must never be shown."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from typing import Any

import numpy as np
import pytest
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from reports.context import build_team_context
from reports.i18n import Translator
from reports.inputs import TeamExtras, TeamInfo, TrendPoint, WaveInfo, WaveReportInputs, lagged_from_trends
from reports.reading import headline_gap
from reports.render import RenderedReport, render_pdf, render_report
from surveys.instruments.loader import load_instrument
from symmetry.analysis import (
    AnswerMatrix,
    DimensionResult,
    TeamResult,
    analyse_statistics,
    analyse_wave,
    statistics_from_answers,
)
from symmetry.domain import Instrument, Respondent
from symmetry.hierarchy import analyse_groups, group_members
from symmetry.simulation import GenerativeModel, Simulator
from symmetry.stats import Difference
from symmetry.sufficient import WaveStatistics

WAVE = WaveInfo("Horizon Services", "Spring 2026", dt.date(2026, 3, 2), dt.date(2026, 3, 20))
EMPLOYEES_PER_TEAM = [9, 7, 3, 8, 10, 6]
TEAMS = {
    "R": TeamInfo("R", "Region North"),
    **{f"T{j}": TeamInfo(f"T{j}", f"Branch {j}", ("R",)) for j in range(len(EMPLOYEES_PER_TEAM))},
}


def simulated_inputs(withheld_answer: int | None = None) -> WaveReportInputs:
    """The test wave; `withheld_answer` overwrites every answer of the withheld team T2's employees."""
    instrument = load_instrument("attention")
    simulator = Simulator(instrument, GenerativeModel(), len(EMPLOYEES_PER_TEAM), np.random.default_rng(4))
    employees = [(f"T{j}", simulator.employee(j)) for j, n in enumerate(EMPLOYEES_PER_TEAM) for _ in range(n)]
    if withheld_answer is not None:
        employees = [
            (team, dict.fromkeys(answers, withheld_answer) if team == "T2" else answers) for team, answers in employees
        ]
    customers = [(f"T{j}", simulator.customer(j)) for j in range(len(EMPLOYEES_PER_TEAM)) for _ in range(15)]
    analysis = analyse_wave(
        instrument,
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.EMPLOYEE)], employees),
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.CUSTOMER)], customers),
    )
    return WaveReportInputs(analysis, WAVE, TEAMS)


@pytest.fixture(scope="module")
def inputs() -> WaveReportInputs:
    return simulated_inputs()


def pdf_text(report: RenderedReport) -> str:
    reader = PdfReader(io.BytesIO(report.pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_team_report_shows_the_three_voices_and_the_gaps(inputs: WaveReportInputs) -> None:
    report = render_report(inputs, "T0", "en")
    text = pdf_text(report)
    assert report.pdf.startswith(b"%PDF")
    assert 3 <= report.pages == len(PdfReader(io.BytesIO(report.pdf)).pages) <= 5
    result = inputs.analysis.teams["T0"]
    assert result.overall.employee is not None
    for expected in (
        "Branch 0",
        "Spring 2026",
        "Region North",
        "Perception gap",
        "How to read this report",
        "9 employees answered. 15 customers answered.",
        f"{result.overall.employee.mean:.1f}",
    ):
        assert expected in text


def test_team_below_threshold_gets_a_report_without_employee_figures(inputs: WaveReportInputs) -> None:
    context = build_team_context(inputs, "T2", "en")
    text = pdf_text(render_report(inputs, "T2", "en"))
    assert "Employee results withheld" in text
    assert "Fewer than 5 employees answered" in text
    assert "Attention employees receive" not in text
    assert "eNPS" not in text
    assert "position" not in context.charts


def test_withheld_team_report_does_not_depend_on_its_employees_answers() -> None:
    # The report of a team under the threshold must read the same whatever its employees answered, and must
    # never show its comments, even if they were handed to the renderer.
    comments = TeamExtras(comments=("A comment that must never be printed",))
    texts = [pdf_text(render_report(simulated_inputs(answer), "T2", "en", comments)) for answer in (None, 1, 5)]
    assert texts[0] == texts[1] == texts[2]
    assert "must never be printed" not in texts[0]
    assert "Comments are shown only when at least 10 employees answered." in texts[0]


def test_comments_are_shown_from_the_comment_threshold(inputs: WaveReportInputs) -> None:
    comments = TeamExtras(comments=("Great team spirit", "Too many meetings"))
    assert inputs.analysis.teams["T4"].employee_respondents == 10
    assert inputs.analysis.teams["T0"].employee_respondents == 9
    shown = pdf_text(render_report(inputs, "T4", "en", comments))
    assert "2 employee comments" in shown and "Great team spirit" in shown and "Too many meetings" in shown
    hidden = pdf_text(render_report(inputs, "T0", "en", comments))
    assert "Great team spirit" not in hidden and "Comments are shown only when at least 10" in hidden


def test_same_inputs_render_the_same_bytes(inputs: WaveReportInputs) -> None:
    first, second = render_report(inputs, "T0", "fr"), render_report(inputs, "T0", "fr")
    assert first.pdf == second.pdf


def test_every_font_is_bundled_and_embedded(inputs: WaveReportInputs) -> None:
    reader = PdfReader(io.BytesIO(render_report(inputs, "T0", "en").pdf))
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for reference in resources["/Font"].values():
            font = reference.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
                "/FontDescriptor"
            ]
            fonts[str(font["/BaseFont"])] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values())
    # Only the family of the bundled @font-face: a system fallback would bring its own name (DejaVuSans, ...).
    assert {name.split("+")[1] for name in fonts} <= {"Report-Sans", "Report-Sans-Bold", "Report-Sans-Italic"}, fonts


def test_reports_fetch_nothing_from_the_network() -> None:
    # Through the real pipeline: an http image stops the rendering before any request is made.
    html = '<html><body><p>Chart</p><img src="http://127.0.0.1:9/logo.png"></body></html>'
    with pytest.raises(FatalURLFetchingError, match=r"127\.0\.0\.1:9"):
        render_pdf(html)


def test_french_report_uses_french_texts_and_decimal_commas(inputs: WaveReportInputs) -> None:
    text = pdf_text(render_report(inputs, "T0", "fr"))
    assert "Rapport d'équipe" in text
    assert "Comment lire ce rapport" in text
    customer = inputs.analysis.teams["T0"].overall.customer
    assert customer is not None
    assert f"{customer.mean:.1f}".replace(".", ",") in text


def test_organisation_report_states_the_linkage_with_its_uncertainty(inputs: WaveReportInputs) -> None:
    text = pdf_text(render_report(inputs, None, "en"))
    correlation = inputs.analysis.linkage.correlation
    assert correlation is not None
    assert f"Across the {correlation.n} comparable teams" in text
    assert f"r = {Translator('en').number(correlation.r, 2)} (95% CI: " in text
    power = inputs.analysis.linkage.power
    assert power is not None and power.expected_r is not None and power.power is not None
    t = Translator("en")
    flat = " ".join(text.split())
    # The three figures of the power statement, each named for what it is.
    assert f"significant (two-sided test at 5%) from {t.number(power.critical_r, 2)} on" in flat
    assert f"observed at about {t.number(power.expected_r, 2)}" in flat
    assert f"had a {t.percent(power.power)} chance of detecting it" in flat
    needed = f"About {t.number(power.teams_needed, 0)} teams would give an 80% chance"
    assert needed in flat if power.teams_needed is not None else "no number of teams" in flat
    corrected = inputs.analysis.linkage.corrected
    assert corrected is not None
    if corrected.value is None:
        assert "cannot be interpreted" in flat or "too uncertain for the correction" in flat
    else:
        assert f"estimated at {t.number(corrected.value, 2)}, between" in flat
    assert "1 team below the anonymity threshold" in text
    assert "withheld" in text


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [("fr", 3.45, "3,5"), ("en", 3.45, "3.5"), ("fr", 1234.5, "1\u202f234,5"), ("en", float("nan"), "–")],
)
def test_numbers_follow_the_language_convention(language: str, value: float, expected: str) -> None:
    assert Translator(language).number(value) == expected  # type: ignore[arg-type]


def test_gaps_carry_an_explicit_sign() -> None:
    t = Translator("en")
    assert (t.signed(0.62), t.signed(-0.4), t.signed(0.01), t.signed(-0.04)) == ("+0.6", "−0.4", "0.0", "0.0")
    assert t.interval((-1.26, -0.04), 2) == "[−1.26, −0.04]"
    assert Translator("fr").interval((-1.26, 0.5)) == "[−1,3 ; 0,5]"


def _team_with_gaps(gaps: list[tuple[float, float]]) -> TeamResult:
    rows = tuple(
        DimensionResult(
            f"d{j}",
            None,
            None,
            None,
            Difference(estimate, se, 1000.0, (estimate - 1.96 * se, estimate + 1.96 * se)),
            None,
        )
        for j, (estimate, se) in enumerate(gaps)
    )
    return TeamResult("T", True, 9, 20, True, rows[0], rows, {})


def test_the_headline_gap_survives_the_correction_for_seven_dimensions() -> None:
    # One interval excluding zero (p about 0.04) among seven is not stated once the seven tests are adjusted.
    marginal = _team_with_gaps([(2.1, 1.0)] + [(0.1, 1.0)] * 6)
    assert marginal.dimensions[0].perception_gap is not None and marginal.dimensions[0].perception_gap.excludes_zero
    assert headline_gap(marginal) is None
    clear = _team_with_gaps([(2.1, 1.0), (4.0, 1.0)] + [(0.1, 1.0)] * 5)
    headline = headline_gap(clear)
    assert headline is not None and headline.dimension == "d1"


REGIONS = {"T0": "N", "T1": "N", "T2": "N", "T3": "S"}


def _regions_wave(withheld_answer: int | None = None) -> tuple[Instrument, WaveStatistics]:
    instrument = load_instrument("attention")
    simulator = Simulator(instrument, GenerativeModel(), 4, np.random.default_rng(9))
    sizes = {"T0": 3, "T1": 6, "T2": 7, "T3": 8}
    employees = [(key, simulator.employee(j)) for j, (key, n) in enumerate(sizes.items()) for _ in range(n)]
    if withheld_answer is not None:
        employees = [(key, dict.fromkeys(a, withheld_answer) if key == "T0" else a) for key, a in employees]
    customers = [(key, simulator.customer(j)) for j, key in enumerate(sizes) for _ in range(12)]
    employee_matrix = AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.EMPLOYEE)], employees)
    customer_matrix = AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.CUSTOMER)], customers)
    return instrument, statistics_from_answers(instrument, employee_matrix, customer_matrix)


REGION_PARENTS: dict[str, str | None] = {"ORG": None, "N": "ORG", "S": "ORG", **REGIONS}


def test_a_withheld_teams_answers_change_no_pooled_figure() -> None:
    # T0 (3 answers) is withheld: North pools its teams shown only, whatever T0 answered.
    pooled = [analyse_groups(*_regions_wave(answer), group_members(REGION_PARENTS)) for answer in (1, 5)]
    assert pooled[0] == pooled[1]
    assert pooled[0]["N"].employee_respondents == 13


def test_withheld_team_shows_the_pooled_figures_of_its_nearest_shown_group() -> None:
    instrument, statistics = _regions_wave()
    groups = analyse_groups(instrument, statistics, group_members(REGION_PARENTS))
    assert "N" in groups
    teams = {
        "ORG": TeamInfo("ORG", "Horizon"),
        "N": TeamInfo("N", "North", ("ORG",)),
        "S": TeamInfo("S", "South", ("ORG",)),
        **{key: TeamInfo(key, f"Branch {key}", (region, "ORG")) for key, region in REGIONS.items()},
    }
    inputs = WaveReportInputs(analyse_statistics(instrument, statistics), WAVE, teams, groups=groups)
    text = pdf_text(render_report(inputs, "T0", "en"))
    north = groups["N"].overall
    assert north.employee is not None and north.customer is not None
    assert "Results of North, which your team is part of" in text
    assert "pooled over the 2 teams of this group with enough respondents (yours is not among them): 13" in text
    assert f"{north.employee.mean:.1f} out of 5 {Translator('en').interval(north.employee.ci)} · n = 13" in text


def test_the_team_reports_of_a_wave_share_one_scatter_background(inputs: WaveReportInputs) -> None:
    """Only the highlighted team differs between two teams' position charts, so its background is drawn once."""
    first, second = (build_team_context(inputs, team, "fr").charts["position"] for team in ("T0", "T1"))
    assert first != second
    assert dataclasses.replace(first, highlight=None) == dataclasses.replace(second, highlight=None)


def test_organisation_report_gives_the_lagged_paths_as_associations(inputs: WaveReportInputs) -> None:
    rng = np.random.default_rng(3)
    e1, c1 = rng.normal(3.5, 0.4, 20), rng.normal(3.8, 0.3, 20)
    trends = {
        f"T{j:02d}": (
            TrendPoint("Autumn 2025", dt.date(2025, 11, 30), float(e1[j]), float(c1[j])),
            TrendPoint(
                "Spring 2026", dt.date(2026, 3, 20), float(e1[j] + rng.normal(0, 0.2)), float(0.5 * c1[j] + 0.5 * e1[j])
            ),
        )
        for j in range(20)
    }
    trends["T99"] = (trends["T00"][0], TrendPoint("Spring 2026", dt.date(2026, 3, 20), None, 3.9))  # withheld now
    previous, lagged = lagged_from_trends(trends)
    assert previous == "Autumn 2025" and lagged is not None and lagged.n == 20
    with_lag = dataclasses.replace(inputs, previous_wave=previous, lagged=lagged)
    english = " ".join(pdf_text(render_report(with_lag, None, "en")).split())
    t = Translator("en")
    assert lagged.employee_path is not None
    assert f"by {t.number(lagged.employee_path.coefficient, 2)} standard deviation" in english
    assert "not proof that one score acts on the other" in english
    french = " ".join(pdf_text(render_report(with_lag, None, "fr")).split())
    assert "pas la preuve qu'un score agit sur l'autre" in french
    assert "Since Autumn 2025" in english
    assert "Since" not in " ".join(pdf_text(render_report(inputs, None, "en")).split())  # no previous wave, no section

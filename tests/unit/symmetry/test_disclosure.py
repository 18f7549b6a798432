"""The disclosure gate: its rules, its decision, and that a withheld team's answers change no released figure."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from surveys.instruments.loader import load_instrument
from symmetry.analysis import AnswerMatrix, analyse_statistics, statistics_from_answers
from symmetry.disclosure import DisclosureRules, decide, gate_statistics, rules_of_document
from symmetry.document import analysis_document
from symmetry.domain import Instrument, Respondent, Voice
from symmetry.simulation import GenerativeModel, Simulator
from symmetry.sufficient import WaveStatistics

# T00 has 3 employee answers, T01 has 1, T02 has 2 of 2 employees (under the customer minimum); T12 (4 invited)
# has no answer at all; T13 (6 invited) has no customer and, as the tests choose, no or one employee answer.
EMPLOYEES = {"T00": 3, "T01": 1, "T02": 2, **{f"T{j:02d}": 6 + j for j in range(3, 12)}}
SIZES = {"T00": 8, "T01": 9, "T02": 2, "T12": 4, "T13": 6, **{f"T{j:02d}": 10 + j for j in range(3, 12)}}
WITHHELD = ("T00", "T01", "T02", "T13")


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument("attention")


def _statistics(
    instrument: Instrument, *, withheld_answer: int | None = None, t01: int = 1, t13: int = 0
) -> WaveStatistics:
    simulator = Simulator(instrument, GenerativeModel(), len(EMPLOYEES) + 1, np.random.default_rng(5))
    # Every team's answers are drawn the same way whatever T01's count, which only picks how many of its own count.
    sizes = {**EMPLOYEES, "T13": 4}
    drawn = {team: [simulator.employee(j) for _ in range(max(n, 4))] for j, (team, n) in enumerate(sizes.items())}
    counts = {**EMPLOYEES, "T01": t01, "T13": t13}
    employees = [(team, answers) for team, n in counts.items() for answers in drawn[team][:n]]
    if withheld_answer is not None:
        employees = [
            (team, dict.fromkeys(answers, withheld_answer) if team in WITHHELD else answers)
            for team, answers in employees
        ]
    customers = [(team, simulator.customer(j)) for j, team in enumerate(EMPLOYEES) for _ in range(9)]
    statistics = statistics_from_answers(
        instrument,
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.EMPLOYEE)], employees),
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.CUSTOMER)], customers),
    )
    return dataclasses.replace(statistics, team_sizes=SIZES)


def test_rules_refuse_unsafe_thresholds() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        DisclosureRules(anonymity_threshold=2)
    with pytest.raises(ValueError, match="`comment_threshold` \\(4\\) must not be below"):
        DisclosureRules(comment_threshold=4)
    with pytest.raises(ValueError, match="customer_minimum_employees"):
        DisclosureRules(customer_minimum_employees=0)


def test_a_team_invited_where_nobody_answered_is_withheld_and_one_with_nobody_invited_is_not() -> None:
    rules = DisclosureRules()
    assert rules.employees_withheld(0, 6) and rules.employees_withheld(4, 6)
    assert not rules.employees_withheld(0, 0) and not rules.employees_withheld(5, 6)


def test_the_gate_withholds_small_teams_and_teams_too_small_for_customer_figures(instrument: Instrument) -> None:
    gate = decide(_statistics(instrument), DisclosureRules())
    assert gate.employees_withheld == {"T00", "T01", "T02", "T12", "T13"}  # nobody answering is a count too
    assert gate.customers_withheld == {"T02"}
    # Without the team sizes, a withheld team is taken as too small for customer figures, whatever its count.
    unknown = decide(dataclasses.replace(_statistics(instrument), team_sizes={}), DisclosureRules())
    assert unknown.customers_withheld == {"T00", "T01", "T02"}


def test_released_statistics_hold_no_withheld_cell(instrument: Instrument) -> None:
    gate, released = gate_statistics(instrument, _statistics(instrument, t13=1), DisclosureRules())
    for (_, voice), summary in released.columns.items():
        labels = set(summary.labels.tolist())
        if voice is Voice.CUSTOMER:
            assert "T02" not in labels and {"T00", "T01"} <= labels
        else:
            assert not labels & gate.employees_withheld
    assert not set(released.respondents[Respondent.EMPLOYEE]) & gate.employees_withheld
    assert released.respondents[Respondent.CUSTOMER]["T02"] == 9  # a count of customers rates nobody


def test_no_released_figure_depends_on_what_or_how_many_the_withheld_teams_answered(instrument: Instrument) -> None:
    documents = [
        analysis_document(analyse_statistics(instrument, _statistics(instrument, withheld_answer=a, t01=n)))
        for a, n in ((1, 1), (5, 4), (3, 2))
    ] + [analysis_document(analyse_statistics(instrument, _statistics(instrument, t13=1)))]
    assert documents[0] == documents[1] == documents[2]
    # Nobody or somebody answering in a team with no customer makes no difference either.
    assert analysis_document(analyse_statistics(instrument, _statistics(instrument))) == documents[3]
    assert documents[3]["teams"]["T13"]["suppressed"] and documents[3]["teams"]["T12"]["suppressed"]
    teams = documents[0]["teams"]
    assert teams["T01"]["employee_respondents"] is None and teams["T01"]["overall"]["employee"] is None
    assert teams["T02"]["overall"]["customer"] is None and not teams["T02"]["customer_figures_shown"]
    assert teams["T00"]["overall"]["customer"] is not None


def test_the_rules_are_stored_with_the_document_and_read_back(instrument: Instrument) -> None:
    rules = DisclosureRules(anonymity_threshold=4, comment_threshold=12, customer_minimum_employees=2)
    document = analysis_document(analyse_statistics(instrument, _statistics(instrument), rules=rules))
    assert rules_of_document(document) == rules
    older = {key: value for key, value in document.items() if key != "disclosure"}
    assert rules_of_document(older) == DisclosureRules(anonymity_threshold=4)

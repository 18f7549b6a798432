"""The analysis of a wave whose customers answered the short form: figures on what was asked, None on the rest."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from surveys.instruments.loader import load_instrument
from symmetry.analysis import OVERALL, AnswerMatrix, WaveAnalysis, analyse_statistics, statistics_from_answers
from symmetry.document import analysis_document
from symmetry.domain import CustomerForm, Instrument, Respondent, Voice
from symmetry.simulation import MODELS, Simulator

TEAMS, EMPLOYEES, CUSTOMERS = 40, 8, 12


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument("attention")


@pytest.fixture(scope="module")
def answers(instrument: Instrument) -> tuple[list[tuple[str, dict[str, int]]], list[tuple[str, dict[str, int]]]]:
    """Simulated employees' answers and customers' answers to the short form only."""
    simulator = Simulator(instrument, MODELS["illustration"], TEAMS, np.random.default_rng(7))
    asked = {item.id for item in instrument.asked_items(Respondent.CUSTOMER, CustomerForm.SHORT)}
    employees = [(f"T{j:03d}", simulator.employee(j)) for j in range(TEAMS) for _ in range(EMPLOYEES)]
    customers = [
        (f"T{j:03d}", {k: v for k, v in simulator.customer(j).items() if k in asked})
        for j in range(TEAMS)
        for _ in range(CUSTOMERS)
    ]
    return employees, customers


@pytest.fixture(scope="module")
def short_wave(
    instrument: Instrument, answers: tuple[list[tuple[str, dict[str, int]]], list[tuple[str, dict[str, int]]]]
) -> WaveAnalysis:
    employees, customers = answers
    statistics = statistics_from_answers(
        instrument,
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.EMPLOYEE)], employees),
        AnswerMatrix.from_responses([i.id for i in instrument.items_for(Respondent.CUSTOMER)], customers),
    )
    sizes = {f"T{j:03d}": EMPLOYEES for j in range(TEAMS)}
    return analyse_statistics(
        instrument,
        dataclasses.replace(statistics, team_sizes=sizes),
        customer_form=CustomerForm.SHORT,
        min_driver_teams=30,
    )


ASKED = ("listening", "trust", "information", "responsiveness", "simplicity")
NOT_ASKED = ("recognition", "respect")


def test_customer_means_are_those_of_the_answers_given_on_the_dimensions_asked(
    short_wave: WaveAnalysis,
    answers: tuple[list[tuple[str, dict[str, int]]], list[tuple[str, dict[str, int]]]],
) -> None:
    _, customers = answers
    assert short_wave.customer_dimensions == ASKED
    for team in ("T000", "T017", "T039"):
        given = [row for key, row in customers if key == team]
        result = short_wave.teams[team]
        rows = {row.dimension: row for row in result.dimensions}
        for dimension in ASKED:
            customer = rows[dimension].customer
            assert customer is not None
            assert customer.mean == pytest.approx(np.mean([row[f"{dimension}.customer"] for row in given]))
            assert customer.n == CUSTOMERS
            assert rows[dimension].perception_gap is not None and rows[dimension].symmetry_gap is not None
        for dimension in NOT_ASKED:
            assert rows[dimension].customer is None
            assert rows[dimension].perception_gap is None and rows[dimension].symmetry_gap is None
            assert rows[dimension].employee is not None and rows[dimension].mirror is not None
        # The overall customer score: each customer's mean over the five questions asked, averaged over the team.
        overall = result.overall.customer
        assert overall is not None
        expected = np.mean([np.mean([row[f"{d}.customer"] for d in ASKED]) for row in given])
        assert overall.mean == pytest.approx(expected)
        assert set(result.outcomes) == {"nps", "engagement", "enps"}  # csat and ces were not asked


def test_the_linkage_and_the_indices_leave_out_the_dimensions_not_asked(short_wave: WaveAnalysis) -> None:
    assert [linkage.measure for linkage in short_wave.dimension_linkage] == list(ASKED)
    assert all(linkage.correlation is not None for linkage in short_wave.dimension_linkage)
    assert all(linkage.adjusted_pvalue is not None for linkage in short_wave.dimension_linkage)
    overall = short_wave.linkage
    assert overall.correlation is not None and overall.correlation.n == TEAMS
    for point in overall.points:
        customer = short_wave.teams[point.team].overall.customer
        assert customer is not None and point.customer == pytest.approx(customer.mean)
    customer_indices = {index.dimension for index in short_wave.aggregation if index.voice is Voice.CUSTOMER}
    assert customer_indices == {OVERALL, *ASKED}
    employee_indices = {index.dimension for index in short_wave.aggregation if index.voice is Voice.EMPLOYEE}
    assert employee_indices == {OVERALL, *ASKED, *NOT_ASKED}
    alpha = short_wave.reliability[Voice.CUSTOMER]
    assert alpha is not None and alpha.items == len(ASKED)


def test_key_drivers_weigh_every_employee_dimension_against_the_customers_overall_score(
    short_wave: WaveAnalysis,
) -> None:
    drivers = short_wave.drivers
    assert drivers is not None
    assert drivers.dimensions == tuple(d.key for d in short_wave.instrument.dimensions)
    assert drivers.n == TEAMS
    assert sum(drivers.weights) == pytest.approx(drivers.r2)


def test_the_document_says_which_form_was_answered(short_wave: WaveAnalysis) -> None:
    document = analysis_document(short_wave)
    assert document["customer_form"] == "short"
    assert list(document["organisation"]["dimension_linkage"]) == list(ASKED)
    team = document["teams"]["T000"]
    assert team["dimensions"]["respect"]["customer"] is None
    assert team["dimensions"]["trust"]["customer"] is not None

"""Time the wave analysis at the scale of a large employer, without a database.

Run with ``make bench-stats``. Prints one line per figure; the latest figures go into the README.
"""

from __future__ import annotations

import time

import numpy as np

from surveys.instruments.loader import load_instrument
from symmetry.analysis import AnswerMatrix, analyse_wave
from symmetry.domain import Respondent
from symmetry.simulation import GenerativeModel, Simulator

SIZES = [(100, 10, 30), (1000, 10, 30)]


def main() -> None:
    instrument = load_instrument("attention")
    for teams, employees, customers in SIZES:
        simulator = Simulator(instrument, GenerativeModel(), teams, np.random.default_rng(0))
        employee_rows = [(f"T{j:05d}", simulator.employee(j)) for j in range(teams) for _ in range(employees)]
        customer_rows = [(f"T{j:05d}", simulator.customer(j)) for j in range(teams) for _ in range(customers)]
        started = time.perf_counter()
        employee_matrix = AnswerMatrix.from_responses(
            [i.id for i in instrument.items_for(Respondent.EMPLOYEE)], employee_rows
        )
        customer_matrix = AnswerMatrix.from_responses(
            [i.id for i in instrument.items_for(Respondent.CUSTOMER)], customer_rows
        )
        matrices = time.perf_counter() - started
        started = time.perf_counter()
        analyse_wave(instrument, employee_matrix, customer_matrix)
        analysed = time.perf_counter() - started
        print(
            f"{teams} teams, {teams * employees} employees, {teams * customers} customers: "
            f"matrices {matrices:.2f} s, analysis {analysed:.2f} s"
        )


if __name__ == "__main__":
    main()

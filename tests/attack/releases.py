"""Reading what Symmetry releases into the attacker's :class:`~tests.attack.solver.Releases`.

Only released objects are read: the analysis document (what `symmetry analyze --json` prints and what is stored),
the branches' pooled results and the rates rows that the reports show, and the status table's labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from reports.inputs import RateRow
from surveys.waves.status import TeamStatus
from symmetry.analysis import TeamResult
from tests.attack.solver import VOICES, Figure, Key, Releases


def _document_figures(entry: Mapping[str, Any]) -> dict[Key, Figure]:
    rows = {"overall": entry["overall"], **entry["dimensions"]}
    return {
        (measure, voice): Figure(int(row[voice]["n"]), float(row[voice]["mean"]))
        for measure, row in rows.items()
        for voice in VOICES
        if row[voice] is not None
    }


def from_document(
    document: Mapping[str, Any], parents: Mapping[str, str | None], invited: Mapping[str, int]
) -> Releases:
    """The releases of an analysis document, with the public hierarchy and invitations."""
    teams = document["teams"]
    organisation = document["organisation"]
    return Releases(
        threshold=int(document["anonymity_threshold"]),
        parents=dict(parents),
        invited=dict(invited),
        teams={key: _document_figures(entry) for key, entry in teams.items() if not entry["suppressed"]},
        # Every team labelled withheld, and every team invited where nobody is reported as answering.
        withheld={key for key, entry in teams.items() if entry["suppressed"]}
        | {key for key, count in invited.items() if count > 0 and key not in teams},
        organisation_n={
            voice: int(alpha["n"]) for voice, alpha in organisation["reliability"].items() if alpha and voice in VOICES
        },
        iccs={
            (row["dimension"], row["voice"]): (float(row["icc1"]), float(row["icc2"]))
            for row in organisation["aggregation"]
            if row["voice"] in VOICES and row["icc1"] is not None and row["icc2"] is not None
        },
    )


def add_groups(releases: Releases, groups: Mapping[str, TeamResult]) -> None:
    """The branches' pooled figures, as the reports receive them."""
    for key, result in groups.items():
        figures: dict[Key, Figure] = {}
        for row in (result.overall, *result.dimensions):
            for voice in VOICES:
                estimate = getattr(row, voice)
                if estimate is not None:
                    figures[row.dimension, voice] = Figure(int(estimate.n), float(estimate.mean))
        releases.groups[key] = figures


def add_rates(releases: Releases, rows: Iterable[RateRow]) -> None:
    """The answered counts of the reports' rates table ("" is the organisation)."""
    for row in rows:
        releases.branch_answered[row.key] = row.answered


LABEL = re.compile(r"^(\d+)(?: \+ \d+ teams? under \d+)?$")


def add_status(releases: Releases, rows: Iterable[TeamStatus]) -> None:
    """The answered counts of the status table, where its label gives one."""
    for row in rows:
        match = LABEL.match(row.employees_answered_label)
        if match:
            releases.branch_answered[row.external_id] = int(match.group(1))

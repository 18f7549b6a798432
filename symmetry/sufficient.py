"""Per-team sufficient statistics of a wave: all the analysis needs, computed in memory or by the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from symmetry import stats
from symmetry.domain import Respondent, Voice


@dataclass(frozen=True, slots=True)
class NpsCounts:
    """Per team: answers, promoters (9-10) and detractors (0-6) of a 0-10 item."""

    labels: npt.NDArray[Any]
    n: npt.NDArray[np.int64]
    promoters: npt.NDArray[np.int64]
    detractors: npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class WaveStatistics:
    """Per-team sufficient statistics of a wave: all the analysis needs, computed in memory or by the database.

    ``columns`` maps (dimension or ``overall``, voice) to the statistics of the scored answers (reverse-keyed
    items reflected; ``overall`` of each respondent's mean over the voice's items); ``outcomes`` maps an
    outcome to its statistics, or its counts for 0-10 items; ``respondents`` counts responses per team.
    """

    columns: dict[tuple[str, Voice], stats.GroupStatistics]
    outcomes: dict[str, stats.GroupStatistics | NpsCounts]
    respondents: dict[Respondent, dict[str, int]]
    deviations: dict[tuple[str, Voice], dict[str, float]]
    """(dimension, voice) -> team -> average deviation of the answers from the team's mean."""
    team_sizes: dict[str, int] = field(default_factory=dict)
    """Employees invited per team (the team's active employees when the wave opened); empty when unknown."""

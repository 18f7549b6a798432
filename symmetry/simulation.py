"""The demo's generative model: a team-level attention factor drives employee and customer answers.

The model, stated so that the demo can show the analysis recovers what was put in:

* Each team j has an employee attention climate ``A_j ~ N(0, 1)`` and a customer attention climate
  ``C_j = rho * A_j + sqrt(1 - rho^2) * U_j`` with ``U_j ~ N(0, 1)``: ``rho`` is the true team-level
  linkage, the correlation between the two climates across teams.
* From one wave to the next, each team-level factor F (``A_j``, ``U_j``, the optimism and the facets, each on its
  own scale) keeps part of itself: ``F' = s * F + sqrt(1 - s^2) * new draw``, with ``s`` the ``stability``. The
  linkage stays ``rho`` within each wave, and neither side leads the other: the true cross-lagged correlations are
  both ``rho * s``, so cross-lagged paths should find no direction.
* Employee i of team j answers the employee item of dimension d from the latent
  ``baseline_E + offset_E[d] + team_sd_E * A_j + facet_E[j, d] + person_i + noise`` and the mirror item
  (their estimate of the customers' view) from
  ``baseline_C + offset_C[d] + team_sd_C * C_j + optimism_j + facet_M[j, d] + person_i / 2 + noise``:
  teams see their customers' experience through a team-level optimism ``optimism_j``.
* Customer k of team j answers the customer item of dimension d from
  ``baseline_C + offset_C[d] + team_sd_C * C_j + facet_C[j, d] + person_k + noise``.
* Outcomes follow the respondent's mean latent L: engagement ``L``, eNPS and NPS ``2.5 L - 1`` (0-10), CSAT
  ``L`` (1-5) and customer effort ``4 - 1.5 (L - 3.5)`` (1-7, lower is better), each with its own noise.

Latents are rounded and clipped to each item's scale; reverse-keyed items are reflected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from symmetry.arrays import FloatArray
from symmetry.domain import Instrument, Item, Respondent, Voice


@dataclass(frozen=True, slots=True)
class GenerativeModel:
    """Parameters of the demo's generative model (see the module docstring).

    The defaults are the easy illustration: team effects about twice the field's, so that a few dozen teams show
    the linkage clearly. :data:`REALISTIC` is the field as published.
    """

    linkage: float = 0.6
    employee_baseline: float = 3.5
    customer_baseline: float = 3.8
    dimension_offset_sd: float = 0.3
    employee_team_sd: float = 0.35
    customer_team_sd: float = 0.3
    facet_sd: float = 0.15
    optimism_mean: float = 0.25
    optimism_sd: float = 0.3
    person_sd: float = 0.6
    noise_sd: float = 0.6
    stability: float = 0.7

    def __post_init__(self) -> None:
        for name in ("linkage", "stability"):
            if not -1.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"`{name}` must lie in [-1, 1], got {getattr(self, name)}")


REALISTIC = GenerativeModel(linkage=0.4, employee_team_sd=0.25, customer_team_sd=0.12, facet_sd=0.1, optimism_sd=0.2)
"""The field's values: the overall score's ICC(1) about .12 for employees and about .03 for customers (DOMAIN.md:
organisational values .05 to .20; customers agree little within a team), and a true linkage of .4, near the .33 of
Harter, Schmidt and Hayes (2002). Pinned by the tests of the simulation."""

MODELS = {"realistic": REALISTIC, "illustration": GenerativeModel()}
"""The demo's models by the name its ``--model`` option takes."""


@dataclass(frozen=True, slots=True)
class TeamClimates:
    """The drawn team-level factors, one row per team."""

    employee_attention: FloatArray
    customer_unique: FloatArray
    """``U_j``: the part of the customer climate that the employee climate does not share."""
    customer_attention: FloatArray
    optimism: FloatArray
    facets: dict[Voice, FloatArray]
    """Voice -> (teams x dimensions) team-specific deviations per dimension."""


class Simulator:
    """Draws answers for one wave from a :class:`GenerativeModel`, reproducibly from one generator."""

    def __init__(self, instrument: Instrument, model: GenerativeModel, n_teams: int, rng: np.random.Generator):
        self.instrument = instrument
        self.model = model
        self.rng = rng
        self.dimensions = [d.key for d in instrument.dimensions]
        shape = (n_teams, len(self.dimensions))
        employee_attention = rng.standard_normal(n_teams)
        customer_unique = rng.standard_normal(n_teams)
        self.climates = TeamClimates(
            employee_attention=employee_attention,
            customer_unique=customer_unique,
            customer_attention=self._linked(employee_attention, customer_unique),
            optimism=rng.normal(model.optimism_mean, model.optimism_sd, n_teams),
            facets={
                voice: rng.normal(0.0, model.facet_sd, shape)
                for voice in (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER)
            },
        )
        self.offsets = {
            Voice.EMPLOYEE: rng.normal(0.0, model.dimension_offset_sd, len(self.dimensions)),
            Voice.CUSTOMER: rng.normal(0.0, model.dimension_offset_sd, len(self.dimensions)),
        }

    def _linked(self, employee_attention: FloatArray, customer_unique: FloatArray) -> FloatArray:
        rho = self.model.linkage
        linked: FloatArray = rho * employee_attention + np.sqrt(1 - rho**2) * customer_unique
        return linked

    def next_wave(self) -> None:
        """Move the team climates on to the next wave (see the module docstring); the dimensions' offsets stay."""
        m, c, rng = self.model, self.climates, self.rng
        s, fresh = m.stability, np.sqrt(1 - m.stability**2)

        def evolve(factor: FloatArray, mean: float, sd: float) -> FloatArray:
            evolved: FloatArray = mean + s * (factor - mean) + fresh * rng.normal(0.0, sd, factor.shape)
            return evolved

        employee_attention = evolve(c.employee_attention, 0.0, 1.0)
        customer_unique = evolve(c.customer_unique, 0.0, 1.0)
        self.climates = TeamClimates(
            employee_attention=employee_attention,
            customer_unique=customer_unique,
            customer_attention=self._linked(employee_attention, customer_unique),
            optimism=evolve(c.optimism, m.optimism_mean, m.optimism_sd),
            facets={voice: evolve(facet, 0.0, m.facet_sd) for voice, facet in c.facets.items()},
        )

    def _noise(self) -> FloatArray:
        return self.rng.normal(0.0, self.model.noise_sd, len(self.dimensions))

    def employee(self, team: int) -> dict[str, int]:
        """One employee's answers for the team at position `team`."""
        m, c = self.model, self.climates
        person = self.rng.normal(0.0, m.person_sd)
        own = (
            m.employee_baseline
            + self.offsets[Voice.EMPLOYEE]
            + m.employee_team_sd * c.employee_attention[team]
            + c.facets[Voice.EMPLOYEE][team]
            + person
            + self._noise()
        )
        mirror = (
            m.customer_baseline
            + self.offsets[Voice.CUSTOMER]
            + m.customer_team_sd * c.customer_attention[team]
            + c.optimism[team]
            + c.facets[Voice.MIRROR][team]
            + person / 2
            + self._noise()
        )
        level = float(np.mean(own))
        outcomes = {
            "engagement": level + self.rng.normal(0.0, 0.5),
            "enps": 2.5 * level - 1.0 + self.rng.normal(0.0, 1.5),
        }
        return self._answers(Respondent.EMPLOYEE, {Voice.EMPLOYEE: own, Voice.MIRROR: mirror}, outcomes)

    def customer(self, team: int) -> dict[str, int]:
        """One customer's answers for the team at position `team`."""
        m, c = self.model, self.climates
        latent = (
            m.customer_baseline
            + self.offsets[Voice.CUSTOMER]
            + m.customer_team_sd * c.customer_attention[team]
            + c.facets[Voice.CUSTOMER][team]
            + self.rng.normal(0.0, m.person_sd)
            + self._noise()
        )
        level = float(np.mean(latent))
        outcomes = {
            "nps": 2.5 * level - 1.0 + self.rng.normal(0.0, 1.5),
            "csat": level + self.rng.normal(0.0, 0.5),
            "ces": 4.0 - 1.5 * (level - 3.5) + self.rng.normal(0.0, 1.0),
        }
        return self._answers(Respondent.CUSTOMER, {Voice.CUSTOMER: latent}, outcomes)

    def _answers(
        self, respondent: Respondent, mirrored: dict[Voice, FloatArray], outcomes: dict[str, float]
    ) -> dict[str, int]:
        answers: dict[str, int] = {}
        for item in self.instrument.items_for(respondent):
            if item.voice is Voice.OUTCOME:
                latent = outcomes[str(item.outcome)]
            else:
                latent = float(mirrored[item.voice][self.dimensions.index(str(item.dimension))])
            answers[item.id] = _to_scale(item, latent)
        return answers


def _to_scale(item: Item, latent: float) -> int:
    value = int(np.clip(np.rint(latent), item.scale.low, item.scale.high))
    return item.scale.low + item.scale.high - value if item.reverse_keyed else value

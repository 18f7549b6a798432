"""The demo organisation: a network of service branches grouped in regions under a head office."""

from __future__ import annotations

import uuid

import numpy as np

from surveys.org.models import Customer, Employee, Organisation, Team

DEMO_SLUG = "demo"
REGIONS = ("Nord", "Est", "Sud", "Ouest", "Centre", "Île-de-France", "Rhône-Alpes", "Atlantique")
TOWNS = (
    "Lille",
    "Arras",
    "Amiens",
    "Reims",
    "Metz",
    "Nancy",
    "Strasbourg",
    "Colmar",
    "Dijon",
    "Besançon",
    "Lyon",
    "Grenoble",
    "Annecy",
    "Valence",
    "Marseille",
    "Toulon",
    "Nice",
    "Avignon",
    "Montpellier",
    "Nîmes",
    "Perpignan",
    "Toulouse",
    "Pau",
    "Bayonne",
    "Bordeaux",
    "Limoges",
    "Poitiers",
    "La Rochelle",
    "Nantes",
    "Angers",
    "Rennes",
    "Brest",
    "Vannes",
    "Caen",
    "Rouen",
    "Le Havre",
    "Tours",
    "Orléans",
    "Clermont-Ferrand",
    "Bourges",
    "Paris Bastille",
    "Paris Opéra",
    "Versailles",
    "Créteil",
    "Nanterre",
    "Saint-Denis",
    "Évry",
    "Cergy",
)
FIRST_NAMES = ("camille", "lea", "hugo", "lucas", "chloe", "ines", "louis", "emma", "jules", "nina", "adam", "manon")
TEAMS_PER_REGION = 10
EMPLOYEES_PER_TEAM = (6, 18)
SMALL_BRANCH_EMPLOYEES = 4
"""The last branch of each region is small, so the demo shows how a team below the anonymity threshold is reported."""
CUSTOMERS_PER_TEAM = (60, 180)
"""About 40 answers a team at the demo's response rate: with customers' small ICC(1) (about .03), the fewest for team
customer means of ICC(2) above .50."""


def branch_name(position: int) -> str:
    """A readable, unique branch name for the team at `position`."""
    town = TOWNS[position % len(TOWNS)]
    return town if position < len(TOWNS) else f"{town} {position // len(TOWNS) + 1}"


def build_roster(
    organisation: Organisation, n_teams: int, rng: np.random.Generator
) -> tuple[list[Team], list[Team], list[Employee], list[Customer]]:
    """Head office, regions and `n_teams` front-line branches, with their employees and customers.

    Returns the hierarchy's parent teams, the front-line teams, the employees and the customers, with ids
    assigned so that they can be added to a session in one go.
    """
    head_office = Team(
        id=uuid.uuid4(), organisation_id=organisation.id, external_id="HQ", name="Direction du réseau", parent_id=None
    )
    n_regions = -(-n_teams // TEAMS_PER_REGION)
    regions = []
    for r in range(n_regions):
        region = Team(
            id=uuid.uuid4(),
            organisation_id=organisation.id,
            external_id=f"R{r + 1:02d}",
            name=f"Région {REGIONS[r % len(REGIONS)]}" + (f" {r // len(REGIONS) + 1}" if r >= len(REGIONS) else ""),
            parent_id=head_office.id,
            manager_email=f"direction.region{r + 1:02d}@horizon.example",
        )
        regions.append(region)
    branches, employees, customers = [], [], []
    for position in range(n_teams):
        branch = Team(
            id=uuid.uuid4(),
            organisation_id=organisation.id,
            external_id=f"B{position + 1:03d}",
            name=branch_name(position),
            parent_id=regions[position % n_regions].id,
            manager_email=f"manager.b{position + 1:03d}@horizon.example",
        )
        branches.append(branch)
        small = position % TEAMS_PER_REGION == TEAMS_PER_REGION - 1
        staff = SMALL_BRANCH_EMPLOYEES if small else int(rng.integers(*EMPLOYEES_PER_TEAM, endpoint=True))
        for person in range(staff):
            first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
            employees.append(
                Employee(
                    id=uuid.uuid4(),
                    organisation_id=organisation.id,
                    team_id=branch.id,
                    email=f"{first}.b{position + 1:03d}.{person + 1:02d}@horizon.example",
                    language="fr" if rng.random() < 0.8 else "en",
                )
            )
        for person in range(int(rng.integers(*CUSTOMERS_PER_TEAM, endpoint=True))):
            customers.append(
                Customer(
                    id=uuid.uuid4(),
                    organisation_id=organisation.id,
                    team_id=branch.id,
                    email=f"client.b{position + 1:03d}.{person + 1:03d}@clients.example",
                    language="fr" if rng.random() < 0.7 else "en",
                )
            )
    return [head_office, *regions], branches, employees, customers

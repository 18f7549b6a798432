"""Domain types shared by every stage: voices, scales, dimensions, items and instruments."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Voice(enum.StrEnum):
    """Who answers an item, and about what."""

    EMPLOYEE = "employee"
    """The attention an employee receives."""
    MIRROR = "mirror"
    """An employee's estimate of how the team's customers see the team."""
    CUSTOMER = "customer"
    """The attention a customer receives from the team that served them."""
    OUTCOME = "outcome"
    """Engagement, eNPS, NPS, CSAT and customer effort."""


class Respondent(enum.StrEnum):
    """The two populations a wave invites."""

    EMPLOYEE = "employee"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class Scale:
    """A closed range of integer answers."""

    name: str
    low: int
    high: int

    @property
    def points(self) -> int:
        """Number of answer options, A in the rwg null distribution."""
        return self.high - self.low + 1


SCALES: dict[str, Scale] = {
    "likert5": Scale("likert5", 1, 5),
    "nps": Scale("nps", 0, 10),
    "csat": Scale("csat", 1, 5),
    "ces": Scale("ces", 1, 7),
}
"""The scales an instrument may use, by name."""


@dataclass(frozen=True, slots=True)
class Item:
    """One question, asked of one voice, on one scale."""

    id: str
    voice: Voice
    scale: Scale
    text: dict[str, str]
    dimension: str | None = None
    outcome: str | None = None
    reverse_keyed: bool = False

    @property
    def respondent(self) -> Respondent:
        """The population that answers this item."""
        if self.voice is Voice.CUSTOMER or (self.voice is Voice.OUTCOME and self.outcome in CUSTOMER_OUTCOMES):
            return Respondent.CUSTOMER
        return Respondent.EMPLOYEE


CUSTOMER_OUTCOMES = frozenset({"nps", "csat", "ces"})
EMPLOYEE_OUTCOMES = frozenset({"enps", "engagement"})


@dataclass(frozen=True, slots=True)
class CommentItem:
    """An optional free-text question, capped in length."""

    id: str
    respondent: Respondent
    text: dict[str, str]
    max_length: int


@dataclass(frozen=True, slots=True)
class Dimension:
    """A facet of attention, asked of the three mirrored voices."""

    key: str
    label: dict[str, str]


@dataclass(frozen=True, slots=True)
class Instrument:
    """A versioned questionnaire; version 0 is a file not yet registered in the database."""

    key: str
    version: int
    title: dict[str, str]
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    comments: tuple[CommentItem, ...] = ()

    def items_for(self, respondent: Respondent) -> tuple[Item, ...]:
        """The items one population answers, in questionnaire order."""
        return tuple(item for item in self.items if item.respondent is respondent)

    def comments_for(self, respondent: Respondent) -> tuple[CommentItem, ...]:
        """The free-text questions one population may answer."""
        return tuple(comment for comment in self.comments if comment.respondent is respondent)

    def item_by_id(self, item_id: str) -> Item:
        """The item with this id."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"instrument {self.key} v{self.version} has no item {item_id!r}")

    def item(self, voice: Voice, dimension: str) -> Item:
        """The mirrored item of one voice for one dimension."""
        for item in self.items:
            if item.voice is voice and item.dimension == dimension:
                return item
        raise KeyError(f"instrument {self.key} v{self.version} has no {voice} item for dimension {dimension!r}")

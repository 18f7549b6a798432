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


class CustomerForm(enum.StrEnum):
    """Which questionnaire a wave asks its customers: the instrument's full one, or its short variant."""

    FULL = "full"
    SHORT = "short"


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
    short_customer: frozenset[str] | None = None
    """The ids of the items the short customer form asks (some dimensions' customer items and customer outcomes);
    None for an instrument without a short variant."""

    def items_for(self, respondent: Respondent) -> tuple[Item, ...]:
        """The items one population answers, in questionnaire order: the layout of its stored answers."""
        return tuple(item for item in self.items if item.respondent is respondent)

    def asked_items(self, respondent: Respondent, form: CustomerForm = CustomerForm.FULL) -> tuple[Item, ...]:
        """The items one population is asked in a wave whose customers answer `form`, in questionnaire order.

        Employees are always asked every item of theirs; customers of a short wave only the short variant's.

        Examples
        --------
        >>> items = (Item("d1.customer", Voice.CUSTOMER, SCALES["likert5"], {}, "d1"),
        ...          Item("d2.customer", Voice.CUSTOMER, SCALES["likert5"], {}, "d2"))
        >>> tiny = Instrument("tiny", 1, {}, (Dimension("d1", {}), Dimension("d2", {})), items,
        ...                   short_customer=frozenset({"d2.customer"}))
        >>> [item.id for item in tiny.asked_items(Respondent.CUSTOMER, CustomerForm.SHORT)]
        ['d2.customer']

        """
        items = self.items_for(respondent)
        if respondent is Respondent.EMPLOYEE or form is CustomerForm.FULL:
            return items
        if self.short_customer is None:
            raise ValueError(f"instrument {self.key} v{self.version} has no short customer form")
        return tuple(item for item in items if item.id in self.short_customer)

    def customer_dimensions(self, form: CustomerForm = CustomerForm.FULL) -> tuple[str, ...]:
        """The dimensions whose customer item customers are asked in `form`, in the instrument's order."""
        asked = {item.dimension for item in self.asked_items(Respondent.CUSTOMER, form) if item.voice is Voice.CUSTOMER}
        return tuple(dimension.key for dimension in self.dimensions if dimension.key in asked)

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

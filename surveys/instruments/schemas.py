"""What the instrument pages show: stored versions, the choices of a new wave, the outcome of an upload."""

from __future__ import annotations

import enum
import uuid

import msgspec


class VersionRow(msgspec.Struct, frozen=True, kw_only=True):
    """One stored instrument version, as the instruments page lists it."""

    id: uuid.UUID
    key: str
    version: int
    title: dict[str, str]
    """By language."""
    dimensions: int
    items: dict[str, int]
    """Questions by voice (employee, mirror, customer, outcome)."""
    comments: dict[str, int]
    """Free-text questions by respondent (employee, customer)."""
    customer_questions: int
    """The closed questions of the customers' full form (their items and outcomes)."""
    short_customer_questions: int | None
    """Those of its short customer form; None when it has none."""
    frozen: bool
    """A wave uses it: it never changes again."""
    latest: bool
    """The newest version of its key."""
    shipped: bool
    """Its content is the instrument shipped with Symmetry."""


class InstrumentChoice(msgspec.Struct, frozen=True, kw_only=True):
    """One instrument a new wave may use."""

    value: str
    """A stored version's id, or the shipped instrument's name while its content is not stored."""
    key: str
    version: int | None
    """None for the shipped instrument not yet stored (the wave stores it)."""
    title: dict[str, str]
    shipped: bool
    customer_questions: int
    """The closed questions of the customers' full form."""
    short_customer_questions: int | None
    """Those of the short customer form; None when the instrument has none."""


class Registration(enum.StrEnum):
    """What storing an instrument did."""

    NEW = "new"
    """A new version."""
    UPDATED = "updated"
    """The latest version, which no wave used yet, now holds the new content."""
    UNCHANGED = "unchanged"
    """A version held this content already."""


class Registered(msgspec.Struct, frozen=True, kw_only=True):
    """An instrument stored from a file."""

    id: uuid.UUID
    key: str
    version: int
    outcome: Registration

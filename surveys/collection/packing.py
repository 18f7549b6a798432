"""A response's answers stored as one byte string: a byte per item its respondent is asked, in the instrument's order.

One column of a response row instead of a row per answer: writing a response, rewriting a mixing group and reading
a wave for its analysis each touch a tenth of the rows they used to (``make bench-mixing``, ``make bench-analysis``),
and the analysis turns a team's answers into a matrix with one ``numpy.frombuffer``. The items of the byte string
are those of :meth:`~symmetry.domain.Instrument.items_for` the response's respondent, in that order, so the layout
is fixed by the response's instrument version, which never changes once stored. An unanswered item is
:data:`UNANSWERED`; every scale's values fit in a byte below it (:data:`symmetry.domain.SCALES`: 0 to 10).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from symmetry.domain import Instrument, Respondent

UNANSWERED = 0xFF
"""The byte of an item left unanswered."""


def pack_answers(instrument: Instrument, respondent: Respondent, answers: Mapping[str, int]) -> bytes:
    r"""The byte string of `answers`, checked already (every key an item of `respondent`, every value on its scale).

    >>> from symmetry.domain import SCALES, Dimension, Item, Voice
    >>> items = tuple(Item(f"d{j}.employee", Voice.EMPLOYEE, SCALES["likert5"], {}, f"d{j}") for j in (1, 2))
    >>> tiny = Instrument("tiny", 1, {}, (Dimension("d1", {}), Dimension("d2", {})), items)
    >>> pack_answers(tiny, Respondent.EMPLOYEE, {"d2.employee": 4})
    b'\\xff\\x04'
    """
    items = instrument.items_for(respondent)
    unknown = set(answers) - {item.id for item in items}
    if unknown:
        raise ValueError(f"not items of the {respondent} questionnaire: {sorted(unknown)}")
    if UNANSWERED in answers.values():
        raise ValueError(f"{UNANSWERED} is the unanswered byte, never a value")
    return bytes(answers.get(item.id, UNANSWERED) for item in items)


def unpack_answers(instrument: Instrument, respondent: Respondent, packed: bytes) -> dict[str, int]:
    """The answers by item id of a byte string that :func:`pack_answers` made."""
    items = instrument.items_for(respondent)
    if len(packed) != len(items):
        raise ValueError(f"{len(packed)} bytes for the {len(items)} items of the {respondent} questionnaire")
    return {item.id: value for item, value in zip(items, packed, strict=True) if value != UNANSWERED}


def answer_matrix(instrument: Instrument, respondent: Respondent, packed: bytes) -> npt.NDArray[np.uint8]:
    """Several responses' byte strings, concatenated, as a matrix: a row per response, a column per item."""
    width = len(instrument.items_for(respondent))
    if width == 0 or len(packed) % width:
        raise ValueError(f"{len(packed)} bytes are no whole number of {width}-item responses")
    return np.frombuffer(packed, dtype=np.uint8).reshape(-1, width)


@dataclass(frozen=True, slots=True)
class PackedAnswers:
    """One kind of respondent's answers in a wave: its teams (sorted), each response's team among them, the answers."""

    teams: list[str]
    team_of_row: npt.NDArray[np.intp]
    matrix: npt.NDArray[np.uint8]
    """A row per response, a column per item of the questionnaire."""

    @classmethod
    def of(cls, instrument: Instrument, respondent: Respondent, by_team: Mapping[str, bytes]) -> PackedAnswers:
        """From each team's responses' byte strings, concatenated."""
        teams = sorted(by_team)
        width = len(instrument.items_for(respondent))
        rows = [len(by_team[team]) // width for team in teams]
        if sum(rows) * width != sum(len(packed) for packed in by_team.values()):
            raise ValueError(f"a team's bytes are no whole number of {width}-item responses")
        matrix = answer_matrix(instrument, respondent, b"".join(by_team[team] for team in teams))
        return cls(teams, np.repeat(np.arange(len(teams)), rows), matrix)

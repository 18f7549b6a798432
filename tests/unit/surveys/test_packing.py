"""A response's answers as bytes: the layout is a byte per item of the respondent's questionnaire, 0xFF unanswered."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.collection.packing import UNANSWERED, answer_matrix, pack_answers, unpack_answers
from surveys.instruments.loader import load_instrument
from symmetry.domain import Respondent

ATTENTION = load_instrument("attention")


def test_the_layout_follows_the_questionnaire_order() -> None:
    items = [item.id for item in ATTENTION.items_for(Respondent.CUSTOMER)]
    packed = pack_answers(ATTENTION, Respondent.CUSTOMER, {items[0]: 5, items[-1]: 1, "outcome.nps": 0})
    expected = [UNANSWERED] * len(items)
    expected[0], expected[-1], expected[items.index("outcome.nps")] = 5, 1, 0
    assert packed == bytes(expected)


@st.composite
def answers(draw: st.DrawFn) -> tuple[Respondent, dict[str, int]]:
    respondent = draw(st.sampled_from(list(Respondent)))
    chosen = {}
    for item in ATTENTION.items_for(respondent):
        if draw(st.booleans()):
            chosen[item.id] = draw(st.integers(item.scale.low, item.scale.high))
    return respondent, chosen


@given(answers())
def test_unpacking_gives_back_what_was_packed(case: tuple[Respondent, dict[str, int]]) -> None:
    respondent, given_answers = case
    packed = pack_answers(ATTENTION, respondent, given_answers)
    assert len(packed) == len(ATTENTION.items_for(respondent))
    assert unpack_answers(ATTENTION, respondent, packed) == given_answers


def test_several_responses_make_one_matrix() -> None:
    first = pack_answers(ATTENTION, Respondent.EMPLOYEE, {"listening.employee": 2})
    second = pack_answers(ATTENTION, Respondent.EMPLOYEE, {"listening.employee": 4, "outcome.enps": 10})
    matrix = answer_matrix(ATTENTION, Respondent.EMPLOYEE, first + second)
    assert matrix.shape == (2, 16)
    assert matrix[:, 0].tolist() == [2, 4] and matrix[:, -1].tolist() == [UNANSWERED, 10]
    assert answer_matrix(ATTENTION, Respondent.CUSTOMER, b"").shape == (0, 10)
    assert matrix.dtype == np.uint8


def test_what_does_not_fit_the_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="not items of the customer questionnaire"):
        pack_answers(ATTENTION, Respondent.CUSTOMER, {"listening.employee": 3})
    with pytest.raises(ValueError, match="unanswered byte"):
        pack_answers(ATTENTION, Respondent.EMPLOYEE, {"listening.employee": UNANSWERED})
    with pytest.raises(ValueError, match="3 bytes for the 10 items"):
        unpack_answers(ATTENTION, Respondent.CUSTOMER, b"\x01\x02\x03")
    with pytest.raises(ValueError, match="no whole number"):
        answer_matrix(ATTENTION, Respondent.CUSTOMER, bytes(15))

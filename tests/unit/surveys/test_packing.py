"""A response's answers as bytes: the layout is a byte per item of the respondent's questionnaire, 0xFF unanswered."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.collection.packing import UNANSWERED, PackedAnswers, answer_matrix, pack_answers, unpack_answers
from surveys.instruments.loader import load_instrument
from surveys.results.services import packed_statistics
from symmetry.analysis import AnswerMatrix, statistics_from_answers
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


# Two reverse-keyed items, so that reflection is exercised on both paths.
REVERSED = dataclasses.replace(
    ATTENTION,
    items=tuple(
        dataclasses.replace(item, reverse_keyed=item.id in {"trust.employee", "respect.customer"})
        for item in ATTENTION.items
    ),
)


@st.composite
def waves(draw: st.DrawFn) -> dict[Respondent, list[tuple[str, dict[str, int]]]]:
    wave: dict[Respondent, list[tuple[str, dict[str, int]]]] = {}
    for respondent in Respondent:
        responses = []
        for _ in range(draw(st.integers(0, 25))):
            team = draw(st.sampled_from(["T1", "T2", "T3"]))
            given = {
                item.id: draw(st.integers(item.scale.low, item.scale.high))
                for item in REVERSED.items_for(respondent)
                if draw(st.integers(0, 5))  # one in six unanswered
            }
            responses.append((team, given))
        wave[respondent] = responses
    return wave


@settings(max_examples=60, deadline=None)
@given(waves())
def test_packed_statistics_agree_with_the_answers_held_in_memory(
    wave: dict[Respondent, list[tuple[str, dict[str, int]]]],
) -> None:
    packed = {}
    for respondent, responses in wave.items():
        by_team: dict[str, bytes] = defaultdict(bytes)
        for team, given_answers in responses:
            by_team[team] += pack_answers(REVERSED, respondent, given_answers)
        packed[respondent] = PackedAnswers.of(REVERSED, respondent, by_team)
    ours = packed_statistics(REVERSED, packed, {})
    matrices = [
        AnswerMatrix.from_responses([item.id for item in REVERSED.items_for(respondent)], wave[respondent])
        for respondent in (Respondent.EMPLOYEE, Respondent.CUSTOMER)
    ]
    expected = statistics_from_answers(REVERSED, *matrices)
    assert ours.respondents == {r: expected.respondents.get(r, {}) for r in Respondent}
    assert ours.columns.keys() == expected.columns.keys()
    for key, column in expected.columns.items():
        mine = ours.columns[key]
        assert mine.labels.tolist() == column.labels.tolist(), key
        assert mine.n.tolist() == column.n.tolist(), key
        np.testing.assert_allclose(mine.mean, column.mean, rtol=1e-12, err_msg=str(key))
        np.testing.assert_allclose(mine.variance, column.variance, rtol=1e-9, atol=1e-12, err_msg=str(key))
        assert ours.deviations.get(key, {}) == pytest.approx(expected.deviations.get(key, {}), rel=1e-12)
    for outcome, figures in expected.outcomes.items():
        assert ours.outcomes[outcome].labels.tolist() == figures.labels.tolist(), outcome
        assert ours.outcomes[outcome].n.tolist() == figures.n.tolist(), outcome

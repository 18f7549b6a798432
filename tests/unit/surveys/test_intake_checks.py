"""The intake's quick check of answers agrees with ``check_submission`` on everything a client can send.

Customers are asked either form: an answer to a question the short form does not ask fails both checks.
"""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.collection.intake import OpenQuestionnaire
from surveys.collection.services import check_submission
from surveys.instruments.loader import load_instrument
from symmetry.domain import CustomerForm, Respondent

INSTRUMENT = load_instrument("attention")
ITEMS = sorted({item.id for respondent in Respondent for item in INSTRUMENT.items_for(respondent)})
COMMENTS = sorted({c.id for respondent in Respondent for c in INSTRUMENT.comments_for(respondent)})
VALUES = st.one_of(
    st.integers(min_value=-2, max_value=12),
    st.booleans(),
    st.floats(allow_nan=False, min_value=0, max_value=10),
    st.text(max_size=2),
    st.none(),
)
TEXTS = st.one_of(st.text(max_size=20), st.just("x" * 1001), st.just("ok\x00"), st.integers(), st.none())


@st.composite
def submissions(draw: st.DrawFn) -> tuple[Respondent, CustomerForm, dict[str, object], dict[str, object]]:
    respondent = draw(st.sampled_from(list(Respondent)))
    form = draw(st.sampled_from(list(CustomerForm)))
    own = INSTRUMENT.asked_items(respondent, form)
    # Mostly complete and valid answers, then a few changes: what real clients and attackers send.
    answers: dict[str, object] = {item.id: draw(st.integers(item.scale.low, item.scale.high)) for item in own}
    for item_id in draw(st.lists(st.sampled_from(ITEMS), max_size=3)):
        if draw(st.booleans()):
            answers.pop(item_id, None)
        else:
            answers[item_id] = draw(VALUES)
    comments: dict[str, object] = draw(st.dictionaries(st.sampled_from([*COMMENTS, "bogus"]), TEXTS, max_size=2))
    return respondent, form, answers, comments


@settings(max_examples=2000, deadline=None)
@given(submissions())
def test_the_quick_check_passes_exactly_what_check_submission_finds_nothing_wrong_with(
    submission: tuple[Respondent, CustomerForm, dict[str, object], dict[str, object]],
) -> None:
    respondent, form, answers, comments = submission
    questionnaire = OpenQuestionnaire.of(uuid.uuid4(), respondent, INSTRUMENT, form)
    found = check_submission(INSTRUMENT, respondent, answers, comments, form=form)
    assert questionnaire.passes(answers, comments) == (not found)

"""Instrument files: the shipped default, and every problem of a broken file reported with its location."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from surveys.instruments.services import INSTRUMENTS_DIR, InstrumentError, load_instrument, parse_instrument
from symmetry.domain import Respondent, Voice


def test_default_instrument_mirrors_every_dimension_in_both_languages() -> None:
    instrument = load_instrument("attention")
    assert 7 <= len(instrument.dimensions) <= 9
    for dimension in instrument.dimensions:
        for voice in (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER):
            item = instrument.item(voice, dimension.key)
            assert set(item.text) == {"fr", "en"}
            assert (item.scale.low, item.scale.high) == (1, 5)
    outcomes = {item.outcome: item.respondent for item in instrument.items if item.voice is Voice.OUTCOME}
    assert outcomes == {
        "engagement": Respondent.EMPLOYEE,
        "enps": Respondent.EMPLOYEE,
        "nps": Respondent.CUSTOMER,
        "csat": Respondent.CUSTOMER,
        "ces": Respondent.CUSTOMER,
    }


def test_every_problem_is_reported_with_its_location() -> None:
    document = tomllib.loads((INSTRUMENTS_DIR / "attention.toml").read_text(encoding="utf-8"))
    del document["dimensions"][0]["customer"]
    del document["dimensions"][1]["employee"]["fr"]
    document["outcomes"][0]["scale"] = "likert7"
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(document, "broken.toml")
    assert caught.value.problems == [
        "dimensions[1] (listening): no customer item",
        "dimensions[2].employee: missing the fr text",
        "outcomes[1].scale: unknown scale 'likert7' (known: likert5, nps, csat, ces)",
    ]
    assert str(caught.value).startswith("broken.toml: ")


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("key = [", encoding="utf-8")
    with pytest.raises(InstrumentError, match="not valid TOML"):
        load_instrument(broken)
    with pytest.raises(InstrumentError, match="file not found"):
        load_instrument(tmp_path / "missing.toml")

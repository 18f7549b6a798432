"""Instrument files: the shipped default, and every problem of a broken file reported with its location."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from surveys.catalog import explain
from surveys.instruments.loader import (
    FILE_SIZE_CAP,
    INSTRUMENTS_DIR,
    InstrumentError,
    document_of,
    load_instrument,
    parse_instrument,
)
from symmetry.domain import CustomerForm, Respondent, Voice


def test_default_instrument_mirrors_every_dimension_in_both_languages() -> None:
    instrument = load_instrument("attention")
    assert 7 <= len(instrument.dimensions) <= 9
    for dimension in instrument.dimensions:
        for voice in (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER):
            item = instrument.item(voice, dimension.key)
            assert set(item.text) == {"fr", "en"}
            assert (item.scale.low, item.scale.high) == (1, 5)
    assert [(c.id, c.respondent, c.max_length) for c in instrument.comments] == [
        ("comment.employee", Respondent.EMPLOYEE, 1000),
        ("comment.customer", Respondent.CUSTOMER, 1000),
    ]
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
    document["dimensions"][2]["employe"] = document["dimensions"][2].pop("employee")
    document["items"] = [{"key": "stray", "fr": "Question ?", "en": "Question?"}]
    document["outcomes"][0]["scale"] = "likert7"
    document["comments"][0]["max_length"] = 5000
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(document, "broken.toml")
    assert [str(problem) for problem in caught.value.problems] == [
        "top level: unknown key 'items' (an item belongs inside a dimension, as employee, mirror or customer, "
        "or in [[outcomes]])",
        "dimensions[1] (listening): no customer item",
        "dimensions[2] (recognition).employee: missing the fr text",
        "dimensions[3] (trust): unknown key 'employe'",
        "dimensions[3] (trust): no employee item",
        "outcomes[1].scale: unknown scale 'likert7' (known: likert5, nps, csat, ces)",
        "comments[1].max_length: expected a whole number from 1 to 2000",
    ]
    assert str(caught.value).startswith("broken.toml: ")


def test_reverse_keyed_flag_is_read_and_must_be_a_boolean() -> None:
    document = tomllib.loads((INSTRUMENTS_DIR / "attention.toml").read_text(encoding="utf-8"))
    document["dimensions"][0]["employee"]["reverse_keyed"] = True
    assert parse_instrument(document, "ok.toml").item_by_id("listening.employee").reverse_keyed
    document["dimensions"][0]["employee"]["reverse_keyed"] = "yes"
    with pytest.raises(InstrumentError, match=r"listening\)\.employee\.reverse_keyed: expected true or false"):
        parse_instrument(document, "bad.toml")


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("key = [", encoding="utf-8")
    with pytest.raises(InstrumentError, match="not valid TOML"):
        load_instrument(broken)
    with pytest.raises(InstrumentError, match="file not found"):
        load_instrument(tmp_path / "missing.toml")


def test_check_command_lists_every_problem_without_a_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from surveys.cli import symmetry

    runner = CliRunner()
    good = runner.invoke(symmetry, ["instrument", "check"], env={})
    assert good.exit_code == 0
    assert "attention: 7 dimensions, 26 questions, 2 comment fields" in good.output
    assert "Short customer form: 6 questions of the customers' 10." in good.output
    broken = tmp_path / "broken.toml"
    text = (INSTRUMENTS_DIR / "attention.toml").read_text(encoding="utf-8")
    broken.write_text(text.replace('scale = "ces"', 'scale = "likert7"').replace(', en = "Listening"', ""), "utf-8")
    bad = runner.invoke(symmetry, ["instrument", "check", str(broken)], env={})
    assert bad.exit_code == 1
    assert "2 problems" in bad.output
    assert "dimensions[1] (listening).label: missing the en text" in bad.output
    assert "outcomes[5].scale: unknown scale 'likert7'" in bad.output
    assert "Traceback" not in bad.output


def attention_bytes() -> bytes:
    return (INSTRUMENTS_DIR / "attention.toml").read_bytes()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b" \n\t\n", "the file is empty"),
        (b"#" * (FILE_SIZE_CAP + 1), "larger than 256 KiB"),
        ('key = "caf\u00e9"'.encode("latin-1"), "not UTF-8 text (byte 10); save the file as UTF-8"),
        (b"key = [", "not valid TOML: "),
        (b"\x00\x01\x02", "not valid TOML: "),
        (b"x = " + b"[" * 100_000, "nested too deeply to be an instrument"),
        (b"x = " + b"[" * 20 + b"]" * 20, "x[1][1][1][1][1][1][1][1]: nested too deeply to be an instrument"),
    ],
)
def test_a_file_that_is_not_an_instrument_is_one_clear_problem(content: bytes, problem: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        document_of(content, "upload.toml")
    assert len(caught.value.problems) == 1
    assert str(caught.value.problems[0]).startswith(problem)
    assert caught.value.source == "upload.toml"


def test_a_file_with_a_byte_order_mark_reads_as_the_same_document() -> None:
    plain = document_of(attention_bytes(), "attention.toml")
    assert document_of(b"\xef\xbb\xbf" + attention_bytes(), "attention.toml") == plain
    assert parse_instrument(plain, "attention.toml").key == "attention"


def test_keys_that_stored_rows_could_not_hold_are_refused() -> None:
    document = tomllib.loads(attention_bytes().decode())
    document["key"] = "k" * 57
    document["dimensions"][0]["key"] = "overall"
    document["dimensions"][1]["label"]["fr"] = "Recon\x00naissance"
    document["comments"][1]["key"] = document["comments"][0]["key"]
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(document, "keys.toml")
    assert [str(problem) for problem in caught.value.problems] == [
        "key: longer than 56 characters (57)",
        "dimensions[1] (overall).key: 'overall' is reserved for the overall score",
        "dimensions[2] (recognition).label.fr: contains a control character (such as NUL)",
        "comments[2].key: 'employee' is used twice",
        # The short form still names the dimension renamed above.
        "short_customer.dimensions: unknown dimension 'listening' (known: overall, recognition, trust, information, "
        "responsiveness, respect, simplicity)",
    ]


def test_problems_read_in_french_with_their_location() -> None:
    document = tomllib.loads(attention_bytes().decode())
    del document["dimensions"][2]["label"]["en"]
    del document["dimensions"][0]["customer"]
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(document, "broken.toml")
    assert [explain(problem, "fr") for problem in caught.value.problems] == [
        "dimensions[1] (listening) : aucune question customer",
        "dimensions[3] (trust).label : il manque le texte en",
    ]


def test_values_a_stored_definition_cannot_hold_are_refused_where_they_are() -> None:
    text = (
        attention_bytes()
        .decode()
        .replace('en = "Symmetry of attention"', 'en = "Symmetry of attention"\nwhen = 1979-05-27')
    )
    text = text.replace('key = "trust"', 'key = "trust"\nweight = inf')
    with pytest.raises(InstrumentError) as caught:
        document_of(text.encode(), "dated.toml")
    assert [str(problem) for problem in caught.value.problems] == [
        "title.when: a date, a time or an infinite number, which an instrument cannot hold",
        "dimensions[3].weight: a date, a time or an infinite number, which an instrument cannot hold",
    ]


def test_the_shipped_short_customer_form_asks_five_dimensions_and_the_nps() -> None:
    instrument = load_instrument("attention")
    short = [item.id for item in instrument.asked_items(Respondent.CUSTOMER, CustomerForm.SHORT)]
    assert short == [
        "listening.customer",
        "trust.customer",
        "information.customer",
        "responsiveness.customer",
        "simplicity.customer",
        "outcome.nps",
    ]
    assert instrument.customer_dimensions(CustomerForm.SHORT) == (
        "listening",
        "trust",
        "information",
        "responsiveness",
        "simplicity",
    )
    assert len(instrument.asked_items(Respondent.CUSTOMER)) == 10
    # Employees answer their whole questionnaire whatever the customers' form; the stored layout never changes.
    employees = instrument.items_for(Respondent.EMPLOYEE)
    assert instrument.asked_items(Respondent.EMPLOYEE, CustomerForm.SHORT) == employees
    assert len(instrument.items_for(Respondent.CUSTOMER)) == 10


def test_an_instrument_without_a_short_form_has_none_to_ask() -> None:
    document = tomllib.loads(attention_bytes().decode())
    del document["short_customer"]
    instrument = parse_instrument(document, "long.toml")
    assert instrument.short_customer is None
    assert instrument.customer_dimensions() == tuple(d.key for d in instrument.dimensions)
    with pytest.raises(ValueError, match="has no short customer form"):
        instrument.asked_items(Respondent.CUSTOMER, CustomerForm.SHORT)


@pytest.mark.parametrize(
    ("short_customer", "problems"),
    [
        (
            {"dimensions": ["listening", "patience"], "outcomes": ["nps"]},
            [
                "short_customer.dimensions: unknown dimension 'patience' (known: listening, recognition, trust, "
                "information, responsiveness, respect, simplicity)"
            ],
        ),
        (
            {"dimensions": ["listening"], "outcomes": ["nps", "enps", "loyalty"]},
            [
                "short_customer.outcomes: 'enps' is not a customer outcome of this instrument (known: nps, csat, ces)",
                "short_customer.outcomes: 'loyalty' is not a customer outcome of this instrument (known: nps, csat, "
                "ces)",
            ],
        ),
        (
            {"dimensions": [], "outcomes": ["nps"]},
            ["short_customer.dimensions: empty: the short form asks at least one dimension"],
        ),
        (
            {"dimensions": ["trust"], "outcomes": ["nps"], "items": ["x"]},
            [
                "short_customer: unknown key 'items' (an item belongs inside a dimension, as employee, mirror or "
                "customer, or in [[outcomes]])"
            ],
        ),
        ({"dimensions": ["trust"], "outcome": ["nps"]}, ["short_customer: unknown key 'outcome'"]),
        ({"dimensions": "trust"}, ["short_customer.dimensions: expected a list of names"]),
        ({"dimensions": ["trust", "trust"]}, ["short_customer.dimensions: 'trust' is used twice"]),
        (["trust"], ["short_customer: expected a table ([short_customer])"]),
        (
            {
                "dimensions": [
                    "listening",
                    "recognition",
                    "trust",
                    "information",
                    "responsiveness",
                    "respect",
                    "simplicity",
                ],
                "outcomes": ["ces", "csat", "nps"],
            },
            ["short_customer: it asks every customer question: the short form would not be shorter"],
        ),
    ],
)
def test_a_broken_short_customer_form_is_refused_where_it_is(short_customer: object, problems: list[str]) -> None:
    document = tomllib.loads(attention_bytes().decode())
    document["short_customer"] = short_customer
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(document, "short.toml")
    assert [str(problem) for problem in caught.value.problems] == problems


def test_a_short_form_problem_reads_in_french() -> None:
    document = tomllib.loads(attention_bytes().decode())
    document["short_customer"] = {"dimensions": [], "outcomes": ["enps"]}
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(document, "short.toml")
    assert [explain(problem, "fr") for problem in caught.value.problems] == [
        "short_customer.dimensions : vide : la forme courte porte sur au moins une dimension",
        "short_customer.outcomes : 'enps' n'est pas un résultat client de cet instrument (connus : nps, csat, ces)",
    ]

"""Refusals read in their reader's language: English for logs and commands, the page's language on a page."""

from __future__ import annotations

import pytest

from surveys.accounts.passwords import reset_message
from surveys.catalog import explain
from surveys.explained import N_, Explained, field_problem, one_of
from surveys.text_checks import checked_date, checked_text


def test_a_refusal_is_english_as_a_string_and_french_on_a_french_page() -> None:
    with pytest.raises(Explained) as caught:
        checked_text("bad\x00name", field="name", max_length=200)
    assert str(caught.value) == "name: contains a control character (such as NUL)"
    assert explain(caught.value, "fr") == "name : contient un caractère de contrôle (comme NUL)"
    assert explain(caught.value, "en") == str(caught.value)


def test_values_are_filled_in_after_translation_and_a_nested_problem_is_translated_too() -> None:
    with pytest.raises(Explained) as caught:
        checked_date("next week", field="due_on")
    assert str(caught.value) == "due_on: a date as YYYY-MM-DD, got 'next week'"
    assert explain(caught.value, "fr") == "due_on : une date au format AAAA-MM-JJ attendue, reçu 'next week'"
    status = field_problem("status", one_of(["planned", "done"]))
    assert explain(status, "fr") == "status : une valeur parmi planned, done"


def test_a_value_holding_a_percent_sign_or_a_placeholder_is_shown_as_it_is() -> None:
    refusal = Explained(N_("unknown team %(team)s"), team="'%(x)s 100%'")
    assert explain(refusal, "fr") == "équipe inconnue '%(x)s 100%'"


def test_a_message_a_handler_marked_is_translated_and_any_other_error_shown_as_it_is() -> None:
    assert explain(N_("You do not have access to this."), "fr") != "You do not have access to this."
    assert explain(KeyError("x"), "fr") == "'x'"
    assert explain(None, "fr") == ""


def test_the_reset_e_mail_is_in_the_accounts_language_and_in_both_until_one_is_chosen() -> None:
    subject, text = reset_message("fr", "https://s.example/r/T")
    assert subject == "Symmetry : nouveau mot de passe" and "ouvrez ce lien dans l'heure" in text
    assert "Hello" not in text and "https://s.example/r/T" in text
    subject, text = reset_message("en", "https://s.example/r/T")
    assert subject == "Symmetry: new password" and "Bonjour" not in text
    subject, text = reset_message(None, "https://s.example/r/T")
    assert subject == "Symmetry : nouveau mot de passe / Symmetry: new password"
    assert text.index("Bonjour") < text.index("Hello") and text.count("https://s.example/r/T") == 2

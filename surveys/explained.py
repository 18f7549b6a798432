"""Refusals a user reads in their own language.

A service refuses with an English message marked for the catalog (``N_``) and the values it names. ``str()`` of
the error is the English text, for the logs, the JSON API and the commands; a page translates the message in its
reader's language and fills the values in (``translated`` in the templates, :func:`surveys.catalog.explain`). A value
may itself be an :class:`Explained` (a field's name and what is wrong with it), translated in turn.
"""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:  # the name Babel's extraction looks for
    """Mark `message` for extraction where it is translated later (labels looked up by value, refusals)."""
    return message


class Explained(ValueError):
    """A refusal: `message` (``%(name)s`` placeholders, marked with :func:`N_`) and its `values`."""

    def __init__(self, message: str, **values: object) -> None:
        self.message = message
        self.values = values
        super().__init__(self.render(lambda text: text))

    def render(self, gettext: Callable[[str], str]) -> str:
        """The refusal written through `gettext` (a catalog's, or the identity for English)."""
        values = {
            name: value.render(gettext) if isinstance(value, Explained) else value
            for name, value in self.values.items()
        }
        text = gettext(self.message)
        return text % values if values else text


def one_of(choices: list[str]) -> Explained:
    """What is wrong with a value outside `choices`."""
    return Explained(N_("one of %(choices)s"), choices=", ".join(choices))


def field_problem(field: str, problem: str | Explained) -> Explained:
    """A problem with one field of a form, a file or a command: ``title: required``."""
    return Explained(N_("%(field)s: %(problem)s"), field=field, problem=problem)

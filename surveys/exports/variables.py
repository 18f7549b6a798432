"""The variables of each export: stable names, labels and value labels in the reader's language, and the rows.

A variable's name never changes with the language (``employee_listening_mean``, ``listening_employee``); its label
and its values' labels are the catalog's words (``surveys/locale``) and the instrument's own texts. The team
export is one row per team; the response-level export one row per respondent, its cells the answers' codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from surveys.catalog import OUTCOME_LABELS, Language, translation
from surveys.collection.forms import AGREEMENT, SCALE_ENDS
from surveys.explained import N_
from surveys.exports.tables import ResponseTable, TeamLine, TeamTable
from symmetry.analysis import OVERALL
from symmetry.domain import Item, Respondent, Voice

Cell = str | int | float | None

SHOWN, WITHHELD = 1, 2
STATUS_WORDS = {SHOWN: N_("shown"), WITHHELD: N_("withheld")}
"""A side of a team's figures: released, or withheld by the gate."""
RESPONDENT_CODES = {Respondent.EMPLOYEE: 1, Respondent.CUSTOMER: 2}
RESPONDENT_WORDS = {Respondent.EMPLOYEE: N_("employee"), Respondent.CUSTOMER: N_("customer")}
VOICE_WORDS = {
    Voice.EMPLOYEE: N_("Employees"),
    Voice.MIRROR: N_("Mirror"),
    Voice.CUSTOMER: N_("Customers"),
    Voice.OUTCOME: N_("Outcomes"),
}
"""Each voice's word (a message of the catalog), which names its sheet in the workbook too."""


@dataclass(frozen=True, slots=True)
class Variable:
    """One column of an export."""

    name: str
    label: str
    text: bool = False
    """A string column (names from the roster), escaped in spreadsheets; else a number."""
    values: dict[int, str] = field(default_factory=dict)
    """Value labels, for coded columns."""
    sheets: tuple[Voice, ...] = ()
    """The workbook's sheets the column is on (the team's own columns are on every sheet)."""
    voice: Voice | None = None
    item: Item | None = None
    """The question a response-level column holds the answers to."""


@dataclass(frozen=True, slots=True)
class Dataset:
    """An export's variables and rows, ready for any format."""

    title: str
    variables: tuple[Variable, ...]
    rows: tuple[tuple[Cell, ...], ...]


def variable_name(text: str) -> str:
    """A name SPSS, R and pandas all accept: letters, digits and underscores, starting with a letter, 64 at most.

    >>> variable_name("listening.employee"), variable_name("2nd-item")
    ('listening_employee', 'v_2nd_item')
    """
    name = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not name[:1].isalpha():
        name = "v_" + name
    return name[:64]


def _joined(gettext: Callable[[str], str], *parts: str) -> str:
    """Parts of a label one after the other, as the language writes them ("Employees: Listening: mean")."""
    label = parts[0]
    for part in parts[1:]:
        label = gettext("%(group)s: %(detail)s") % {"group": label, "detail": part}
    return label


def _measure_label(table: TeamTable, measure: str, language: Language, gettext: Callable[[str], str]) -> str:
    if measure == OVERALL:
        return gettext("Overall")
    return next(d.label[language] for d in table.instrument.dimensions if d.key == measure)


def _stat_words(gettext: Callable[[str], str], nps: bool) -> tuple[str, str, str, str]:
    estimate = gettext("score (-100 to 100)") if nps else gettext("mean")
    return gettext("number of answers"), estimate, gettext("95% CI, low"), gettext("95% CI, high")


def team_dataset(table: TeamTable, language: Language) -> Dataset:
    """One row per team of the wave: its counts and statuses, then every released figure, empty where withheld."""
    gettext = translation(language).gettext
    statuses = {code: gettext(word) for code, word in STATUS_WORDS.items()}
    employee_sheets, customer_sheets = (Voice.EMPLOYEE, Voice.MIRROR, Voice.OUTCOME), (Voice.CUSTOMER, Voice.OUTCOME)
    variables = [
        Variable("team_code", gettext("Team code"), text=True, sheets=tuple(VOICE_WORDS)),
        Variable("team", gettext("Team"), text=True, sheets=tuple(VOICE_WORDS)),
        Variable("parent", gettext("Part of"), text=True, sheets=tuple(VOICE_WORDS)),
        Variable("employee_respondents", gettext("Employee respondents"), sheets=employee_sheets),
        Variable("employee_figures", gettext("Employee figures"), values=statuses, sheets=employee_sheets),
        Variable("customer_respondents", gettext("Customer respondents"), sheets=customer_sheets),
        Variable("customer_figures", gettext("Customer figures"), values=statuses, sheets=customer_sheets),
    ]
    cells: list[tuple[str, Voice, int]] = []  # (measure, voice, which of n, estimate, low, high)
    for voice in (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER):
        for measure in table.measures:
            if voice is Voice.CUSTOMER and measure in table.not_asked:
                continue  # not asked of this wave's customers: no column at all
            words = _stat_words(gettext, nps=False)
            label = _joined(gettext, gettext(VOICE_WORDS[voice]), _measure_label(table, measure, language, gettext))
            for position, suffix in enumerate(("n", "mean", "ci_low", "ci_high")):
                name = f"{voice.value}_{variable_name(measure)}_{suffix}"
                variables.append(Variable(name, _joined(gettext, label, words[position]), sheets=(voice,), voice=voice))
                cells.append((measure, voice, position))
    for item in table.outcomes:
        outcome = str(item.outcome)
        nps = item.scale.name == "nps"
        words = _stat_words(gettext, nps=nps)
        label = gettext(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else outcome
        for position, suffix in enumerate(("n", "score" if nps else "mean", "ci_low", "ci_high")):
            name, joined = f"{variable_name(outcome)}_{suffix}", _joined(gettext, label, words[position])
            variables.append(Variable(name, joined, sheets=(Voice.OUTCOME,), voice=Voice.OUTCOME))
            cells.append((outcome, Voice.OUTCOME, position))
    rows = tuple(_team_row(line, cells) for line in table.lines)
    return Dataset(table.wave, tuple(variables), rows)


def _team_row(line: TeamLine, cells: list[tuple[str, Voice, int]]) -> tuple[Cell, ...]:
    def figure(measure: str, voice: Voice, position: int) -> Cell:
        found = line.figures.get((measure, voice))
        if found is None:
            return None
        return (found.n, found.estimate, found.ci_low, found.ci_high)[position]

    return (
        line.key,
        line.name,
        line.parent,
        line.employee_respondents,
        WITHHELD if line.employees_withheld else SHOWN,
        line.customer_respondents,
        WITHHELD if line.customers_withheld else SHOWN,
        *(figure(*cell) for cell in cells),
    )


def scale_values(item: Item, language: Language) -> dict[int, str]:
    """The words of an item's answers: every point of the agreement scale, the two ends of the others."""
    gettext = translation(language).gettext
    if item.scale.name == "likert5":
        return {value: gettext(word) for value, word in enumerate(AGREEMENT, start=1)}
    ends = SCALE_ENDS.get(item.scale.name)
    if ends is None:
        return {}
    return {item.scale.low: gettext(ends[0]), item.scale.high: gettext(ends[1])}


def item_label(item: Item, language: Language) -> str:
    """A response-level column's label: its voice, then the question as the respondent read it."""
    gettext = translation(language).gettext
    return _joined(gettext, gettext(VOICE_WORDS[item.voice]), item.text[language])


def response_dataset(table: ResponseTable, language: Language) -> Dataset:
    """One row per respondent: the row number, the kind of respondent, the team's code, then each answer's code."""
    gettext = translation(language).gettext
    variables = [
        Variable("row", gettext("Row number (a random order drawn at each export)")),
        Variable(
            "respondent",
            gettext("Respondent"),
            values={code: gettext(RESPONDENT_WORDS[kind]) for kind, code in RESPONDENT_CODES.items()},
        ),
        Variable("team", gettext("Team"), values={code: name for code, (_, name) in enumerate(table.teams, start=1)}),
        *(
            Variable(variable_name(item.id), item_label(item, language), values=scale_values(item, language),
                     voice=item.voice, item=item)
            for item in table.items
        ),
    ]  # fmt: skip
    rows = tuple(
        (number, RESPONDENT_CODES[respondent], team, *(answers.get(item.id) for item in table.items))
        for number, (respondent, team, answers) in enumerate(table.rows, start=1)
    )
    return Dataset(table.wave, tuple(variables), rows)

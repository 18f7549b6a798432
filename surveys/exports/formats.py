"""Writing a dataset as CSV, XLSX or SPSS ``.sav`` (pyreadstat), and a codebook as JSON.

Every text cell of a CSV file or a workbook goes through :func:`surveys.csv_output.spreadsheet_safe`: team names
come from an imported roster, and a team named ``=HYPERLINK(...)`` must not run in HR's spreadsheet. Numbers stay
numbers (a negative NPS is no formula), written at full precision so that the file equals the stored results.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from surveys.catalog import Language, translation
from surveys.csv_output import spreadsheet_safe
from surveys.exports.variables import VOICE_WORDS, Cell, Dataset, Variable
from symmetry.disclosure import DisclosureRules
from symmetry.domain import Voice

SPSS_LABEL_BYTES = 255
SPSS_VALUE_LABEL_BYTES = 120
"""SPSS keeps a variable label to 256 bytes and a value label to 120 (UTF-8)."""


def _number(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)


def _coded(variable: Variable, value: Cell, words: bool) -> Cell:
    """A coded cell as its label when `words`, else its code."""
    if words and variable.values and isinstance(value, int):
        return variable.values.get(value, value)
    return value


def write_csv(dataset: Dataset, *, words: bool) -> bytes:
    """The dataset as UTF-8 CSV (with a byte-order mark, for spreadsheets): a header of names, then the rows.

    Coded cells are written as their labels when `words` (the team export's statuses), else as codes (the
    response-level export, which its codebook describes).
    """
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow([variable.name for variable in dataset.variables])
    for row in dataset.rows:
        cells = []
        for variable, value in zip(dataset.variables, row, strict=True):
            shown = _coded(variable, value, words)
            cells.append(spreadsheet_safe(shown) if variable.text or isinstance(shown, str) else _number(shown))
        writer.writerow(cells)
    return ("\ufeff" + handle.getvalue()).encode("utf-8")


def _sheet_cell(variable: Variable, value: Cell) -> Cell:
    shown = _coded(variable, value, True)
    if isinstance(shown, str) or variable.text:
        return spreadsheet_safe(shown)
    if isinstance(shown, float) and not math.isfinite(shown):
        return None
    return shown


def write_team_workbook(dataset: Dataset, rules: DisclosureRules, language: Language) -> bytes:
    """The team results as a workbook: a sheet per voice (employees, mirror, customers) and one of outcomes.

    Each sheet has the labels in `language` on its first row, the variables' names on the second (the names of
    the CSV and SPSS files), then a row per team; a last sheet says what the export is and what it withholds.
    """
    from openpyxl import Workbook

    gettext = translation(language).gettext
    workbook = Workbook()
    first = workbook.active
    if first is not None:
        workbook.remove(first)
    for voice in (Voice.EMPLOYEE, Voice.MIRROR, Voice.CUSTOMER, Voice.OUTCOME):
        columns = [j for j, variable in enumerate(dataset.variables) if voice in variable.sheets]
        sheet = workbook.create_sheet(gettext(VOICE_WORDS[voice])[:31])
        sheet.append([spreadsheet_safe(dataset.variables[j].label) for j in columns])
        sheet.append([dataset.variables[j].name for j in columns])
        for row in dataset.rows:
            sheet.append([_sheet_cell(dataset.variables[j], row[j]) for j in columns])
        sheet.freeze_panes = "D3"
    about = workbook.create_sheet(gettext("About this export")[:31])
    for line in _about(dataset.title, rules, language):
        about.append([spreadsheet_safe(line)])
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def _about(title: str, rules: DisclosureRules, language: Language) -> list[str]:
    gettext = translation(language).gettext
    return [
        title,
        gettext("Team results as stored when the wave closed, through the disclosure gate.")
        + " "
        + gettext(
            "A team's employee figures and its number of employee respondents are withheld below %(threshold)s "
            "respondents; its customer figures below %(minimum)s employees in the team."
        )
        % {"threshold": rules.anonymity_threshold, "minimum": rules.customer_minimum_employees},
        gettext("A withheld cell is empty: no figure of this file is computed from a withheld team's answers."),
        gettext("Means on the 1-5 scale; 95% CIs; NPS and eNPS from -100 to 100; effort: lower is better."),
    ]


def _clip(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-8 bytes, on a character boundary."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def write_sav(dataset: Dataset, language: Language) -> bytes:
    """The dataset as an SPSS system file: variable labels, value labels and the file's label in `language`."""
    import pandas as pd
    import pyreadstat

    columns: dict[str, Any] = {}
    for position, variable in enumerate(dataset.variables):
        values = [row[position] for row in dataset.rows]
        if variable.text:
            columns[variable.name] = pd.Series(["" if v is None else str(v) for v in values], dtype=object)
        else:
            columns[variable.name] = pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
    frame = pd.DataFrame(columns, columns=[variable.name for variable in dataset.variables])
    value_labels = {
        variable.name: {float(code): _clip(label, SPSS_VALUE_LABEL_BYTES) for code, label in variable.values.items()}
        for variable in dataset.variables
        if variable.values
    }
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "export.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=_clip(dataset.title, 64),
            column_labels=[_clip(variable.label, SPSS_LABEL_BYTES) for variable in dataset.variables],
            variable_value_labels=value_labels,
        )
        return path.read_bytes()


def codebook(
    dataset: Dataset, rules: DisclosureRules, language: Language, teams: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """The response-level export's codebook: each variable's name, label, scale and value labels, and the teams."""
    gettext = translation(language).gettext
    variables = []
    for variable in dataset.variables:
        entry: dict[str, Any] = {"name": variable.name, "label": variable.label}
        if variable.item is not None:
            item = variable.item
            entry |= {
                "item": item.id,
                "voice": item.voice.value,
                "respondent": item.respondent.value,
                "dimension": item.dimension,
                "outcome": item.outcome,
                "wording": item.text[language],
                "scale": {"name": item.scale.name, "low": item.scale.low, "high": item.scale.high},
                "reverse_keyed": item.reverse_keyed,
            }
        if variable.values:
            entry["values"] = {str(code): label for code, label in variable.values.items()}
        variables.append(entry)
    return {
        "wave": dataset.title,
        "language": language,
        "rows": len(dataset.rows),
        "disclosure": {
            "anonymity_threshold": rules.anonymity_threshold,
            "customer_minimum_employees": rules.customer_minimum_employees,
            "note": gettext(
                "Only the teams the disclosure gate shows for a kind of respondent have rows of that kind; the rows "
                "are in a random order drawn at each export; no identity, date, id or comment is exported."
            ),
        },
        "teams": [{"code": code, "team_code": key, "name": name} for code, (key, name) in enumerate(teams, start=1)],
        "variables": variables,
    }


def write_codebook(book: dict[str, Any]) -> bytes:
    """The codebook as UTF-8 JSON."""
    return (json.dumps(book, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

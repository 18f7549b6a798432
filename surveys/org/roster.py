"""Reading roster files (CSV or XLSX exports from an HR system or a CRM) into tables with row locations.

A table's kind (teams, employees or customers) is told by its columns, so files and sheets may be named
anything. Column names are matched case-insensitively, spaces and dashes counting as underscores.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from surveys.explained import N_, Explained
from surveys.text_checks import text_problem

RosterKind = Literal["teams", "employees", "customers"]
REQUIRED: dict[RosterKind, tuple[str, ...]] = {
    "teams": ("external_id", "name"),
    "employees": ("email", "team", "language"),
    "customers": ("email", "team", "language"),
}
OPTIONAL: dict[RosterKind, tuple[str, ...]] = {
    "teams": ("parent_external_id", "manager_email"),
    "employees": (),
    "customers": ("interaction_date",),
}
MAX_LENGTHS = {
    "external_id": 100,
    "name": 200,
    "parent_external_id": 100,
    "manager_email": 320,
    "email": 320,
    "team": 100,
    "language": 16,
    "interaction_date": 32,
}
"""The longest value each column may hold (the database's column sizes; a language or date longer is wrong anyway)."""
ALIASES = {
    "parent": "parent_external_id",
    "parent_id": "parent_external_id",
    "team_id": "team",
    "team_external_id": "team",
    "lang": "language",
    "manager": "manager_email",
    "e_mail": "email",
}


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """One problem, located by file (and sheet), row and column."""

    source: str
    row: int | None
    column: str | None
    problem: Explained

    @property
    def explained(self) -> Explained:
        """The problem with where it is, for a page to show in its reader's language."""
        values = {"source": self.source, "row": self.row, "column": self.column, "problem": self.problem}
        if self.row is not None and self.column is not None:
            return Explained(N_("%(source)s, row %(row)s, column %(column)s: %(problem)s"), **values)
        if self.row is not None:
            return Explained(N_("%(source)s, row %(row)s: %(problem)s"), **values)
        if self.column is not None:
            return Explained(N_("%(source)s, column %(column)s: %(problem)s"), **values)
        return Explained(N_("%(source)s: %(problem)s"), **values)

    def __str__(self) -> str:
        return str(self.explained)


class RosterError(ValueError):
    """A roster that cannot be imported, with every problem found."""

    def __init__(self, problems: list[RosterProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(str(p) for p in problems[:5]))


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One data row: its number as a spreadsheet shows it (the header is row 1) and its values by column."""

    number: int
    values: dict[str, str]


@dataclass
class RosterTable:
    """The rows of one CSV file or one sheet."""

    kind: RosterKind
    source: str
    rows: list[RosterRow] = field(default_factory=list)


def _column(name: object) -> str:
    text = str(name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(text, text)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


NAME_HINTS: dict[RosterKind, tuple[str, ...]] = {
    "teams": ("team", "equipe", "équipe"),
    "employees": ("employee", "staff", "salarie", "salarié", "collaborat"),
    "customers": ("customer", "client"),
}


def _kind(label: str, header: list[str]) -> RosterKind | None:
    """Teams by their columns; employees and customers, which share columns, by a customer-only column or by name."""
    if set(REQUIRED["teams"]) <= set(header):
        return "teams"
    if not set(REQUIRED["employees"]) <= set(header):
        return None
    if "interaction_date" in header:
        return "customers"
    lowered = label.lower()
    for kind in ("customers", "employees"):
        if any(hint in lowered for hint in NAME_HINTS[kind]):
            return kind
    return None


def _table(
    source: str, label: str, rows: Sequence[Sequence[object]], problems: list[RosterProblem]
) -> RosterTable | None:
    if not rows or not any(_cell(value) for value in rows[0]):
        problems.append(RosterProblem(source, None, None, Explained(N_("empty: expected a header row"))))
        return None
    header = [_column(name) for name in rows[0]]
    kind = _kind(label, header)
    if kind is None:
        problems.append(
            RosterProblem(
                source,
                1,
                None,
                Explained(
                    N_(
                        "cannot tell what this table holds: teams need columns external_id and name; employees and "
                        "customers need email, team and language, and a file or sheet name saying which "
                        "(employees..., customers...) unless customers have an interaction_date column (found: "
                        "%(found)s)"
                    ),
                    found=", ".join(h for h in header if h),
                ),
            )
        )
        return None
    known = set(REQUIRED[kind]) | set(OPTIONAL[kind])
    for name in header:
        if name and name not in known:
            problems.append(
                RosterProblem(
                    source,
                    1,
                    name,
                    Explained(
                        N_("unknown column for %(kind)s (known: %(known)s)"), kind=kind, known=", ".join(sorted(known))
                    ),
                )
            )
    table = RosterTable(kind, source)
    for number, values in enumerate(rows[1:], start=2):
        cells = {name: _cell(value) for name, value in zip(header, values, strict=False) if name}
        for name, value in cells.items():
            limit = MAX_LENGTHS.get(name)
            problem = text_problem(value, limit) if limit is not None else None
            if problem is not None:
                problems.append(RosterProblem(source, number, name, problem))
                cells[name] = ""  # never quoted back in a later message
        if any(cells.values()):
            table.rows.append(RosterRow(number, cells))
    return table


def read_roster_file(name: str, content: bytes) -> tuple[list[RosterTable], list[RosterProblem]]:
    """The tables of one uploaded or local file, and the problems that stop reading it."""
    problems: list[RosterProblem] = []
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [RosterProblem(name, None, None, Explained(N_("not UTF-8 text: export the CSV as UTF-8")))]
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)  # spreadsheets in French locales export with semicolons
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            rows: list[list[object]] = [list(row) for row in reader]
        except csv.Error as error:  # a field past the csv module's limit (131,072 characters), a stray quote...
            return [], [
                RosterProblem(
                    name, reader.line_num, None, Explained(N_("unreadable CSV (%(error)s)"), error=str(error))
                )
            ]
        table = _table(name, Path(name).stem, rows, problems)
        return ([table] if table else []), problems
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds of error for a damaged file
            return [], [
                RosterProblem(
                    name,
                    None,
                    None,
                    Explained(N_("not a readable XLSX workbook (%(error)s)"), error=type(error).__name__),
                )
            ]
        tables = []
        for sheet in workbook.worksheets:
            sheet_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            if not any(any(_cell(v) for v in row) for row in sheet_rows):
                continue
            table = _table(f"{name} [{sheet.title}]", sheet.title, sheet_rows, problems)
            if table:
                tables.append(table)
        workbook.close()
        return tables, problems
    return [], [RosterProblem(name, None, None, Explained(N_("unsupported file type: use .csv or .xlsx")))]

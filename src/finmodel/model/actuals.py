"""Actuals of the closed years (spec section 10): inline or a CSV export of the ledger.

:func:`read_actuals` turns the ``actuals:`` value of a scenario (a mapping
``{year: {LINE: amount}}`` or the name of a CSV file) into :class:`Actuals`, a
lines x closed-years array with NaN where a cell is not given, and reports every problem
at once as ``FILE:LINE: PATH: message`` (the YAML line, or the CSV row). Likely mistakes
(a year column left empty, a ``1.234`` in a Dutch file) become warnings.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from finmodel.model.errors import Problem
from finmodel.model.files import Origin
from finmodel.model.input_warnings import InputWarning, warning

__all__ = ["ACTUAL_FLOWS", "ACTUAL_LINES", "CONTROL_BALANCES", "Actuals", "parse_number",
           "read_actuals"]

#: Flows that actuals may give (spec section 10), in budget order.
ACTUAL_FLOWS: tuple[str, ...] = (
    "rental_income", "operating_subsidies", "investment_subsidy_release", "partner_cash",
    "in_kind_income", "operating_costs", "variable_costs", "depreciation", "interest",
    "capex", "subsidy_cash", "loan_received", "repayment", "rented_hours",
)

#: Balances that actuals may give as controls: reconciled, never used in the prognosis.
CONTROL_BALANCES: tuple[str, ...] = ("cash_end", "book_value", "deferred_subsidy", "debt")

#: Every line an actuals table may name.
ACTUAL_LINES: tuple[str, ...] = ACTUAL_FLOWS + CONTROL_BALANCES

_ALLOWED = ", ".join(ACTUAL_LINES)


@dataclass(frozen=True)
class Actuals:
    """What was booked in the closed years.

    ``values[i, j]`` is the amount of :data:`ACTUAL_LINES` ``[i]`` in ``years[j]`` (EUR,
    hours for ``rented_hours``; signs as in the budget: income and costs positive), NaN
    where it is not given. ``source`` is the file the amounts were read from;
    ``warnings`` are likely mistakes that did not stop reading (they join the scenario's
    input warnings: printed by every command, errors under ``--strict``).
    """

    years: tuple[int, ...]
    values: NDArray[np.float64]
    source: str
    warnings: tuple[InputWarning, ...] = ()

    def line(self, name: str) -> NDArray[np.float64]:
        """Amounts of one line per closed year (NaN: not given)."""
        row: NDArray[np.float64] = self.values[ACTUAL_LINES.index(name)]
        return row

    def given(self, name: str) -> NDArray[np.bool_]:
        """Per closed year: whether the line was given."""
        return ~np.isnan(self.line(name))


# --- numbers --------------------------------------------------------------------------------

_DUTCH = re.compile(r"[+-]?\d{1,3}(\.\d{3})*(,\d*)?|[+-]?\d+(,\d*)?")
_THOUSANDS_ONLY = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")


def parse_number(text: str, delimiter: str) -> tuple[float | None, bool]:
    """A ledger cell as a number: ``(value, ambiguous)``; ``value`` None when not a number.

    With ``,`` as the delimiter a number has a decimal point (``1234.56``). With ``;`` (a
    Dutch spreadsheet export) ``1.234,56`` and ``1234,56`` are read too; a point with
    groups of three digits and no comma (``1.234``) is a thousands separator, as a Dutch
    export writes it, and is reported as ambiguous; any other point is a decimal point.
    A euro sign and spaces are ignored.

    Examples
    --------
    >>> parse_number("1.234,56", ";")
    (1234.56, False)
    >>> parse_number("1.234", ";")
    (1234.0, True)
    >>> parse_number("-1234.5", ";"), parse_number("1234.5", ",")
    ((-1234.5, False), (1234.5, False))
    >>> parse_number("abc", ",")
    (None, False)
    """
    cell = text.replace("\u20ac", "").replace("\u00a0", "").replace(" ", "")
    if delimiter == ";":
        if _THOUSANDS_ONLY.fullmatch(cell):
            return float(cell.replace(".", "")), True
        if "," in cell:
            if not _DUTCH.fullmatch(cell):
                return None, False
            cell = cell.replace(".", "").replace(",", ".")
    try:
        value = float(cell)
    except ValueError:
        return None, False
    return (value, False) if math.isfinite(value) and not _WORDS.search(cell) else (None, False)


_WORDS = re.compile(r"[a-zA-Z]")  # float() reads "nan", "inf" and "1e3"; a ledger does not


# --- reading ----------------------------------------------------------------------------------

@dataclass
class _Table:
    """Cells read so far: (line, year) -> amount and where it was written (file, line,
    path), with the problems and warnings found."""

    source: str
    cells: dict[tuple[str, int], float]
    cell_where: dict[tuple[str, int], tuple[Origin, str]]
    year_where: dict[int, tuple[Origin, str]]   # where each year is named, and its label
    problems: list[Problem]
    warnings: list[InputWarning]


def read_actuals(value: Any, locate: Callable[[str], Origin], years: tuple[int, int]) -> tuple[
        Actuals | None, list[Problem]]:
    """Read and check the ``actuals:`` value of a scenario.

    Parameters
    ----------
    value
        The value in the file: a mapping ``{year: {LINE: amount}}`` or a CSV file name.
    locate
        Path -> where it was written (``actuals``: a CSV name is relative to that file;
        ``actuals.2026.capex``: the line of an inline amount).
    years
        First and last calendar year of the horizon.

    Returns
    -------
    tuple
        The actuals (None when there are problems or no amounts at all) and the problems.
    """
    where = locate("actuals")
    if isinstance(value, Mapping):
        table = _inline(value, where, locate)
    elif isinstance(value, str) and value:
        path = os.path.normpath(os.path.join(os.path.dirname(where.file), value))
        table = _csv(path, where)
    else:
        return None, [Problem(where.file, where.line, "actuals",
                              "must be a CSV file name or a mapping {year: {LINE: amount}}, "
                              f"got {value!r}")]
    closed = _closed_years(table, years)
    _negative_flows(table)
    if table.problems:
        return None, sorted(table.problems)
    values = np.full((len(ACTUAL_LINES), len(closed)), np.nan)
    for (name, year), amount in table.cells.items():
        if year in closed:
            values[ACTUAL_LINES.index(name), closed.index(year)] = amount
    return Actuals(tuple(closed), values, table.source, tuple(table.warnings)), []


def _inline(data: Mapping[Any, Any], where: Origin,
            locate: Callable[[str], Origin]) -> _Table:
    table = _Table(where.file, {}, {}, {}, [], [])
    for year, lines in data.items():
        at = locate(f"actuals.{year}")
        if isinstance(year, bool) or not isinstance(year, int):
            table.problems.append(Problem(at.file, at.line, f"actuals.{year}",
                                          f"must be a calendar year, got {year!r}"))
            continue
        table.year_where[year] = (at, f"actuals.{year}")
        if lines is None:
            continue
        if not isinstance(lines, Mapping):
            table.problems.append(Problem(at.file, at.line, f"actuals.{year}",
                                          "must be a mapping {LINE: amount}, got "
                                          f"{lines!r}"))
            continue
        for name, amount in lines.items():
            path = f"actuals.{year}.{name}"
            here = locate(path)
            if name not in ACTUAL_LINES:
                table.problems.append(Problem(here.file, here.line, path,
                                              f"unknown line; allowed: {_ALLOWED}"))
            elif amount is None:
                continue
            elif isinstance(amount, bool) or not isinstance(amount, int | float):
                table.problems.append(Problem(here.file, here.line, path,
                                              f"must be a number, got {amount!r}"))
            elif not math.isfinite(amount):
                table.problems.append(Problem(here.file, here.line, path,
                                              f"must be a finite number, got {amount!r}"))
            else:
                table.cells[(name, year)] = float(amount)
                table.cell_where[(name, year)] = (here, path)
                written = getattr(here, "written", None)
                if written is not None and _THOUSANDS_ONLY.fullmatch(written):
                    table.warnings.append(warning(
                        here.file, here.line, path, "actuals_dotted_thousands",
                        written=written, value=float(amount)))
    return table


def _csv(path: str, where: Origin) -> _Table:
    table = _Table(path, {}, {}, {}, [], [])
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        table.problems.append(Problem(where.file, where.line, "actuals",
                                      f"cannot read {path!r}: {exc.strerror}"))
        return table
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # a spreadsheet's Windows export
    delimiter = _delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = rows[0] if rows else []
    if not header or header[0].strip().lower() != "line":
        table.problems.append(Problem(path, 1, "(header)",
                                      "the first row must be line,YEAR,YEAR,... (a column "
                                      f"'line' then calendar years), got {header!r}"))
        return table
    columns = _year_columns(header[1:], path, table)
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        _csv_row(row, number, columns, delimiter, seen, table)
    return table


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _year_columns(cells: list[str], path: str, table: _Table) -> list[int | None]:
    columns: list[int | None] = []
    for cell in cells:
        label = cell.strip()
        if not label:
            columns.append(None)
        elif not re.fullmatch(r"\d{4}", label):
            table.problems.append(Problem(path, 1, f"column {label!r}",
                                          "the header must name calendar years, e.g. 2026"))
            columns.append(None)
        elif int(label) in table.year_where:
            table.problems.append(Problem(path, 1, f"column {label}", "duplicate year"))
            columns.append(None)
        else:
            table.year_where[int(label)] = (Origin(path, 1), f"column {label}")
            columns.append(int(label))
    return columns


def _csv_row(row: list[str], number: int, columns: list[int | None], delimiter: str,
             seen: dict[str, int], table: _Table) -> None:
    name = row[0].strip()
    path = table.source
    if name not in ACTUAL_LINES:
        table.problems.append(Problem(path, number, f"row {name!r}",
                                      f"unknown line; allowed: {_ALLOWED}"))
        return
    if name in seen:
        table.problems.append(Problem(path, number, f"row {name!r}",
                                      f"duplicate line (first in row {seen[name]})"))
        return
    seen[name] = number
    if len(row) - 1 > len(columns):
        table.problems.append(Problem(path, number, f"row {name!r}",
                                      f"has {len(row) - 1} amounts for {len(columns)} "
                                      "year columns"))
    for year, cell in zip(columns, row[1:], strict=False):
        if year is None or not cell.strip():
            continue
        value, ambiguous = parse_number(cell, delimiter)
        where = f"row {name!r}, column {year}"
        if value is None:
            table.problems.append(Problem(path, number, where, f"not a number: {cell.strip()!r}"))
            continue
        if ambiguous and not any(w.file == path and w.code == "csv_thousands"
                                 for w in table.warnings):
            table.warnings.append(warning(path, number, where, "csv_thousands",
                                          cell=cell.strip(), value=value))
        table.cells[(name, year)] = value
        table.cell_where[(name, year)] = (Origin(path, number), where)


def _negative_flows(table: _Table) -> None:
    """A negative flow is likely a ledger's sign (costs as debit minus): one warning per
    line, at its first negative amount. Control balances may be negative."""
    warned: set[str] = set()
    for (name, year), amount in sorted(table.cells.items(), key=lambda kv: kv[0][1]):
        if amount < 0 and name in ACTUAL_FLOWS and name not in warned:
            warned.add(name)
            at, path = table.cell_where[(name, year)]
            table.warnings.append(warning(at.file, at.line, path, "negative_flow",
                                          value=amount))


def _closed_years(table: _Table, horizon: tuple[int, int]) -> list[int]:
    """The closed years: years with at least one amount, consecutive from the start."""
    first, last = horizon
    filled = sorted({year for _, year in table.cells})
    for year in sorted(table.year_where):
        at, label = table.year_where[year]
        if year not in filled:
            table.warnings.append(warning(at.file, at.line, label, "year_empty"))
        elif not first <= year <= last:
            table.problems.append(Problem(at.file, at.line, label,
                                          f"year outside the horizon {first}..{last}"))
    inside = [y for y in filled if first <= y <= last]
    for i, year in enumerate(inside):
        if year != first + i:
            at, label = table.year_where[year]
            table.problems.append(Problem(
                at.file, at.line, label,
                f"closed years must be consecutive from {first}: {first + i} has no amounts"))
            break
    return inside

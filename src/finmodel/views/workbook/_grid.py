"""The grid every sheet of the live workbook shares: formats, columns and timeline rows.

Two layouts (columns are 0-based here, letters in the workbook):

- model sheets (``inputs``, ``calculation``): A key or parameter path, B label, C unit,
  D a single value (a constant), E left empty (the "year before" the timeline, so a
  running balance can read its previous column), F onwards one column per year;
- output sheets (``budget``, ``cash flow``, ``balance``, ``key figures``, ``checks``):
  A label, B the contract key, C onwards one column per year (as before the live model,
  so programs that read the key column keep working).

A formula row is written from one template: ``{c}`` is this sheet's column of the year,
``{p}`` the column before it, ``{m}`` the model sheets' column of the year and ``{o}`` the
output sheets' column. Rows are referenced absolutely (``F$12``) and columns relatively,
so the same formula runs along the row: a reviewer checks the first year only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from finmodel.views.i18n import Language, t

__all__ = ["EURO_FORMAT", "HOURS_FORMAT", "MODEL", "OUTPUT", "SHARE_FORMAT", "SHEET_KEYS",
           "YEARS_PER_PAGE", "Layout", "TimelineSheet", "col", "formats", "print_setup", "ref",
           "sheet_names", "sum_formula"]

#: The standard sheets by their English name (the id the code uses), in workbook order,
#: with the catalogue key of their name in the workbook's language.
SHEET_KEYS = {"budget": "xl.sheet.budget", "cash flow": "xl.sheet.cash_flow",
              "balance": "xl.sheet.balance", "key figures": "xl.sheet.key_figures",
              "checks": "xl.sheet.checks", "prognosis (formulas)": "wb.sheet.prognosis_formulas",
              "inputs": "wb.sheet.inputs", "calculation": "wb.sheet.calculation",
              "detail": "xl.sheet.detail", "assumptions": "xl.sheet.assumptions"}


def sheet_names(lang: Language) -> dict[str, str]:
    """The standard sheets' names in ``lang``, by their English name.

    >>> sheet_names("nl")["cash flow"], sheet_names("en")["cash flow"]
    ('kasstroom', 'cash flow')
    """
    return {name: t(lang, key) for name, key in SHEET_KEYS.items()}


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")


def ref(sheet: str) -> str:
    """A sheet name as a formula writes it before ``!``: quoted (``'`` doubled) unless it is
    a plain ASCII word that cannot be read as a cell address.

    >>> ref("budget"), ref("cash flow"), ref("prognose (formules)"), ref("risico's")
    ('budget', "'cash flow'", "'prognose (formules)'", "'risico''s'")
    >>> ref("AB12"), ref("café")
    ("'AB12'", "'café'")
    """
    if _PLAIN.fullmatch(sheet) and not _CELL_LIKE.fullmatch(sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"

#: Euros to the cent, negative in red: ``€ 1,234.56``.
EURO_FORMAT = "[$€-2] #,##0.00;[Red]-[$€-2] #,##0.00"
HOURS_FORMAT = "#,##0.0"
SHARE_FORMAT = "0.0%"
RATE_FORMAT = "0.00%"
FACTOR_FORMAT = "0.0000"

#: Input cells: blue font on light yellow (the common financial-modelling convention).
INPUT_FONT, INPUT_FILL = "#0000FF", "#FFF2CC"
#: Fixed structure (index names, types): grey, changed in the scenario file only.
FIXED_FONT = "#7F7F7F"


def col(index: int) -> str:
    """Column letter of a 0-based column index.

    >>> col(0), col(5), col(27)
    ('A', 'F', 'AB')
    """
    return str(xl_col_to_name(index))


@dataclass(frozen=True)
class Layout:
    """Where a sheet keeps its key, label, unit, constant and first year (0-based)."""

    key: int
    label: int
    unit: int | None
    const: int | None
    first: int


MODEL = Layout(key=0, label=1, unit=2, const=3, first=5)
OUTPUT = Layout(key=1, label=0, unit=None, const=None, first=2)


def formats(workbook: Any) -> dict[str, Any]:
    """The cell formats of every sheet, by name."""
    add = workbook.add_format
    number_formats = {"euro": EURO_FORMAT, "hours": HOURS_FORMAT, "share": SHARE_FORMAT,
                      "rate": RATE_FORMAT, "factor": FACTOR_FORMAT, "int": "0",
                      "number": "0.00", "general": "General"}
    out: dict[str, Any] = {}
    for name, fmt in number_formats.items():
        out[name] = add({"num_format": fmt})
        out[f"{name}_bold"] = add({"num_format": fmt, "bold": True, "top": 1})
        out[f"{name}_input"] = add({"num_format": fmt, "font_color": INPUT_FONT,
                                    "bg_color": INPUT_FILL, "border": 1,
                                    "border_color": "#BFBFBF"})
    out.update({
        "text": add({}), "wrap": add({"text_wrap": True, "valign": "top"}),
        "bold": add({"bold": True}), "label_bold": add({"bold": True, "top": 1}),
        "title": add({"bold": True, "font_size": 14}),
        "note": add({"italic": True, "font_color": "#5b6875"}),
        "section": add({"bold": True, "font_size": 12, "bottom": 1}),
        "fixed": add({"italic": True, "font_color": FIXED_FONT}),
        "header": add({"bold": True, "bg_color": "#f3f6f8", "bottom": 1, "align": "center"}),
        "header_left": add({"bold": True, "bg_color": "#f3f6f8", "bottom": 1}),
        "header_wrap": add({"bold": True, "bg_color": "#f3f6f8", "bottom": 1, "align": "center",
                            "valign": "top", "text_wrap": True}),
        "definition": add({"indent": 1}),
        "check": add({"bold": True, "align": "center"}),
        # keys of the contract beside the labels: read by programs, grey for people
        "key": add({"font_color": FIXED_FONT, "font_size": 9}),
        "key_bold": add({"font_color": FIXED_FONT, "font_size": 9, "bold": True, "top": 1}),
    })
    return out


def sum_formula(rows: Sequence[int], column: str = "{m}") -> str:
    """A formula body adding rows of one column: a ``SUM`` over a block, else ``+``.

    >>> sum_formula([12, 13, 14]), sum_formula([12, 15]), sum_formula([])
    ('SUM({m}$12:{m}$14)', '{m}$12+{m}$15', '0')
    """
    rows = sorted(rows)
    if not rows:
        return "0"
    if len(rows) > 1 and rows == list(range(rows[0], rows[-1] + 1)):
        return f"SUM({column}${rows[0]}:{column}${rows[-1]})"
    return "+".join(f"{column}${r}" for r in rows)


#: Year columns printed on one page width: up to 20 stay readable on A4 landscape.
YEARS_PER_PAGE = 20


def print_setup(sheet: Any, years: int = 0, labels: int = 0) -> None:
    """Printed (or exported to PDF) landscape on A4, as many pages long as needed and one
    page wide for up to :data:`YEARS_PER_PAGE` years. A longer horizon is printed on more
    pages side by side (21-40 years on two), each with the first ``labels`` columns again,
    rather than shrunk until no figure can be read."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    wide = max(1, -(-years // YEARS_PER_PAGE))
    sheet.fit_to_pages(wide, 0)
    if wide > 1 and labels:
        sheet.repeat_columns(0, labels - 1)


class TimelineSheet:
    """One worksheet written top down: section titles and one formula per row.

    ``row`` is the next 0-based row to write; :meth:`formula` returns the 1-based row
    number that formulas use to reference the row just written.
    """

    def __init__(self, sheet: Any, fmt: dict[str, Any], years: Sequence[int],
                 layout: Layout, start_row: int) -> None:
        self.sheet, self.fmt, self.years, self.layout = sheet, fmt, list(years), layout
        _skip_future_function_scan(sheet)
        print_setup(sheet, len(self.years), max(layout.key, layout.label) + 1)
        self.row = start_row
        first_model, first_output = MODEL.first, OUTPUT.first
        mine = layout.first
        self._columns = [{"c": col(mine + t), "p": col(mine + t - 1), "m": col(first_model + t),
                          "o": col(first_output + t)} for t in range(len(self.years))]

    @property
    def first(self) -> str:
        """This sheet's column letter of the first year."""
        return col(self.layout.first)

    @property
    def last(self) -> str:
        """This sheet's column letter of the last year."""
        return col(self.layout.first + len(self.years) - 1)

    def span(self, row: int, sheet: str = "") -> str:
        """An absolute reference to one row's years, e.g. ``budget!$C$7:$Q$7`` (``sheet``
        is the sheet's name as shown; quoted here where needed)."""
        prefix = f"{ref(sheet)}!" if sheet else ""
        return f"{prefix}${self.first}${row}:${self.last}${row}"

    def section(self, title: str, gap: int = 1) -> None:
        self.row += gap
        self.sheet.write_string(self.row, 0, title, self.fmt["section"])
        self.row += 1

    def header(self, labels: Iterable[str]) -> int:
        """The header row: the label columns' names and the years as numbers."""
        self.sheet.write_row(self.row, 0, list(labels), self.fmt["header_left"])
        self.sheet.write_row(self.row, self.layout.first, self.years, self.fmt["header"])
        self.row += 1
        return self.row

    def labels(self, key: str, label: str, unit: str = "", bold: bool = False) -> None:
        lay, style = self.layout, self.fmt["label_bold" if bold else "text"]
        self.sheet.write_string(self.row, lay.label, label, style)
        self.sheet.write_string(self.row, lay.key, key, self.fmt["key_bold" if bold else "key"])
        if lay.unit is not None and unit:
            self.sheet.write_string(self.row, lay.unit, unit, self.fmt["fixed"])

    def formula(self, key: str, label: str, unit: str, template: str,
                values: Sequence[Any], fmt: str = "euro", bold: bool = False) -> int:
        """Write one row: the same ``template`` in every year, ``values`` as cached results."""
        self.labels(key, label, unit, bold)
        style = self.fmt[f"{fmt}_bold" if bold else fmt]
        write, r, first = self.sheet.write_formula, self.row, self.layout.first
        body = "=" + template
        for i, (cols, value) in enumerate(zip(self._columns, values, strict=True)):
            write(r, first + i, body.format(**cols), style, cached(value))
        self.row += 1
        return r + 1

    def constant(self, key: str, label: str, unit: str, formula: str, value: Any,
                 fmt: str = "euro") -> int:
        """A single formula in the value column (model sheets) or the first year column."""
        self.labels(key, label, unit)
        column = self.layout.const if self.layout.const is not None else self.layout.first
        self.sheet.write_formula(self.row, column, "=" + formula, self.fmt[fmt], cached(value))
        self.row += 1
        return self.row


def _plain_formula(formula: str, expand_future_functions: bool = False) -> str:
    return formula[1:] if formula.startswith("=") else formula


def _skip_future_function_scan(sheet: Any) -> None:
    """Write formulas as given, without xlsxwriter's scan for Excel 365 function names.

    xlsxwriter runs about 30 regular expressions over every formula to prefix dynamic-array
    functions (``FILTER``, ``XLOOKUP``, ...); the model uses none of them (a test checks
    every formula), and the scan took half the writing time.
    """
    sheet._prepare_formula = _plain_formula


def cached(value: Any) -> Any:
    """The cached result stored with a formula: NaN (null) becomes an empty text."""
    if isinstance(value, bool):
        return value
    if value is None:
        return ""
    number = float(value)
    return "" if math.isnan(number) else number

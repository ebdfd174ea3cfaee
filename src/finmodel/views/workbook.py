"""The budget workbook: budget, cash flow, balance, detail, assumptions, checks.

:func:`write_budget_xlsx` writes one projection as an Excel workbook with years as
columns, euro number formats (values unrounded, shown to the cent), frozen header rows
and label columns. Every line sheet has two label columns: the controller's name of the
line and its key in the JSON contract, so the workbook can be read back by machine.
Other modules add sheets through ``extra_sheets`` (name -> DataFrame).

The file is written under a temporary name in the target folder and renamed onto
``path``, so a crash never leaves a half-written workbook.
"""

from __future__ import annotations

import math
import numbers
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finmodel.views import i18n, summary
from finmodel.views.i18n import Language, t
from finmodel.views.text import format_kpi

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection

__all__ = ["EURO_FORMAT", "HOURS_FORMAT", "SHARE_FORMAT", "write_budget_xlsx"]

#: Euros to the cent, negative in red: ``€ 1,234.56``.
EURO_FORMAT = "[$€-2] #,##0.00;[Red]-[$€-2] #,##0.00"
HOURS_FORMAT = "#,##0.0"
SHARE_FORMAT = "0.0%"

_BUDGET = ("rental_income", "operating_subsidies", "investment_subsidy_release",
           "partner_cash", "in_kind_income", "total_income", "operating_costs",
           "variable_costs", "depreciation", "interest", "in_kind_costs", "total_expenses",
           "result", "structural_result")
_CASH = ("rental_income", "partner_cash", "subsidy_cash", "loan_received", "operating_costs",
         "variable_costs", "interest", "capex", "repayment", "net_cash_flow", "cash_end")
_BALANCE = ("cash_end", "book_value", "deferred_subsidy", "debt", "equity")
_USE = ("rented_hours", "occupancy", "self_sufficiency")
_TOTALS = {"total_income", "total_expenses", "result", "net_cash_flow", "cash_end", "equity"}
_HOUR_MEASURES = {"requested_hours", "rented_hours", "available_hours", "own_use_hours",
                  "rentable_hours"}
_BAD_SHEET_CHARS = set("[]:*?/\\")

Row = tuple[str, str, Sequence[float], str, bool]  # label, key, values, format, bold


def write_budget_xlsx(projection: Projection, path: str | os.PathLike[str],
                      extra_sheets: Mapping[str, pd.DataFrame] | None = None,
                      lang: Language = "en") -> Path:
    """Write the budget workbook of ``projection`` to ``path`` (atomically); return the path.

    ``extra_sheets`` maps further sheet names to DataFrames (index as label columns,
    columns as headers; floats get the euro format), added after the standard sheets.

    Examples
    --------
    >>> import tempfile, finmodel, openpyxl
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> target = write_budget_xlsx(p, Path(tempfile.mkdtemp()) / "budget.xlsx")
    >>> openpyxl.load_workbook(target).sheetnames
    ['budget', 'cash flow', 'balance', 'detail', 'assumptions', 'checks', 'key figures']
    >>> target = write_budget_xlsx(p, Path(tempfile.mkdtemp()) / "budget.xlsx", lang="nl")
    >>> openpyxl.load_workbook(target).sheetnames  # doctest: +NORMALIZE_WHITESPACE
    ['begroting', 'kasstroom', 'balans', 'toelichting', 'uitgangspunten', 'controles',
     'kengetallen']
    """
    import xlsxwriter

    target = Path(path)
    extra = dict(extra_sheets or {})
    _check_sheet_names(extra, lang)
    tmp = target.with_name(f".tmp-{secrets.token_hex(4)}-{target.name}")
    try:
        # Names from scenario files are text: "=1+1" must never become a live formula.
        workbook = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True,
                                                  "strings_to_formulas": False})
        formats = _formats(workbook)
        _write_sheets(workbook, formats, projection, extra, lang)
        workbook.close()
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


_SHEETS = ("budget", "cash_flow", "balance", "detail", "assumptions", "checks", "key_figures")


def _sheet(lang: Language, key: str) -> str:
    return t(lang, f"xl.sheet.{key}")


def _check_sheet_names(extra: Mapping[str, object], lang: Language = "en") -> None:
    taken = {_sheet(lang, key) for key in _SHEETS}
    for name in extra:
        if not name or len(name) > 31 or _BAD_SHEET_CHARS & set(name) or name in taken:
            raise ValueError(f"extra sheet name {name!r}: must be 1-31 characters, none of "
                             f"[]:*?/\\, and not one of the standard sheets")


def _formats(workbook: Any) -> dict[str, Any]:
    add = workbook.add_format
    return {
        "euro": add({"num_format": EURO_FORMAT}),
        "euro_bold": add({"num_format": EURO_FORMAT, "bold": True, "top": 1}),
        "hours": add({"num_format": HOURS_FORMAT}),
        "share": add({"num_format": SHARE_FORMAT}),
        "int": add({"num_format": "0"}),
        "ratio": add({"num_format": "0.00"}),
        "text": add({}), "wrap": add({"text_wrap": True, "valign": "top"}),
        "bold": add({"bold": True}), "label_bold": add({"bold": True, "top": 1}),
        "title": add({"bold": True, "font_size": 14}),
        "note": add({"italic": True, "font_color": "#5b6875"}),
        "header": add({"bold": True, "bg_color": "#f3f6f8", "bottom": 1, "align": "center"}),
        "header_left": add({"bold": True, "bg_color": "#f3f6f8", "bottom": 1}),
    }


def _write_sheets(workbook: Any, f: dict[str, Any], p: Projection,
                  extra: Mapping[str, pd.DataFrame], lang: Language = "en") -> None:
    lines, years = p.lines, p.years.tolist()
    name = p.scenario.name

    def rows(keys: Sequence[str], sign: Mapping[str, int] | None = None) -> list[Row]:
        sign = sign or {}
        return [(i18n.line_name(lang, k), k, [sign.get(k, 1) * float(v) for v in lines[k]],
                 "share" if k in ("occupancy", "self_sufficiency") else
                 "hours" if k == "rented_hours" else "euro", k in _TOTALS) for k in keys]

    head = (t(lang, "xl.line"), t(lang, "xl.key"))
    _lines_sheet(workbook, f, _sheet(lang, "budget"), t(lang, "xl.title.budget", name=name),
                 years, rows(_BUDGET) + rows(_USE), t(lang, "xl.note.budget"), head)
    opening = [p.scenario.finance.opening_cash, *lines["cash_end"][:-1].tolist()]
    minimum = [p.scenario.finance.minimum_cash] * len(years)
    cash = ([(i18n.line_name(lang, "opening_cash"), "cash_start", opening, "euro", False)]
            + rows(_CASH, {"operating_costs": -1, "variable_costs": -1, "interest": -1,
                           "capex": -1, "repayment": -1})
            + [(i18n.line_name(lang, "minimum_cash"), "minimum_cash", minimum, "euro", False)])
    _lines_sheet(workbook, f, _sheet(lang, "cash_flow"), t(lang, "xl.title.cash", name=name),
                 years, cash, t(lang, "report.payments_negative"), head)
    _lines_sheet(workbook, f, _sheet(lang, "balance"), t(lang, "xl.title.balance", name=name),
                 years, rows(_BALANCE), t(lang, "report.balance_note_loans"), head)
    _detail_sheet(workbook, f, p, lang)
    _assumptions_sheet(workbook, f, p, lang)
    _checks_sheet(workbook, f, p, lang)
    _kpi_sheet(workbook, f, p, lang)
    for sheet, frame in extra.items():
        _frame_sheet(workbook, f, sheet, frame)


def _head(sheet: Any, f: dict[str, Any], title: str, note: str) -> None:
    sheet.write_string(0, 0, title, f["title"])
    sheet.write_string(1, 0, note, f["note"])


def _number(sheet: Any, row: int, col: int, value: float, fmt: Any) -> None:
    if math.isnan(value):
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def _lines_sheet(workbook: Any, f: dict[str, Any], name: str, title: str, years: list[int],
                 rows: list[Row], note: str, head: tuple[str, str] = ("line", "key")) -> None:
    sheet = workbook.add_worksheet(name)
    _head(sheet, f, title, note)
    sheet.write_row(2, 0, list(head), f["header_left"])
    sheet.write_row(2, 2, years, f["header"])
    for r, (label, key, values, fmt, bold) in enumerate(rows, start=3):
        sheet.write_string(r, 0, label, f["label_bold"] if bold else f["text"])
        sheet.write_string(r, 1, key, f["label_bold"] if bold else f["text"])
        cell = f["euro_bold"] if bold and fmt == "euro" else f[fmt]
        for c, value in enumerate(values, start=2):
            _number(sheet, r, c, value, cell)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 1 + len(years), 15)
    sheet.freeze_panes(3, 2)


def _detail_sheet(workbook: Any, f: dict[str, Any], p: Projection, lang: Language = "en"
                  ) -> None:
    sheet = workbook.add_worksheet(_sheet(lang, "detail"))
    years = p.years.tolist()
    _head(sheet, f, t(lang, "xl.title.detail", name=p.scenario.name), t(lang, "xl.note.detail"))
    sheet.write_row(2, 0, [t(lang, "xl.table"), t(lang, "detail.item"), "", ""],
                    f["header_left"])
    sheet.write_row(2, 4, years, f["header"])
    row = 3
    for table, frame in p.detail.items():
        sheet.write_string(row, 0, table.replace("_", " "), f["bold"])
        sheet.write_row(row, 1, [str(n) for n in frame.index.names], f["bold"])
        row += 1
        for key, values in zip(frame.index, frame.to_numpy(), strict=True):
            labels = tuple(str(x) for x in (key if isinstance(key, tuple) else (key,)))
            hours = table == "capacity" or bool(_HOUR_MEASURES & set(labels))
            sheet.write_row(row, 1, list(labels))
            for c, value in enumerate(values.tolist(), start=4):
                _number(sheet, row, c, value, f["hours" if hours else "euro"])
            row += 1
        row += 1
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 3, 28)
    sheet.set_column(4, 3 + len(years), 15)
    sheet.freeze_panes(3, 4)


def _assumptions_sheet(workbook: Any, f: dict[str, Any], p: Projection,
                       lang: Language = "en") -> None:
    sheet = workbook.add_worksheet(_sheet(lang, "assumptions"))
    _head(sheet, f, t(lang, "xl.title.assumptions", name=p.scenario.name),
          t(lang, "report.assumptions_note"))
    sheet.write_row(2, 0, [t(lang, "xl.path"), t(lang, "col.value"), t(lang, "col.set_in"),
                           t(lang, "col.parameter")], f["header_left"])
    table = summary.assumptions_table(p.scenario, lang)
    raw = dict(summary.assumption_rows(p.scenario.data))
    for r, (path, name, text, origin) in enumerate(
            table[["path", "name", "value", "set in"]].itertuples(index=False), start=3):
        sheet.write_string(r, 0, path)
        value = raw.get(path)
        if isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(r, 1, value)
        else:
            sheet.write_string(r, 1, text, f["wrap"])
        sheet.write_string(r, 2, origin)
        sheet.write_string(r, 3, name)
    sheet.set_column(0, 0, 70)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 2, 34)
    sheet.set_column(3, 3, 50)
    sheet.freeze_panes(3, 1)


def _checks_sheet(workbook: Any, f: dict[str, Any], p: Projection, lang: Language = "en"
                  ) -> None:
    sheet = workbook.add_worksheet(_sheet(lang, "checks"))
    _head(sheet, f, t(lang, "xl.title.checks", name=p.scenario.name),
          summary.master_check_text(p, lang))
    table = summary.checks_table(p, lang)  # the key first, for whoever reads it back
    sheet.write_row(2, 0, [t(lang, "xl.key"), *table.columns], f["header_left"])
    for r, (check, row) in enumerate(zip(p.checks, table.itertuples(index=False),
                                         strict=True), start=3):
        sheet.write_row(r, 0, [check.name, *(str(x) for x in row)], f["wrap"])
    sheet.set_column(0, 1, 36)
    sheet.set_column(2, 3, 10)
    sheet.set_column(4, 4, 90)
    sheet.set_column(5, 5, 20)
    sheet.freeze_panes(3, 2)


def _kpi_sheet(workbook: Any, f: dict[str, Any], p: Projection, lang: Language = "en"
               ) -> None:
    sheet = workbook.add_worksheet(_sheet(lang, "key_figures"))
    _head(sheet, f, t(lang, "xl.title.kpis", name=p.scenario.name), t(lang, "xl.note.kpis"))
    sheet.write_row(2, 0, [t(lang, "xl.kpi"), t(lang, "col.value"), t(lang, "xl.as_shown"),
                           t(lang, "col.key_figure")], f["header_left"])
    row = 3
    for name, value in p.kpis.items():
        sheet.write_string(row, 0, name)
        sheet.write_string(row, 3, i18n.kpi_name(lang, name))
        if value is None:
            sheet.write_blank(row, 1, None)
        else:
            is_count = name.endswith("_year") or name == "years_below_minimum"
            kind = ("int" if is_count else "ratio" if name == "min_debt_service_coverage"
                    else "euro")
            sheet.write_number(row, 1, value, f[kind])
        sheet.write_string(row, 2, format_kpi(name, value, lang))
        row += 1
    row += 1
    sheet.write_row(row, 0, [t(lang, "section.provenance"), t(lang, "col.value")],
                    f["header_left"])
    for item, text in summary.provenance(p.scenario, lang=lang):
        row += 1
        sheet.write_row(row, 0, [item, text])
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 28)
    sheet.freeze_panes(3, 1)


def _frame_sheet(workbook: Any, f: dict[str, Any], name: str, frame: pd.DataFrame) -> None:
    sheet = workbook.add_worksheet(name)
    levels = [str(n) if n is not None else "" for n in frame.index.names]
    sheet.write_row(0, 0, levels, f["header_left"])
    sheet.write_row(0, len(levels), [str(c) for c in frame.columns], f["header"])
    for r, (key, values) in enumerate(zip(frame.index, frame.itertuples(index=False),
                                          strict=True), start=1):
        sheet.write_row(r, 0, [str(x) for x in (key if isinstance(key, tuple) else (key,))])
        for c, value in enumerate(values, start=len(levels)):
            if isinstance(value, bool) or value is None:
                sheet.write(r, c, "" if value is None else str(value))
            elif isinstance(value, numbers.Integral):
                sheet.write_number(r, c, int(value))
            elif isinstance(value, numbers.Real):
                _number(sheet, r, c, float(value), f["euro"])
            else:
                sheet.write_string(r, c, str(value))
    sheet.set_column(0, len(levels) - 1, 28)
    sheet.set_column(len(levels), len(levels) + len(frame.columns), 15)
    sheet.freeze_panes(1, len(levels))

"""The output sheets as formulas: budget, cash flow and balance.

Item lines link to the calculation sheet's totals; totals, the result and the balances
are worked out here from the rows above them, so a controller reads the statement as
a statement. Column B holds each line's key of the JSON contract; the years run from
column C. Every formula caches the engine's value of its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.views.i18n import Language, line_name, t
from finmodel.views.workbook._grid import OUTPUT, TimelineSheet, ref
from finmodel.views.workbook.calculation import CalcRows

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["OutputRows", "write_statements"]

HEADER_ROW = 3  # 1-based row of the years header on every output sheet
_TOTALS = {"total_income", "total_expenses", "result", "net_cash_flow", "cash_end", "equity"}
#: Rows that are not contract lines, and the catalogue line whose name they show.
_NAMED_AS = {"cash_start": "opening_cash"}


@dataclass
class OutputRows:
    """Rows (1-based) of the output sheets by ``(sheet, key)``; ``sheet`` is the sheet's
    English name (the code's id), ``names`` maps it to the name in the workbook."""

    names: dict[str, str] = field(default_factory=dict)
    lang: Language = "en"
    rows: dict[tuple[str, str], int] = field(default_factory=dict)

    def name(self, sheet: str) -> str:
        """The sheet's name in the workbook's language."""
        return self.names.get(sheet, sheet)

    def prefix(self, sheet: str) -> str:
        """``'cash flow'!``: the sheet as a formula names it before a cell."""
        return f"{ref(self.name(sheet))}!"

    def at(self, sheet: str, key: str, here: str = "") -> str:
        """This year's cell of a line (``'cash flow'!C$12``; no sheet prefix on ``here``)."""
        prefix = "" if sheet == here else self.prefix(sheet)
        return f"{prefix}{{o}}${self.rows[(sheet, key)]}"


class _Statement:
    """One output sheet being written: its grid, and the lines written so far."""

    def __init__(self, workbook: Any, fmt: dict[str, Any], name: str, title: str, note: str,
                 p: Projection, out: OutputRows) -> None:
        sheet = workbook.get_worksheet_by_name(out.name(name))
        sheet.write_string(0, 0, title, fmt["title"])
        sheet.write_string(1, 0, note, fmt["note"])
        self.grid = TimelineSheet(sheet, fmt, p.years.tolist(), OUTPUT, start_row=HEADER_ROW - 1)
        self.grid.header([t(out.lang, "wb.h.line"), t(out.lang, "wb.h.key")])
        self.name, self.p, self.out = name, p, out
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 1, 26)
        sheet.set_column(2, 1 + len(self.grid.years), 15)
        sheet.freeze_panes(HEADER_ROW, OUTPUT.first)

    def at(self, key: str, sheet: str = "") -> str:
        return self.out.at(sheet or self.name, key, here=self.name)

    def line(self, key: str, template: str, values: Any = None, fmt: str = "") -> None:
        if values is None:
            values = self.p.lines[key]
        fmt = fmt or ("share" if key in ("occupancy", "self_sufficiency") else
                      "hours" if key == "rented_hours" else "euro")
        label = line_name(self.out.lang, _NAMED_AS.get(key, key))
        row = self.grid.formula(key, label, "", template,
                                np.asarray(values, dtype=float).tolist(), fmt, key in _TOTALS)
        self.out.rows[(self.name, key)] = row

    def total(self, key: str, first: str, last: str) -> None:
        rows = self.out.rows
        self.line(key, f"SUM({{o}}${rows[(self.name, first)]}:{{o}}${rows[(self.name, last)]})")


def write_statements(workbook: Any, fmt: dict[str, Any], p: Projection, calc: CalcRows,
                     inputs: Mapping[str, str], names: Mapping[str, str] | None = None,
                     lang: Language = "en") -> OutputRows:
    """Add the budget, cash flow and balance sheets; return their rows. ``names`` maps
    the sheets' English names to their names in the workbook (in ``lang``)."""
    out = OutputRows(dict(names or {}), lang)
    _budget(workbook, fmt, p, calc, out)
    _cash_flow(workbook, fmt, p, calc, out, inputs)
    _balance(workbook, fmt, p, calc, out, inputs)
    return out


def _budget(workbook: Any, fmt: dict[str, Any], p: Projection, calc: CalcRows,
            out: OutputRows) -> None:
    lang = out.lang
    s = _Statement(workbook, fmt, "budget", t(lang, "xl.title.budget", name=p.scenario.name),
                   t(lang, "wb.note.budget"), p, out)
    for key in ("rental_income", "operating_subsidies", "investment_subsidy_release",
                "partner_cash", "in_kind_income"):
        s.line(key, calc.link(key))
    s.total("total_income", "rental_income", "in_kind_income")
    costs = ("operating_costs", "variable_costs", "depreciation",
             *(("interest",) if "interest" in p.lines else ()))
    for key in costs:
        s.line(key, calc.link(key))
    s.line("in_kind_costs", s.at("in_kind_income"))
    s.total("total_expenses", "operating_costs", "in_kind_costs")
    s.line("result", f"{s.at('total_income')}-{s.at('total_expenses')}")
    s.line("structural_result", f"{s.at('result')}-{s.at('operating_subsidies')}"
                                f"-{s.at('investment_subsidy_release')}")
    s.line("rented_hours", calc.link("rented_hours"))
    s.line("occupancy", calc.link("occupancy"))
    # expenses without the in-kind pair, added up as the engine does (not total - in kind,
    # which loses a tiny cost next to large in-kind amounts)
    own = "(" + "+".join(s.at(key) for key in costs) + ")"
    s.line("self_sufficiency", f"IF({own}=0,\"\",({s.at('rental_income')}"
                               f"+{s.at('partner_cash')})/{own})")


def _cash_flow(workbook: Any, fmt: dict[str, Any], p: Projection, calc: CalcRows,
               out: OutputRows, inputs: Mapping[str, str]) -> None:
    s = _Statement(workbook, fmt, "cash flow", t(out.lang, "xl.title.cash", name=p.scenario.name),
                   t(out.lang, "wb.note.cash"), p, out)
    lines = p.lines
    opening = inputs["finance.opening_cash"]
    # written after the flows below, so that it can read cash at year end
    start_row = s.grid.row
    s.grid.row += 1
    s.line("rental_income", s.at("rental_income", "budget"))
    s.line("partner_cash", s.at("partner_cash", "budget"))
    s.line("subsidy_cash", calc.link("subsidy_cash"))
    loans = "interest" in lines
    if loans:
        s.line("loan_received", calc.link("loan_received"))
    for key in ("operating_costs", "variable_costs", *(("interest",) if loans else ())):
        s.line(key, f"-{s.at(key, 'budget')}", -lines[key])
    s.line("capex", f"-{calc.link('capex')}", -lines["capex"])
    if loans:
        s.line("repayment", f"-{calc.link('repayment')}", -lines["repayment"])
    s.total("net_cash_flow", "rental_income", "repayment" if loans else "capex")
    ncf = out.rows[("cash flow", "net_cash_flow")]
    s.line("cash_end", f"{opening}+SUM($C${ncf}:{{o}}${ncf})")
    s.line("minimum_cash", inputs["finance.minimum_cash"],
           np.full(len(p.years), p.scenario.finance.minimum_cash))
    after = s.grid.row
    s.grid.row = start_row
    s.line("cash_start", f"{s.at('cash_end')}-{s.at('net_cash_flow')}",
           lines["cash_end"] - lines["net_cash_flow"])
    s.grid.row = after


def _balance(workbook: Any, fmt: dict[str, Any], p: Projection, calc: CalcRows,
             out: OutputRows, inputs: Mapping[str, str]) -> None:
    loans = "debt" in p.lines
    s = _Statement(workbook, fmt, "balance", t(out.lang, "xl.title.balance", name=p.scenario.name),
                   t(out.lang, "wb.note.balance_loans" if loans else "wb.note.balance"), p, out)
    s.line("cash_end", s.at("cash_end", "cash flow"))
    s.line("book_value", calc.link("book_value"))
    s.line("deferred_subsidy", calc.link("deferred_subsidy"))
    if loans:
        s.line("debt", calc.link("debt"))
    result = out.rows[("budget", "result")]
    s.line("equity", f"{inputs['finance.opening_cash']}+SUM({out.prefix('budget')}$C${result}"
                     f":{{o}}${result})")

"""The ``key figures`` and ``checks`` sheets as formulas.

Key figures are worked out from helper rows per year below them (discount factors,
"structural result >= 0 from this year on", ...), in forms that Excel and LibreOffice
both compute: SUM, MIN, INDEX/MATCH, COUNTIF, no array-only or volatile functions, and
the NPV from explicit discount factors ``1 / (1 + rate) ^ t`` rather than ``NPV()``.
A key figure the contract leaves null is an empty text (``""``).

The checks sheet tests both identities of spec section 4 in every year (TRUE/FALSE)
and rolls them up into the master check at the top; the flags of section 6 follow as
the engine found them for the scenario as written (they are not recalculated).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.views import summary
from finmodel.views.workbook._grid import OUTPUT, TimelineSheet, cached
from finmodel.views.workbook.calculation import CalcRows
from finmodel.views.workbook.outputs import OutputRows

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["IDENTITY_TOLERANCE", "write_checks", "write_key_figures"]

#: Euros by which the two sides of an identity may differ in the workbook.
IDENTITY_TOLERANCE = 0.005

_DEFINITIONS = {
    "total_result": "sum of result over the years",
    "npv": "sum of net cash flow x discount factor (rows below)",
    "break_even_year": "first year from which the structural result is >= 0 in every "
                       "later year; empty if the last year is below 0",
    "min_cash": "lowest cash at year end",
    "min_cash_year": "first year with the lowest cash",
    "years_below_minimum": "years with cash at year end below the minimum cash",
    "funding_gap_after_subsidy": "-structural result (at least 0) in the first year after "
                                 "the last subsidy cash; empty without subsidy or past the end",
    "book_value_end": "book value at the end of the last year",
    "deferred_subsidy_end": "deferred subsidy at the end of the last year",
    "debt_end": "loans outstanding at the end of the last year",
    "financing_need": "minimum cash - lowest cash, at least 0: extra opening cash that "
                      "keeps cash at the minimum in every year",
    "min_debt_service_coverage": "lowest debt service coverage (row below) over the years "
                                 "with debt service; empty without",
}
#: A year's debt service at or below this (EUR) is float residue, not debt service.
DEBT_TOLERANCE = 0.005


def write_key_figures(workbook: Any, fmt: dict[str, Any], p: Projection, calc: CalcRows,
                      out: OutputRows, inputs: Mapping[str, str]) -> None:
    """Add the key figures sheet: KPIs on top, the rows they are computed from below."""
    sheet = workbook.get_worksheet_by_name("key figures")
    sheet.write_string(0, 0, f"Key figures: {p.scenario.name}", fmt["title"])
    sheet.write_string(1, 0, "KPIs of the contract as formulas; their helper rows per year "
                       "below; provenance at the end.", fmt["note"])
    sheet.write_row(2, 0, ["kpi", "value", "definition"], fmt["header_left"])
    kpi_rows = {name: 3 + i for i, name in enumerate(p.kpis)}
    grid = TimelineSheet(sheet, fmt, p.years.tolist(), OUTPUT, start_row=4 + len(kpi_rows))
    grid.section("Per year, for the key figures")
    grid.header(["row", "key"])
    helpers = _helpers(grid, p, calc, out, inputs)
    formulas = _kpi_formulas(grid, helpers, out, kpi_rows["min_cash"] + 1,
                             inputs["finance.minimum_cash"])
    for name, value in p.kpis.items():
        r = kpi_rows[name]
        sheet.write_string(r, 0, name)
        is_count = name.endswith("_year") or name == "years_below_minimum"
        style = fmt["int" if is_count else "number" if name == "min_debt_service_coverage"
                    else "euro"]
        if name in formulas:
            sheet.write_formula(r, 1, "=" + formulas[name], style, cached(value))
            sheet.write_string(r, 2, _DEFINITIONS[name])
        elif value is None:
            sheet.write_blank(r, 1, None, style)
            sheet.write_string(r, 2, "value from finmodel (not recalculated)")
        else:
            sheet.write_number(r, 1, value, style)
            sheet.write_string(r, 2, "value from finmodel (not recalculated)")
    row = grid.row + 1
    sheet.write_row(row, 0, ["provenance", "value"], fmt["header_left"])
    for item, text in summary.provenance(p.scenario):
        row += 1
        sheet.write_string(row, 0, item)
        sheet.write_string(row, 1, text)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 1 + len(p.years), 15)
    sheet.freeze_panes(3, 1)


def _helpers(grid: TimelineSheet, p: Projection, calc: CalcRows, out: OutputRows,
             inputs: Mapping[str, str]) -> dict[str, int]:
    lines, years = p.lines, p.years.astype(float)
    t = years - years[0]
    rate = p.scenario.finance.discount_rate
    rows: dict[str, int] = {}

    def add(key: str, label: str, template: str, values: Any, fmt: str = "euro") -> str:
        # the helper rows of the key figures sheet; returns this year's cell
        rows[key] = grid.formula(key, label, "", template,
                                 np.asarray(values, dtype=float).tolist(), fmt)
        return f"{{o}}${rows[key]}"

    year = add("year", "calendar year", "budget!{o}$3", years, "int")
    first = f"$C${rows['year']}"
    tt = add("t", "years since the start (t)", f"{year}-{first}", t, "int")
    factor = add("discount_factor", "discount factor 1 / (1 + discount rate) ^ t",
                 f"1/(1+{inputs['finance.discount_rate']})^{tt}", 1 / (1 + rate) ** t, "factor")
    add("discounted_net_cash_flow", "net cash flow x discount factor",
        f"{out.at('cash flow', 'net_cash_flow')}*{factor}",
        lines["net_cash_flow"] / (1 + rate) ** t)
    structural = lines["structural_result"]
    holds = np.flip(np.logical_and.accumulate(np.flip(structural >= 0)))
    sr = out.rows[("budget", "structural_result")]
    add("structural_ok_from_here", "structural result >= 0 in this and every later year",
        f"(COUNTIF(budget!{{o}}${sr}:${grid.last}${sr},\"<0\")=0)*1", holds, "int")
    paid = lines["subsidy_cash"] > 0
    add("subsidy_position", "subsidy cash received: position of the year (else 0)",
        f"({calc.link('subsidy_cash')}>0)*({tt}+1)", paid * (t + 1), "int")
    add("below_minimum", "cash at year end below the minimum (1/0)",
        f"({out.at('cash flow', 'cash_end')}<{inputs['finance.minimum_cash']})*1",
        lines["cash_end"] < p.scenario.finance.minimum_cash, "int")
    if "interest" in lines:
        _dscr_rows(add, p, calc, out)
    return rows


def _dscr_rows(add: Any, p: Projection, calc: CalcRows, out: OutputRows) -> None:
    """Debt service and its coverage per year (contract v1.1, section 9)."""
    lines = p.lines
    service = lines["interest"] + lines["repayment"]
    serviced = service > DEBT_TOLERANCE
    with np.errstate(divide="ignore", invalid="ignore"):
        dscr = np.where(serviced, (lines["net_cash_flow"] - lines["loan_received"] + service)
                        / np.where(serviced, service, 1.0), np.nan)
    debt_service = add("debt_service", "debt service: interest + principal repaid",
                       f"{calc.link('interest')}+{calc.link('repayment')}", service)
    add("debt_service_coverage", "debt service coverage: (net cash flow - loans drawn "
        "+ debt service) / debt service",
        f"IF({debt_service}>{DEBT_TOLERANCE},({out.at('cash flow', 'net_cash_flow')}"
        f"-{calc.link('loan_received')}+{debt_service})/{debt_service},\"\")", dscr, "number")


def _kpi_formulas(grid: TimelineSheet, rows: Mapping[str, int], out: OutputRows,
                  min_row: int, minimum: str) -> dict[str, str]:
    def span(key: str, sheet: str = "") -> str:
        return grid.span(rows[key] if not sheet else out.rows[(sheet, key)],
                         f"'{sheet}'" if " " in sheet else sheet)

    last = f"${grid.last}$"
    years, ok, pos = span("year"), span("structural_ok_from_here"), span("subsidy_position")
    cash = span("cash_end", "cash flow")
    at_gap = f"MAX({pos})"
    return {
        "total_result": f"SUM({span('result', 'budget')})",
        "npv": f"SUM({span('discounted_net_cash_flow')})",
        "break_even_year": (f"IF({last}{rows['structural_ok_from_here']}=1,"
                            f"INDEX({years},MATCH(1,{ok},0)),\"\")"),
        "min_cash": f"MIN({cash})",
        "min_cash_year": f"INDEX({years},MATCH($B${min_row},{cash},0))",
        "years_below_minimum": f"SUM({span('below_minimum')})",
        "funding_gap_after_subsidy": (
            f"IF(OR({at_gap}=0,{at_gap}>=COLUMNS({pos})),\"\","
            f"MAX(0,-INDEX({span('structural_result', 'budget')},{at_gap}+1)))"),
        "book_value_end": f"balance!{last}{out.rows[('balance', 'book_value')]}",
        "deferred_subsidy_end": f"balance!{last}{out.rows[('balance', 'deferred_subsidy')]}",
        **_loan_kpis(grid, rows, out, min_row, minimum),
    }


def _loan_kpis(grid: TimelineSheet, rows: Mapping[str, int], out: OutputRows,
               min_row: int, minimum: str) -> dict[str, str]:
    if ("balance", "debt") not in out.rows:
        return {}
    dscr = grid.span(rows["debt_service_coverage"])
    return {
        "debt_end": f"balance!${grid.last}${out.rows[('balance', 'debt')]}",
        "financing_need": f"MAX(0,{minimum}-$B${min_row})",
        "min_debt_service_coverage": f"IF(COUNT({dscr})=0,\"\",MIN({dscr}))",
    }


def write_checks(workbook: Any, fmt: dict[str, Any], p: Projection, calc: CalcRows,
                 out: OutputRows) -> None:
    """Add the checks sheet: master check, both identities per year, then the flags."""
    sheet = workbook.get_worksheet_by_name("checks")
    sheet.write_string(0, 0, f"Checks: {p.scenario.name}", fmt["title"])
    sheet.write_string(1, 0, "The master check is TRUE when both identities hold in every "
                       f"year (to {IDENTITY_TOLERANCE} EUR).", fmt["note"])
    grid = TimelineSheet(sheet, fmt, p.years.tolist(), OUTPUT, start_row=4)
    grid.header(["check", "key"])
    lines = p.lines
    loans = "debt" in lines
    zero = np.zeros(len(p.years))
    cash_rhs = (lines["result"] + lines["depreciation"] - lines["capex"] + lines["subsidy_cash"]
                - lines["operating_subsidies"] - lines["investment_subsidy_release"]
                + lines.get("loan_received", zero) - lines.get("repayment", zero))
    balance_lhs = (lines["cash_end"] + lines["book_value"] - lines["deferred_subsidy"]
                   - lines.get("debt", zero))

    def b(key: str) -> str:
        return out.at("budget", key)

    loan_terms = (f"+{calc.link('loan_received')}-{calc.link('repayment')}" if loans else "")
    diff = grid.formula(
        "cash_identity_difference", "cash: net cash flow - (result + depreciation - capex "
        "+ subsidy cash - subsidy income" + (" + loans drawn - repaid)" if loans else ")"),
        "", f"{out.at('cash flow', 'net_cash_flow')}-({b('result')}+{b('depreciation')}"
        f"-{calc.link('capex')}+{calc.link('subsidy_cash')}-{b('operating_subsidies')}"
        f"-{b('investment_subsidy_release')}{loan_terms})",
        (lines["net_cash_flow"] - cash_rhs).tolist())
    cash_ok = grid.formula("cash_identity", "cash identity holds", "",
                           f"ABS({{o}}${diff})<{IDENTITY_TOLERANCE}",
                           [bool(x) for x in abs(lines["net_cash_flow"] - cash_rhs)
                            < IDENTITY_TOLERANCE], "check")
    bal = out.at
    debt = f"-{bal('balance', 'debt')}" if loans else ""
    diff = grid.formula(
        "balance_identity_difference", "balance: cash + book value - deferred subsidy"
        + (" - debt" if loans else "") + " - equity", "",
        f"{bal('balance', 'cash_end')}+{bal('balance', 'book_value')}"
        f"-{bal('balance', 'deferred_subsidy')}{debt}-{bal('balance', 'equity')}",
        (balance_lhs - lines["equity"]).tolist())
    balance_ok = grid.formula("balance_identity", "balance identity holds", "",
                              f"ABS({{o}}${diff})<{IDENTITY_TOLERANCE}",
                              [bool(x) for x in abs(balance_lhs - lines["equity"])
                               < IDENTITY_TOLERANCE], "check")
    sheet.write_string(3, 0, "master check", fmt["bold"])
    sheet.write_string(3, 1, "master_check", fmt["bold"])
    sheet.write_formula(3, 2, f"=AND({grid.span(cash_ok)},{grid.span(balance_ok)})",
                        fmt["check"], bool(p.master_check))
    _flags(sheet, fmt, p, grid.row + 1)
    sheet.set_column(0, 0, 60)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 1 + len(p.years), 15)
    sheet.freeze_panes(5, 2)


def _flags(sheet: Any, fmt: dict[str, Any], p: Projection, row: int) -> None:
    sheet.write_string(row, 0, "All checks as finmodel computed them for the scenario as "
                       "written (not recalculated)", fmt["section"])
    sheet.write_row(row + 1, 0, ["check", "kind", "status", "message", "years"],
                    fmt["header_left"])
    table = summary.checks_table(p).itertuples(index=False)
    for r, (check, shown) in enumerate(zip(p.checks, table, strict=True), start=row + 2):
        for c, value in enumerate([check.name, *shown[1:]]):  # the key, read back by machine
            sheet.write_string(r, c, str(value), fmt["wrap"])

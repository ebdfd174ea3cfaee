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
from finmodel.views.i18n import Language, check_name, kpi_name, number, t
from finmodel.views.workbook._grid import OUTPUT, TimelineSheet, cached
from finmodel.views.workbook.calculation import CalcRows
from finmodel.views.workbook.outputs import OutputRows

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["IDENTITY_TOLERANCE", "write_checks", "write_key_figures"]

#: Euros by which the two sides of an identity may differ in the workbook.
IDENTITY_TOLERANCE = 0.005

#: The key figures that the sheet works out as formulas (definitions: ``wb.def.<kpi>``).
_FORMULA_KPIS = ("total_result", "npv", "break_even_year", "min_cash", "min_cash_year",
                 "years_below_minimum", "funding_gap_after_subsidy", "book_value_end",
                 "deferred_subsidy_end", "debt_end", "financing_need",
                 "min_debt_service_coverage")
#: A year's debt service at or below this (EUR) is float residue, not debt service.
DEBT_TOLERANCE = 0.005


def write_key_figures(workbook: Any, fmt: dict[str, Any], p: Projection, calc: CalcRows,
                      out: OutputRows, inputs: Mapping[str, str]) -> None:
    """Add the key figures sheet: KPIs on top (name, key, value, definition), the rows they
    are computed from below."""
    lang = out.lang
    sheet = workbook.get_worksheet_by_name(out.name("key figures"))
    sheet.write_string(0, 0, t(lang, "xl.title.kpis", name=p.scenario.name), fmt["title"])
    sheet.write_string(1, 0, t(lang, "wb.note.kpis"), fmt["note"])
    sheet.write_row(2, 0, [t(lang, f"wb.h.{h}") for h in ("kpi", "key", "value", "definition")],
                    fmt["header_left"])
    kpi_rows = {name: 3 + i for i, name in enumerate(p.kpis)}
    grid = TimelineSheet(sheet, fmt, p.years.tolist(), OUTPUT, start_row=4 + len(kpi_rows))
    grid.section(t(lang, "wb.kf.section"))
    grid.header([t(lang, "wb.h.row"), t(lang, "wb.h.key")])
    helpers = _helpers(grid, p, calc, out, inputs)
    formulas = _kpi_formulas(grid, helpers, out, kpi_rows["min_cash"] + 1,
                             inputs["finance.minimum_cash"])
    for name, value in p.kpis.items():
        _kpi_row(sheet, fmt, kpi_rows[name], name, value, formulas.get(name), lang)
    row = grid.row + 1
    sheet.write_row(row, 0, [t(lang, "wb.h.provenance"), "", t(lang, "wb.h.value")],
                    fmt["header_left"])
    for item, text in summary.provenance(p.scenario, lang=lang):
        row += 1
        sheet.write_string(row, 0, item)
        sheet.write_string(row, 2, text)
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 1 + len(p.years), 15)
    sheet.freeze_panes(3, 1)


def _kpi_row(sheet: Any, fmt: dict[str, Any], r: int, name: str, value: Any,
             formula: str | None, lang: Language) -> None:
    """One key figure: its name, key, value (a formula where the sheet can work it out)
    and definition."""
    sheet.write_string(r, 0, kpi_name(lang, name))
    sheet.write_string(r, 1, name, fmt["key"])
    is_count = name.endswith("_year") or name == "years_below_minimum"
    style = fmt["int" if is_count else "number" if name == "min_debt_service_coverage"
                else "euro"]
    if formula is not None and name in _FORMULA_KPIS:
        sheet.write_formula(r, 2, "=" + formula, style, cached(value))
        sheet.write_string(r, 3, t(lang, f"wb.def.{name}"), fmt["definition"])
        return
    if value is None:
        sheet.write_blank(r, 2, None, style)
    else:
        sheet.write_number(r, 2, value, style)
    sheet.write_string(r, 3, t(lang, "wb.kf.not_recalculated"), fmt["definition"])


def _helpers(grid: TimelineSheet, p: Projection, calc: CalcRows, out: OutputRows,
             inputs: Mapping[str, str]) -> dict[str, int]:
    lines, years = p.lines, p.years.astype(float)
    lang = out.lang
    t_ = years - years[0]
    rate = p.scenario.finance.discount_rate
    rows: dict[str, int] = {}

    def add(key: str, label: str, template: str, values: Any, fmt: str = "euro") -> str:
        # the helper rows of the key figures sheet; returns this year's cell
        rows[key] = grid.formula(key, label, "", template,
                                 np.asarray(values, dtype=float).tolist(), fmt)
        return f"{{o}}${rows[key]}"

    year = add("year", t(lang, "wb.c.year"), f"{out.prefix('budget')}{{o}}$3", years, "int")
    first = f"$C${rows['year']}"
    tt = add("t", t(lang, "wb.c.t"), f"{year}-{first}", t_, "int")
    factor = add("discount_factor", t(lang, "wb.kf.discount_factor"),
                 f"1/(1+{inputs['finance.discount_rate']})^{tt}", 1 / (1 + rate) ** t_, "factor")
    add("discounted_net_cash_flow", t(lang, "wb.kf.discounted"),
        f"{out.at('cash flow', 'net_cash_flow')}*{factor}",
        lines["net_cash_flow"] / (1 + rate) ** t_)
    structural = lines["structural_result"]
    holds = np.flip(np.logical_and.accumulate(np.flip(structural >= 0)))
    sr = out.rows[("budget", "structural_result")]
    add("structural_ok_from_here", t(lang, "wb.kf.structural_ok"),
        f"(COUNTIF({out.prefix('budget')}{{o}}${sr}:${grid.last}${sr},\"<0\")=0)*1", holds,
        "int")
    paid = lines["subsidy_cash"] > 0
    add("subsidy_position", t(lang, "wb.kf.subsidy_position"),
        f"({calc.link('subsidy_cash')}>0)*({tt}+1)", paid * (t_ + 1), "int")
    add("below_minimum", t(lang, "wb.kf.below_minimum"),
        f"({out.at('cash flow', 'cash_end')}<{inputs['finance.minimum_cash']})*1",
        lines["cash_end"] < p.scenario.finance.minimum_cash, "int")
    if "interest" in lines:
        _dscr_rows(add, p, calc, out)
    return rows


def _dscr_rows(add: Any, p: Projection, calc: CalcRows, out: OutputRows) -> None:
    """Debt service and its coverage per year (contract v1.1, section 9)."""
    lines, lang = p.lines, out.lang
    service = lines["interest"] + lines["repayment"]
    serviced = service > DEBT_TOLERANCE
    with np.errstate(divide="ignore", invalid="ignore"):
        dscr = np.where(serviced, (lines["net_cash_flow"] - lines["loan_received"] + service)
                        / np.where(serviced, service, 1.0), np.nan)
    debt_service = add("debt_service", t(lang, "wb.kf.debt_service"),
                       f"{calc.link('interest')}+{calc.link('repayment')}", service)
    add("debt_service_coverage", t(lang, "wb.kf.dscr"),
        f"IF({debt_service}>{DEBT_TOLERANCE},({out.at('cash flow', 'net_cash_flow')}"
        f"-{calc.link('loan_received')}+{debt_service})/{debt_service},\"\")", dscr, "number")


def _kpi_formulas(grid: TimelineSheet, rows: Mapping[str, int], out: OutputRows,
                  min_row: int, minimum: str) -> dict[str, str]:
    def span(key: str, sheet: str = "") -> str:
        return grid.span(rows[key] if not sheet else out.rows[(sheet, key)],
                         out.name(sheet) if sheet else "")

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
        "min_cash_year": f"INDEX({years},MATCH($C${min_row},{cash},0))",
        "years_below_minimum": f"SUM({span('below_minimum')})",
        "funding_gap_after_subsidy": (
            f"IF(OR({at_gap}=0,{at_gap}>=COLUMNS({pos})),\"\","
            f"MAX(0,-INDEX({span('structural_result', 'budget')},{at_gap}+1)))"),
        "book_value_end": f"{out.prefix('balance')}{last}{out.rows[('balance', 'book_value')]}",
        "deferred_subsidy_end": (f"{out.prefix('balance')}{last}"
                                 f"{out.rows[('balance', 'deferred_subsidy')]}"),
        **_loan_kpis(grid, rows, out, min_row, minimum),
    }


def _loan_kpis(grid: TimelineSheet, rows: Mapping[str, int], out: OutputRows,
               min_row: int, minimum: str) -> dict[str, str]:
    if ("balance", "debt") not in out.rows:
        return {}
    dscr = grid.span(rows["debt_service_coverage"])
    return {
        "debt_end": f"{out.prefix('balance')}${grid.last}${out.rows[('balance', 'debt')]}",
        "financing_need": f"MAX(0,{minimum}-$C${min_row})",
        "min_debt_service_coverage": f"IF(COUNT({dscr})=0,\"\",MIN({dscr}))",
    }


def write_checks(workbook: Any, fmt: dict[str, Any], p: Projection, calc: CalcRows,
                 out: OutputRows) -> None:
    """Add the checks sheet: master check, both identities per year, then the flags."""
    lang = out.lang
    sheet = workbook.get_worksheet_by_name(out.name("checks"))
    sheet.write_string(0, 0, t(lang, "xl.title.checks", name=p.scenario.name), fmt["title"])
    tolerance = number(lang, IDENTITY_TOLERANCE, 3)
    sheet.write_string(1, 0, t(lang, "wb.note.checks", tolerance=tolerance), fmt["note"])
    grid = TimelineSheet(sheet, fmt, p.years.tolist(), OUTPUT, start_row=4)
    grid.header([t(lang, "wb.h.check"), t(lang, "wb.h.key")])
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
        "cash_identity_difference", t(lang, "wb.chk.cash_diff_loans" if loans
                                      else "wb.chk.cash_diff"), "",
        f"{out.at('cash flow', 'net_cash_flow')}-({b('result')}+{b('depreciation')}"
        f"-{calc.link('capex')}+{calc.link('subsidy_cash')}-{b('operating_subsidies')}"
        f"-{b('investment_subsidy_release')}{loan_terms})",
        (lines["net_cash_flow"] - cash_rhs).tolist())
    cash_ok = grid.formula("cash_identity", check_name(lang, "cash_identity"), "",
                           f"ABS({{o}}${diff})<{IDENTITY_TOLERANCE}",
                           [bool(x) for x in abs(lines["net_cash_flow"] - cash_rhs)
                            < IDENTITY_TOLERANCE], "check")
    bal = out.at
    debt = f"-{bal('balance', 'debt')}" if loans else ""
    diff = grid.formula(
        "balance_identity_difference", t(lang, "wb.chk.balance_diff_loans" if loans
                                         else "wb.chk.balance_diff"), "",
        f"{bal('balance', 'cash_end')}+{bal('balance', 'book_value')}"
        f"-{bal('balance', 'deferred_subsidy')}{debt}-{bal('balance', 'equity')}",
        (balance_lhs - lines["equity"]).tolist())
    balance_ok = grid.formula("balance_identity", check_name(lang, "balance_identity"), "",
                              f"ABS({{o}}${diff})<{IDENTITY_TOLERANCE}",
                              [bool(x) for x in abs(balance_lhs - lines["equity"])
                               < IDENTITY_TOLERANCE], "check")
    sheet.write_string(3, 0, t(lang, "wb.chk.master"), fmt["bold"])
    sheet.write_string(3, 1, "master_check", fmt["bold"])
    sheet.write_formula(3, 2, f"=AND({grid.span(cash_ok)},{grid.span(balance_ok)})",
                        fmt["check"], bool(p.master_check))
    _flags(sheet, fmt, p, grid.row + 1, lang)
    sheet.set_column(0, 0, 60)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 1 + len(p.years), 15)
    sheet.freeze_panes(5, 2)


def _flags(sheet: Any, fmt: dict[str, Any], p: Projection, row: int, lang: Language) -> None:
    """The checks as a controller reads them (name, kind, status, years, message), with
    each check's key in column B (read back by machine), as on the output sheets. The
    message comes last and is not wrapped: it runs on over the empty cells to its right."""
    sheet.write_string(row, 0, t(lang, "wb.chk.flags"), fmt["section"])
    name, kind, status, message, years = summary.check_columns(lang)
    sheet.write_row(row + 1, 0, [name, t(lang, "wb.h.key"), kind, status, years, message],
                    fmt["header_left"])
    rows = summary.check_rows(p, lang)
    for r, (check, shown) in enumerate(zip(p.checks, rows, strict=True), start=row + 2):
        for c, value in enumerate([shown[0], check.name, shown[1], shown[2], shown[4],
                                   shown[3]]):
            sheet.write_string(r, c, str(value), fmt["text"])

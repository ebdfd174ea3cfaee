"""The ``inputs`` sheet: every parameter of the resolved scenario, one row each.

Column A holds the parameter path as the path syntax writes it
(``rental.segments[Schools].tariff``), B a label, C the unit. A series has the value in
force in each year in the year columns (F onwards, the header row holds the years as
numbers); a single value (an amount, a rate, a year, a life) sits in the value column D.
A ramp-up is a list by *year of operation*: its first value in F is the first year of
demand, the second in G, and so on. Input cells are blue on light yellow; text that
fixes the model's structure (index names, types) is grey and is changed in the scenario
file. Nothing on this sheet is a formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.views.workbook._grid import MODEL, TimelineSheet, col

if TYPE_CHECKING:
    from finmodel.model.scenario import Scenario
    from finmodel.model.series import Series

__all__ = ["InputRows", "write_inputs"]

SHEET = "inputs"
YEAR_ROW = 4  # 1-based row of the years header, read by the calculation sheet


@dataclass
class InputRows:
    """Where each parameter path sits on the inputs sheet (1-based rows)."""

    rows: dict[str, int] = field(default_factory=dict)

    def series(self, path: str) -> str:
        """The parameter's value in this formula's year: ``inputs!F$12``."""
        return f"{SHEET}!{{m}}${self.rows[path]}"

    def value(self, path: str) -> str:
        """The parameter's single value: ``inputs!$D$12``."""
        return f"{SHEET}!${col(MODEL.const or 0)}${self.rows[path]}"

    def span(self, path: str, length: int) -> str:
        """The first ``length`` year cells of a row (a ramp-up by year of operation)."""
        row = self.rows[path]
        return f"{SHEET}!${col(MODEL.first)}${row}:${col(MODEL.first + length - 1)}${row}"


# (path, label, unit, kind, value, format); kind: series | value | list | fixed
Param = tuple[str, str, str, str, Any, str]


def write_inputs(workbook: Any, fmt: dict[str, Any], scenario: Scenario) -> InputRows:
    """Add the inputs sheet; return the row of every parameter path."""
    sheet = workbook.get_worksheet_by_name(SHEET)
    years = scenario.years.tolist()
    grid = TimelineSheet(sheet, fmt, years, MODEL, start_row=0)
    sheet.write_string(0, 0, f"Inputs: {scenario.name}", fmt["title"])
    sheet.write_string(1, 0, "Change the blue-on-yellow cells, then recalculate (F9; "
                       "LibreOffice: Data > Calculate > Recalculate Hard). Grey text is "
                       "structure: change it in the scenario file.", fmt["note"])
    grid.row = YEAR_ROW - 1
    grid.header(["parameter path", "label", "unit", "value", ""])
    out = InputRows()
    section = None
    for name, params in _sections(scenario):
        if name != section:
            grid.section(name)
            section = name
        for param in params:
            out.rows[param[0]] = grid.row + 1
            _write_param(grid, param, len(years))
    sheet.set_column(0, 0, 58)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 25)
    sheet.set_column(3, 3, 14)
    sheet.set_column(4, 4, 2)
    sheet.set_column(MODEL.first, MODEL.first + len(years) - 1, 12)
    sheet.freeze_panes(YEAR_ROW, MODEL.first)
    return out


def _write_param(grid: TimelineSheet, param: Param, horizon: int) -> None:
    path, label, unit, kind, value, number = param
    sheet, fmt, r = grid.sheet, grid.fmt, grid.row
    grid.labels(path, label, unit)
    const, first = MODEL.const or 0, MODEL.first
    style = fmt[f"{number}_input"]
    if kind == "series":
        for t, v in enumerate(value):
            sheet.write_number(r, first + t, float(v), style)
    elif kind == "payments":  # explicit payments by year: blank where none
        for t, v in enumerate(value):
            if v is None:
                sheet.write_blank(r, first + t, None, style)
            else:
                sheet.write_number(r, first + t, float(v), style)
    elif kind == "list":
        for k, v in enumerate(value):
            sheet.write_number(r, first + k, float(v), style)
    elif kind == "fixed":
        sheet.write_string(r, const, str(value), fmt["fixed"])
    elif value is None:
        sheet.write_blank(r, const, None, style)
    elif isinstance(value, bool):
        sheet.write_boolean(r, const, value, style)
    else:
        sheet.write_number(r, const, float(value), style)
    grid.row += 1


def _series(path: str, label: str, unit: str, s: Series, years: Any, number: str) -> Param:
    return (path, label, unit, "series", s.at(years).tolist(), number)


def _window(path: str, item: Any) -> Iterator[Param]:
    yield (f"{path}.from", "first year (blank: from the start)", "year", "value",
           item.from_, "int")
    yield (f"{path}.until", "last year (blank: to the end)", "year", "value", item.until, "int")


def _fixed(path: str, label: str, value: Any) -> Iterator[Param]:
    if value is not None:
        yield (path, label, "text", "fixed", value, "general")


def _sections(s: Scenario) -> Iterator[tuple[str, list[Param]]]:
    years = s.years
    yield "Time", [("start_year", "first year of the plan", "year", "fixed", s.start_year, "int"),
                   ("horizon", "number of years", "years", "fixed", s.horizon, "int")]
    yield "Indexation", [_series(f"indexation.{n}", f"index {n}: yearly rate", "rate/year",
                                 rates, years, "rate") for n, rates in s.indexation.items()]
    f = s.facility
    yield "Facility", [
        _series("facility.available_hours", "bookable hours", "h/year", f.available_hours,
                years, "hours"),
        _series("facility.own_use_value_per_hour", "value of an hour of own use (parties)",
                "EUR/h", f.own_use_value_per_hour, years, "euro"),
        *_fixed("facility.own_use_value_indexation", "index of the own-use value",
                f.own_use_value_indexation)]
    for inv in s.investments:
        p = f"investments[{inv.name}]"
        yield "Investments", [
            (f"{p}.amount", f"{inv.name}: price", "EUR (start-year prices)", "value",
             inv.amount, "euro"),
            (f"{p}.year", "purchase year", "year", "value", inv.year, "int"),
            (f"{p}.life", "life, straight-line", "years", "value", inv.life, "int"),
            (f"{p}.replace", "bought again every life (TRUE/FALSE)", "flag", "value",
             inv.replace, "general"),
            *_fixed(f"{p}.indexation", "index of the price", inv.indexation)]
    for c in s.operating_costs:
        p = f"operating_costs[{c.name}]"
        yield "Operating costs", [
            *_fixed(f"{p}.category", f"{c.name}: category", c.category),
            _series(f"{p}.amount", f"{c.name}: amount", "EUR/year (start-year prices)",
                    c.amount, years, "euro"),
            *_fixed(f"{p}.indexation", "index", c.indexation), *_window(p, c)]
    yield "Rental", [
        _series("rental.variable_cost_per_hour", "variable cost per rented hour",
                "EUR/h (start-year prices)", s.rental.variable_cost_per_hour, years, "euro"),
        *_fixed("rental.variable_cost_indexation", "index of the variable cost",
                s.rental.variable_cost_indexation)]
    for seg in s.rental.segments:
        yield "Rental", list(_segment(seg, years))
    for sub in s.subsidies:
        yield "Subsidies", list(_subsidy(sub, years))
    for party in s.parties:
        yield "Parties", list(_party(party, years))
    fin = s.finance
    yield "Finance", [
        ("finance.opening_cash", "cash at the start (also opening equity)", "EUR", "value",
         fin.opening_cash, "euro"),
        ("finance.minimum_cash", "reserve floor", "EUR", "value", fin.minimum_cash, "euro"),
        ("finance.discount_rate", "discount rate for the NPV", "rate/year", "value",
         fin.discount_rate, "rate")]
    for loan in getattr(fin, "loans", ()):
        yield "Finance", list(_loan(loan))
    booked = _actuals(s)
    if booked:
        yield "Actuals: amounts booked in the closed years (blank: the plan's)", booked


def _actuals(s: Scenario) -> list[Param]:
    """Input rows of the booked amounts: one per flow line, blank where not given."""
    ledger = getattr(s, "ledger", None)
    if ledger is None:
        return []
    from finmodel.model.actuals import ACTUAL_FLOWS  # type: ignore[import-not-found,unused-ignore]

    closed = {int(y): j for j, y in enumerate(ledger.years)}
    rows = []
    for name in ACTUAL_FLOWS:
        booked = ledger.line(name)
        values = [None if int(y) not in closed or np.isnan(booked[closed[int(y)]])
                  else float(booked[closed[int(y)]]) for y in s.years]
        unit = "h" if name == "rented_hours" else "EUR"
        rows.append((f"actuals.{name}", f"booked {name} (blank: the plan's)", unit,
                     "payments", values, "hours" if unit == "h" else "euro"))
    return rows


def _segment(seg: Any, years: Any) -> Iterator[Param]:
    p = f"rental.segments[{seg.name}]"
    yield _series(f"{p}.tariff", f"{seg.name}: tariff", "EUR/h (start-year prices)",
                  seg.tariff, years, "euro")
    yield from _fixed(f"{p}.indexation", "index of the tariff", seg.indexation)
    yield (f"{p}.discount", "discount on the tariff", "share", "value", seg.discount, "share")
    yield _series(f"{p}.demand_hours", "hours wanted at maturity", "h/year",
                  seg.demand_hours, years, "hours")
    yield (f"{p}.ramp_up", "ramp-up by year of operation (F = first year)",
           "share of demand", "list", list(seg.ramp_up), "share")
    yield from _window(p, seg)


def _subsidy(sub: Any, years: Any) -> Iterator[Param]:
    p = f"subsidies[{sub.name}]"
    yield from _fixed(f"{p}.type", f"{sub.name}: type", sub.type)
    if sub.amounts is not None:
        yield (f"{p}.amounts", "payments by year", "EUR (nominal)", "payments",
               [sub.amounts.get(int(y)) for y in years], "euro")
    else:
        po = sub.phase_out
        yield (f"{p}.amount", "full yearly amount", "EUR/year (nominal)", "value",
               sub.amount, "euro")
        yield (f"{p}.phase_out.start", "first year paid (blank: start year)", "year",
               "value", po.start, "int")
        yield (f"{p}.phase_out.full_years", "years of the full amount", "years", "value",
               po.full_years, "int")
        yield (f"{p}.phase_out.taper_years", "years of linear decline", "years", "value",
               po.taper_years, "int")
        yield from _fixed(f"{p}.phase_out.shape", "shape of the phase-out", po.shape)
    if sub.release_years is not None:
        yield (f"{p}.release_years", "released over", "years", "value", sub.release_years,
               "int")
    if sub.cofinancing_ratio is not None:
        yield (f"{p}.cofinancing_ratio", "co-financing condition (checks sheet, not "
               "recalculated)", "ratio", "value", sub.cofinancing_ratio, "number")


def _loan(loan: Any) -> Iterator[Param]:
    p = f"finance.loans[{loan.name}]"
    yield (f"{p}.amount", f"loan {loan.name}: principal", "EUR (nominal)", "value",
           loan.amount, "euro")
    yield (f"{p}.year", "drawn at the start of", "year", "value", loan.year, "int")
    yield (f"{p}.rate", "interest rate", "rate/year", "value", loan.rate, "rate")
    yield (f"{p}.grace_years", "interest-only years before repaying", "years", "value",
           loan.grace_years, "int")
    yield (f"{p}.term", "years of repayment", "years", "value", loan.term, "int")
    yield from _fixed(f"{p}.repayment", "repayment (linear or annuity)", loan.repayment)


def _party(party: Any, years: Any) -> Iterator[Param]:
    p = f"parties[{party.name}]"
    yield from _fixed(f"{p}.role", f"{party.name}: role", party.role)
    yield _series(f"{p}.own_use_hours", "own use of the facility", "h/year",
                  party.own_use_hours, years, "hours")
    for c in party.contributions:
        q = f"{p}.contributions[{c.name}]"
        yield from _fixed(f"{q}.type", f"{c.name}: type", c.type)
        yield _series(f"{q}.amount", f"{c.name}: amount", "EUR/year (start-year prices)",
                      c.amount, years, "euro")
        yield from _fixed(f"{q}.indexation", "index", c.indexation)
        yield from _window(q, c)
    for b in party.benefits:
        q = f"{p}.benefits[{b.name}]"
        yield _series(f"{q}.amount", f"{b.name}: benefit (parties sheet, not "
                      "recalculated)", "EUR/year (start-year prices)", b.amount, years, "euro")
        yield from _fixed(f"{q}.indexation", "index", b.indexation)
        yield from _window(q, b)

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

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.views.i18n import Language, line_name, t
from finmodel.views.workbook._grid import MODEL, TimelineSheet, col, ref

if TYPE_CHECKING:
    from finmodel.model.scenario import Scenario
    from finmodel.model.series import Series

__all__ = ["InputRows", "write_inputs"]

YEAR_ROW = 4  # 1-based row of the years header, read by the calculation sheet


@dataclass
class InputRows:
    """Where each parameter path sits on the inputs sheet (1-based rows); ``sheet`` is
    the sheet's name in the workbook's language (``inputs``, ``invoer``)."""

    sheet: str = "inputs"
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """The sheet as formulas name it before a cell: ``inputs!``."""
        return f"{ref(self.sheet)}!"

    def series(self, path: str) -> str:
        """The parameter's value in this formula's year: ``inputs!F$12``."""
        return f"{self.prefix}{{m}}${self.rows[path]}"

    def value(self, path: str) -> str:
        """The parameter's single value: ``inputs!$D$12``."""
        return f"{self.prefix}${col(MODEL.const or 0)}${self.rows[path]}"

    def span(self, path: str, length: int) -> str:
        """The first ``length`` year cells of a row (a ramp-up by year of operation)."""
        row = self.rows[path]
        return f"{self.prefix}${col(MODEL.first)}${row}:${col(MODEL.first + length - 1)}${row}"


# (path, label, unit, kind, value, format); kind: series | value | list | fixed. The unit
# is a catalogue code (``wb.u.<code>``), translated when the row is written.
Param = tuple[str, str, str, str, Any, str]
Words = Callable[..., str]


def write_inputs(workbook: Any, fmt: dict[str, Any], scenario: Scenario, sheet_name: str,
                 lang: Language = "en") -> InputRows:
    """Add the inputs sheet (named ``sheet_name``); return the row of every parameter path."""
    sheet = workbook.get_worksheet_by_name(sheet_name)
    years = scenario.years.tolist()
    grid = TimelineSheet(sheet, fmt, years, MODEL, start_row=0)

    def w(key: str, **values: Any) -> str:
        return t(lang, key, **values)

    sheet.write_string(0, 0, w("wb.title.inputs", name=scenario.name), fmt["title"])
    sheet.write_string(1, 0, w("wb.note.inputs"), fmt["note"])
    grid.row = YEAR_ROW - 1
    grid.header([w("wb.h.path"), w("wb.h.label"), w("wb.h.unit"), w("wb.h.value"), ""])
    out = InputRows(sheet_name)
    section = None
    for name, params in _sections(scenario, w, lang):
        if name != section:
            grid.section(name)
            section = name
        for param in params:
            out.rows[param[0]] = grid.row + 1
            _write_param(grid, param, w)
    sheet.set_column(0, 0, 58)
    sheet.set_column(1, 1, 46)
    sheet.set_column(2, 2, 25)
    sheet.set_column(3, 3, 14)
    sheet.set_column(4, 4, 2)
    sheet.set_column(MODEL.first, MODEL.first + len(years) - 1, 12)
    sheet.freeze_panes(YEAR_ROW, MODEL.first)
    return out


def _write_param(grid: TimelineSheet, param: Param, w: Words) -> None:
    path, label, unit, kind, value, number = param
    sheet, fmt, r = grid.sheet, grid.fmt, grid.row
    grid.labels(path, label, w(f"wb.u.{unit}"))
    const, first = MODEL.const or 0, MODEL.first
    style = fmt[f"{number}_input"]
    if kind == "series":
        for t_, v in enumerate(value):
            sheet.write_number(r, first + t_, float(v), style)
    elif kind == "payments":  # explicit payments by year: blank where none
        for t_, v in enumerate(value):
            if v is None:
                sheet.write_blank(r, first + t_, None, style)
            else:
                sheet.write_number(r, first + t_, float(v), style)
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


def _window(path: str, item: Any, w: Words) -> Iterator[Param]:
    yield (f"{path}.from", w("wb.in.from"), "year", "value", item.from_, "int")
    yield (f"{path}.until", w("wb.in.until"), "year", "value", item.until, "int")


def _fixed(path: str, label: str, value: Any) -> Iterator[Param]:
    if value is not None:
        yield (path, label, "text", "fixed", value, "general")


def _sections(s: Scenario, w: Words, lang: Language) -> Iterator[tuple[str, list[Param]]]:
    years = s.years
    yield w("wb.sec.time"), [
        ("start_year", w("wb.in.start_year"), "year", "fixed", s.start_year, "int"),
        ("horizon", w("wb.in.horizon"), "years", "fixed", s.horizon, "int")]
    yield w("wb.sec.indexation"), [
        _series(f"indexation.{n}", w("wb.in.index_rate", name=n), "rate", rates, years, "rate")
        for n, rates in s.indexation.items()]
    f = s.facility
    yield w("wb.sec.facility"), [
        _series("facility.available_hours", w("wb.in.available_hours"), "hours_year",
                f.available_hours, years, "hours"),
        _series("facility.own_use_value_per_hour", w("wb.in.own_use_value"), "eur_h",
                f.own_use_value_per_hour, years, "euro"),
        *_fixed("facility.own_use_value_indexation", w("wb.in.own_use_value_index"),
                f.own_use_value_indexation)]
    for inv in s.investments:
        p = f"investments[{inv.name}]"
        yield w("wb.sec.investments"), [
            (f"{p}.amount", w("wb.in.inv_amount", name=inv.name), "eur_real", "value",
             inv.amount, "euro"),
            (f"{p}.year", w("wb.in.inv_year"), "year", "value", inv.year, "int"),
            (f"{p}.life", w("wb.in.inv_life"), "years", "value", inv.life, "int"),
            (f"{p}.replace", w("wb.in.inv_replace"), "flag", "value", inv.replace, "general"),
            *_fixed(f"{p}.indexation", w("wb.in.price_index"), inv.indexation)]
    for c in s.operating_costs:
        p = f"operating_costs[{c.name}]"
        yield w("wb.sec.operating_costs"), [
            *_fixed(f"{p}.category", w("wb.in.category", name=c.name), c.category),
            _series(f"{p}.amount", w("wb.in.amount", name=c.name), "eur_year_real",
                    c.amount, years, "euro"),
            *_fixed(f"{p}.indexation", w("wb.in.index"), c.indexation), *_window(p, c, w)]
    yield w("wb.sec.rental"), [
        _series("rental.variable_cost_per_hour", w("wb.in.variable_cost"), "eur_h_real",
                s.rental.variable_cost_per_hour, years, "euro"),
        *_fixed("rental.variable_cost_indexation", w("wb.in.variable_cost_index"),
                s.rental.variable_cost_indexation)]
    for seg in s.rental.segments:
        yield w("wb.sec.rental"), list(_segment(seg, years, w))
    for sub in s.subsidies:
        yield w("wb.sec.subsidies"), list(_subsidy(sub, years, w))
    for party in s.parties:
        yield w("wb.sec.parties"), list(_party(party, years, w))
    fin = s.finance
    yield w("wb.sec.finance"), [
        ("finance.opening_cash", w("wb.in.opening_cash"), "eur", "value", fin.opening_cash,
         "euro"),
        ("finance.minimum_cash", w("wb.in.minimum_cash"), "eur", "value", fin.minimum_cash,
         "euro"),
        ("finance.discount_rate", w("wb.in.discount_rate"), "rate", "value",
         fin.discount_rate, "rate")]
    for loan in getattr(fin, "loans", ()):
        yield w("wb.sec.finance"), list(_loan(loan, w))
    booked = _actuals(s, w, lang)
    if booked:
        yield w("wb.sec.actuals"), booked


def _actuals(s: Scenario, w: Words, lang: Language) -> list[Param]:
    """Input rows of the booked amounts: one per flow line, blank where not given."""
    ledger = getattr(s, "ledger", None)
    if ledger is None:
        return []
    from finmodel.model.actuals import ACTUAL_FLOWS

    closed = {int(y): j for j, y in enumerate(ledger.years)}
    rows = []
    for name in ACTUAL_FLOWS:
        booked = ledger.line(name)
        values = [None if int(y) not in closed or np.isnan(booked[closed[int(y)]])
                  else float(booked[closed[int(y)]]) for y in s.years]
        hours = name == "rented_hours"
        rows.append((f"actuals.{name}", w("wb.in.booked", line=line_name(lang, name)),
                     "h" if hours else "eur", "payments", values, "hours" if hours else "euro"))
    return rows


def _segment(seg: Any, years: Any, w: Words) -> Iterator[Param]:
    p = f"rental.segments[{seg.name}]"
    yield _series(f"{p}.tariff", w("wb.in.tariff", name=seg.name), "eur_h_real",
                  seg.tariff, years, "euro")
    yield from _fixed(f"{p}.indexation", w("wb.in.tariff_index"), seg.indexation)
    yield (f"{p}.discount", w("wb.in.discount"), "share", "value", seg.discount, "share")
    yield _series(f"{p}.demand_hours", w("wb.in.demand"), "hours_year",
                  seg.demand_hours, years, "hours")
    yield (f"{p}.ramp_up", w("wb.in.ramp_up"), "share_demand", "list", list(seg.ramp_up),
           "share")
    yield from _window(p, seg, w)


def _subsidy(sub: Any, years: Any, w: Words) -> Iterator[Param]:
    p = f"subsidies[{sub.name}]"
    yield from _fixed(f"{p}.type", w("wb.in.type", name=sub.name), sub.type)
    if sub.amounts is not None:
        yield (f"{p}.amounts", w("wb.in.payments"), "eur_nominal", "payments",
               [sub.amounts.get(int(y)) for y in years], "euro")
    else:
        po = sub.phase_out
        yield (f"{p}.amount", w("wb.in.full_amount"), "eur_year_nominal", "value",
               sub.amount, "euro")
        yield (f"{p}.phase_out.start", w("wb.in.po_start"), "year", "value", po.start, "int")
        yield (f"{p}.phase_out.full_years", w("wb.in.po_full"), "years", "value",
               po.full_years, "int")
        yield (f"{p}.phase_out.taper_years", w("wb.in.po_taper"), "years", "value",
               po.taper_years, "int")
        yield from _fixed(f"{p}.phase_out.shape", w("wb.in.po_shape"), po.shape)
    if sub.release_years is not None:
        yield (f"{p}.release_years", w("wb.in.release"), "years", "value", sub.release_years,
               "int")
    if sub.cofinancing_ratio is not None:
        yield (f"{p}.cofinancing_ratio", w("wb.in.cofinancing"), "ratio", "value",
               sub.cofinancing_ratio, "number")


def _loan(loan: Any, w: Words) -> Iterator[Param]:
    p = f"finance.loans[{loan.name}]"
    yield (f"{p}.amount", w("wb.in.loan_amount", name=loan.name), "eur_nominal", "value",
           loan.amount, "euro")
    yield (f"{p}.year", w("wb.in.loan_year"), "year", "value", loan.year, "int")
    yield (f"{p}.rate", w("wb.in.loan_rate"), "rate", "value", loan.rate, "rate")
    yield (f"{p}.grace_years", w("wb.in.loan_grace"), "years", "value", loan.grace_years,
           "int")
    yield (f"{p}.term", w("wb.in.loan_term"), "years", "value", loan.term, "int")
    yield from _fixed(f"{p}.repayment", w("wb.in.loan_repayment"), loan.repayment)


def _party(party: Any, years: Any, w: Words) -> Iterator[Param]:
    p = f"parties[{party.name}]"
    yield from _fixed(f"{p}.role", w("wb.in.role", name=party.name), party.role)
    yield _series(f"{p}.own_use_hours", w("wb.in.own_use"), "hours_year",
                  party.own_use_hours, years, "hours")
    for c in party.contributions:
        q = f"{p}.contributions[{c.name}]"
        yield from _fixed(f"{q}.type", w("wb.in.type", name=c.name), c.type)
        yield _series(f"{q}.amount", w("wb.in.amount", name=c.name), "eur_year_real",
                      c.amount, years, "euro")
        yield from _fixed(f"{q}.indexation", w("wb.in.index"), c.indexation)
        yield from _window(q, c, w)
    for b in party.benefits:
        q = f"{p}.benefits[{b.name}]"
        yield _series(f"{q}.amount", w("wb.in.benefit", name=b.name), "eur_year_real",
                      b.amount, years, "euro")
        yield from _fixed(f"{q}.indexation", w("wb.in.index"), b.indexation)
        yield from _window(q, b, w)

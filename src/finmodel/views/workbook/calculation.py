"""The ``calculation`` sheet: the model of spec section 3 as formulas, one per row.

Each row holds the same formula in every year (columns F onwards), reading the inputs
sheet and rows above it; flags (1/0) switch amounts on and off instead of nested IFs.
Blocks run in the order of the contract: timeline, index factors, capacity, rental,
operating costs, investments, subsidies, contributions. A block ends with its totals,
keyed by the contract's line names, which the output sheets link to.

Every formula also stores the value it computes as its cached result, worked out here
with numpy along the same steps (the tests check both against LibreOffice and the engine).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from finmodel.views.i18n import Language, t
from finmodel.views.workbook._grid import MODEL, TimelineSheet, ref, sum_formula
from finmodel.views.workbook.inputs import YEAR_ROW, InputRows

if TYPE_CHECKING:
    from finmodel.model.scenario import Scenario

__all__ = ["CalcRows", "write_calculation"]

Array = NDArray[np.float64]


@dataclass
class CalcRows:
    """Rows of the calculation sheet (1-based) and the values cached in them."""

    grid: TimelineSheet
    inputs: InputRows
    scenario: Scenario
    sheet: str = "calculation"
    lang: Language = "en"
    rows: dict[str, int] = field(default_factory=dict)
    values: dict[str, Array] = field(default_factory=dict)

    def w(self, key: str, **values: Any) -> str:
        """A label in the workbook's language (catalogue key ``key``)."""
        return t(self.lang, key, **values)

    def add(self, key: str, label: str, unit: str, template: str, values: Any,
            fmt: str = "euro", bold: bool = False) -> str:
        array = np.broadcast_to(np.asarray(values, dtype=float), (len(self.grid.years),))
        self.rows[key] = self.grid.formula(key, label, self.w(f"wb.u.{unit}"), template,
                                           array.tolist(), fmt, bold)
        self.values[key] = array
        return key

    def at(self, key: str) -> str:
        """This year's cell of a row, for a formula on this sheet."""
        return f"{{m}}${self.rows[key]}"

    def link(self, key: str) -> str:
        """This year's cell of a row, for a formula on another sheet."""
        return f"{ref(self.sheet)}!{{m}}${self.rows[key]}"

    def total(self, key: str, label: str, unit: str, keys: list[str],
              fmt: str = "euro") -> str:
        values = sum((self.values[k] for k in keys), np.zeros(len(self.grid.years)))
        return self.add(key, label, unit, sum_formula([self.rows[k] for k in keys]), values,
                        fmt, bold=True)

    def index(self, name: str | None) -> tuple[str, Array]:
        """``*`` the index factor of this year (nothing for a nominal item), and its values."""
        if name is None:
            return "", np.ones(len(self.grid.years))
        return f"*{self.at(f'index[{name}]')}", self.values[f"index[{name}]"]

    def next_row(self) -> int:
        return self.grid.row + 1


def write_calculation(workbook: Any, fmt: dict[str, Any], scenario: Scenario,
                      inputs: InputRows, sheet_name: str = "calculation",
                      lang: Language = "en") -> CalcRows:
    """Add the calculation sheet (named ``sheet_name``); return its rows for the output
    sheets."""
    sheet = workbook.get_worksheet_by_name(sheet_name)
    years = scenario.years.tolist()
    grid = TimelineSheet(sheet, fmt, years, MODEL, start_row=0)
    calc = CalcRows(grid, inputs, scenario, sheet_name, lang)
    sheet.write_string(0, 0, calc.w("wb.title.calculation", name=scenario.name), fmt["title"])
    sheet.write_string(1, 0, calc.w("wb.note.calculation"), fmt["note"])
    grid.row = YEAR_ROW - 1
    grid.header([calc.w("wb.h.key"), calc.w("wb.h.calculation"), calc.w("wb.h.unit"), "", ""])
    for block in (_timeline, _indices, _capacity, _rental, _costs, _investments,
                  _subsidies, _contributions):
        block(calc)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 62)
    sheet.set_column(2, 2, 12)
    sheet.set_column(3, 4, 2)
    sheet.set_column(MODEL.first, MODEL.first + len(years) - 1, 13)
    sheet.freeze_panes(YEAR_ROW, MODEL.first)
    return calc


def _timeline(c: CalcRows) -> None:
    c.grid.section(c.w("wb.calc.timeline"))
    years = c.scenario.years.astype(float)
    c.add("year", c.w("wb.c.year"), "year", f"{c.inputs.prefix}{{m}}${YEAR_ROW}", years, "int")
    first = f"${c.grid.first}${c.rows['year']}"
    c.add("first_year", c.w("wb.c.first_year"), "flag01",
          f"({c.at('year')}={first})*1", years == years[0], "int")
    c.add("t", c.w("wb.c.t"), "years", f"{c.at('year')}-{first}",
          years - years[0], "int")


def _indices(c: CalcRows) -> None:
    c.grid.section(c.w("wb.calc.indices"))
    years = c.scenario.years
    for name, rates in c.scenario.indexation.items():
        r = rates.at(years)
        factor = np.cumprod(np.concatenate([[1.0], 1.0 + r[1:]]))
        own = f"{{p}}${c.next_row()}"
        c.add(f"index[{name}]", c.w("wb.c.index", name=name), "factor",
              f"{c.at('first_year')}+(1-{c.at('first_year')})*{own}"
              f"*(1+{c.inputs.series(f'indexation.{name}')})", factor, "factor")


def _capacity(c: CalcRows) -> None:
    c.grid.section(c.w("wb.calc.capacity"))
    s, years = c.scenario, c.scenario.years
    available = s.facility.available_hours.at(years)
    c.add("available_hours", c.w("wb.c.available"), "h",
          c.inputs.series("facility.available_hours"), available, "hours")
    parties = []
    for p in s.parties:
        path = f"parties[{p.name}].own_use_hours"
        parties.append(c.add(f"own_use[{p.name}]", c.w("wb.c.own_use", name=p.name), "h",
                             c.inputs.series(path), p.own_use_hours.at(years), "hours"))
    c.total("own_use_hours", c.w("wb.c.own_use_total"), "h", parties, "hours")
    c.add("rentable_hours", c.w("wb.c.rentable"), "h",
          f"MAX({c.at('available_hours')}-{c.at('own_use_hours')},0)",
          np.maximum(available - c.values["own_use_hours"], 0.0), "hours")


def _window_flag(c: CalcRows, path: str, item: Any) -> tuple[str, Array]:
    """1 inside the item's window (``from`` and ``until`` inclusive, blank = open)."""
    lo, hi = c.inputs.value(f"{path}.from"), c.inputs.value(f"{path}.until")
    year = c.at("year")
    years = c.scenario.years
    start = item.from_ if item.from_ is not None else years[0]
    end = item.until if item.until is not None else years[-1]
    return (f"AND(OR({lo}=\"\",{year}>={lo}),OR({hi}=\"\",{year}<={hi}))*1",
            ((years >= start) & (years <= end)).astype(float))


def _rental(c: CalcRows) -> None:
    s, years = c.scenario, c.scenario.years
    c.grid.section(c.w("wb.calc.rental"))
    year, first = c.at("year"), f"${c.grid.first}${c.rows['year']}"
    segments = s.rental.segments
    for seg in segments:  # stage by stage, so that each stage's rows add up as one block
        frm = c.inputs.value(f"rental.segments[{seg.name}].from")
        start = seg.from_ if seg.from_ is not None else s.start_year
        c.add(f"operating_year[{seg.name}]", c.w("wb.c.operating_year", name=seg.name),
              "years", f"{year}-IF({frm}=\"\",{first},{frm})", years - start, "int")
    for seg in segments:
        _ramp_row(c, seg)
    requested = [c.add(
        f"requested_hours[{seg.name}]", c.w("wb.c.requested", name=seg.name), "h",
        f"{c.inputs.series(f'rental.segments[{seg.name}].demand_hours')}"
        f"*{c.at(f'ramp_up[{seg.name}]')}",
        seg.demand_hours.at(years) * c.values[f"ramp_up[{seg.name}]"], "hours")
        for seg in segments]
    c.total("requested_hours", c.w("wb.c.requested_total"), "h", requested, "hours")
    total, rentable = c.values["requested_hours"], c.values["rentable_hours"]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = np.where(total > rentable, rentable / np.where(total > 0, total, 1.0), 1.0)
    c.add("capacity_scale", c.w("wb.c.scale"),
          "factor", f"IF({c.at('requested_hours')}>{c.at('rentable_hours')},"
          f"{c.at('rentable_hours')}/{c.at('requested_hours')},1)", scale, "factor")
    rented = [c.add(f"rented_hours[{seg.name}]", c.w("wb.c.rented", name=seg.name), "h",
                    f"{c.at(f'requested_hours[{seg.name}]')}*{c.at('capacity_scale')}",
                    c.values[f"requested_hours[{seg.name}]"] * scale, "hours")
              for seg in segments]
    c.total("rented_hours", c.w("wb.c.rented_total"), "h", rented, "hours")
    _rental_income(c)


def _ramp_row(c: CalcRows, seg: Any) -> None:
    """Ramp-up share: 0 before ``from`` and after ``until``, the list, then 1."""
    years, p = c.scenario.years, f"rental.segments[{seg.name}]"
    start = seg.from_ if seg.from_ is not None else c.scenario.start_year
    k, until = c.at(f"operating_year[{seg.name}]"), c.inputs.value(f"{p}.until")
    template = f"({k}>=0)*OR({until}=\"\",{c.at('year')}<={until})"
    ramp = _ramp_values(years - start, seg.ramp_up)
    if seg.until is not None:
        ramp = ramp * (years <= seg.until)
    n = len(seg.ramp_up)
    if n:
        pick = f"INDEX({c.inputs.span(f'{p}.ramp_up', n)},1,MIN(MAX({k},0),{n - 1})+1)"
        template += f"*(({k}>={n})+({k}<{n})*{pick})"
    c.add(f"ramp_up[{seg.name}]", c.w("wb.c.ramp", name=seg.name),
          "share", template, ramp, "share")


def _ramp_values(k: NDArray[np.int64], ramp_up: tuple[float, ...]) -> Array:
    ramp = (k >= 0).astype(float)
    if ramp_up:
        early = (k >= 0) & (k < len(ramp_up))
        ramp[early] = np.asarray(ramp_up)[k[early]]
    return ramp


def _rental_income(c: CalcRows) -> None:
    s, years = c.scenario, c.scenario.years
    c.grid.section(c.w("wb.calc.rental_income"))
    for seg in s.rental.segments:
        p = f"rental.segments[{seg.name}]"
        idx, factor = c.index(seg.indexation)
        c.add(f"net_tariff[{seg.name}]", c.w("wb.c.net_tariff", name=seg.name),
              "eur_h", f"{c.inputs.series(f'{p}.tariff')}{idx}"
              f"*(1-{c.inputs.value(f'{p}.discount')})",
              seg.tariff.at(years) * factor * (1 - seg.discount))
    incomes = [c.add(f"rental_income[{seg.name}]",
                     c.w("wb.c.rental_income", name=seg.name), "eur",
                     f"{c.at(f'rented_hours[{seg.name}]')}*{c.at(f'net_tariff[{seg.name}]')}",
                     c.values[f"rented_hours[{seg.name}]"] * c.values[f"net_tariff[{seg.name}]"])
               for seg in s.rental.segments]
    c.total("rental_income", c.w("wb.c.rental_income_total"), "eur", incomes)
    idx, factor = c.index(s.rental.variable_cost_indexation)
    c.add("variable_cost_per_hour", c.w("wb.c.variable_cost_per_hour"), "eur_h",
          f"{c.inputs.series('rental.variable_cost_per_hour')}{idx}",
          s.rental.variable_cost_per_hour.at(years) * factor)
    c.add("variable_costs", c.w("wb.c.variable_costs"), "eur",
          f"{c.at('rented_hours')}*{c.at('variable_cost_per_hour')}",
          c.values["rented_hours"] * c.values["variable_cost_per_hour"], bold=True)
    c.add("occupancy", c.w("wb.c.occupancy"), "share",
          f"({c.at('own_use_hours')}+{c.at('rented_hours')})/{c.at('available_hours')}",
          (c.values["own_use_hours"] + c.values["rented_hours"]) / c.values["available_hours"],
          "share")


def _costs(c: CalcRows) -> None:
    s, years = c.scenario, c.scenario.years
    c.grid.section(c.w("wb.calc.costs"))
    flags = {}
    for cost in s.operating_costs:
        p = f"operating_costs[{cost.name}]"
        template, values = _window_flag(c, p, cost)
        flags[cost.name] = c.add(f"in_window[{cost.name}]",
                                 c.w("wb.c.in_window", name=cost.name), "flag01", template,
                                 values, "int")
    items = []
    for cost in s.operating_costs:
        p = f"operating_costs[{cost.name}]"
        idx, factor = c.index(cost.indexation)
        items.append(c.add(f"operating_cost[{cost.name}]", cost.name, "eur",
                           f"{c.inputs.series(f'{p}.amount')}{idx}*{c.at(flags[cost.name])}",
                           cost.amount.at(years) * factor * c.values[flags[cost.name]]))
    c.total("operating_costs", c.w("wb.c.operating_costs"), "eur", items)


def _investments(c: CalcRows) -> None:
    c.grid.section(c.w("wb.calc.investments"))
    keys: dict[str, list[str]] = {"capex": [], "depreciation": [], "book_value": []}
    for inv in c.scenario.investments:
        for line, key in _investment(c, inv).items():
            keys[line].append(key)
    c.total("capex", c.w("wb.c.capex_total"), "eur", keys["capex"])
    c.total("depreciation", c.w("wb.c.depreciation"), "eur", keys["depreciation"])
    c.total("book_value", c.w("wb.c.book_value"), "eur", keys["book_value"])


def _investment(c: CalcRows, inv: Any) -> dict[str, str]:
    years, name = c.scenario.years, inv.name
    p = f"investments[{name}]"
    y, life, replace = (c.inputs.value(f"{p}.{k}") for k in ("year", "life", "replace"))
    year = c.at("year")
    paid = ((years >= inv.year) & ((years - inv.year) % inv.life == 0)
            & (inv.replace | (years == inv.year))).astype(float)
    bought = c.add(f"purchase[{name}]", c.w("wb.c.bought", name=name), "flag01",
                   f"({year}>={y})*(MOD({year}-{y},{life})=0)*OR({replace},{year}={y})",
                   paid, "int")
    idx, factor = c.index(inv.indexation)
    capex = c.add(f"capex[{name}]", c.w("wb.c.capex", name=name), "eur",
                  f"{c.inputs.value(f'{p}.amount')}{idx}*{c.at(bought)}",
                  inv.amount * factor * paid)
    cost = np.maximum.accumulate(np.where(paid > 0, np.arange(len(years)), -1))
    in_use = np.where(cost >= 0, c.values[capex][np.maximum(cost, 0)], 0.0)
    own = f"{{p}}${c.next_row()}"
    use = c.add(f"cost_in_use[{name}]", c.w("wb.c.in_use", name=name), "eur",
                f"{c.at(bought)}*{c.at(capex)}+(1-{c.at(bought)})*{own}", in_use)
    service = ((years >= inv.year) & (inv.replace | (years < inv.year + inv.life))).astype(float)
    serving = c.add(f"in_service[{name}]", c.w("wb.c.in_service", name=name), "flag01",
                    f"({year}>={y})*OR({replace},{year}<{y}+{life})", service, "int")
    dep = c.add(f"depreciation[{name}]", c.w("wb.c.dep", name=name), "eur",
                f"{c.at(use)}/{life}*{c.at(serving)}", in_use / inv.life * service)
    own = f"{{p}}${c.next_row()}"
    book = c.add(f"book_value[{name}]", c.w("wb.c.book", name=name), "eur",
                 f"{own}+{c.at(capex)}-{c.at(dep)}",
                 np.cumsum(c.values[capex] - c.values[dep]))
    return {"capex": capex, "depreciation": dep, "book_value": book}


def _subsidies(c: CalcRows) -> None:
    c.grid.section(c.w("wb.calc.subsidies"))
    cash: list[str] = []
    operating: list[str] = []
    release: list[str] = []
    deferred: list[str] = []
    for sub in c.scenario.subsidies:
        received = _subsidy_cash(c, sub)
        cash.append(received)
        income = _subsidy_income(c, sub, received)
        (release if sub.type == "investment" else operating).append(income)
        own = f"{{p}}${c.next_row()}"
        deferred.append(c.add(
            f"deferred[{sub.name}]", c.w("wb.c.deferred", name=sub.name), "eur",
            f"{own}+{c.at(received)}-{c.at(income)}",
            np.cumsum(c.values[received] - c.values[income])))
    c.total("subsidy_cash", c.w("wb.c.subsidy_cash_total"), "eur", cash)
    c.total("operating_subsidies", c.w("wb.c.operating_subsidies"), "eur", operating)
    c.total("investment_subsidy_release", c.w("wb.c.release_total"), "eur", release)
    c.total("deferred_subsidy", c.w("wb.c.deferred_total"), "eur", deferred)


def _subsidy_cash(c: CalcRows, sub: Any) -> str:
    years, name = c.scenario.years, sub.name
    p = f"subsidies[{name}]"
    if sub.amounts is not None:
        return c.add(f"subsidy_cash[{name}]", c.w("wb.c.sub_cash", name=name), "eur",
                     c.inputs.series(f"{p}.amounts"),
                     [sub.amounts.get(int(y), 0.0) for y in years])
    po = sub.phase_out
    start = c.inputs.value(f"{p}.phase_out.start")
    full = c.inputs.value(f"{p}.phase_out.full_years")
    taper = c.inputs.value(f"{p}.phase_out.taper_years")
    first = po.start if po.start is not None else c.scenario.start_year
    k = c.add(f"phase_out_year[{name}]", c.w("wb.c.po_year", name=name),
              "years", f"{c.at('year')}-IF({start}=\"\",${c.grid.first}${c.rows['year']},{start})",
              years - first, "int")
    kv, f, t = years - first, po.full_years, po.taper_years
    share = (((kv >= 0) & (kv < f)).astype(float)
             + ((kv >= f) & (kv < f + t)) * (1 - (kv - f + 1) / (t + 1)))
    kk = c.at(k)
    s = c.add(f"phase_out_share[{name}]", c.w("wb.c.po_share", name=name),
              "share", f"({kk}>=0)*({kk}<{full})+({kk}>={full})*({kk}<{full}+{taper})"
              f"*(1-({kk}-{full}+1)/({taper}+1))", share, "share")
    return c.add(f"subsidy_cash[{name}]", c.w("wb.c.sub_cash_share", name=name), "eur",
                 f"{c.inputs.value(f'{p}.amount')}*{c.at(s)}", (sub.amount or 0.0) * share)


def _subsidy_income(c: CalcRows, sub: Any, received: str) -> str:
    name = sub.name
    if sub.type == "operating":
        return c.add(f"subsidy_income[{name}]", c.w("wb.c.sub_income_op", name=name), "eur",
                     c.at(received), c.values[received])
    years, cash = c.scenario.years, c.values[received]
    n = sub.release_years
    released = np.array([cash[(years <= y) & (years > y - n)].sum() / n for y in years])
    release = c.inputs.value(f"subsidies[{name}].release_years")
    span = c.grid.span(c.rows["year"])
    return c.add(f"subsidy_income[{name}]",
                 c.w("wb.c.sub_release", name=name), "eur",
                 f"SUMPRODUCT({c.grid.span(c.rows[received])},({span}<={c.at('year')})"
                 f"*({span}>{c.at('year')}-{release}))/{release}", released)


def _contributions(c: CalcRows) -> None:
    c.grid.section(c.w("wb.calc.contributions"))
    years = c.scenario.years
    cash: list[str] = []
    in_kind: list[str] = []
    for party in c.scenario.parties:
        for con in party.contributions:
            p = f"parties[{party.name}].contributions[{con.name}]"
            template, values = _window_flag(c, p, con)
            flag = c.add(f"in_window[{party.name}: {con.name}]",
                         c.w("wb.c.con_window", party=party.name, name=con.name), "flag01",
                         template, values, "int")
            idx, factor = c.index(con.indexation)
            key = c.add(f"contribution[{party.name}: {con.name}]",
                        c.w("wb.c.contribution", party=party.name, name=con.name,
                            type=c.w(f"wb.c.type.{con.type}")), "eur",
                        f"{c.inputs.series(f'{p}.amount')}{idx}*{c.at(flag)}",
                        con.amount.at(years) * factor * values)
            (in_kind if con.type == "in_kind" else cash).append(key)
    c.total("partner_cash", c.w("wb.c.partner_cash"), "eur", cash)
    c.total("in_kind_income", c.w("wb.c.in_kind"), "eur", in_kind)

"""Actuals and the prognosis as formulas (contract v1.1, section 10).

With ``actuals:`` in the scenario the inputs sheet gets a block of booked amounts per
flow line and closed year (blank: not given), and the ``prognosis (formulas)`` sheet
takes each flow from there when it is given and from the plan (the budget and
calculation sheets) when not: ``=IF(actual="", plan, actual)``. Totals, result, net cash
flow and the balances follow from the flows as in the contract (balances rolled forward
from the first year), so both identities hold by construction. An amount typed into an
open year's blank cell counts as booked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.views.i18n import t
from finmodel.views.workbook.calculation import CalcRows
from finmodel.views.workbook.inputs import InputRows
from finmodel.views.workbook.outputs import OutputRows, _Statement

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["SHEET", "write_prognosis"]

SHEET = "prognosis (formulas)"

#: Flows taken from the plan's budget sheet (others from the calculation sheet).
_FROM_BUDGET = ("rental_income", "operating_subsidies", "investment_subsidy_release",
                "partner_cash", "in_kind_income", "operating_costs", "variable_costs",
                "depreciation", "interest", "rented_hours")


def write_prognosis(workbook: Any, fmt: dict[str, Any], p: Projection, calc: CalcRows,
                    inputs: InputRows, out: OutputRows, finance: Mapping[str, str]) -> None:
    """Add the prognosis sheet (only for a scenario with actuals)."""
    ledger = getattr(p.scenario, "ledger", None)
    if ledger is None:
        return
    from finmodel.analysis.variance import prognosis_lines
    from finmodel.model.actuals import ACTUAL_FLOWS

    values = prognosis_lines(p.evaluation, ledger)
    s = _Statement(workbook, fmt, SHEET, t(out.lang, "wb.title.prognosis", name=p.scenario.name),
                   t(out.lang, "wb.note.prognosis"), p, out)
    zero = np.zeros(len(p.years))
    for name in ACTUAL_FLOWS:
        if ("budget", name) in out.rows and name in _FROM_BUDGET:
            plan = out.at("budget", name)
        elif name in calc.rows:
            plan = calc.link(name)
        else:
            plan = "0"
        booked = inputs.series(f"actuals.{name}")
        s.line(name, f"IF({booked}=\"\",{plan},{booked})", values.get(name, zero))
    _derived(s, values, finance)
    s.line("occupancy", f"({calc.link('own_use_hours')}+{s.at('rented_hours')})"
                        f"/{calc.link('available_hours')}", values["occupancy"])


def _derived(s: _Statement, values: Mapping[str, Any], finance: Mapping[str, str]) -> None:
    def at(*keys: str) -> list[str]:
        return [s.at(k) for k in keys]

    def add(key: str, template: str) -> None:
        s.line(key, template, values[key])

    opening = finance["finance.opening_cash"]
    first = f"${s.grid.first}$"
    add("in_kind_costs", s.at("in_kind_income"))
    add("total_income", "+".join(at("rental_income", "operating_subsidies",
                                    "investment_subsidy_release", "partner_cash",
                                    "in_kind_income")))
    costs = at("operating_costs", "variable_costs", "depreciation", "interest")
    add("total_expenses", "+".join([*costs, s.at("in_kind_costs")]))
    add("result", f"{s.at('total_income')}-{s.at('total_expenses')}")
    add("structural_result", "-".join(at("result", "operating_subsidies",
                                         "investment_subsidy_release")))
    add("net_cash_flow", "+".join(at("rental_income", "partner_cash", "subsidy_cash",
                                     "loan_received")) + "-"
        + "-".join(at("operating_costs", "variable_costs", "interest", "capex", "repayment")))

    def total(key: str) -> str:  # from the first year to this one
        row = s.out.rows[(s.name, key)]
        return f"SUM({first}{row}:{{o}}${row})"

    add("cash_end", f"{opening}+{total('net_cash_flow')}")
    add("book_value", f"{total('capex')}-{total('depreciation')}")
    add("deferred_subsidy", f"{total('subsidy_cash')}-{total('operating_subsidies')}"
                            f"-{total('investment_subsidy_release')}")
    add("debt", f"{total('loan_received')}-{total('repayment')}")
    add("equity", f"{opening}+{total('result')}")
    own = "(" + "+".join(costs) + ")"
    add("self_sufficiency", f"IF({own}=0,\"\",({s.at('rental_income')}"
                            f"+{s.at('partner_cash')})/{own})")

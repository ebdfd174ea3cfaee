"""Budget vs actuals (spec section 10): the prognosis, the variance and the reconciliation.

The **plan** is the scenario's projection, actuals ignored. The **prognosis** takes the
actual flows in the closed years and the plan's flows after them, and goes through the
engine's own :func:`~finmodel.model.engine.derive_lines` (totals, ``result``,
``net_cash_flow``, ``cash_end``, ``equity``, ``occupancy``, ``self_sufficiency``) and
:func:`~finmodel.model.engine.kpis`, with the balances of fixed assets, deferred subsidy
and debt rolled forward from the flows, so both identities hold by construction. All of
it is numpy over lines x years; no second model.

The **variance** compares plan and prognosis per closed year and line. A control balance
given in the actuals that differs from the rolled-forward balance by more than
:data:`RECONCILIATION_TOLERANCE` is a flag, ``reconciliation[LINE]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from finmodel.model.actuals import ACTUAL_FLOWS, CONTROL_BALANCES, Actuals
from finmodel.model.checks import Check
from finmodel.model.engine import KPIS, LINES, Evaluation, derive_lines, kpis
from finmodel.model.projection import Projection, project
from finmodel.model.scenario import Scenario

__all__ = ["RECONCILIATION_TOLERANCE", "Reconciliation", "Variance", "prognosis_lines",
           "variance"]

#: A control balance reconciles when it is within this many euros of the rolled-forward one.
RECONCILIATION_TOLERANCE = 0.01

Array = NDArray[np.float64]

#: Balances rolled forward from the flows: (balance, flows added, flows subtracted).
_ROLLED = (
    ("book_value", ("capex",), ("depreciation",)),
    ("deferred_subsidy", ("subsidy_cash",), ("operating_subsidies", "investment_subsidy_release")),
    ("debt", ("loan_received",), ("repayment",)),
)


#: Rows of the loan flows among :data:`ACTUAL_FLOWS`.
_LOAN_FLOWS = [ACTUAL_FLOWS.index(n) for n in ("interest", "loan_received", "repayment")]


@dataclass(frozen=True)
class Reconciliation(Check):
    """A control balance against the rolled-forward one: the years and differences
    (control - prognosis, EUR) where they differ by more than a cent."""

    differences: tuple[float, ...] = ()
    given: tuple[int, ...] = ()   # the closed years in which the control balance is given

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "differences": list(self.differences)}


def _plan_line(plan: Evaluation, name: str) -> Array:
    """A line of the plan; zeros for a flow the engine does not project."""
    if name in plan.lines:
        return np.asarray(plan.lines[name], dtype=float)
    return np.zeros(len(plan.years))


def prognosis_lines(plan: Evaluation, actuals: Actuals | None) -> dict[str, Array]:
    """Every line of the prognosis: actual flows in the closed years, the plan's after.

    Parameters
    ----------
    plan
        The engine's projection of the scenario (one scenario, no batch axis).
    actuals
        The closed years' amounts (NaN: not given, the plan's value is kept); None gives
        the plan's lines back.

    Returns
    -------
    dict
        Every line of :data:`~finmodel.model.engine.LINES`, plus the flows of
        :data:`~finmodel.model.actuals.ACTUAL_FLOWS` and the rolled-forward balances.
    """
    flows = np.stack([_plan_line(plan, name) for name in ACTUAL_FLOWS])     # (F, T)
    if actuals is not None and actuals.years:
        closed = len(actuals.years)
        given = actuals.values[: len(ACTUAL_FLOWS)]                         # (F, C)
        flows[:, :closed] = np.where(np.isnan(given), flows[:, :closed], given)
    lines = dict(zip(ACTUAL_FLOWS, flows, strict=True))
    for balance, plus, minus in _ROLLED:
        lines[balance] = np.cumsum(sum((lines[n] for n in plus), np.zeros(flows.shape[1]))
                                   - sum((lines[n] for n in minus), np.zeros(flows.shape[1])))
    # as in the plan: the loan flows enter the sums when there are any (plan or actuals)
    loans = bool(plan.inputs.loans.names) or bool(np.any(flows[_LOAN_FLOWS]))
    derived = derive_lines(lines, plan.inputs.opening_cash, plan.detail["own_use_hours"],
                           plan.inputs.available_hours, loans=loans)
    return {**lines, **derived}


@dataclass(frozen=True)
class Variance:
    """Plan, prognosis and their differences for one scenario with actuals.

    ``plan`` and ``prognosis`` are full :class:`~finmodel.model.projection.Projection`
    objects (lines, KPIs, the check sheet); :attr:`lines` orders the variance table.
    """

    plan: Projection
    prognosis: Projection
    actuals: Actuals | None
    all_lines: dict[str, Array]

    @property
    def closed_years(self) -> tuple[int, ...]:
        return self.actuals.years if self.actuals is not None else ()

    @property
    def lines(self) -> tuple[str, ...]:
        """Lines of the variance: the engine's, then actual flows it does not project."""
        return LINES + tuple(n for n in ACTUAL_FLOWS if n not in LINES)

    def from_plan(self, name: str) -> NDArray[np.bool_]:
        """Per closed year: True where a flow was not given and the plan's value is kept."""
        closed = len(self.closed_years)
        if self.actuals is None or name not in ACTUAL_FLOWS:
            return np.zeros(closed, dtype=bool)
        return ~self.actuals.given(name)

    def table(self, name: str) -> dict[str, Array]:
        """``plan``, ``actual``, ``difference`` (actual - plan) and ``relative``
        (difference / |plan|, NaN when the plan is 0) per closed year, one line.

        A plan so close to 0 that the ratio is beyond the float range (a plan of 1e-308
        EUR) has no relative difference either (NaN, null in JSON), rather than infinity.
        """
        closed = len(self.closed_years)
        plan = _plan_line(self.plan.evaluation, name)[:closed]
        actual = self.all_lines[name][:closed]
        difference = actual - plan
        with np.errstate(over="ignore"):
            relative = np.divide(difference, np.abs(plan), out=np.full(closed, np.nan),
                                 where=plan != 0)
        relative[~np.isfinite(relative)] = np.nan
        return {"plan": plan, "actual": actual, "difference": difference, "relative": relative}

    @cached_property
    def reconciliation(self) -> tuple[Reconciliation, ...]:
        """One flag per control balance given: where it differs from the prognosis."""
        if self.actuals is None:
            return ()
        years = np.asarray(self.closed_years)
        out = []
        for name in CONTROL_BALANCES:
            given = self.actuals.given(name)
            if not given.any():
                continue
            gap = np.where(given, self.actuals.line(name) - self.all_lines[name][: len(years)],
                           0.0)
            off = np.abs(gap) > RECONCILIATION_TOLERANCE
            out.append(Reconciliation(
                f"reconciliation[{name}]", "flag", not off.any(),
                _reconciliation_message(name, years[given], years[off], gap[off]),
                tuple(years[off].tolist()), tuple(gap[off].tolist()),
                tuple(years[given].tolist())))
        return tuple(out)

    @property
    def checks(self) -> tuple[Check, ...]:
        """The prognosis's check sheet, then the reconciliation flags."""
        return self.prognosis.checks + self.reconciliation

    def kpi_table(self) -> dict[str, dict[str, float | int | None]]:
        """Per KPI: ``plan``, ``prognosis`` and ``difference`` (None where either is null)."""
        out: dict[str, dict[str, float | int | None]] = {}
        for name in KPIS:
            plan, prog = self.plan.kpis[name], self.prognosis.kpis[name]
            diff = None if plan is None or prog is None else prog - plan
            out[name] = {"plan": plan, "prognosis": prog, "difference": diff}
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``finmodel variance`` (null for undefined values, never NaN)."""
        variance = {}
        for name in self.lines:
            table = self.table(name)
            variance[name] = {key: _floats(values) for key, values in table.items()}
            variance[name]["from_plan"] = self.from_plan(name).tolist()
        return {
            "scenario": self.plan.scenario.name,
            "years": self.plan.years.tolist(),
            "closed_years": list(self.closed_years),
            "variance": variance,
            "prognosis": {"lines": {name: _floats(self.all_lines[name]) for name in self.lines},
                          "kpis": dict(self.prognosis.kpis)},
            "kpis": self.kpi_table(),
            "checks": {"master": self.prognosis.master_check,
                       "items": [c.to_dict() for c in self.checks]},
        }


def variance(scenario: Scenario, plan: Projection | None = None) -> Variance:
    """Plan, prognosis and variance of a scenario and its actuals (``scenario.ledger``).

    Examples
    --------
    >>> import finmodel
    >>> v = variance(finmodel.load_scenario("scenarios/base_actuals.yaml"))
    >>> v.closed_years
    (2026, 2027)
    >>> bool(v.prognosis.master_check)
    True
    """
    plan = plan if plan is not None else project(scenario)
    lines = prognosis_lines(plan.evaluation, scenario.ledger)
    inputs = plan.evaluation.inputs
    engine_lines = {name: lines[name] for name in LINES}
    evaluation = Evaluation(inputs, engine_lines, plan.evaluation.detail,
                            kpis(engine_lines, inputs))
    return Variance(plan, Projection(scenario, evaluation), scenario.ledger, lines)


def _reconciliation_message(name: str, given: NDArray[np.int64], off: NDArray[np.int64],
                            gaps: Array) -> str:
    if not off.size:
        return (f"{name} in the actuals reconciles with the prognosis in "
                f"{', '.join(map(str, given.tolist()))}")
    parts = ", ".join(f"{year}: {gap:+,.2f} EUR" for year, gap in
                      zip(off.tolist(), gaps.tolist(), strict=True))
    return (f"{name} in the actuals differs from the balance rolled forward from the flows "
            f"({parts}; actuals minus prognosis)")


def _floats(values: Array) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in np.asarray(values).tolist()]

"""The explorer's controls: which drivers of a scenario it offers, their ranges and meaning.

A :class:`Control` names the parameter it changes by its path and says how a control
value becomes scenario data (:meth:`Control.data_value`):

- ``value``: the value itself (a number, or a series that is the same every year);
- ``scale``: a factor on a step series ``{year: value}`` (its shape is kept);
- ``shift``: a shift of a step series of index rates, added to every step;
- ``years``: ramp-up years to maturity (the ramp-up curve resampled), or a phase-out's
  ``full_years``/``taper_years``.

``value``, ``scale`` and ``shift`` controls of numeric parameters go through the engine's
draw axis (no validation per update: their ranges keep them valid); the others change
the scenario's structure (``Scenario.with_changes``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from finmodel.model.inputs import numeric_parameters
from finmodel.model.scenario import Scenario

__all__ = ["Control", "scenario_controls"]

Kind = Literal["value", "scale", "shift", "years"]

#: Decimals kept in data values written by the explorer (a millionth of a euro or percent).
_DECIMALS = 10


@dataclass(frozen=True)
class Control:
    """One slider of the explorer.

    ``path`` is the parameter it changes (the key of :meth:`Explorer.set`), ``base`` its
    value in the scenario, ``low``..``high`` its range and ``step`` its slider step, all in
    ``unit``. ``fast`` is true when it goes through the draw axis. ``kind_of_item`` is a
    contribution's ``type`` (``cash`` or ``in_kind``), else empty. ``label`` is a short
    English name for code and errors; the panel names a control in its language with
    :func:`finmodel.explore.display.label`.
    """

    path: str
    label: str
    group: str
    kind: Kind
    base: float
    low: float
    high: float
    step: float
    unit: str
    original: Any
    fast: bool = True
    kind_of_item: str = ""

    @property
    def integer(self) -> bool:
        return self.kind == "years"

    def data_value(self, value: float) -> Any:
        """The scenario data (number, ``{year: value}`` or list) for a control value.

        Examples
        --------
        >>> c = Control("x", "x", "g", "scale", 1.0, 0.0, 2.0, 0.05, "x", {2026: 220, 2032: 240})
        >>> c.data_value(1.1)
        {2026: 242.0, 2032: 264.0}
        >>> c = Control("p.ramp_up", "r", "g", "years", 3, 0, 10, 1, "years", [0.3, 0.6, 0.85],
        ...             False)
        >>> c.data_value(6)
        [0.3, 0.45, 0.6, 0.725, 0.85, 0.925]
        """
        if self.kind == "value":
            return float(value)
        if self.kind == "scale":
            return {y: round(v * value, _DECIMALS) for y, v in self.original.items()}
        if self.kind == "shift":
            return {y: round(v + value, _DECIMALS) for y, v in self.original.items()}
        if self.path.endswith(".ramp_up"):
            return ramp_to_years(list(self.original), int(value))
        return int(value)


def ramp_to_years(ramp: list[float], years: int) -> list[float]:
    """A ramp-up curve stretched or squeezed to reach maturity after ``years`` years.

    The curve ``ramp[k]`` (then 1 at maturity) is read as points ``k = 0, 1, ...`` and
    sampled at ``k * len(ramp) / years``; without a curve a straight line is used.

    Examples
    --------
    >>> ramp_to_years([0.5], 3)
    [0.5, 0.6666666667, 0.8333333333]
    >>> ramp_to_years([0.3, 0.6, 0.85], 0), ramp_to_years([], 3)
    ([], [0.25, 0.5, 0.75])
    """
    if not ramp:
        return [round((k + 1) / (years + 1), _DECIMALS) for k in range(years)]
    points = np.arange(len(ramp) + 1)
    shares = np.interp(np.arange(years) * len(ramp) / years, points, [*ramp, 1.0]) \
        if years else np.zeros(0)
    return [round(float(s), _DECIMALS) for s in shares]


def scenario_controls(scenario: Scenario) -> tuple[Control, ...]:
    """The explorer's controls for a scenario: rental, subsidies, partners, indices, cash
    and loans.

    Examples
    --------
    >>> import finmodel
    >>> controls = scenario_controls(finmodel.load_scenario("scenarios/base.yaml"))
    >>> [(c.path, c.kind, c.base, c.low, c.high, c.step) for c in controls][-1]
    ('finance.opening_cash', 'value', 150000.0, 0.0, 500000.0, 5000.0)
    """
    data, numeric = scenario.data, numeric_parameters(scenario)
    out: list[Control] = []
    for s in data.get("rental", {}).get("segments", []):
        path = f"rental.segments[{s['name']}]"
        out.append(_amount(f"{path}.tariff", s["tariff"], f"{s['name']}: tariff", "Rental",
                           "EUR/h"))
        out.append(_amount(f"{path}.demand_hours", s["demand_hours"],
                           f"{s['name']}: demand", "Rental", "h/year"))
        ramp = list(s.get("ramp_up", []))
        out.append(Control(f"{path}.ramp_up", f"{s['name']}: ramp-up", "Rental", "years",
                           len(ramp), 0, max(10, len(ramp) + 5), 1, "years to maturity",
                           ramp, fast=False))
    for u in data.get("subsidies", []):
        out.extend(_subsidy(u))
    for p in data.get("parties", []):
        for c in p.get("contributions", []):
            control = _amount(f"parties[{p['name']}].contributions[{c['name']}].amount",
                              c["amount"], f"{p['name']}: {c['name']} ({c['type']})",
                              "Partners", "EUR/year")
            out.append(dataclasses.replace(control, kind_of_item=c["type"]))
    for name, rate in data.get("indexation", {}).items():
        out.append(_rate(f"indexation.{name}", rate, f"index {name}"))
    opening = data.get("finance", {}).get("opening_cash", 0.0)
    out.append(_amount("finance.opening_cash", opening, "opening cash", "Finance", "EUR",
                       floor=min(0.0, float(opening))))
    for loan in data.get("finance", {}).get("loans", []):
        out.extend(_loan(loan, scenario.start_year, scenario.end_year))
    missing = [c.path for c in out if c.fast and c.path not in numeric]
    assert not missing, f"explorer controls outside the draw axis: {missing}"
    return tuple(out)


def _subsidy(u: dict[str, Any]) -> list[Control]:
    path = f"subsidies[{u['name']}]"
    if "amounts" in u:
        return [Control(f"{path}.amounts", f"{u['name']}: amounts", "Subsidies", "scale", 1.0,
                        0.0, 2.0, 0.05, "x the yearly amounts", dict(u["amounts"]), fast=False)]
    out = [_amount(f"{path}.amount", u["amount"], f"{u['name']}: amount", "Subsidies",
                   "EUR/year")]
    phase = u["phase_out"]
    full = phase.get("full_years", 0)
    out.append(Control(f"{path}.phase_out.full_years", f"{u['name']}: full years", "Subsidies",
                       "years", full, 0, max(10, full + 5), 1, "years", full, fast=False))
    if phase.get("shape", "linear") == "linear":
        taper = phase.get("taper_years", 0)
        out.append(Control(f"{path}.phase_out.taper_years", f"{u['name']}: taper years",
                           "Subsidies", "years", taper, 0, max(10, taper + 5), 1, "years",
                           taper, fast=False))
    return out


def _loan(loan: dict[str, Any], first: int, last: int) -> list[Control]:
    """A loan's amount, rate, year, grace years and term, all on the draw axis.

    The amount starts at one slider step: a loan in a file must be above 0.
    """
    path, name = f"finance.loans[{loan['name']}]", loan["name"]
    rate = float(loan["rate"])
    grace, term = int(loan.get("grace_years", 0)), int(loan["term"])
    amount = _amount(f"{path}.amount", loan["amount"], f"{name}: amount", "Loans", "EUR")
    return [
        dataclasses.replace(amount, low=amount.step),
        Control(f"{path}.rate", f"{name}: interest rate", "Loans", "value", rate, 0.0,
                max(0.10, rate), 0.0025, "rate per year (0.01 = 1 %)", loan["rate"]),
        Control(f"{path}.year", f"{name}: year drawn", "Loans", "years", int(loan["year"]),
                first, last, 1, "calendar year", loan["year"]),
        Control(f"{path}.grace_years", f"{name}: grace years", "Loans", "years", grace, 0,
                max(10, grace + 5), 1, "years", grace),
        Control(f"{path}.term", f"{name}: term", "Loans", "years", term, 1, max(20, term + 5),
                1, "years of repayment", term),
    ]


def _amount(path: str, original: Any, label: str, group: str, unit: str,
            floor: float = 0.0) -> Control:
    """A non-negative amount: its value when constant, a factor on a step series."""
    if isinstance(original, dict):
        return Control(path, label, group, "scale", 1.0, 0.0, 2.0, 0.05, f"x {unit}",
                       dict(original))
    base = float(original)
    high = _nice(max(2 * abs(base), 100.0))
    step = _nice(high / 100) if high >= 100 else high / 100
    return Control(path, label, group, "value", base, floor, high, step, unit, original)


def _rate(path: str, original: Any, label: str) -> Control:
    """An index rate: its value when constant, a shift of every step otherwise."""
    if isinstance(original, dict):
        return Control(path, label, "Indices", "shift", 0.0, -0.05, 0.05, 0.0025,
                       "+ rate (0.01 = 1 %-point)", dict(original))
    base = float(original)
    return Control(path, label, "Indices", "value", base, min(-0.02, base), max(0.10, base),
                   0.0025, "rate per year (0.01 = 1 %)", original)


def _nice(x: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten at or above ``x``.

    Examples
    --------
    >>> _nice(225.0), _nice(3000.0), _nice(500000.0)
    (500.0, 5000.0, 500000.0)
    """
    power = 10.0 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= x * (1 - 1e-12))

"""Interactive exploration of one scenario: move its drivers, watch the budget respond.

An :class:`Explorer` holds a scenario and the current value of each of its controls
(:mod:`finmodel.explore.controls`). Every :meth:`Explorer.set` projects again at once:
numeric drivers go through the engine's draw axis (one draw, no re-validation), structural
ones (ramp-up, phase-out years, explicit subsidy amounts) through
:meth:`Scenario.with_changes`. What changed can be exported (:meth:`Explorer.overrides`)
or saved as a scenario file that ``extends`` the explored one (:meth:`Explorer.save_as`).
The notebook UI is :mod:`finmodel.explore.widgets`; this module needs no browser.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from finmodel.explore.controls import Control, scenario_controls
from finmodel.model.engine import Evaluation, evaluate
from finmodel.model.errors import FinModelError, ParameterError, Problem, ScenarioError
from finmodel.model.projection import Check, Projection
from finmodel.model.scenario import Scenario, load_scenario
from finmodel.model.series import Series

__all__ = ["Control", "Explorer", "INCOME_SOURCES"]

#: Income lines stacked in the "income by source" chart, in budget order.
INCOME_SOURCES: tuple[str, ...] = ("rental_income", "partner_cash", "in_kind_income",
                                   "operating_subsidies", "investment_subsidy_release")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class Explorer:
    """A scenario with movable drivers, projected again on every change.

    Parameters
    ----------
    scenario
        A scenario file (or a loaded :class:`Scenario` that was read from a file).

    Examples
    --------
    >>> ex = Explorer("scenarios/base.yaml")
    >>> ex.set("finance.opening_cash", 151000)
    >>> ex.kpis["min_cash"] - ex.base_kpis["min_cash"], ex.kpis["npv"] == ex.base_kpis["npv"]
    (1000.0, True)
    >>> ex.overrides()
    {'finance.opening_cash': 151000.0}
    """

    def __init__(self, scenario: str | os.PathLike[str] | Scenario) -> None:
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.controls: tuple[Control, ...] = scenario_controls(self.scenario)
        self._by_path = {c.path: c for c in self.controls}
        self._values = {c.path: c.base for c in self.controls}
        self._structural: tuple[tuple[str, Any], ...] = ()
        self._shaped = self.scenario
        self._reference = evaluate(self.scenario)
        self.base_projection = Projection(self.scenario, self._reference)
        self.projection = self.base_projection

    @property
    def path(self) -> Path:
        """The explored scenario file."""
        return Path(self.scenario.files[0].path)

    def control(self, path: str) -> Control:
        """The control of a parameter path; :class:`ParameterError` lists the known ones."""
        try:
            return self._by_path[path]
        except KeyError:
            raise ParameterError(
                f"no explorer control for {path!r}; controls: "
                + ", ".join(self._by_path)) from None

    def value(self, path: str) -> float:
        """The current value of a control (in its unit)."""
        return self._values[self.control(path).path]

    def set(self, path: str, value: float) -> None:
        """Set a control and project again; a value outside its range is a ScenarioError."""
        control = self.control(path)
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not (math.isfinite(number) and control.low <= number <= control.high) or (
                control.integer and not number.is_integer()):
            kind = "a whole number" if control.integer else "a number"
            raise ScenarioError([Problem(
                "<explorer>", 0, path, f"must be {kind} between {control.low:g} and "
                f"{control.high:g} ({control.unit}), got {value!r}", "explorer_range",
                (("got", number),))])
        values = {**self._values, path: number}
        self._update(values)

    def reset(self) -> None:
        """Every control back to the scenario's own value."""
        self._update({c.path: c.base for c in self.controls})

    def _update(self, values: dict[str, float]) -> None:
        changed = [c for c in self.controls if values[c.path] != c.base]
        structural = tuple((c.path, c.data_value(values[c.path])) for c in changed if not c.fast)
        if structural != self._structural:
            shaped = self.scenario.with_changes(dict(structural), source="<explorer>")
            self._reference, self._shaped = evaluate(shaped), shaped
        draws = {c.path: _draw(c.data_value(values[c.path]), self.scenario.years)
                 for c in changed if c.fast}
        evaluation = (_single(evaluate(self._shaped, draws=draws), self._reference) if draws
                      else self._reference)
        self.projection = Projection(self._shaped, evaluation)
        self._values, self._structural = values, structural

    @property
    def values(self) -> dict[str, float]:
        """Current value of every control, by path."""
        return dict(self._values)

    @property
    def kpis(self) -> dict[str, float | int | None]:
        return self.projection.kpis

    @property
    def base_kpis(self) -> dict[str, float | int | None]:
        """KPIs of the scenario as written, to set the explored ones against."""
        return self.base_projection.kpis

    @property
    def prognosis_kpis(self) -> dict[str, float | int | None] | None:
        """KPIs of the prognosis (spec section 10): the closed years as booked, the
        explored plan after them; None when the scenario has no actuals."""
        if self._shaped.ledger is None:
            return None
        from finmodel.analysis.variance import variance

        return variance(self._shaped, self.projection).prognosis.kpis

    @property
    def checks(self) -> tuple[Check, ...]:
        return self.projection.checks

    def chart_data(self) -> dict[str, dict[str, Any]]:
        """What the three charts draw: ``cash``, ``income`` (by source) and ``structural``.

        Examples
        --------
        >>> data = Explorer("scenarios/base.yaml").chart_data()
        >>> sorted(data), sorted(data["cash"])
        (['cash', 'income', 'structural'], ['cash_end', 'minimum_cash', 'years'])
        """
        lines, years = self.projection.lines, self.projection.years
        return {
            "cash": {"years": years, "cash_end": lines["cash_end"],
                     "minimum_cash": np.full(len(years), self._shaped.finance.minimum_cash)},
            "income": {"years": years, "sources": {n: lines[n] for n in INCOME_SOURCES},
                       "total_expenses": lines["total_expenses"]},
            "structural": {"years": years, "structural_result": lines["structural_result"],
                           "result": lines["result"]},
        }

    def overrides(self) -> dict[str, Any]:
        """The changed parameters as scenario data by path (what a saved file holds)."""
        return {c.path: c.data_value(self._values[c.path]) for c in self.controls
                if self._values[c.path] != c.base}

    def save_as(self, name: str, folder: str | os.PathLike[str] | None = None,
                overwrite: bool = False) -> Path:
        """Write ``NAME.yaml`` that ``extends`` the explored file and holds only what changed.

        ``folder`` defaults to the explored file's folder, where batch reports find it.
        The file is loaded back and projected before it takes its place; an existing file
        is replaced only with ``overwrite=True``. Returns the path written.
        """
        from finmodel.explore.save import write_scenario

        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise FinModelError(
                f"scenario name {name!r} not allowed: use 1-64 letters, digits, '-' or '_', "
                "starting with a letter or digit")
        target = Path(folder if folder is not None else self.path.parent) / f"{name}.yaml"
        if target.exists() and not overwrite:
            raise FinModelError(f"{target} exists; choose another name or allow overwriting")
        return write_scenario(target, self.path, self.overrides(), self.projection)


def _draw(data: Any, years: np.ndarray) -> np.ndarray:
    """One draw of a parameter: ``(1,)`` for a number, ``(1, T)`` for a step series."""
    if isinstance(data, dict):
        series = Series(tuple(data), tuple(float(v) for v in data.values()))
        return series.at(years)[None, :]
    return np.array([float(data)])


def _single(batch: Evaluation, reference: Evaluation) -> Evaluation:
    """A one-draw evaluation without its batch axis, shaped like ``reference``."""
    def strip(value: Any, like: Any) -> Any:
        if isinstance(value, np.ndarray):
            return np.broadcast_to(value, (1, *np.shape(like)))[0]
        return value

    inputs = dataclasses.replace(batch.inputs, batch_shape=(), **{
        f.name: strip(getattr(batch.inputs, f.name), getattr(reference.inputs, f.name))
        for f in dataclasses.fields(batch.inputs) if f.name not in ("years", "batch_shape")})
    return Evaluation(inputs, {k: v[0] for k, v in batch.lines.items()},
                      {k: v[0] for k, v in batch.detail.items()},
                      {k: v[0] for k, v in batch.kpis.items()})

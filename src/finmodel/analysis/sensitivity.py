"""Sensitivity (tornado) and data tables (spec section 7), each one vectorized batch.

The tornado sets each uncertain parameter to the P10 and P90 of its distribution, the
others staying at the scenario's values, and ranks the swing of one KPI. A data table
sets two parameters over a grid of values, one KPI per cell. Both evaluate every case
together through the engine's draw axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from finmodel.analysis.measures import AnalysisError, Setting, evaluate_settings, measure
from finmodel.analysis.uncertainty import bounds_of, check_uncertainty, quantile
from finmodel.model.engine import Evaluation
from finmodel.model.scenario import Scenario

__all__ = ["CELLS", "DataTable", "Tornado", "TornadoRow", "data_table", "grid", "tornado"]

Array = NDArray[np.float64]
#: At most this many cells of a data table in one task on a cluster (bounded memory).
CELLS = 20_000


@dataclass(frozen=True)
class TornadoRow:
    """One bar: the parameter's low and high value and the KPI at each."""

    param: str
    low: float
    high: float
    kpi_low: float
    kpi_high: float
    apply: str = "replace"

    @property
    def swing(self) -> float:
        """``|kpi_high - kpi_low|`` (NaN when the KPI is null at either end)."""
        return abs(self.kpi_high - self.kpi_low)

    def to_dict(self) -> dict[str, Any]:
        return {"param": self.param, "apply": self.apply, "low": self.low, "high": self.high,
                "kpi_low": _num(self.kpi_low), "kpi_high": _num(self.kpi_high),
                "swing": _num(self.swing)}


@dataclass(frozen=True)
class Tornado:
    """The tornado of a KPI: ``rows`` ranked by swing, largest first (null swings last)."""

    kpi: str
    base: float
    rows: tuple[TornadoRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "base": _num(self.base),
                "rows": [r.to_dict() for r in self.rows]}


def tornado(scenario: Scenario, kpi: str = "npv", low: float = 0.1,
            high: float = 0.9) -> Tornado:
    """Swing of ``kpi`` when each uncertain parameter goes to its P10 and P90.

    ``low``/``high`` of a row are the distribution's quantiles: values of the parameter
    (``apply: replace``) or factors on its series (``apply: multiply``). ``base`` is the
    KPI of the scenario as written.

    Examples
    --------
    >>> import finmodel
    >>> t = tornado(finmodel.load_scenario("scenarios/base.yaml"), "npv")
    >>> all(a.swing >= b.swing for a, b in zip(t.rows, t.rows[1:]))
    True
    """
    check_uncertainty(scenario)
    of = measure(scenario, kpi).of
    items = list(scenario.uncertainty.items())
    cases = 2 * len(items) + 1                     # the last case is the base
    settings, ends = [], []
    for k, (path, dist) in enumerate(items):
        values = np.full(cases, np.nan)
        pair = np.array([quantile(dist, low), quantile(dist, high)])
        if dist.apply == "replace":
            pair = bounds_of(path).clip(pair)
        values[2 * k: 2 * k + 2] = pair
        settings.append(Setting(path, values, dist.apply == "multiply"))
        ends.append((path, dist.apply, *pair.tolist()))
    result = of(evaluate_settings(scenario, settings))
    rows = [TornadoRow(path, lo, hi, float(result[2 * k]), float(result[2 * k + 1]), apply)
            for k, (path, apply, lo, hi) in enumerate(ends)]
    rows.sort(key=lambda r: -r.swing if not math.isnan(r.swing) else math.inf)
    return Tornado(kpi, float(result[-1]), tuple(rows))


def grid(spec: str) -> tuple[str, list[float]]:
    """Parse ``PATH=A:B:N`` into the path and N evenly spaced values from A to B.

    Examples
    --------
    >>> grid("rental.segments[Schools].tariff=80:120:5")
    ('rental.segments[Schools].tariff', [80.0, 90.0, 100.0, 110.0, 120.0])
    """
    path, sep, rng = spec.rpartition("=")
    parts = rng.split(":")
    try:
        a, b, n = float(parts[0]), float(parts[1]), int(parts[2])
        if not sep or len(parts) != 3 or n < 1 or not (math.isfinite(a) and math.isfinite(b)):
            raise ValueError
    except (ValueError, IndexError):
        raise AnalysisError(f"expected PATH=A:B:N (N >= 1 values from A to B), "
                            f"got {spec!r}", code="grid_form", got=repr(spec)) from None
    return path, np.linspace(a, b, n).tolist()


@dataclass(frozen=True)
class DataTable:
    """A KPI over a grid: ``cells[i, j]`` at ``y_values[i]``, ``x_values[j]``.

    ``invalid[i, j]`` is true where the pair of values would not make a valid scenario
    file: the parties' own use above the available hours in some year (the engine then
    leaves no hours to rent, as for such a draw; a file with it is an error).
    """

    kpi: str
    x_param: str
    x_values: Array
    y_param: str
    y_values: Array
    cells: Array
    invalid: NDArray[np.bool_] | None = None

    @property
    def invalid_cells(self) -> NDArray[np.bool_]:
        return (np.zeros(self.cells.shape, dtype=bool) if self.invalid is None
                else self.invalid)

    def to_dict(self) -> dict[str, Any]:
        return {"kpi": self.kpi,
                "x": {"param": self.x_param, "values": self.x_values.tolist()},
                "y": {"param": self.y_param, "values": self.y_values.tolist()},
                "cells": [[_num(v) for v in row] for row in self.cells.tolist()],
                "invalid": self.invalid_cells.tolist()}



def data_table(scenario: Scenario, x: tuple[str, Any], y: tuple[str, Any],
               kpi: str = "npv", client: Any = None) -> DataTable:
    """``kpi`` for every pair of values of two parameters; each value replaces the
    parameter in every year. Other parameters stay as written (no uncertainty).

    With ``client`` (a ``distributed.Client``) the cells are evaluated in blocks of at
    most :data:`CELLS` on its cluster's workers; the numbers are the same as without it
    (the engine evaluates each cell on its own).

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> t = data_table(base, ("finance.opening_cash", [0, 100000, 200000]),
    ...                ("finance.discount_rate", [0.0, 0.04]), "min_cash")
    >>> t.cells.shape, float(t.cells[0, 2] - t.cells[0, 1])
    ((2, 3), 100000.0)
    """
    (xp, xv), (yp, yv) = (_axis(*x), _axis(*y))
    if xp == yp:
        raise AnalysisError(f"x and y must be two different parameters, got {xp!r} twice",
                            code="grid_same", path=repr(xp))
    measure(scenario, kpi)  # an unknown KPI is an error before any work
    xs, ys = (a.ravel() for a in np.meshgrid(xv, yv))
    if client is None:
        cells, invalid = table_cells(scenario, xp, xs, yp, ys, kpi)
    else:
        from finmodel.analysis._distributed import table_blocks

        cells, invalid = table_blocks(client, table_cells, scenario, (xp, xs), (yp, ys),
                                      kpi, CELLS)
    shape = (len(yv), len(xv))
    return DataTable(kpi, xp, xv, yp, yv, cells.reshape(shape), invalid.reshape(shape))


def table_cells(scenario: Scenario, xp: str, xs: Array, yp: str, ys: Array, kpi: str
                ) -> tuple[Array, NDArray[np.bool_]]:
    """The KPI and the invalid flag of the cells ``(xs[i], ys[i])``, one batch."""
    evaluation = evaluate_settings(scenario, [Setting(xp, xs), Setting(yp, ys)])
    return measure(scenario, kpi).of(evaluation), _over_capacity(evaluation, xs.size)


def _over_capacity(evaluation: Evaluation, cells: int) -> NDArray[np.bool_]:
    """Per cell: own use above the available hours in some year (with the loader's
    tolerance for float rounding)."""
    x = evaluation.inputs
    years = x.years.size
    own = np.broadcast_to(np.asarray(x.own_use).sum(axis=-2), (cells, years))
    available = np.broadcast_to(np.asarray(x.available_hours), (cells, years))
    return np.asarray((own > available + 1e-9 * np.maximum(available, 1.0)).any(axis=-1))


def _axis(path: str, values: Any) -> tuple[str, Array]:
    array = np.asarray(values, dtype=float).ravel()
    bounds = bounds_of(path)
    bad = [v for v in array.tolist() if not bounds.holds(v)]
    if bad:
        raise AnalysisError(f"{path}: must be {bounds.text}, got {bad[0]:g}")
    return path, array


def _num(value: float) -> float | None:
    return None if math.isnan(value) else float(value)

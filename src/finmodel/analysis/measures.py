"""What the analyses measure: a KPI of the contract or ``LINE@YEAR``, for every draw.

Also the parameter values the analyses set: the base value of a path and a batch of
values replacing (or multiplying) it, in the shapes :func:`finmodel.evaluate` takes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from finmodel.analysis.uncertainty import base_values
from finmodel.model.engine import KPIS, LINES, Evaluation, evaluate
from finmodel.model.errors import FinModelError, ParameterError
from finmodel.model.inputs import numeric_parameters
from finmodel.model.scenario import Scenario

__all__ = ["AnalysisError", "Measure", "Setting", "evaluate_settings", "measure"]

Array = NDArray[np.float64]


class AnalysisError(FinModelError, ValueError):
    """An analysis asked for something the scenario cannot answer (a name, a range)."""


@dataclass(frozen=True)
class Measure:
    """A named quantity per draw: ``measure.of(evaluation)`` has shape ``(N,)``."""

    name: str
    of: Callable[[Evaluation], Array]


def measure(scenario: Scenario, name: str) -> Measure:
    """The KPI ``name``, or the line ``LINE@YEAR`` in a calendar year.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> m = measure(base, "structural_result@2040")
    >>> last = finmodel.project(base).lines["structural_result"][-1]
    >>> bool(m.of(finmodel.evaluate(base))[0] == last)
    True
    >>> measure(base, "npv@2030")
    Traceback (most recent call last):
    ...
    finmodel.analysis.measures.AnalysisError: unknown line 'npv' in 'npv@2030'; lines: ...
    """
    if "@" not in name:
        if name not in KPIS:
            raise AnalysisError(f"unknown KPI {name!r}; KPIs: {', '.join(KPIS)}, "
                                f"or LINE@YEAR such as structural_result@{scenario.end_year}",
                                code="unknown_kpi", got=repr(name), kpis=", ".join(KPIS),
                                year=scenario.end_year)
        return Measure(name, lambda e: np.atleast_1d(e.kpis[name]))
    line, _, year = name.partition("@")
    if line not in LINES:
        raise AnalysisError(f"unknown line {line!r} in {name!r}; lines: {', '.join(LINES)}",
                            code="unknown_kpi_line", got=repr(line), name=repr(name),
                            lines=", ".join(LINES))
    if not year.isdigit() or not scenario.start_year <= int(year) <= scenario.end_year:
        raise AnalysisError(f"year {year!r} in {name!r} is not in the horizon "
                            f"{scenario.start_year}..{scenario.end_year}", code="kpi_year",
                            year=repr(year), name=repr(name), first=scenario.start_year,
                            last=scenario.end_year)
    t = int(year) - scenario.start_year
    return Measure(name, lambda e: np.atleast_2d(e.lines[line])[:, t])


@dataclass(frozen=True)
class Setting:
    """Values given to one parameter across a batch: replacing it, or multiplying it."""

    path: str
    values: Array
    multiply: bool = False


def check_path(scenario: Scenario, path: str) -> str:
    """``path`` if it names a numeric parameter, else a :class:`ParameterError`."""
    known = numeric_parameters(scenario)
    if path not in known:
        raise ParameterError(f"not a numeric parameter of scenario {scenario.name!r}: {path!r}",
                             code="not_parameter", scenario=repr(scenario.name),
                             path=repr(path))
    return known[path]


def evaluate_settings(scenario: Scenario, settings: list[Setting],
                      base: tuple[Mapping[str, Array], Mapping[str, Array]] | None = None
                      ) -> Evaluation:
    """Evaluate a batch where each setting gives one parameter a value per draw.

    NaN in a setting's values means "as in the scenario" (the base value, every year).
    ``base`` gives the ``(draws, multiply)`` used where nothing is set (common random
    numbers); a setting wins over a base draw of the same parameter.
    """
    draws: dict[str, Array] = dict(base[0]) if base else {}
    factors: dict[str, Array] = dict(base[1]) if base else {}
    for s in settings:
        kind = check_path(scenario, s.path)
        draws.pop(s.path, None)
        factors.pop(s.path, None)
        keep = np.isnan(s.values)
        if s.multiply:
            factors[s.path] = np.where(keep, 1.0, s.values)
        elif not keep.any():
            draws[s.path] = s.values
        else:
            series = base_values(scenario, s.path)
            full = np.where(keep[:, None], series, s.values[:, None])
            draws[s.path] = full if kind == "series" else full[:, 0]
    return evaluate(scenario, draws=draws, multiply=factors)

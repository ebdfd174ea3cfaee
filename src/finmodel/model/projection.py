"""One scenario's projection: budget, detail, KPIs and checks, as a controller reads them.

:func:`project` wraps :func:`finmodel.model.engine.evaluate` for a single scenario and adds
the checks of spec sections 4 and 6. pandas is imported only when a table is asked for,
so the command line stays quick.
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.model.checks import Check, run_checks
from finmodel.model.engine import KPIS, LINES, Evaluation, evaluate
from finmodel.model.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Check", "Projection", "project"]

_INT_KPIS = ("break_even_year", "min_cash_year", "years_below_minimum")


def project(scenario: Scenario) -> Projection:
    """Project a scenario over its horizon.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> list(p.budget.columns[:3])
    [2026, 2027, 2028]
    >>> bool(abs(p.budget.loc["result"] - (p.budget.loc["total_income"]
    ...                                  - p.budget.loc["total_expenses"])).max() < 1e-6)
    True
    """
    return Projection(scenario, evaluate(scenario))


class Projection:
    """The projection of one scenario: ``lines``, ``kpis``, ``checks``, tables and JSON."""

    def __init__(self, scenario: Scenario, evaluation: Evaluation) -> None:
        if evaluation.inputs.batch_shape:
            raise ValueError("Projection holds one scenario; use evaluate() for draws")
        self.scenario = scenario
        self.evaluation = evaluation
        self.years: np.ndarray = evaluation.years
        self.lines: dict[str, np.ndarray] = evaluation.lines

    @cached_property
    def kpis(self) -> dict[str, float | int | None]:
        """KPIs of spec section 4; ``None`` where the contract says null."""
        out: dict[str, float | int | None] = {}
        for name in KPIS:
            value = float(self.evaluation.kpis[name])
            out[name] = None if math.isnan(value) else (
                int(value) if name in _INT_KPIS else value)
        return out

    @cached_property
    def checks(self) -> tuple[Check, ...]:
        """The check sheet: identities first, then the flags of spec section 6."""
        return run_checks(self)

    @property
    def master_check(self) -> bool:
        """True when every identity check holds (flags are warnings, reported apart)."""
        return all(c.passed for c in self.checks if c.kind == "identity")

    @cached_property
    def budget(self) -> pd.DataFrame:
        """Every line of the contract: lines as rows, calendar years as columns."""
        import pandas as pd

        frame = pd.DataFrame([self.lines[name] for name in LINES], index=list(LINES),
                             columns=self.years.tolist())
        frame.index.name = "line"
        return frame

    @cached_property
    def detail(self) -> dict[str, pd.DataFrame]:
        """Per-item tables (years as columns): segments, capacity, operating_costs,
        purchases, subsidies, contributions, benefits."""
        from finmodel.model.detail import detail_frames

        return detail_frames(self)

    def to_dict(self, detail: bool = False) -> dict[str, Any]:
        """The JSON contract of spec section 4 plus ``checks`` (and ``detail`` if asked)."""
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "start_year": self.scenario.start_year,
            "years": self.years.tolist(),
            "lines": {name: _floats(self.lines[name]) for name in LINES},
            "kpis": dict(self.kpis),
            "checks": {"master": self.master_check,
                       "items": [c.to_dict() for c in self.checks]},
        }
        if detail:
            from finmodel.model.detail import detail_dict

            out["detail"] = detail_dict(self)
        return out

    def to_json(self, detail: bool = False, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text (null for undefined values, never NaN)."""
        return json.dumps(self.to_dict(detail), indent=indent, allow_nan=False)

    def __repr__(self) -> str:
        return (f"<Projection {self.scenario.name!r} {self.years[0]}-{self.years[-1]}: "
                f"npv {self.kpis['npv']:,.0f} EUR, master check "
                f"{'OK' if self.master_check else 'FAILED'}>")


def _floats(values: np.ndarray) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in values.tolist()]

"""Speed of budget vs actuals (issue 14): reading the ledger and the prognosis."""

from __future__ import annotations

import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import finmodel
from finmodel.analysis.variance import variance

PLAN = Path("scenarios/base.yaml")
ACTUALS = Path("scenarios/base_actuals.yaml")


def _best(stmt: Callable[[], Any], number: int, repeat: int = 5) -> float:
    """Best time per call, in seconds (the least disturbed of `repeat` runs)."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number


def main() -> None:
    scenario = finmodel.load_scenario(ACTUALS)
    plan = finmodel.project(scenario)
    load_plan = _best(lambda: finmodel.load_scenario(PLAN), number=20)
    load_actuals = _best(lambda: finmodel.load_scenario(ACTUALS), number=20)
    one = _best(lambda: finmodel.project(scenario).kpis, number=100)
    prognosis = _best(lambda: variance(scenario, plan).prognosis.kpis, number=100)
    json = _best(lambda: variance(scenario, plan).to_dict(), number=50)
    print(f"load_scenario(base):              {load_plan * 1e3:7.2f} ms")
    print(f"load_scenario(base_actuals):      {load_actuals * 1e3:7.2f} ms   "
          f"({load_actuals / load_plan:.2f}x: the ledger CSV read and checked)")
    print(f"project (the plan):               {one * 1e3:7.2f} ms")
    print(f"prognosis and its KPIs:           {prognosis * 1e3:7.2f} ms   "
          f"({prognosis / one:.2f}x one projection)")
    print(f"variance JSON (prognosis + table): {json * 1e3:6.2f} ms   "
          f"({json / one:.2f}x one projection)")


if __name__ == "__main__":
    main()

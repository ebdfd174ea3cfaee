"""Speed of the party statement, the risk register and partner exit (issue 5)."""

from __future__ import annotations

import timeit
from pathlib import Path

import finmodel
from finmodel.analysis.parties import party_statement
from finmodel.analysis.risks import risk_register, validate_risks
from finmodel.analysis.what_if import compare, exit_overrides

BASE = Path("scenarios/base.yaml")


def _best(stmt, number: int, repeat: int = 5) -> float:
    """Best time per call, in seconds (the least disturbed of `repeat` runs)."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number


def main() -> None:
    scenario = finmodel.load_scenario(BASE)
    if not scenario.risks:  # the register needs risks; borrow the exit as one
        scenario = scenario.with_changes({"risks": [
            {"name": "Vendor exits", "probability": 0.2,
             "overrides": exit_overrides(scenario, "CareTech Vendor", 2029)}]})
    n = len(scenario.risks)
    one = _best(lambda: finmodel.project(scenario).kpis, number=100)
    load = _best(lambda: finmodel.load_scenario(BASE), number=20)
    statement = _best(lambda: party_statement(finmodel.project(scenario)), number=100)
    check = _best(lambda: validate_risks(scenario), number=20)
    register = _best(lambda: risk_register(scenario), number=10)
    what_if = _best(lambda: compare(scenario, exit_overrides(scenario, "CareTech Vendor", 2029)),
                    number=20)
    print(f"project(base):                 {one * 1e3:7.2f} ms")
    print(f"load_scenario(base):           {load * 1e3:7.2f} ms")
    print(f"party_statement (with project): {statement * 1e3:6.2f} ms   "
          f"({statement / one:.1f}x one projection)")
    print(f"validate_risks ({n} risks):      {check * 1e3:7.2f} ms   "
          f"({check / load:.2f}x loading the file)")
    print(f"risk_register ({n} risks):       {register * 1e3:7.2f} ms   "
          f"({register / one:.1f}x one projection)")
    print(f"what-if exit (two projections): {what_if * 1e3:6.2f} ms")

"""Bridge cost: exact Shapley over 2**n hybrids, and the sampled estimate (lean_cash).

Prints the time of one hybrid (validate + evaluate), of exact bridges with 4 and 8 items,
and of the 19-item lean_cash bridge with early stopping against the full 200 orders.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import finmodel
from finmodel.analysis.compare import bridge


def _timed(call: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    base = finmodel.load_scenario("scenarios/base.yaml")
    costs = [c.name for c in base.operating_costs]
    for n in (4, 8):
        changes: dict[str, Any] = {f"operating_costs[{name}].amount": 1000.0 * (i + 1)
                                   for i, name in enumerate(costs[: n - 2])}
        changes |= {"indexation.cpi": 0.03, "indexation.wages": 0.035}
        other = base.with_changes(changes)
        seconds, result = _timed(lambda o=other: bridge(base, o))
        per = seconds / result.projections
        print(f"exact bridge, {n} items: {result.projections} projections in "
              f"{seconds:.3f} s ({per * 1000:.2f} ms per hybrid)")
    lean = finmodel.load_scenario("scenarios/lean_cash.yaml")
    early_s, early = _timed(lambda: bridge(base, lean), repeat=1)
    full_s, full = _timed(lambda: bridge(base, lean, rtol=-1.0), repeat=1)
    gap = max(abs(a - b) for (_, a), (_, b) in zip(early.parts, full.parts, strict=True))
    print(f"sampled bridge, lean_cash ({len(early.parts)} items): early stop "
          f"{early.permutations} orders, {early.projections} projections, {early_s:.2f} s; "
          f"all {full.permutations} orders {full.projections} projections, {full_s:.2f} s "
          f"({full_s / early_s:.1f}x); largest part difference {gap:.2e} EUR")


if __name__ == "__main__":
    main()

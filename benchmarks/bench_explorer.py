"""Explorer update speed (issues 6, 15): a slider moves -> projection, KPIs, checks, charts.

The target (< 50 ms on the base scenario) is for the update itself. The notebook then
sends the charts' numbers to the browser (:func:`finmodel.explore.live.chart_payload`),
measured apart with its size; what the browser shows is in bench_explorer_browser.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from finmodel.explore.explorer import Explorer

BASE = Path("scenarios/base.yaml")
TARIFF = "rental.segments[Care organisations].tariff"
TAPER = "subsidies[RIF operating grant].phase_out.taper_years"


def _times(update: Callable[[int], object], n: int) -> np.ndarray:
    """Milliseconds per call of ``update(i)`` for ``i = 0 .. n-1`` (after one warm-up)."""
    update(-1)
    out = np.empty(n)
    for i in range(n):
        start = time.perf_counter()
        update(i)
        out[i] = (time.perf_counter() - start) * 1e3
    return out


def _show(label: str, ms: np.ndarray, target: str = "") -> None:
    print(f"{label:<44} median {np.median(ms):6.2f} ms, p95 {np.percentile(ms, 95):6.2f} ms"
          f"  {target}")


def main() -> None:
    explorer = Explorer(BASE)

    def numeric(i: int) -> object:
        explorer.set(TARIFF, 100 + i % 40)
        return explorer.kpis, explorer.checks, explorer.chart_data()

    def structural(i: int) -> object:
        explorer.set(TAPER, i % 6)
        return explorer.kpis, explorer.checks, explorer.chart_data()

    fast = _times(numeric, 300)
    _show("update, numeric driver (draw axis):", fast, "(target < 50 ms)")
    slow = _times(structural, 300)
    _show("update, structural driver (with_changes):", slow, "(target < 50 ms)")
    explorer.reset()

    from finmodel.explore.live import chart_payload

    def payload(i: int) -> str:
        numeric(i)
        return json.dumps(chart_payload(explorer.projection, explorer.base_projection))

    _show("update + chart numbers as JSON (what is sent):", _times(payload, 100),
          f"({len(payload(0)) / 1024:.1f} kB per change)")

if __name__ == "__main__":
    main()

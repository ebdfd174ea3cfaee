"""Explorer update speed (issue 6): a slider moves -> projection, KPIs, checks, chart data.

The target (< 50 ms on the base scenario) is for the update itself. The notebook then
puts the new data into the chart artists and renders a PNG; that is measured apart.
"""

from __future__ import annotations

import io
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

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from finmodel.explore.charts import Charts

    figure = Figure(figsize=(7.4, 10.5), dpi=72, layout="constrained")
    FigureCanvasAgg(figure)
    charts = Charts(explorer.projection, figure)

    def artists(i: int) -> None:
        numeric(i)
        charts.update(explorer.projection)

    def png(i: int) -> None:
        artists(i)
        figure.savefig(io.BytesIO(), format="png")

    _show("update + new data in the chart artists:", _times(artists, 100))
    _show("update + artists + PNG render (what you wait):", _times(png, 10))


if __name__ == "__main__":
    main()

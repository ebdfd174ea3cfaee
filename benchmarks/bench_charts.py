"""The scenario report's 13 charts (issue 16, item 5): CPU of drawing them as SVG with the
report's own writer (finmodel.views.svgplot) against matplotlib drawing the same chart
descriptions, in one warm process; and what importing each costs a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import finmodel
from finmodel.analysis.parties import party_statement
from finmodel.analysis.risks import risk_register
from finmodel.analysis.sensitivity import tornado
from finmodel.analysis.simulation import simulate
from finmodel.views import report_charts
from finmodel.views.chartspec import Chart
from finmodel.views.parties import give_get_spec
from finmodel.views.risks import expected_impact_spec
from finmodel.views.uncertainty_charts import (
    _top_two_table,
    fan_spec,
    heatmap_spec,
    histogram_spec,
    tornado_spec,
)


def _specs() -> list[Chart]:
    """The charts of the report of scenarios/base.yaml, described once."""
    p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    statement = party_statement(p)
    sim = simulate(p.scenario, draws=10_000)
    result = tornado(p.scenario, "npv")
    table = _top_two_table(p.scenario, result)
    assert table is not None
    return [*(spec(p, "en") for spec in report_charts.SPECS),
            *(give_get_spec(statement, name) for name in statement.parties),
            expected_impact_spec(risk_register(p.scenario)),
            fan_spec(sim), histogram_spec(sim), tornado_spec(result), heatmap_spec(table)]


def _cpu(draw: Callable[[Chart], bytes], specs: list[Chart], rounds: int) -> float:
    """CPU seconds per report (all its charts), the best of ``rounds`` after a warm-up."""
    for chart in specs:
        draw(chart)
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for chart in specs:
            draw(chart)
        best = min(best, time.process_time() - started)
    return best


def _import_cpu(module: str) -> float:
    """CPU seconds a fresh interpreter spends importing ``module`` (over bare Python)."""
    code = ("import time; from finmodel.views import reporting; "
            "t = time.process_time(); import {m}; print(time.process_time() - t)")
    done = subprocess.run([sys.executable, "-c", code.format(m=module)], capture_output=True,
                          text=True, check=True)
    return float(done.stdout)


def main() -> None:
    from finmodel.views import charts, svgplot

    specs = _specs()
    ours = _cpu(svgplot.render, specs, 5)
    theirs = _cpu(lambda chart: charts.svg(charts.draw(chart)), specs, 2)
    print(f"{len(specs)} charts of a report, SVG writer:   {ours * 1e3:7.1f} ms CPU")
    print(f"the same drawn with matplotlib:      {theirs * 1e3:7.1f} ms CPU "
          f"({theirs / ours:.0f}x)")
    print(f"import finmodel.views.svgplot:       {_import_cpu('finmodel.views.svgplot') * 1e3:7.1f}"
          " ms CPU")
    print(f"import finmodel.views.charts (mpl):  {_import_cpu('finmodel.views.charts') * 1e3:7.1f}"
          " ms CPU")


if __name__ == "__main__":
    main()

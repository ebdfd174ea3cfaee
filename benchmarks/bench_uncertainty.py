"""Uncertainty speed and memory (issue 4): Monte Carlo, one-by-one, data table, goal seek.

Targets: 100,000 draws of base in under 1 s of compute on one core and at least 100x
faster per draw than one by one; 1,000,000 draws under 1 GiB; a 50 x 50 data table under
1 s; a probabilistic goal seek with 20,000 draws under 5 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

import finmodel
from finmodel.analysis._memory import keep_freed_memory
from finmodel.analysis._quantiles import row_percentiles
from finmodel.analysis.goalseek import probabilistic_goal_seek
from finmodel.analysis.sensitivity import data_table
from finmodel.analysis.simulation import CHUNK, PERCENTILES, simulate
from finmodel.analysis.uncertainty import Sampler
from finmodel.model.engine import evaluate

BASE = Path("scenarios/base.yaml")
# VmHWM is the peak resident set of this process image (ru_maxrss would carry over the
# parent's peak through fork and exec).
_MEMORY = """
import re, sys, finmodel
from finmodel.analysis.simulation import simulate
def peak():
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
scenario = finmodel.load_scenario(sys.argv[1])
before = peak()
simulate(scenario, draws=1_000_000)
print(before, peak())
"""


def _cpu(call: Callable[[], Any], repeat: int = 3) -> float:
    """Best CPU time of one call, in seconds (numpy runs these on one core)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        call()
        best = min(best, time.process_time() - started)
    return best


def _engine_only(scenario: finmodel.Scenario, n: int, chunk: int = CHUNK) -> None:
    sampler = Sampler(scenario)
    for start in range(0, n, chunk):
        evaluate(scenario, *sampler.next(min(chunk, n - start)))


def _one_by_one(scenario: finmodel.Scenario, n: int) -> tuple[float, float]:
    """CPU seconds per draw: evaluate() with one draw, and project() of with_changes()."""
    values, factors = Sampler(scenario).next(n)
    started = time.process_time()
    for i in range(n):
        evaluate(scenario, {p: v[i:i + 1] for p, v in values.items()},
                 {p: v[i:i + 1] for p, v in factors.items()})
    evaluate_one = (time.process_time() - started) / n
    fixed = {p: float(v[0]) for p, v in values.items()}
    started = time.process_time()
    for _ in range(n):
        finmodel.project(scenario.with_changes(fixed)).kpis  # noqa: B018
    return evaluate_one, (time.process_time() - started) / n


def _wall(scenario: finmodel.Scenario, n: int) -> None:
    """Wall time of ``finmodel simulate base --draws N`` after imports (simulate() and
    the summary table): one thread, then the default (chunks and percentiles on a thread
    per core), best of three; the numbers are identical. Then where the time goes."""
    from finmodel.views.uncertainty_text import simulation_text

    def run(threads: int | None) -> None:
        simulation_text(simulate(scenario, draws=n, threads=threads))

    def best(threads: int | None) -> tuple[float, float]:
        walls, cpus = [], []
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            run(threads)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        return min(walls), min(cpus)

    (one, one_cpu), (default, default_cpu) = best(1), best(None)
    cores = len(os.sched_getaffinity(0))
    print(f"{n:,} draws, simulate() + table, wall: 1 thread {one:5.2f} s ({one_cpu:4.2f} s "
          f"CPU), {cores} threads {default:5.2f} s ({default_cpu:4.2f} s CPU) = "
          f"{one / default:4.2f}x   (target < 0.4 s on 2 cores)")
    engine = _cpu(lambda: _engine_only(scenario, n))
    lines = _lines(scenario, 20_000)
    ours = _cpu(lambda: [_percentiles_by_sort(v) for v in lines], repeat=2)
    numpys = _cpu(lambda: [np.percentile(v, PERCENTILES, axis=1) for v in lines], repeat=2)
    print(f"   of which engine alone {engine:4.2f} s CPU = {engine / one_cpu:4.0%} of 1 thread; "
          f"percentiles by one sort per year {numpys / ours:4.1f}x faster than np.percentile "
          f"(same numbers)")
    print(f"   load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
          "cores (the machine is shared: compare ratios)")


def _lines(scenario: finmodel.Scenario, n: int) -> list[NDArray[np.float64]]:
    """Year-major lines ``(T, n)`` of ``n`` draws, as the simulation keeps them."""
    result = evaluate(scenario, *Sampler(scenario).next(n))
    return [np.ascontiguousarray(np.broadcast_to(v, (n, scenario.horizon)).T)
            for v in result.lines.values()]


def _percentiles_by_sort(values: NDArray[np.float64]) -> NDArray[np.float64]:
    return row_percentiles(values, PERCENTILES)


def main() -> None:
    scenario = finmodel.load_scenario(BASE)
    keep_freed_memory()  # as simulate() does: the engine alone is measured the same way
    print(f"base: {len(scenario.uncertainty)} uncertain parameters, horizon "
          f"{scenario.horizon} years")
    n = 100_000
    engine = _cpu(lambda: _engine_only(scenario, n))
    large = _cpu(lambda: _engine_only(scenario, n, 20_000))
    full = _cpu(lambda: simulate(scenario, draws=n))
    print(f"{n:,} draws, engine in chunks of {CHUNK:,}: {engine:6.2f} s CPU   (target < 1 s); "
          f"chunks of 20,000: {large:4.2f} s = {large / engine:4.2f}x")
    print(f"{n:,} draws, simulate() with percentiles:  {full:6.2f} s CPU")
    _wall(scenario, n)
    single, projected = _one_by_one(scenario, 200)
    print(f"one by one: evaluate() {single * 1e3:.2f} ms/draw -> {single * n / engine:5.0f}x "
          f"slower per draw; project(with_changes()) {projected * 1e3:.2f} ms/draw -> "
          f"{projected * n / engine:5.0f}x   (target >= 100x)")

    child = subprocess.run([sys.executable, "-c", _MEMORY, str(BASE)], check=True,
                           capture_output=True, text=True)
    before, after = (int(v) / 1024 for v in child.stdout.split())
    print(f"1,000,000 draws: peak resident memory {after:,.0f} MiB (after import and load "
          f"{before:,.0f} MiB)   (target < 1,024 MiB)")

    grid = np.linspace(80, 140, 50)
    hours = np.linspace(100, 400, 50)
    table = _cpu(lambda: data_table(scenario, ("rental.segments[Care organisations].tariff",
                                               grid),
                                    ("rental.segments[Schools].demand_hours", hours), "npv"))
    print(f"50 x 50 data table: {table * 1e3:6.1f} ms CPU   (target < 1 s)")

    minimum = scenario.finance.minimum_cash
    started = time.process_time()
    seek = probabilistic_goal_seek(scenario, "rental.segments[Care organisations].tariff",
                                   "min_cash", minimum, 0.9, (50.0, 400.0), draws=20_000)
    seek_time = time.process_time() - started
    print(f"probabilistic goal seek, 20,000 draws: {seek_time:5.2f} s CPU   (target < 5 s): "
          f"tariff {seek.value:,.2f} gives P(min_cash >= {minimum:,.0f}) = {seek.achieved:.3f}")


if __name__ == "__main__":
    main()

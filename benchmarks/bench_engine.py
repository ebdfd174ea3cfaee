"""Engine speed (issue 2): one projection, a batch of draws, the CLI as a process."""

from __future__ import annotations

import subprocess
import sys
import timeit
from pathlib import Path

import numpy as np

# the CPU of the engine's share of a simulation, measured as bench_uncertainty does
from bench_uncertainty import _cpu, _engine_only  # benchmarks/ is on sys.path

import finmodel
from finmodel.analysis._memory import keep_freed_memory
from finmodel.analysis.simulation import CHUNK

BASE = Path("scenarios/base.yaml")


def _best(stmt, number: int, repeat: int = 5) -> float:
    """Best time per call, in seconds (the least disturbed of `repeat` runs)."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number


def _process(args: list[str], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        times.append(-timeit.default_timer())
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        times[-1] += timeit.default_timer()
    return float(np.median(times))


def main() -> None:
    scenario = finmodel.load_scenario(BASE)
    one = _best(lambda: finmodel.project(scenario).kpis, number=200)
    print(f"project(base) in-process:        {one * 1e3:7.2f} ms   (target < 5 ms)")

    # issue 16: at least 2x less CPU per draw than before (1.04 s wall on one core
    # before, with the storing and percentiles); the numbers are the same to the bit
    keep_freed_memory()  # as simulate() does
    n = 100_000
    engine = _cpu(lambda: _engine_only(scenario, n), repeat=5)
    single = _cpu(lambda: [finmodel.project(scenario).kpis for _ in range(200)],
                  repeat=5) / 200
    print(f"{n:,} draws of base, Sampler + evaluate() in chunks of {CHUNK:,}: {engine:5.2f} s CPU"
          f" = {engine / n * 1e6:4.1f} us/draw = 1/{single * n / engine:4.0f} of one project()"
          f" ({single * 1e3:.2f} ms CPU)")

    rng = np.random.default_rng(0)
    n = 10_000
    draws = {"rental.segments[Care organisations].tariff": rng.uniform(90, 130, n),
             "indexation.wages": rng.normal(0.03, 0.01, n),
             "finance.opening_cash": rng.normal(150_000, 20_000, n)}
    batch = _best(lambda: finmodel.evaluate(scenario, draws=draws), number=3)
    print(f"evaluate(base, {n:,} draws):     {batch * 1e3:7.2f} ms = {batch / one:5.1f}x one "
          "scenario   (target < 100x)")

    # loans (contract v1.1): a year-by-year loop over the loans, only when there are any
    loans = finmodel.load_scenario(BASE.with_name("bridge_loan.yaml"))
    with_loans = _best(lambda: finmodel.project(loans).kpis, number=200)
    loan_draws = {**draws, "finance.loans[Bridge].rate": rng.uniform(0.03, 0.065, n)}
    loan_batch = _best(lambda: finmodel.evaluate(loans, draws=loan_draws), number=3)
    print(f"project(bridge_loan), one loan:  {with_loans * 1e3:7.2f} ms = "
          f"{with_loans / one:5.2f}x base (no loans)")
    print(f"evaluate(bridge_loan, {n:,} draws, rate drawn): {loan_batch * 1e3:7.2f} ms = "
          f"{loan_batch / batch:5.2f}x the same draws of base")

    exe = str(Path(sys.executable).with_name("finmodel"))
    cli = _process([exe, "run", "base", "--format", "json"])
    floor = _process([sys.executable, "-c", "import numpy, pandas"])
    print(f"`finmodel run base --format json`: {cli * 1e3:6.0f} ms; `import numpy, pandas`: "
          f"{floor * 1e3:.0f} ms; ratio {cli / floor:.2f}   (target < 1.5)")


if __name__ == "__main__":
    main()

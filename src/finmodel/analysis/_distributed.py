"""Monte Carlo chunks on a Dask cluster, with the numbers of the local run.

The client walks the parameter streams in order, as the local run does, but instead of
drawing it takes a copy of the :class:`~finmodel.analysis.uncertainty.Sampler` at each
chunk's first draw and moves on with :meth:`~finmodel.analysis.uncertainty.Sampler.skip`.
A worker draws the chunk from that copy, so every draw is the one the local run makes
at the same position, and the engine evaluates each draw on its own: the KPIs of every
draw, and the lines of the first draws, are identical to the local run's.

``distributed`` is imported only here, and only when a client is passed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from finmodel.analysis.uncertainty import Sampler
from finmodel.model.scenario import Scenario

if TYPE_CHECKING:
    from finmodel.analysis.simulation import _Draws

__all__ = ["simulate_chunks"]

Array = NDArray[np.float64]
#: The task: ``(scenario, sampler, n, with_risks, keep) -> (lines, kpis, risk counts)``.
Task = Callable[[Scenario, Sampler, int, bool, int],
                tuple[dict[str, Array], dict[str, Array], Array]]


def simulate_chunks(client: Any, task: Task, scenario: Scenario, sampler: Sampler,
                    spans: list[tuple[int, int]], with_risks: bool, out: _Draws) -> Array:
    """Evaluate the chunks ``(start, n)`` with ``task`` on the client's workers into
    ``out``; the number of draws in which each risk occurred."""
    from distributed import as_completed

    risks = len(scenario.risks) if with_risks else 0
    shared = client.scatter(scenario, broadcast=True, hash=False)  # once per worker
    futures: dict[Any, int] = {}
    for i, (start, n) in enumerate(spans):
        state = copy.deepcopy(sampler)
        sampler.skip(n, risks)
        future = client.submit(task, shared, state, n, with_risks,
                                out.lines_needed(start, n), pure=False)
        futures[future] = i
    counts: list[Array] = [np.zeros(len(scenario.risks))] * len(spans)
    try:
        for future in as_completed(futures):
            lines, kpis, occurred = future.result()
            i = futures[future]
            out.store(spans[i][0], lines, kpis)
            counts[i] = occurred
            future.release()
    except BaseException:  # Ctrl-C or a failed chunk: nothing more for the cluster to do
        client.cancel(list(futures), force=True)
        raise
    total: Array = np.zeros(len(scenario.risks))
    for occurred in counts:  # in draw order, as the local run adds them
        total += occurred
    return total

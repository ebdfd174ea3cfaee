"""The analyses' batches on a Dask cluster, with the numbers of the local run.

Monte Carlo (:func:`simulate_chunks`):

The client walks the parameter streams in order, as the local run does, but instead of
drawing it takes a copy of the :class:`~finmodel.analysis.uncertainty.Sampler` at each
chunk's first draw and moves on with :meth:`~finmodel.analysis.uncertainty.Sampler.skip`.
A worker draws the chunk from that copy, so every draw is the one the local run makes
at the same position, and the engine evaluates each draw on its own: the KPIs of every
draw, and the lines of the first draws, are identical to the local run's.

The other analyses split a batch whose items do not depend on each other: the cells of
a data table (:func:`table_blocks`), the draws of a probabilistic goal seek
(:class:`ClusterDraws`, drawn on the workers as the Monte Carlo chunks are and kept
there between the steps of the search), the antithetic pairs of orders of a sampled
Shapley bridge (:class:`ClusterPairs`). The engine evaluates each case on its own, so
a case gives the same number in any batch; the results are put back in the local order.

``distributed`` is imported only here, and only when a client is passed.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from finmodel.analysis.uncertainty import Sampler
from finmodel.model.scenario import Scenario

if TYPE_CHECKING:
    from finmodel.analysis.simulation import _Draws

__all__ = ["ClusterDraws", "ClusterPairs", "simulate_chunks", "spans", "table_blocks"]

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


def spans(total: int, client: Any, most: int) -> list[tuple[int, int]]:
    """``(start, n)`` pieces of ``total`` items: one per worker thread, at most ``most``
    items each (bounded memory on a worker)."""
    threads = max(1, sum(client.nthreads().values()))
    size = max(1, min(most, math.ceil(total / threads)))
    return [(start, min(size, total - start)) for start in range(0, total, size)]


def results_in_order(client: Any, futures: Sequence[Any]) -> list[Any]:
    """Each future's result, in order (the first failure in order is raised); on any
    failure or Ctrl-C the others are cancelled."""
    try:
        return [future.result() for future in futures]
    except BaseException:
        client.cancel(list(futures), force=True)
        raise


#: The task: ``(scenario, x_path, x_values, y_path, y_values, kpi) -> (cells, invalid)``.
TableTask = Callable[[Scenario, str, Array, str, Array, str],
                     tuple[Array, NDArray[np.bool_]]]


def table_blocks(client: Any, task: TableTask, scenario: Scenario, x: tuple[str, Array],
                 y: tuple[str, Array], kpi: str, most: int
                 ) -> tuple[Array, NDArray[np.bool_]]:
    """A data table's cells, given as flat ``x`` and ``y`` values per cell, evaluated in
    blocks of consecutive cells on the workers: the KPI and the invalid flag per cell."""
    shared = client.scatter(scenario, broadcast=True, hash=False)
    (xp, xs), (yp, ys) = x, y
    futures = [client.submit(task, shared, xp, xs[start:start + n], yp, ys[start:start + n],
                             kpi, pure=False)
               for start, n in spans(xs.size, client, most)]
    blocks = results_in_order(client, futures)
    return (np.concatenate([cells for cells, _ in blocks]),
            np.concatenate([invalid for _, invalid in blocks]))


def _draw(sampler: Sampler, n: int) -> tuple[dict[str, Array], dict[str, Array], int]:
    """On a worker: the next ``n`` draws of ``sampler``, and ``n``."""
    return (*sampler.next(n), n)


class ClusterDraws:
    """``draws`` draws of the uncertain parameters, drawn and kept on the workers in
    pieces: the draws of the local ``sampler.next(draws)``, piece by piece (see
    :func:`simulate_chunks`). :meth:`map` evaluates a task on every piece."""

    def __init__(self, client: Any, scenario: Scenario, sampler: Sampler, draws: int,
                 most: int) -> None:
        self.client = client
        self.scenario = client.scatter(scenario, broadcast=True, hash=False)
        self.pieces = []
        for _, n in spans(draws, client, most):
            state = copy.deepcopy(sampler)
            sampler.skip(n)
            self.pieces.append(client.submit(_draw, state, n, pure=False))

    def map(self, task: Callable[..., Array], *args: Any) -> Array:
        """``task(scenario, (draws, multiply, n), *args)`` on each piece, where the piece
        is; the results joined along their last axis (the draws), in draw order."""
        futures = [self.client.submit(task, self.scenario, piece, *args, pure=False)
                   for piece in self.pieces]
        return np.concatenate(results_in_order(self.client, futures), axis=-1)

    def close(self) -> None:
        self.client.cancel(self.pieces, force=True)


class ClusterPairs:
    """The pairs of orders of a sampled Shapley estimate on the workers, one task per
    order: a :data:`~finmodel.analysis.shapley.MeansOf` for
    :func:`~finmodel.analysis.shapley.sampled`. ``task(value, order)`` returns the
    order's pair means and the coalitions it valued; ``visited`` collects those of the
    batches handed out. Every batch is submitted at once; what is left when the
    sampling stops early is cancelled."""

    def __init__(self, client: Any, task: Callable[[Any, list[int]], tuple[Array, set[int]]],
                 value: Any) -> None:
        self.client, self.task = client, task
        self.value = client.scatter(value, broadcast=True, hash=False)
        self.visited: set[int] = set()

    def __call__(self, batches: list[list[list[int]]]) -> Iterator[Array]:
        futures = [[self.client.submit(self.task, self.value, order, pure=False)
                    for order in batch] for batch in batches]
        try:
            for batch in futures:
                rows, seen = zip(*results_in_order(self.client, batch), strict=True)
                for masks in seen:
                    self.visited |= masks
                yield np.vstack(rows)
        finally:
            self.client.cancel([f for batch in futures for f in batch], force=True)

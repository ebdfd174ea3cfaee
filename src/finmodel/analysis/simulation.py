"""Monte Carlo over the ``uncertainty`` block (spec section 7), in bounded memory.

Draws are evaluated in chunks through the engine's draw axis (one vectorized pass per
chunk, never one projection per draw). What is kept:

- every KPI of every draw, ``(N,)`` each (8 bytes per draw and KPI: 72 MB for
  1,000,000 draws), so KPI summaries and probabilities are exact over all draws;
- every line of the first ``line_draws`` draws, at most :data:`LINE_MEMORY` bytes
  (121,000 draws for a 15-year horizon). Per-year line percentiles are exact over those
  draws; as draws are independent and identically distributed, the first draws are a
  random sample of all of them, and beyond the cap the percentiles are estimates from
  that sample (``line_draws`` in the output says how many were used).

Where the chunks run: in forked copies of this process on Linux from
:data:`FORK_DRAWS` draws on, writing into shared memory (:mod:`._forked`; the engine
holds the GIL between its small numpy operations, so threads add little), else on
threads, or on a Dask cluster. Only the ``lines`` asked for are kept; their percentiles
and the KPI summaries are computed when first asked for (:class:`LinePercentiles`), or
at once for lines named or many draws (by the processes that drew the chunks, where
they were forked). The numbers never depend on any of this.

Risks join with ``with_risks=True`` as independent yes/no events: each draw decides each
risk with its probability; draws with the same combination of risks are evaluated
together on ``scenario.with_changes(overrides of those risks)`` (later risks win where
two set the same path; a risk's override wins over a draw of the same parameter).
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from finmodel.analysis._memory import keep_freed_memory, untouched
from finmodel.analysis._quantiles import exact_percentiles, row_percentiles
from finmodel.analysis.uncertainty import Sampler, check_uncertainty
from finmodel.model.engine import KPIS, LINES, evaluate
from finmodel.model.errors import FinModelError, Problem, ScenarioError
from finmodel.model.inputs import numeric_parameters
from finmodel.model.scenario import Scenario

__all__ = ["CHUNK", "FORK_DRAWS", "LAZY_MEMORY", "LINE_MEMORY", "PERCENTILES", "LinePercentiles",
           "Simulation", "kpi_summary", "simulate"]

Array = NDArray[np.float64]
#: A KPI's summary: ``mean``, ``sd``, ``p5`` .. ``p95`` (None without defined draws) and
#: ``null_share``.
Summary = dict[str, float | None]
#: The percentiles of a KPI's summary.
KPI_PERCENTILES: tuple[int, ...] = (5, 10, 50, 90, 95)

#: Percentiles kept for every line and year (P25/P75 for the fan chart's inner band).
PERCENTILES: tuple[int, ...] = (5, 10, 25, 50, 75, 90, 95)
#: Draws evaluated in one vectorized pass: small enough for a chunk's arrays to stay in
#: the CPU's cache (2,000 draws x 15 years is 240 KB per line), large enough for numpy's
#: per-call overhead not to count; measured fastest between 1,000 and 20,000.
CHUNK = 2_000
#: From this many draws on, chunks go to forked processes (where possible) rather than
#: threads: below it, a fork and the shared memory cost more than they save.
FORK_DRAWS = 40_000
#: Draws per chunk with the default ``chunk`` on a cluster (fewer, larger tasks) or with
#: risks (a chunk evaluates each combination of risks that occurs in it separately).
LARGE_CHUNK = 20_000
#: Draws transposed at a time when a chunk's lines are stored year by year: a block of
#: 512 draws x 15 years (60 KB) stays in the CPU's first-level cache while it is read
#: column by column (measured: half the time of one copy of the whole chunk).
BLOCK = 512
#: Bytes kept for the per-year lines of the first draws (see the module notes).
LINE_MEMORY = 320 * 2**20
#: Lines kept up to this many bytes stay with the :class:`Simulation` until their
#: percentiles are asked for (a report wants cash's only); larger ones (more than about
#: 20,000 draws of every line) are summarised at once and freed.
LAZY_MEMORY = 64 * 2**20
#: At most this many risks join a simulation (2**10 combinations of risks).
MAX_RISKS = 10


@dataclass(frozen=True)
class Simulation:
    """The outcome of :func:`simulate`: line percentiles, KPI draws and probabilities.

    ``percentiles[line]`` is an array of shape ``(len(PERCENTILES), T)``; ``kpis[name]``
    holds one value per draw (NaN where the contract says null).
    """

    scenario: str
    draws: int
    seed: int
    years: NDArray[np.int64]
    percentiles: Mapping[str, Array]
    kpis: dict[str, Array]
    minimum_cash: float
    line_draws: int
    risks: dict[str, float] = field(default_factory=dict)
    #: :func:`kpi_summary` of the KPIs summarised so far (by :func:`simulate` on its
    #: threads or processes, or when first asked for).
    summaries: dict[str, Summary] = field(default_factory=dict, repr=False, compare=False)

    def line(self, name: str, p: int) -> Array:
        """The ``p``-th percentile of a line in each year, e.g. ``line("cash_end", 50)``."""
        values: Array = self.percentiles[name][PERCENTILES.index(p)]
        return values

    @property
    def cash_above_minimum(self) -> float:
        """``P(cash_end >= minimum_cash in every year)``."""
        return float(np.mean(self.kpis["years_below_minimum"] == 0))

    def standard_error(self, probability: float) -> float:
        """Monte Carlo standard error of a probability estimated from these draws."""
        return math.sqrt(probability * (1 - probability) / self.draws)

    @property
    def break_even_by(self) -> dict[int, float]:
        """``P(break_even_year <= Y)`` for each year Y (never breaking even counts as no)."""
        year = self.kpis["break_even_year"]
        return {int(y): float(np.mean(year <= y)) for y in self.years}

    def kpi_summary(self, name: str) -> Summary:
        """Mean, sd and percentiles of a KPI over the draws where it is defined
        (:func:`kpi_summary`)."""
        if name not in self.summaries:
            self.summaries[name] = kpi_summary(self.kpis[name])
        return dict(self.summaries[name])

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``finmodel simulate --format json`` (README); every line's
        percentiles (not for a simulation of some ``lines`` only)."""
        missing = [name for name in LINES if name not in self.percentiles]
        if missing:
            raise ValueError(f"this simulation kept the lines {list(self.percentiles)} "
                             "only; simulate with lines=None for the JSON of every line")
        if isinstance(self.percentiles, LinePercentiles):  # the rest at once, on threads
            todo = {k: self.kpis[k] for k in KPIS if k not in self.summaries}
            self.summaries.update(self.percentiles.compute(None, todo))
        p = self.cash_above_minimum
        return {
            "scenario": self.scenario, "draws": self.draws, "seed": self.seed,
            "years": self.years.tolist(), "line_draws": self.line_draws,
            "percentiles": {name: {f"p{q}": _floats(self.percentiles[name][i])
                                   for i, q in enumerate(PERCENTILES)} for name in LINES},
            "kpis": {name: self.kpi_summary(name) for name in KPIS},
            "probabilities": {
                "cash_above_minimum_all_years": p,
                "cash_above_minimum_all_years_se": self.standard_error(p),
                "break_even_by": {str(y): v for y, v in self.break_even_by.items()},
            },
            "risks": dict(self.risks),
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)


def kpi_summary(values: Array) -> Summary:
    """Mean, sd and percentiles (``np.percentile``'s, bit for bit) of a KPI's draws where
    it is defined (not NaN), and the share of draws where it is not.

    Examples
    --------
    >>> kpi_summary(np.array([1.0, 2.0, 3.0, np.nan]))["p50"], kpi_summary(np.array([
    ...     1.0, 2.0, 3.0, np.nan]))["null_share"]
    (2.0, 0.25)
    """
    defined = values[~np.isnan(values)]
    out: Summary = {"null_share": 1 - defined.size / values.size}
    if defined.size == 0:
        return {"mean": None, "sd": None, **dict.fromkeys(
            (f"p{p}" for p in KPI_PERCENTILES), None), **out}
    qs = exact_percentiles(defined, KPI_PERCENTILES).tolist()
    return {"mean": float(defined.mean()), "sd": float(defined.std()),
            **{f"p{p}": float(v) for p, v in zip(KPI_PERCENTILES, qs, strict=True)}, **out}


def simulate(scenario: Scenario, draws: int = 10_000, seed: int | None = None,
             with_risks: bool = False, chunk: int = CHUNK, client: Any = None,
             threads: int | None = None, processes: bool | None = None,
             lines: Sequence[str] | None = None,
             meanwhile: Callable[[], object] | None = None) -> Simulation:
    """Monte Carlo: ``draws`` projections of the scenario with its uncertain parameters.

    Parameters
    ----------
    scenario
        A scenario; its ``uncertainty`` block is checked first (:func:`check_uncertainty`).
    draws
        Number of draws N (>= 1).
    seed
        Overrides the scenario's ``seed``; the same seed gives the same numbers.
    with_risks
        Let the scenario's risks occur as independent yes/no events.
    chunk
        Draws per vectorized pass; bounds the working memory, not the result.
    client
        A ``distributed.Client``: the chunks are evaluated on its cluster's workers.
        The numbers are the same as without it (each chunk starts from the parameter
        streams' state at its first draw; see :meth:`Sampler.skip`).
    threads
        Chunks evaluated at the same time on this machine (default: the cores this
        process may use, one below :data:`FORK_DRAWS` draws); the numbers do not
        depend on it.
    processes
        Whether those run in forked copies of this process (Linux) rather than on
        threads: the engine holds the GIL between its many small numpy operations, so
        threads hardly add speed. Default: from :data:`FORK_DRAWS` draws on (below, a
        fork costs more than it saves). Not where processes cannot be forked (macOS,
        Windows) nor with a ``client``.
    lines
        The lines whose percentiles are wanted (default: every one of :data:`LINES`);
        only these are kept per draw, so a few cost a fraction of the memory and time.
        With ``lines`` named, or lines kept over :data:`LAZY_MEMORY`, their
        percentiles and the KPI summaries are computed at once (on threads) and the
        lines freed; otherwise each when first asked for (a report wants cash's only).
    meanwhile
        Called once in this process while the draws are evaluated, before this process
        takes a chunk: with forked processes they start on the chunks at once (e.g. a
        command's remaining input checks and the loading of its number formats run
        beside them); otherwise first. An exception from it stops the simulation and is
        raised here.

    Examples
    --------
    >>> import finmodel
    >>> sim = simulate(finmodel.load_scenario("scenarios/base.yaml"), draws=1000)
    >>> sim.line("cash_end", 5).shape, 0 <= sim.cash_above_minimum <= 1
    ((15,), True)
    """
    if draws < 1:
        raise FinModelError(f"the number of draws must be at least 1, got {draws}",
                            code="draws", got=draws)
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")  # a caller's bug, not input
    check_uncertainty(scenario)
    keep_freed_memory()  # chunks reuse freed memory instead of faulting in new pages
    sampler = Sampler(scenario, seed)
    risky = _Risks(scenario) if with_risks else None
    if chunk == CHUNK and (client is not None or with_risks):
        chunk = LARGE_CHUNK  # the numbers do not depend on it
    spans = [(start, min(chunk, draws - start)) for start in range(0, draws, chunk)]
    names = _line_names(lines)
    forks = _forks(draws, len(spans), threads, processes) if client is None else 1
    if threads is None and forks == 1 and draws < FORK_DRAWS:
        threads = 1  # the engine holds the GIL: a second thread costs CPU, saves little
    out = _Draws(scenario, draws, shared=forks > 1, names=names)
    at_once = lines is not None or out.nbytes > LAZY_MEMORY  # summarised now, lines freed
    done: tuple[dict[str, Array], dict[str, Summary]] = ({}, {})
    if forks == 1 and meanwhile is not None:
        meanwhile()
    if client is not None:
        from finmodel.analysis._distributed import simulate_chunks

        counts = simulate_chunks(client, run_chunk, scenario, sampler, spans, with_risks,
                                 out)
    elif forks > 1:
        counts, done = _simulate_forked(scenario, sampler, risky, spans, forks, out,
                                        meanwhile, at_once)
    else:
        counts = _simulate_here(scenario, sampler, risky, spans, threads, out)
    frequencies = ({r.name: float(c / draws) for r, c in zip(scenario.risks, counts,
                                                             strict=True)}
                   if with_risks else {})
    percentiles = LinePercentiles(out, done[0])
    summaries = done[1]
    if at_once:  # the rest now, on threads
        summaries.update(percentiles.compute(
            threads, {k: v for k, v in out.kpis.items() if k not in summaries}))
    return Simulation(scenario.name, draws, sampler.seed, scenario.years, percentiles,
                      out.kpis, scenario.finance.minimum_cash, out.keep, frequencies,
                      summaries)


def _line_names(lines: Sequence[str] | None) -> tuple[str, ...]:
    if lines is None:
        return LINES
    unknown = sorted(set(lines) - set(LINES))
    if unknown:
        raise ValueError(f"not lines of the budget: {unknown}")  # a caller's bug
    return tuple(name for name in LINES if name in lines)


class LinePercentiles(Mapping[str, Array]):
    """The per-year percentiles ``(len(PERCENTILES), T)`` of the lines a simulation
    kept, each computed when first asked for (bit for bit the same as all at once).
    The draws' lines are kept until every line's percentiles are computed.

    Pickled as a plain dict of every line's percentiles.
    """

    def __init__(self, out: _Draws, done: Mapping[str, Array] | None = None) -> None:
        self._out: _Draws | None = out
        self._names = out.names
        self._done: dict[str, Array] = dict(done or {})  # computed already
        self._lock = threading.Lock()
        self._release()

    def __getitem__(self, name: str) -> Array:
        with self._lock:
            if name not in self._done:
                if name not in self._names or self._out is None:
                    raise KeyError(name)
                self._done[name] = self._out._percentiles(name)
                self._release()
            return self._done[name]

    def __contains__(self, name: object) -> bool:  # without computing it
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def compute(self, threads: int | None, kpis: Mapping[str, Array]
                ) -> dict[str, Summary]:
        """Every line's percentiles now, on ``threads`` threads (numpy's partitions
        release the GIL), and the :func:`kpi_summary` of each of ``kpis``."""
        with self._lock:
            todo = [name for name in self._names if name not in self._done]
            if self._out is None or not todo:
                return {name: kpi_summary(values) for name, values in kpis.items()}
            lines, summaries = self._out.results(threads, todo, kpis)
            self._done.update(lines)
            self._release()
            return summaries

    def _release(self) -> None:
        if len(self._done) == len(self._names):
            self._out = None  # the draws' lines are freed

    def __reduce__(self) -> tuple[Any, ...]:
        self.compute(None, {})
        return dict, ({name: self._done[name] for name in self._names},)


class _Draws:
    """Where the chunks' results go: every KPI of every draw, the lines of the first
    ``keep`` draws (one ``(T, keep)`` array per line, year-major: each year's draws are
    contiguous for the percentiles). Chunks write disjoint parts, so they may be stored
    from several threads at once, or from forked processes (``shared``: the arrays are
    in memory the processes share; :meth:`state` and :meth:`merge` carry the rest).

    A line that no draw reaches comes from the engine without a draw axis (a view with
    stride 0); it is not copied ``keep`` times but kept as one row per chunk, and its
    percentiles are that row. The line arrays are allocated untouched, in small pages
    (:func:`~finmodel.analysis._memory.untouched`): memory is used only for what is
    written, and never waits for huge pages."""

    def __init__(self, scenario: Scenario, draws: int, shared: bool = False,
                 names: tuple[str, ...] = LINES) -> None:
        horizon = scenario.horizon
        # the same draws whichever lines are kept (the numbers do not depend on it)
        self.keep = min(draws, max(1, LINE_MEMORY // (8 * len(LINES) * horizon)))
        self.names = names
        self.nbytes = 8 * horizon * self.keep * len(names)
        if shared:  # written by forked processes (:mod:`~finmodel.analysis._forked`)
            from finmodel.analysis._forked import shared as allocate

            self.lines = {name: allocate((horizon, self.keep)) for name in names}
            kpis = allocate((len(KPIS), draws))
            self.kpis = dict(zip(KPIS, kpis, strict=True))
        else:
            self.lines = {name: untouched((horizon, self.keep)) for name in names}
            self.kpis = {name: np.empty(draws) for name in KPIS}
        self.fixed: dict[str, dict[int, tuple[int, Array]]] = {name: {} for name in names}
        self.written: dict[str, bool] = dict.fromkeys(names, False)

    def lines_needed(self, start: int, n: int) -> int:
        """How many of the draws ``start .. start + n`` have their lines kept."""
        return max(0, min(self.keep, start + n) - start)

    def store(self, start: int, lines: Mapping[str, Array], kpis: Mapping[str, Array]
              ) -> None:
        n = next(iter(kpis.values())).shape[0]
        for name in KPIS:
            self.kpis[name][start:start + n] = kpis[name]
        kept = self.lines_needed(start, n)
        for name in self.names if kept else ():
            values = lines[name]
            if values.strides[0] == 0:  # the same in every draw of the chunk
                self.fixed[name][start] = (kept, values[0].copy())
                continue
            self.written[name] = True
            rows = self.lines[name]
            for first in range(0, kept, BLOCK):  # a block is read in cache, year by year
                last = min(first + BLOCK, kept)
                rows[:, start + first:start + last] = values[first:last].T

    def state(self) -> tuple[dict[str, dict[int, tuple[int, Array]]], dict[str, bool]]:
        """What :meth:`store` noted besides the shared arrays (for :meth:`merge`)."""
        return self.fixed, self.written

    def merge(self, state: tuple[dict[str, dict[int, tuple[int, Array]]],
                                 dict[str, bool]]) -> None:
        """Take in the notes of the chunks another process stored."""
        fixed, written = state
        for name in self.names:
            self.fixed[name].update(fixed[name])
            self.written[name] = self.written[name] or written[name]

    def percentiles(self, threads: int | None) -> dict[str, Array]:
        """The line percentiles, ``(len(PERCENTILES), T)`` per line."""
        return self.results(threads, self.names, {})[0]

    def results(self, threads: int | None, names: Sequence[str], kpis: Mapping[str, Array]
                ) -> tuple[dict[str, Array], dict[str, Summary]]:
        """The percentiles of the lines ``names`` and the summaries (:func:`kpi_summary`)
        of ``kpis``, computed on ``threads`` threads (numpy's partitions release the
        GIL)."""
        workers = _threads(threads, len(names))
        if workers <= 1:
            return ({name: self._percentiles(name) for name in names},
                    {name: kpi_summary(values) for name, values in kpis.items()})
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            pending = {name: pool.submit(kpi_summary, values) for name, values in kpis.items()}
            lines = dict(zip(names, pool.map(self._percentiles, names), strict=True))
            return lines, {name: f.result() for name, f in pending.items()}

    def _percentiles(self, name: str) -> Array:
        """Percentiles ``(len(PERCENTILES), T)`` of a line: ``np.percentile``'s
        (``np.nanpercentile`` for a year with null draws), bit for bit."""
        rows = self.lines[name]
        fixed = list(self.fixed[name].items())
        if not self.written[name] and fixed and all(
                np.array_equal(fixed[0][1][1].view(np.int64), row.view(np.int64))
                for _, (_, row) in fixed):
            # what the percentiles of identical values give (NaN stays NaN)
            return np.repeat(fixed[0][1][1][None, :], len(PERCENTILES), axis=0)
        for start, (kept, row) in fixed:  # chunks mixed: fill in the fixed ones
            rows[:, start:start + kept] = row[:, None]
        return row_percentiles(rows, PERCENTILES)


def _forks(draws: int, chunks: int, threads: int | None, processes: bool | None) -> int:
    """How many processes evaluate the chunks (1: this one, on threads).

    By default only a process running no other thread forks (the command line, a
    script): in a Jupyter kernel or a Dask worker another thread may hold a lock at the
    moment of the fork that the copy would then wait for forever; there the chunks go
    to threads. ``processes=True`` forks all the same.
    """
    if processes is False or (processes is None and (draws < FORK_DRAWS
                                                     or threading.active_count() > 1)):
        return 1
    from finmodel.analysis._forked import can_fork

    return _threads(threads, chunks) if can_fork() else 1


def _simulate_forked(scenario: Scenario, sampler: Sampler, risky: _Risks | None,
                     spans: list[tuple[int, int]], processes: int, out: _Draws,
                     meanwhile: Callable[[], object] | None = None, summarise: bool = False
                     ) -> tuple[Array, tuple[dict[str, Array], dict[str, Summary]]]:
    """Evaluate the chunks in ``processes`` processes, each taking the next chunk from a
    shared count when it is done with one (a process that gets less CPU, e.g. on a
    busy machine, takes fewer). Each process moves its own parameter streams past the
    chunks the others took (:meth:`Sampler.skip`) and draws its chunks itself, so every
    draw is the one a single process makes. ``meanwhile`` runs here before this process
    takes a chunk. With ``summarise``, once every chunk is stored the same processes
    compute the lines' percentiles and the KPI summaries, each taking the next line or
    KPI from a shared count. How often each risk occurred; the percentiles and
    summaries computed."""
    from finmodel.analysis._forked import Counter, in_processes, in_two_steps

    queue = Counter()
    risks = len(scenario.risks) if risky is not None else 0

    def evaluate_taken(i: int) -> tuple[Any, Array]:
        counts = np.zeros(len(scenario.risks))
        position = 0  # the draw the streams are at
        try:
            if i == 0 and meanwhile is not None:
                meanwhile()
            for taken in queue.take(len(spans)):
                start, n = spans[taken]
                sampler.skip(start - position, risks)
                values, factors = sampler.next(n)
                occurred = (sampler.risks(risky.probabilities, n) if risky is not None
                            else None)
                if occurred is not None:
                    counts += occurred.sum(axis=0)
                out.store(start, *evaluate_chunk(scenario, values, factors, n, risky,
                                                 occurred, out.names))
                position = start + n
        except BaseException:
            queue.close(len(spans))  # the others take no new chunk
            raise
        return out.state(), counts

    total: Array = np.zeros(len(scenario.risks))

    def merge(results: list[tuple[Any, Array]]) -> Any:
        nonlocal total
        for i, (state, counts) in enumerate(results):
            if i:  # this process's notes are in ``out`` already
                out.merge(state)
            total += counts  # whole numbers: the same sum in any order
        return out.state()

    if not summarise:
        merge(in_processes(processes, evaluate_taken))
        return total, ({}, {})
    tasks = [*out.names, *KPIS]  # the lines first: they take longest
    summaries = Counter()

    def summarise_taken(i: int, state: Any) -> tuple[dict[str, Array], dict[str, Summary]]:
        if i:  # every process's notes, for the lines' chunks without a draw axis
            out.merge(state)
        lines: dict[str, Array] = {}
        kpis: dict[str, Summary] = {}
        for taken in summaries.take(len(tasks)):
            if taken < len(out.names):
                lines[tasks[taken]] = out._percentiles(tasks[taken])
            else:
                kpis[tasks[taken]] = kpi_summary(out.kpis[tasks[taken]])
        return lines, kpis

    done: tuple[dict[str, Array], dict[str, Summary]] = ({}, {})
    for lines, kpis in in_two_steps(processes, evaluate_taken, merge, summarise_taken)[1]:
        done[0].update(lines)
        done[1].update(kpis)
    return total, done


def _threads(threads: int | None, tasks: int) -> int:
    if threads is None:
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
    return max(1, min(threads, tasks))


def _simulate_here(scenario: Scenario, sampler: Sampler, risky: _Risks | None,
                   spans: list[tuple[int, int]], threads: int | None, out: _Draws
                   ) -> Array:
    """Evaluate the chunks on ``threads`` threads, each taking the next chunk when it is
    done with one. A chunk is drawn by the thread that takes it, under a lock, so the
    draws are made in order (the numbers do not depend on the threads) and only as
    fast as they are evaluated (no third thread competing for the cores, no queue of
    draws in memory)."""
    counts = np.zeros(len(scenario.risks))
    pending = iter(spans)
    lock = threading.Lock()
    stop = threading.Event()  # a failure or Ctrl-C: the other threads take no new chunk

    def take() -> tuple[int, int, dict[str, Array], dict[str, Array],
                        NDArray[np.bool_] | None] | None:
        with lock:
            span = None if stop.is_set() else next(pending, None)
            if span is None:
                return None
            start, n = span
            values, factors = sampler.next(n)
            occurred = None
            if risky is not None:
                occurred = sampler.risks(risky.probabilities, n)
                counts[:] += occurred.sum(axis=0)
        return start, n, values, factors, occurred

    def work() -> None:
        try:
            while (chunk := take()) is not None:
                start, n, values, factors, occurred = chunk
                out.store(start, *evaluate_chunk(scenario, values, factors, n, risky,
                                                 occurred, out.names))
        except BaseException:
            stop.set()
            raise

    workers = _threads(threads, len(spans))
    if workers <= 1:
        work()
        return counts
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(work) for _ in range(workers)]
        try:
            for future in futures:
                future.result()
        except BaseException:
            stop.set()
            raise
    return counts


def run_chunk(scenario: Scenario, sampler: Sampler, n: int, with_risks: bool, keep: int
              ) -> tuple[dict[str, Array], dict[str, Array], Array]:
    """On a worker: the lines of the first ``keep`` draws ``(keep, T)``, the KPIs of all
    ``n`` draws and how often each risk occurred, drawn from ``sampler`` as it is."""
    values, factors = sampler.next(n)
    risky = _Risks(scenario) if with_risks else None
    occurred = sampler.risks(risky.probabilities, n) if risky is not None else None
    lines, kpis = evaluate_chunk(scenario, values, factors, n, risky, occurred)
    counts: Array = (occurred.sum(axis=0).astype(float) if occurred is not None
                     else np.zeros(len(scenario.risks)))
    return ({name: np.ascontiguousarray(v[:keep]) for name, v in lines.items()} if keep
            else {},
            {name: np.ascontiguousarray(v) for name, v in kpis.items()}, counts)


def evaluate_chunk(scenario: Scenario, values: Mapping[str, Array],
                   factors: Mapping[str, Array], n: int, risky: _Risks | None,
                   occurred: NDArray[np.bool_] | None, names: Sequence[str] = LINES
                   ) -> tuple[dict[str, Array], dict[str, Array]]:
    """Lines ``(n, T)`` (at least those in ``names``) and KPIs ``(n,)`` of one chunk of
    draws (risks as drawn)."""
    if risky is None or occurred is None:
        return _evaluate(scenario, values, factors, n, names)
    return risky.evaluate(values, factors, occurred, n)


def _evaluate(scenario: Scenario, values: Mapping[str, Array], factors: Mapping[str, Array],
              n: int, names: Sequence[str] = LINES
              ) -> tuple[dict[str, Array], dict[str, Array]]:
    """Lines ``names`` ``(n, T)`` and KPIs ``(n,)`` (views), also when nothing is drawn."""
    result = evaluate(scenario, draws=values, multiply=factors)
    horizon = scenario.horizon
    return ({k: _shaped(result.lines[k], (n, horizon)) for k in names},
            {k: _shaped(v, (n,)) for k, v in result.kpis.items()})


def _shaped(values: Array, shape: tuple[int, ...]) -> Array:
    """``values`` broadcast to ``shape`` (a view; ``values`` itself when it has it:
    ``np.broadcast_to`` costs a few microseconds, a thousand times per 100,000 draws)."""
    return values if values.shape == shape else np.broadcast_to(values, shape)


class _Risks:
    """Risks as yes/no events: one stressed scenario per combination that occurs."""

    def __init__(self, scenario: Scenario) -> None:
        if len(scenario.risks) > MAX_RISKS:
            raise FinModelError(f"at most {MAX_RISKS} risks can join a simulation "
                                f"(2**{MAX_RISKS} combinations), got {len(scenario.risks)}",
                                code="too_many_risks", limit=MAX_RISKS,
                                got=len(scenario.risks))
        self.scenario = scenario
        self.probabilities = np.array([r.probability for r in scenario.risks])
        self.stressed: dict[int, tuple[Scenario, set[str]]] = {}
        problems: list[Problem] = []
        for code, risk in enumerate(scenario.risks):  # report bad overrides before any work
            try:
                self._scenario(1 << code)
            except ScenarioError as exc:
                for p in exc.problems:
                    where = scenario.origin(f"risks[{risk.name}].overrides.{p.path}")
                    problems.append(Problem(where.file, where.line,
                                            f"risks[{risk.name}].overrides.{p.path}",
                                            p.message))
        if problems:
            raise ScenarioError(problems)

    def _scenario(self, code: int) -> tuple[Scenario, set[str]]:
        if code not in self.stressed:
            changes: dict[str, Any] = {}
            for i, risk in enumerate(self.scenario.risks):
                if code >> i & 1:
                    changes.update(risk.overrides)
            stressed = self.scenario.with_changes(changes, source="risks")
            drawable = set(numeric_parameters(stressed))
            kept = {p for p in self.scenario.uncertainty
                    if p in drawable and not any(_overlaps(p, c) for c in changes)}
            self.stressed[code] = (stressed, kept)
        return self.stressed[code]

    def evaluate(self, values: Mapping[str, Array], factors: Mapping[str, Array],
                 occurred: NDArray[np.bool_], n: int
                 ) -> tuple[dict[str, Array], dict[str, Array]]:
        codes = occurred.astype(np.int64) @ (1 << np.arange(occurred.shape[1], dtype=np.int64))
        horizon = self.scenario.horizon
        lines = {name: np.empty((n, horizon)) for name in LINES}
        kpis = {name: np.empty(n) for name in KPIS}
        for code in np.unique(codes).tolist():
            rows = np.flatnonzero(codes == code)
            scenario, kept = self._scenario(code)
            got_lines, got_kpis = _evaluate(
                scenario, {p: v[rows] for p, v in values.items() if p in kept},
                {p: v[rows] for p, v in factors.items() if p in kept}, rows.size)
            for name in LINES:
                lines[name][rows] = got_lines[name]
            for name in KPIS:
                kpis[name][rows] = got_kpis[name]
        return lines, kpis


def _overlaps(path: str, changed: str) -> bool:
    """Whether setting ``changed`` touches the parameter at ``path`` (same, parent or child)."""
    short, long = sorted((path, changed), key=len)
    return long == short or long.startswith((short + ".", short + "["))


def _floats(values: Array) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in values.tolist()]

"""The fast Monte Carlo gives the numbers of the straightforward one, bit for bit (issue 16).

Three shortcuts are checked against reference implementations kept here (the code they
replaced): per-year percentiles from single-rank partitions
(:mod:`finmodel.analysis._quantiles`) against ``np.percentile``/``np.nanpercentile``;
the engine's subsidy release and item stacking against the former code; and a whole
simulation in chunks of 2,000 on threads, with lines that no draw reaches kept as one
row, against one ``evaluate`` of every draw followed by ``np.percentile`` per year.
Bits are compared (``-0.0`` is not ``0.0``).
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import finmodel
from finmodel.analysis import simulation
from finmodel.analysis._memory import untouched
from finmodel.analysis._quantiles import exact_percentiles, lane_percentiles, row_percentiles
from finmodel.analysis.simulation import CHUNK, PERCENTILES, simulate
from finmodel.analysis.uncertainty import Sampler
from finmodel.model import engine, inputs
from finmodel.model.engine import KPIS, LINES, evaluate
from scenarios_strategy import (
    _uncertain_paths as uncertain_paths,
)
from scenarios_strategy import amounts, rates, scenario_files, series, shares, window, write_files

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def same_bits(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


def reference_percentiles(values: np.ndarray) -> np.ndarray:
    """The former ``simulation._percentiles``: min/max, then np.percentile (or
    np.nanpercentile when any year has NaN) over the years that vary."""
    values = values.copy()
    low, high = values.min(axis=1), values.max(axis=1)
    out = np.repeat(low[None, :], len(PERCENTILES), axis=0)
    varies = np.flatnonzero(~(low == high))
    if varies.size == 0:
        return out
    part = values if varies.size == values.shape[0] else values[varies]
    if not np.isnan(part).any():
        out[:, varies] = np.percentile(part, PERCENTILES, axis=1, overwrite_input=True)
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out[:, varies] = np.nanpercentile(part, PERCENTILES, axis=1)
    return out


# values with many ties, both zeros, NaN and huge magnitudes
_VALUES = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, np.nan]),
                    st.floats(-1e12, 1e12, allow_nan=False),
                    st.integers(-3, 3).map(float))


@SETTINGS
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 60)),
                  elements=_VALUES))
def test_row_percentiles_are_numpys(values: np.ndarray) -> None:
    before = values.copy()
    got = row_percentiles(values, PERCENTILES)
    assert same_bits(got, reference_percentiles(values))
    assert same_bits(values, before)  # the draws are not reordered
    for t, row in enumerate(values):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = (np.nanpercentile(row, PERCENTILES) if np.isnan(row).any()
                        else np.percentile(row, PERCENTILES))
        if row.min() != row.max():  # a constant row (not NaN) is its value, as before
            assert same_bits(got[:, t], expected)


@SETTINGS
@given(st.integers(2, 3000), st.integers(0, 2**32 - 1), st.floats(0.0, 0.5))
def test_lane_percentiles_of_draw_like_rows(n: int, seed: int, ties: float) -> None:
    """Rows as the simulation has them: many values, some repeated (a cap, a floor)."""
    rng = np.random.default_rng(seed)
    row = rng.normal(1e5, 2e4, n)
    row[rng.random(n) < ties] = 1e5
    scratch = np.empty(n + 5)
    assert same_bits(lane_percentiles(row, PERCENTILES, scratch),
                     np.percentile(row, PERCENTILES))


@SETTINGS
@given(st.integers(20, 400), st.integers(0, 2**32 - 1))
def test_lane_percentiles_with_both_zeros(n: int, seed: int) -> None:
    """Rows full of 0.0 and -0.0: which of the two a sort and numpy's partition put at
    a position differs, and the sign reaches the result; such rows go to numpy."""
    rng = np.random.default_rng(seed)
    row = rng.choice([0.0, -0.0], n)
    some = int(rng.integers(0, n // 3))
    row[:some] = rng.normal(size=some)
    rng.shuffle(row)
    got = lane_percentiles(row, PERCENTILES)
    assert same_bits(got, reference_percentiles(row[None, :])[:, 0])
    if some:  # not all the same: numpy's numbers
        assert same_bits(got, np.percentile(row, PERCENTILES))


@SETTINGS
@given(st.integers(20, 400), st.integers(0, 2**32 - 1), st.sampled_from([0.0, -0.0]))
def test_zeros_of_one_sign_keep_the_fast_path(n: int, seed: int, zero: float) -> None:
    """A KPI that is zero in most draws (``years_below_minimum``): with one kind of zero
    the order statistics have the same bits however found, so numpy is not needed."""
    import finmodel.analysis._quantiles as quantiles

    rng = np.random.default_rng(seed)
    row = np.full(n, zero)
    some = int(rng.integers(1, n // 3))
    row[:some] = rng.integers(1, 4, some)
    rng.shuffle(row)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quantiles, "_numpy_percentiles", None)  # would fail if called
        got = exact_percentiles(row, PERCENTILES)
    assert same_bits(got, np.percentile(row, PERCENTILES))


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(1, 40),
                  elements=st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5]),
                                     st.floats(-1e12, 1e12, allow_nan=False))),
       st.lists(st.integers(0, 100), min_size=1, max_size=15))
def test_exact_percentiles_for_any_ranks(row: np.ndarray, percentiles: list[int]) -> None:
    """Any set of percentiles, also neighbouring ranks in a chain (P0..P100 of 3 draws)
    and repeated ones, in any order: numpy's numbers, and the row is not changed."""
    before = row.copy()
    assert same_bits(exact_percentiles(row, percentiles), np.percentile(row, percentiles))
    assert same_bits(row, before)


def test_exact_percentiles_of_neighbouring_ranks_by_hand() -> None:
    # 4 draws: P0, P25, P50, P75, P100 sit at positions 0, 0.75, 1.5, 2.25 and 3, so
    # every order statistic is needed, each one next to the one before
    row = np.array([40.0, 10.0, 30.0, 20.0])
    got = exact_percentiles(row, (0, 25, 50, 75, 100))
    assert got.tolist() == [10.0, 17.5, 25.0, 32.5, 40.0]


def test_lane_percentiles_interpolate_as_numpy() -> None:
    """At a weight of exactly 0.5 numpy interpolates from the upper value; for these two
    values that differs from interpolating from the lower one in the last bit."""
    a, b = -9678198.646920558, 12978717.611819932
    got = lane_percentiles(np.array([b, a]), (50,))
    assert got.tolist() == [b - (b - a) * 0.5] != [a + (b - a) * 0.5]
    assert same_bits(got, np.percentile([a, b], [50]))


def test_lane_percentiles_by_hand() -> None:
    # n = 5: virtual index 4q. P5 lies 0.2 of the way from 1 to 2; P95 lies
    # 4 * 0.95 - 3 (0.7999999999999998 in floats) of the way from 4 to 10, which numpy
    # computes from the upper end (weight >= 0.5)
    row = np.array([10.0, 1.0, 4.0, 2.0, 3.0])
    got = lane_percentiles(row, (5, 50, 95))
    weight = 4 * 0.95 - 3
    assert got.tolist() == [1.0 + 1.0 * 0.2, 3.0, 10.0 - 6.0 * (1 - weight)]
    assert row.tolist() == [10.0, 1.0, 4.0, 2.0, 3.0]
    nan_row = np.array([np.nan, 1.0, 3.0])   # NaN ignored, as np.nanpercentile does
    assert lane_percentiles(nan_row, (50,)).tolist() == [2.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isnan(lane_percentiles(np.full(3, np.nan), (50,))).all()


# --- the engine: former code of the parts that changed --------------------------------------

def reference_subsidies(x: inputs.Inputs) -> dict[str, np.ndarray]:
    cash = x.subsidy_cash
    release = np.zeros_like(cash)
    for u, years in enumerate(x.release_years):
        for lag in range(min(years, cash.shape[-1])):
            release[..., u, lag:] += cash[..., u, : cash.shape[-1] - lag] / years
    investment = np.array([t == "investment" for t in x.subsidy_types], dtype=bool)
    income = np.where(investment[:, None], release, cash)
    deferred = np.zeros_like(cash)
    for u, years in enumerate(x.release_years):
        if investment[u]:
            for lag in range(min(years - 1, cash.shape[-1])):
                deferred[..., u, lag:] += cash[..., u, : cash.shape[-1] - lag] * (
                    (years - lag - 1) / years)
    return {"subsidy_cash": cash, "subsidy_income": income, "subsidy_deferred": deferred,
            "subsidy_is_investment": investment.astype(float)}


def reference_stack(self: Any, arrays: list[np.ndarray], per_year: bool = True) -> np.ndarray:
    if not arrays:
        return np.zeros((0, len(self.years)) if per_year else (0,))
    return np.stack(np.broadcast_arrays(*arrays), axis=-2 if per_year else -1)


def reference_indexed(self: Any, path: str, series: Any, index: str | None,
                      window: tuple[int | None, int | None] = (None, None)) -> np.ndarray:
    result: np.ndarray = self.series(path, series) * self.index(index) * self.window(*window)
    return result


def reference_stack_products(self: Any, pairs: list[tuple[np.ndarray, np.ndarray]]
                             ) -> np.ndarray:
    """Each product made, then stacked (before :meth:`stack_products`)."""
    return reference_stack(self, [left * right for left, right in pairs])


def reference_indexed_parts(self: Any, path: str, series: Any, index: str | None,
                            window: tuple[int | None, int | None] = (None, None)
                            ) -> tuple[np.ndarray, float]:
    """(series x index) x window as one factor, times 1 (before the window came first)."""
    return reference_indexed(self, path, series, index, window), 1.0


def reference_segments_of(segments: Any) -> Any:
    """``_segments`` as before it handed over the factors: requested hours and the net
    tariff each one product (times 1)."""
    def former(scenario: finmodel.Scenario, reader: Any) -> list[Any]:
        return [((demand * ramp_window, 1.0), (tariff * kept, 1.0))
                for (demand, ramp_window), (tariff, kept) in segments(scenario, reader)]

    return former


def reference_assets(x: inputs.Inputs) -> dict[str, np.ndarray]:
    """Per purchase with the items on axis -2 (before items came first in memory)."""
    years = x.years
    bought = np.array([p.year for p in x.purchases], dtype=np.int64)[:, None]
    life = np.array([p.life for p in x.purchases], dtype=np.int64)[:, None]
    paid = (years == bought).astype(float)
    depreciating = ((years >= bought) & (years < bought + life)).astype(float)
    left = np.where(years >= bought, np.clip(bought + life - 1 - years, 0, None), 0)
    cost = x.purchase_costs[..., None]
    return {"purchase_capex": cost * paid, "purchase_depreciation": cost / life * depreciating,
            "purchase_book_value": cost * (left / life)}


def reference_fold(first: np.ndarray, *steps: tuple[np.ufunc, Any], own: bool = False
                   ) -> np.ndarray:
    """Left to right, a new array at every step (before the folds went in place)."""
    out = first
    for op, operand in steps:
        out = op(out, operand)
    return out


def reference_sum_of(items: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """The chosen items summed where they lie (before they were taken items first)."""
    return items[..., chosen, :].sum(axis=-2)


def former_engine(patch: pytest.MonkeyPatch) -> None:
    """Put the former code of every part that was reordered back in place."""
    patch.setattr(engine, "_subsidies", reference_subsidies)
    patch.setattr(engine, "_assets", reference_assets)
    patch.setattr(engine, "_fold", reference_fold)
    patch.setattr(engine, "_sum_of", reference_sum_of)
    patch.setattr(inputs, "_segments", reference_segments_of(inputs._segments))
    patch.setattr(inputs._Reader, "stack", reference_stack)
    patch.setattr(inputs._Reader, "stack_products", reference_stack_products)
    patch.setattr(inputs._Reader, "indexed", reference_indexed)
    patch.setattr(inputs._Reader, "indexed_parts", reference_indexed_parts)


def _draws(scenario: finmodel.Scenario, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    return Sampler(scenario, 11).next(n)


def _evaluations_equal(a: engine.Evaluation, b: engine.Evaluation) -> None:
    for part in ("lines", "detail", "kpis"):
        left, right = getattr(a, part), getattr(b, part)
        assert left.keys() == right.keys()
        for name in left:
            assert same_bits(left[name], right[name]), (part, name)


@settings(SETTINGS, max_examples=25)
@given(scenario_files())
def test_engine_equals_former_engine(generated: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        scenario = finmodel.load_scenario(write_files(Path(folder), generated))
    draws, factors = _draws(scenario, 37)
    new = evaluate(scenario, draws, factors)
    with pytest.MonkeyPatch.context() as patch:
        former_engine(patch)
        old = evaluate(scenario, draws, factors)
        one = evaluate(scenario)
    _evaluations_equal(new, old)
    _evaluations_equal(evaluate(scenario), one)


# --- the batch against single projections, on busy scenarios ---------------------------------

@st.composite
def busy_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario that takes every reordered path of the engine and its inputs: two to
    four rental segments (a pro-rata scale when their demand exceeds the hours; discounts,
    ramp-ups, windows, each its own index: ``_segments``, ``stack_products``), two to
    four investments with different lives, some replaced (``_assets``), indexed costs
    (``indexed_parts``), three operating grants and an investment grant, four cash
    contributions (sums over several items: ``_sum_of``), one or two loans, and an
    ``uncertainty`` block over every parameter a distribution fits (so each draw changes
    indices, tariffs, demand, discounts, costs, a grant, the hours and the finance)."""
    start, horizon = draw(st.integers(2000, 2080)), draw(st.integers(3, 16))
    years = (start, start + horizon - 1)
    indices = draw(st.lists(st.sampled_from(["cpi", "wages", "tariffs", "energy"]),
                            min_size=2, max_size=4, unique=True))
    index = st.sampled_from([None, *indices])
    segments = [{k: v for k, v in {
        "name": name, "tariff": draw(series(st.integers(0, 250), years)),
        "demand_hours": draw(series(st.integers(0, 3000), years)),
        "discount": draw(st.one_of(st.none(), shares)),
        "ramp_up": draw(st.one_of(st.none(), st.lists(shares, max_size=horizon + 2))),
        "indexation": draw(index), **draw(window(years))}.items() if v is not None}
        for name in draw(st.lists(st.sampled_from(SEGMENTS), min_size=2, max_size=4,
                                  unique=True))]
    names = draw(st.lists(st.sampled_from(INVESTMENTS), min_size=2, max_size=4, unique=True))
    lives = draw(st.lists(st.integers(1, 20), min_size=len(names), max_size=len(names),
                          unique=True))
    investments = [{k: v for k, v in {
        "name": name, "amount": draw(amounts), "year": draw(st.integers(*years)),
        "life": life, "replace": draw(st.booleans()), "indexation": draw(index)}.items()
        if v is not None} for name, life in zip(names, lives, strict=True)]
    costs = [{k: v for k, v in {"name": name, "amount": draw(series(amounts, years)),
                                "indexation": draw(index), **draw(window(years))}.items()
              if v is not None}
             for name in draw(st.lists(st.sampled_from(["Coordinator", "Housing", "Other"]),
                                       min_size=1, max_size=3, unique=True))]
    loans = [{"name": name, "amount": draw(st.integers(1, 500_000)),
              "year": draw(st.integers(*years)), "rate": draw(st.integers(0, 120)) / 1000,
              "term": draw(st.integers(1, 20)), "grace_years": draw(st.integers(0, 3)),
              "repayment": draw(st.sampled_from(["linear", "annuity"]))}
             for name in draw(st.lists(st.sampled_from(["Bridge", "Bank loan"]), min_size=1,
                                       max_size=2, unique=True))]
    data: dict[str, Any] = {
        "name": "Busy", "start_year": start, "horizon": horizon,
        "indexation": {name: draw(series(rates, years)) for name in indices},
        "facility": {"available_hours": draw(st.integers(500, 6000))},
        "investments": investments, "operating_costs": costs,
        "rental": {"variable_cost_per_hour": draw(st.integers(0, 20)),
                   "variable_cost_indexation": draw(st.sampled_from(indices)),
                   "segments": segments},
        "subsidies": [
            {"name": "RIF operating grant", "type": "operating", "amount": draw(amounts),
             "phase_out": {"full_years": draw(st.integers(0, 4)),
                           "taper_years": draw(st.integers(0, 4))}},
            {"name": "RIF investment grant", "type": "investment",
             "amounts": {draw(st.integers(*years)): draw(amounts)},
             "release_years": draw(st.integers(1, 20))},
            {"name": "Municipal grant", "type": "operating",
             "amounts": {draw(st.integers(*years)): draw(amounts)}},
            {"name": "Fund", "type": "operating", "amount": draw(amounts),
             "phase_out": {"start": draw(st.integers(*years)),
                           "full_years": draw(st.integers(0, 3)), "shape": "step"}}],
        "parties": [{"name": name, "role": role, "own_use_hours": draw(st.integers(0, 200)),
                     "contributions": [{"name": "Fee", "type": "cash",
                                        "amount": draw(amounts), "indexation": draw(index)},
                                       {"name": "Extra fee", "type": "cash",
                                        "amount": draw(series(amounts, years)),
                                        **draw(window(years))},
                                       {"name": "Staff hours", "type": "in_kind",
                                        "amount": draw(amounts)}]}
                    for name, role in (("College", "public"), ("Vendor", "commercial"))],
        "finance": {"opening_cash": draw(st.integers(-100_000, 500_000)),
                    "minimum_cash": draw(st.integers(0, 100_000)),
                    "discount_rate": draw(rates), "loans": loans},
    }
    data["facility"]["available_hours"] += sum(p["own_use_hours"] for p in data["parties"])
    data["uncertainty"] = uncertain_paths(data)
    return data


SEGMENTS = ["Care organisations", "Schools", "Municipalities & welfare", "Companies"]
INVESTMENTS = ["Fit-out", "Equipment", "Tovertafel", "VR sets / tablets"]


@settings(SETTINGS, max_examples=30)
@given(busy_scenarios(), st.integers(0, 2**31 - 1))
def test_batch_of_draws_equals_single_projections(data: dict[str, Any], seed: int) -> None:
    """N draws in one batch give, line by line and KPI by KPI, the bits of N single
    projections (each draw's values as plain numbers, no batch axis): the reordered
    stacking, indexing and folding of the engine do not depend on the batch. The former
    code of every reordered part (:func:`former_engine`) gives the same bits too."""
    from finmodel.model.scenario import validate_scenario

    scenario = validate_scenario(data)
    values, factors = Sampler(scenario, seed).next(9)
    assert len(values) + len(factors) == len(data["uncertainty"])
    batch = evaluate(scenario, values, factors)
    for i in range(9):
        one = evaluate(scenario, {k: v[i] for k, v in values.items()},
                       {k: v[i] for k, v in factors.items()})
        for name in LINES:
            assert one.lines[name].shape == (scenario.horizon,)
            assert same_bits(batch.lines[name][i], one.lines[name]), (i, name)
        for name in KPIS:
            assert same_bits(batch.kpis[name][i], one.kpis[name]), (i, name)
        for name, part in one.detail.items():
            assert same_bits(batch.detail[name][i], part), (i, name)
    with pytest.MonkeyPatch.context() as patch:
        former_engine(patch)
        _evaluations_equal(batch, evaluate(scenario, values, factors))


# --- whole simulations ------------------------------------------------------------------------

def reference_simulation(scenario: finmodel.Scenario, draws: int
                         ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every draw in one evaluate, np.percentile per year (the former percentiles)."""
    values, factors = Sampler(scenario).next(draws)
    result = evaluate(scenario, draws=values, multiply=factors)
    lines = {k: np.broadcast_to(v, (draws, scenario.horizon)) for k, v in result.lines.items()}
    kpis = {k: np.broadcast_to(v, (draws,)) for k, v in result.kpis.items()}
    return ({name: reference_percentiles(np.ascontiguousarray(lines[name].T))
             for name in LINES}, kpis)


def _check_simulation(scenario: finmodel.Scenario, draws: int, **options: Any) -> None:
    expected_lines, expected_kpis = reference_simulation(scenario, draws)
    sim = simulate(scenario, draws=draws, **options)
    for name in LINES:
        assert same_bits(sim.percentiles[name], expected_lines[name]), name
    for name in KPIS:
        assert same_bits(sim.kpis[name], expected_kpis[name]), name


@settings(SETTINGS, max_examples=15)
@given(scenario_files(), st.sampled_from([1, 7, 64]), st.sampled_from([1, 2]))
def test_simulation_equals_one_evaluate(generated: Any, chunk: int, threads: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        scenario = finmodel.load_scenario(write_files(Path(folder), generated))
    _check_simulation(scenario, 150, chunk=chunk, threads=threads)


@pytest.mark.parametrize("threads", [1, 2])
def test_base_simulation_equals_one_evaluate(threads: int) -> None:
    """More draws than a chunk; lines without a draw axis (no loans: interest, debt)
    and lines with one."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    _check_simulation(base, 2 * CHUNK + 123, threads=threads)
    assert evaluate(base, *_draws(base, 3)).lines["debt"].strides[0] == 0


def test_mixed_chunks_fill_in_the_fixed_rows() -> None:
    """A line stored without a draw axis in one chunk and with one in another (as risks
    or a cluster could give) still gets the percentiles of all its draws."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    out = simulation._Draws(base, 10)
    horizon = base.horizon
    kpis = {name: np.zeros(5) for name in KPIS}
    first = {name: np.broadcast_to(np.arange(horizon, dtype=float), (5, horizon))
             for name in LINES}
    second = {name: np.arange(5 * horizon, dtype=float).reshape(5, horizon) for name in LINES}
    out.store(0, first, kpis)
    out.store(5, second, kpis)
    got = out.percentiles(1)["cash_end"]
    every = np.concatenate([first["cash_end"], second["cash_end"]])
    assert same_bits(got, np.percentile(every, PERCENTILES, axis=0))
    only_fixed = simulation._Draws(base, 10)
    only_fixed.store(0, first, kpis)
    only_fixed.store(5, first, kpis)
    assert same_bits(only_fixed.percentiles(2)["debt"],
                     np.repeat(np.arange(horizon, dtype=float)[None], len(PERCENTILES), 0))


def test_kpi_summaries_are_the_former_ones() -> None:
    """The summaries, computed when first asked for, equal the former ``np.percentile``
    of the defined draws, mean and sd, bit for bit."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    sim = simulate(base, draws=3_000, seed=5, threads=2)
    assert not sim.summaries  # summarised when first asked for (a report wants one)
    for name in KPIS:
        values = sim.kpis[name]
        defined = values[~np.isnan(values)]
        got = sim.kpi_summary(name)
        assert got["null_share"] == 1 - defined.size / values.size
        if defined.size:
            expected = np.percentile(defined, [5, 10, 50, 90, 95])
            assert same_bits([got[f"p{p}"] for p in (5, 10, 50, 90, 95)], expected), name
            assert same_bits([got["mean"], got["sd"]], [defined.mean(), defined.std()])


@pytest.mark.parametrize("threads", [1, 2])
def test_a_failing_chunk_stops_the_others(monkeypatch: pytest.MonkeyPatch, threads: int
                                          ) -> None:
    """The first failure is raised, and no thread takes a new chunk after it: at most
    the chunks already being evaluated on the other threads finish."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    evaluate_chunk = simulation.evaluate_chunk
    calls: list[int] = []

    def failing(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("chunk 3 fails")
        return evaluate_chunk(*args)

    monkeypatch.setattr(simulation, "evaluate_chunk", failing)
    with pytest.raises(RuntimeError, match="chunk 3 fails"):
        simulate(base, draws=1_000, chunk=10, threads=threads)
    # another thread may have one chunk under way and take one more before it hears
    assert 3 <= len(calls) <= 3 + 2 * (threads - 1)


def test_untouched_arrays_are_separate_and_outlive_their_first_name() -> None:
    first, second = untouched((3, 1_000)), untouched((3, 1_000))
    first[:] = 1.0
    second[:] = 2.0
    row = first[1]
    del first  # the memory stays while a view of it is alive
    assert float(row.sum()) == 1_000.0 and float(second.sum()) == 6_000.0
    assert second.flags.c_contiguous and second.flags.writeable

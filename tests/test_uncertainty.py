"""Uncertainty: validation, Monte Carlo, tornado, data tables and goal seek on TINY.

Hand-computed facts about TINY used below (see conftest.py and test_engine.py): the
rentable hours are 800; segment A rents 300 h in 2025 and, scaled pro rata with B,
400 h in each of 2026-2028 (1,500 h in all); B's discount is 0.25.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.analysis.goalseek import GoalNotReachable, goal_seek, probabilistic_goal_seek
from finmodel.analysis.measures import AnalysisError
from finmodel.analysis.sensitivity import data_table, tornado
from finmodel.analysis.simulation import PERCENTILES, simulate
from finmodel.model.scenario import validate_scenario

from conftest import ROOT, TINY


def _with(write: Callable[..., Path], block: str, name: str = "tiny.yaml") -> finmodel.Scenario:
    return finmodel.load_scenario(write(TINY + block, name))


def test_simulate_degenerate_distributions_reproduce_projection(
        write: Callable[..., Path]) -> None:
    """Zero-width distributions give every line and KPI of the projection, exactly."""
    scenario = _with(write, """\
uncertainty:
  "rental.segments[A].tariff": {uniform: [10, 10]}
  "indexation.cpi": {normal: [0.1, 0]}
  "rental.segments[B].demand_hours": {triangular: [600, 600, 600]}
  "operating_costs[Staff].amount": {lognormal: [0, 0], apply: multiply}
""")
    projection = finmodel.project(scenario)
    sim = simulate(scenario, draws=30, chunk=7)
    for line in finmodel.LINES:
        for p in PERCENTILES:
            np.testing.assert_array_equal(sim.line(line, p), projection.lines[line])
    for kpi, value in projection.kpis.items():
        assert sim.kpi_summary(kpi)["p50"] == value


def test_simulate_opening_cash_matches_closed_form(write: Callable[..., Path]) -> None:
    """With only opening cash uncertain (normal), P(cash >= minimum every year) is the
    normal probability that opening cash covers the deepest dip, within 3 s.e."""
    scenario = _with(write, """\
uncertainty:
  "finance.opening_cash": {normal: [-2000, 800]}
""")
    lowest = finmodel.project(scenario).lines["cash_end"].min() - 1000.0  # as written: 1000
    exact = 1 - NormalDist(-2000, 800).cdf(500.0 - lowest)                # minimum cash 500
    sim = simulate(scenario, draws=20_000)
    assert abs(sim.cash_above_minimum - exact) <= 3 * sim.standard_error(exact)
    assert 0.05 < exact < 0.95  # the test can fail: the probability is not degenerate


def test_simulate_same_seed_same_output_other_seed_differs(write: Callable[..., Path]) -> None:
    """The same seed gives identical JSON (whatever the chunk size); another seed not."""
    scenario = _with(write, """\
uncertainty:
  "rental.segments[A].tariff": {triangular: [8, 10, 13]}
  "indexation.cpi": {normal: [0.05, 0.02]}
seed: 3
""")
    first = simulate(scenario, draws=500).to_json()
    assert simulate(scenario, draws=500, chunk=64).to_json() == first
    assert simulate(scenario, draws=500, seed=3).to_json() == first
    assert simulate(scenario, draws=500, seed=4).to_json() != first


def test_simulate_risk_certain_equals_stressed_scenario(write: Callable[..., Path]) -> None:
    """A risk of probability 1 gives the stressed scenario's simulation; 0 the plain one."""
    block = """\
uncertainty:
  "rental.segments[A].tariff": {uniform: [8, 12]}
risks:
  - {name: Fee stops, probability: %s, overrides: {"parties[College].contributions[Fee].amount": 0}}
"""
    certain = _with(write, block % 1)
    stressed = certain.with_changes({"parties[College].contributions[Fee].amount": 0})
    with_risk = simulate(certain, draws=200, with_risks=True)
    plain = simulate(stressed, draws=200)
    assert with_risk.to_dict()["percentiles"] == plain.to_dict()["percentiles"]
    assert with_risk.risks == {"Fee stops": 1.0}
    never = _with(write, block % 0, "never.yaml")
    assert (simulate(never, draws=200, with_risks=True).to_dict()["kpis"]
            == simulate(never, draws=200).to_dict()["kpis"])


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(low=st.floats(0, 30), width=st.floats(0, 30), sd=st.floats(0, 0.05),
       cash=st.floats(-5000, 5000))
def test_simulate_percentiles_ordered_probabilities_bounded(
        write: Callable[..., Path], low: float, width: float, sd: float, cash: float) -> None:
    """Percentiles rise with p in every year; probabilities lie in [0, 1] and
    P(break-even by Y) never falls as Y grows."""
    scenario = _with(write, f"""\
uncertainty:
  "rental.segments[A].tariff": {{uniform: [{low:.6f}, {low + width:.6f}]}}
  "indexation.cpi": {{normal: [0.05, {sd:.6f}]}}
  "finance.opening_cash": {{normal: [{cash:.6f}, 1000]}}
""")
    sim = simulate(scenario, draws=200)
    for line in finmodel.LINES:
        table = sim.percentiles[line]
        defined = ~np.isnan(table).any(axis=0)
        assert (np.diff(table[:, defined], axis=0) >= -1e-9).all()
    by = list(sim.break_even_by.values())
    assert 0 <= sim.cash_above_minimum <= 1
    assert all(0 <= p <= 1 for p in by) and by == sorted(by)


def test_tornado_linear_swing_is_hand_computed(write: Callable[..., Path]) -> None:
    """Tariff A, uniform 8..12: P10 8.4, P90 11.6; total result moves 1,500 h x 3.2."""
    scenario = _with(write, """\
uncertainty:
  "rental.segments[A].tariff": {uniform: [8, 12]}
  "finance.opening_cash": {uniform: [0, 1000]}
""")
    result = tornado(scenario, "total_result")
    first, second = result.rows
    assert (first.param, first.low, first.high) == ("rental.segments[A].tariff", 8.4, 11.6)
    assert first.swing == pytest.approx(4800.0, abs=1e-6)
    assert (second.param, second.swing) == ("finance.opening_cash", 0.0)
    assert result.base == finmodel.project(scenario).kpis["total_result"]


def test_data_table_cell_equals_single_projection(tiny: finmodel.Scenario) -> None:
    """Each cell is the projection with those two values set."""
    table = data_table(tiny, ("rental.segments[A].tariff", [8, 10, 12]),
                       ("indexation.cpi", [0.0, 0.1]), "npv")
    single = finmodel.project(tiny.with_changes({"rental.segments[A].tariff": 12,
                                                 "indexation.cpi": 0.0}))
    assert table.cells.shape == (2, 3)
    assert table.cells[0, 2] == pytest.approx(single.kpis["npv"], rel=1e-12)
    assert table.to_dict()["y"] == {"param": "indexation.cpi", "values": [0.0, 0.1]}


def test_goal_seek_tariff_zeroes_last_structural_result(tiny: finmodel.Scenario) -> None:
    """A's tariff with structural result 0 in 2028: 10 - S(2028) / 400 h, within 0.01 EUR
    (staff costs raised so that the written tariff leaves a loss)."""
    costly = tiny.with_changes({"operating_costs[Staff].amount": 10000})
    structural = finmodel.project(costly).lines["structural_result"][-1]
    assert structural < 0
    result = goal_seek(costly, "rental.segments[A].tariff", "structural_result@2028", 0.0)
    assert abs(result.value - (10.0 - structural / 400.0)) < 0.01
    assert abs(result.achieved) < 0.01


def test_goal_seek_unreachable_names_the_range(tiny: finmodel.Scenario) -> None:
    """A target outside what the range can give is a clear error."""
    with pytest.raises(GoalNotReachable) as info:
        goal_seek(tiny, "finance.opening_cash", "min_cash", 1e9, (0.0, 1000.0))
    assert str(info.value) == (
        "no value of finance.opening_cash in 0..1000 gives min_cash = 1e+09: min_cash goes "
        "from 3,000 to 4,000 there; try a wider --range")


def test_probabilistic_goal_seek_opening_cash(write: Callable[..., Path]) -> None:
    """The opening cash found reaches P = 0.9; one cent less is below it (common draws)."""
    scenario = _with(write, """\
uncertainty:
  "rental.segments[A].tariff": {uniform: [5, 15]}
""")
    result = probabilistic_goal_seek(scenario, "finance.opening_cash", "min_cash", 500.0, 0.9,
                                     (-5000.0, 5000.0), draws=2000)
    assert result.achieved >= 0.9
    with pytest.raises(GoalNotReachable):
        probabilistic_goal_seek(scenario, "finance.opening_cash", "min_cash", 500.0, 0.9,
                                (-5000.0, result.value - 0.01), draws=2000)


def test_uncertainty_unknown_path_names_allowed(write: Callable[..., Path]) -> None:
    """An unknown path is reported at its line with the closest and all allowed paths."""
    scenario = _with(write, """\
uncertainty:
  "rental.segments[C].tariff": {uniform: [8, 12]}
""")
    with pytest.raises(finmodel.ScenarioError) as info:
        simulate(scenario, draws=10)
    assert str(info.value) == (
        f"{scenario.files[0].path}:29: uncertainty.rental.segments[C].tariff: not a numeric "
        "parameter of this scenario; did you mean 'rental.segments[B].tariff'? allowed: "
        "facility.available_hours, facility.own_use_value_per_hour, finance.discount_rate, "
        "finance.minimum_cash, finance.opening_cash, indexation.cpi, investments[Kit].amount, "
        "operating_costs[Staff].amount, parties[College].contributions[Fee].amount, "
        "parties[College].contributions[Staff time].amount, parties[College].own_use_hours, "
        "rental.segments[A].demand_hours, rental.segments[A].discount, "
        "rental.segments[A].tariff, rental.segments[B].demand_hours, "
        "rental.segments[B].discount, rental.segments[B].tariff, "
        "rental.variable_cost_per_hour, subsidies[Op].amount")


def test_uncertainty_invalid_values_are_errors(write: Callable[..., Path]) -> None:
    """A normal on a share that can leave 0..1, and a multiply that can go negative."""
    scenario = _with(write, """\
uncertainty:
  "rental.segments[B].discount": {normal: [0.25, 0.1]}
  "rental.segments[A].tariff": {uniform: [-0.5, 1.5], apply: multiply}
""")
    with pytest.raises(finmodel.ScenarioError) as info:
        tornado(scenario)
    file = scenario.files[0].path
    assert [str(p) for p in info.value.problems] == [
        f"{file}:29: uncertainty.rental.segments[B].discount: normal [0.25, 0.1] with apply: "
        "replace gives values from -0.139059 to 0.639059 (central 99.99 %), but the "
        "parameter must be between 0 and 1; narrow the distribution or use a bounded one "
        "(uniform, triangular)",
        f"{file}:30: uncertainty.rental.segments[A].tariff: uniform [-0.5, 1.5] with apply: "
        "multiply gives products with the base values from -5 to 15, but the parameter "
        "must be >= 0 (at most 1e12); narrow the distribution or use a bounded one "
        "(uniform, triangular)"]


def test_measure_unknown_kpi_lists_kpis(tiny: finmodel.Scenario) -> None:
    """An unknown KPI names the KPIs and the LINE@YEAR form."""
    with pytest.raises(AnalysisError) as info:
        tornado(tiny, "profit")
    assert str(info.value) == (
        "unknown KPI 'profit'; KPIs: " + ", ".join(finmodel.KPIS)
        + ", or LINE@YEAR such as structural_result@2028")


def test_simulation_json_shape(write: Callable[..., Path]) -> None:
    """The JSON of simulate has the issue's keys and one value per year."""
    scenario = _with(write, """\
uncertainty:
  "rental.segments[A].tariff": {uniform: [8, 12]}
seed: 5
""")
    data = json.loads(simulate(scenario, draws=100).to_json())
    assert (data["draws"], data["seed"], data["years"]) == (100, 5, [2025, 2026, 2027, 2028])
    assert list(data["percentiles"]) == list(finmodel.LINES)
    assert {"p5", "p10", "p50", "p90", "p95"} <= set(data["percentiles"]["cash_end"])
    assert {"mean", "p5", "p50", "p95"} <= set(data["kpis"]["npv"])
    assert list(data["probabilities"]["break_even_by"]) == ["2025", "2026", "2027", "2028"]


def test_simulate_bad_risk_override_names_its_line(write: Callable[..., Path]) -> None:
    """A risk whose override cannot be applied is reported at the override's line."""
    scenario = _with(write, """\
risks:
  - name: Typo
    probability: 0.5
    overrides: {"finance.minimum_cahs": 1}
""")
    with pytest.raises(finmodel.ScenarioError) as info:
        simulate(scenario, draws=10, with_risks=True)
    assert str(info.value) == (
        f"{scenario.files[0].path}:31: risks[Typo].overrides.finance.minimum_cahs: unknown "
        "key; allowed: discount_rate, loans, minimum_cash, opening_cash")


@pytest.mark.parametrize("dist", [{"uniform": (8.0, 12.0)}, {"triangular": (5.0, 9.0, 15.0)},
                                  {"normal": (10.0, 2.0)}, {"lognormal": (2.3, 0.2)}])
def test_quantile_agrees_with_sampled_draws(tiny: finmodel.Scenario,
                                            dist: dict[str, tuple[float, ...]]) -> None:
    """The P10 and P90 the tornado uses are those of the draws Monte Carlo takes."""
    from finmodel.analysis.uncertainty import quantile, sample
    from finmodel.model.schema import Distribution

    scenario = tiny.with_changes({"uncertainty": {"rental.segments[A].tariff": dist}})
    values = sample(scenario, 200_000)[0]["rental.segments[A].tariff"]
    law = Distribution(**dist)
    for q in (0.1, 0.9):
        assert np.quantile(values, q) == pytest.approx(quantile(law, q), rel=0.01)


def test_sample_clips_rare_normal_draws_to_the_range(tiny: finmodel.Scenario) -> None:
    """Demand normal(100, 25) passes the 99.99 % check; the rarer draws below 0 become 0."""
    from finmodel.analysis.uncertainty import sample

    scenario = tiny.with_changes({"uncertainty": {
        "rental.segments[A].demand_hours": {"normal": [100, 25]}}, "seed": 1})
    values = sample(scenario, 1_000_000)[0]["rental.segments[A].demand_hours"]
    assert values.min() == 0.0
    assert 0 < np.count_nonzero(values == 0.0) < 100


def test_tornado_on_a_parameter_left_at_its_default(tiny: finmodel.Scenario) -> None:
    """A's discount is not written (default 0): uniform 0..0.2 swings total result by
    1,500 h x 10 EUR x (0.18 - 0.02) = 2,400 EUR."""
    scenario = tiny.with_changes({"uncertainty": {
        "rental.segments[A].discount": {"uniform": [0, 0.2]}}})
    (row,) = tornado(scenario, "total_result").rows
    assert row.swing == pytest.approx(2400.0, abs=1e-6)


def test_tornado_multiply_scales_the_series(tiny: finmodel.Scenario) -> None:
    """Factor uniform 0.8..1.2 on A's tariff of 10: P10 0.84, P90 1.16, so the swing of
    total result is 1,500 h x 10 EUR x 0.32 = 4,800 EUR."""
    scenario = tiny.with_changes({"uncertainty": {
        "rental.segments[A].tariff": {"uniform": [0.8, 1.2], "apply": "multiply"}}})
    (row,) = tornado(scenario, "total_result").rows
    assert (row.apply, row.low, row.high) == ("multiply", pytest.approx(0.84),
                                              pytest.approx(1.16))
    assert row.swing == pytest.approx(4800.0, abs=1e-6)


def test_plain_words_state_the_probabilities(tiny: finmodel.Scenario) -> None:
    """The sentences of the report, on draws that all equal TINY (npv 24,181 EUR)."""
    from finmodel.views.uncertainty_text import plain_words

    scenario = tiny.with_changes({"uncertainty": {
        "rental.segments[A].tariff": {"uniform": [10, 10]}}})
    assert plain_words(simulate(scenario, draws=10)) == [
        "In 100% of 10 draws cash stays above the minimum (500 EUR) in every year.",
        "The structural result (without subsidy) breaks even by 2025 in 100% of the draws.",
        "The net present value lies between 24,181 EUR and 24,181 EUR in 90% of the draws "
        "(median 24,181 EUR)."]


@settings(max_examples=25, deadline=None)
@given(target=st.floats(-1900.0, 7900.0))
def test_goal_seek_finds_any_reachable_target(target: float) -> None:
    """TINY's lowest cash is its 2025 cash, opening cash + 3,000: goal seek inverts it."""
    scenario = validate_scenario(yaml.safe_load(TINY))  # no file: fixtures are per test
    result = goal_seek(scenario, "finance.opening_cash", "min_cash", target, (-5000.0, 5000.0))
    assert abs(result.value - (target - 3000.0)) < 1e-6
    assert abs(result.achieved - target) < 1e-6


_EVERY_KIND = """\
uncertainty:
  "rental.segments[A].tariff": {uniform: [8, 12]}
  "rental.segments[B].tariff": {triangular: [15, 20, 30]}
  "indexation.cpi": {normal: [0.1, 0.02]}
  "operating_costs[Staff].amount": {lognormal: [0.0, 0.1], apply: multiply}
  "rental.variable_cost_per_hour": {uniform: [1, 1]}
  "facility.available_hours": {triangular: [1000, 1000, 1000]}
risks:
  - name: Fee stops
    probability: 0.3
    overrides: {"parties[College].contributions[Fee].amount": 0}
  - {name: Grant cut, probability: 0.6, overrides: {"subsidies[Op].amount": 500}}
"""


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.integers(0, 3000), then=st.integers(1, 50), seed=st.integers(0, 2**32))
def test_sampler_skip_lands_where_drawing_does(write: Callable[..., Path], first: int,
                                               then: int, seed: int) -> None:
    """Skipping ``first`` draws (and risk decisions) of every kind of distribution, the
    constant ones included, gives the same next draws as drawing them."""
    from finmodel.analysis.uncertainty import Sampler

    scenario = _with(write, _EVERY_KIND)
    drawn, skipped = Sampler(scenario, seed), Sampler(scenario, seed)
    probabilities = np.array([r.probability for r in scenario.risks])
    drawn.next(first)
    drawn.risks(probabilities, first)
    skipped.skip(first, risks=len(scenario.risks))
    for a, b in zip(drawn.next(then), skipped.next(then), strict=True):
        assert a.keys() == b.keys()
        for path in a:
            np.testing.assert_array_equal(a[path], b[path])
    np.testing.assert_array_equal(drawn.risks(probabilities, then),
                                  skipped.risks(probabilities, then))


def test_simulate_numbers_do_not_depend_on_chunks_or_threads(
        write: Callable[..., Path]) -> None:
    """Chunks of 7 on two threads give the numbers of one chunk on one thread: every
    KPI of every draw, every percentile and the risk frequencies."""
    scenario = _with(write, _EVERY_KIND)
    one = simulate(scenario, draws=500, seed=3, with_risks=True, threads=1)
    many = simulate(scenario, draws=500, seed=3, with_risks=True, chunk=7, threads=2)
    for name, values in one.kpis.items():
        np.testing.assert_array_equal(many.kpis[name], values)
    assert many.to_json() == one.to_json()
    assert 0 < one.risks["Fee stops"] < one.risks["Grant cut"] < 1


# --- blocks on a cluster (cluster-more): a case has the same value in any batch ---------

_BUNDLED = ["base", "bridge_loan", "lean_cash", "rental_growth", "vendor_exits"]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(_BUNDLED), cuts=st.sets(st.integers(1, 47), max_size=6),
       kpi=st.sampled_from(["npv", "min_cash", "break_even_year", "cash_end@2030"]))
def test_table_cells_in_any_blocks_equal_one_batch(name: str, cuts: set[int],
                                                    kpi: str) -> None:
    """What `finmodel table --cluster` relies on: the cells split into blocks at any
    points give bit for bit the cells of one batch (invalid flags too)."""
    from finmodel.analysis.sensitivity import table_cells

    scenario = finmodel.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    xs, ys = (a.ravel() for a in np.meshgrid(np.linspace(0, 4e5, 8), np.linspace(-0.02, 0.2, 6)))
    whole = table_cells(scenario, "finance.opening_cash", xs, "finance.discount_rate", ys, kpi)
    edges = [0, *sorted(cuts), xs.size]
    blocks = [table_cells(scenario, "finance.opening_cash", xs[a:b], "finance.discount_rate",
                          ys[a:b], kpi) for a, b in zip(edges, edges[1:], strict=False)]
    np.testing.assert_array_equal(np.concatenate([c for c, _ in blocks]), whole[0])
    np.testing.assert_array_equal(np.concatenate([f for _, f in blocks]), whole[1])


@settings(max_examples=10, deadline=None)
@given(name=st.sampled_from(["base", "bridge_loan", "vendor_exits"]),
       cuts=st.sets(st.integers(1, 399), max_size=5))
def test_goal_seek_draws_in_any_pieces_equal_one_batch(name: str, cuts: set[int]) -> None:
    """What `goal-seek --probability --cluster` relies on: the draws drawn and evaluated
    in pieces (each from the sampler's state at its first draw) give the KPIs of one
    batch at every point tried."""
    import copy

    from finmodel.analysis.goalseek import kpi_of_draws
    from finmodel.analysis.uncertainty import Sampler

    scenario = finmodel.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    assert scenario.uncertainty
    args = ("finance.opening_cash", [0.0, 125_000.0, 2e6], False, "min_cash")
    whole = kpi_of_draws(scenario, (*Sampler(scenario, 3).next(400), 400), *args)
    sampler, parts = Sampler(scenario, 3), []
    edges = [0, *sorted(cuts), 400]
    for a, b in zip(edges, edges[1:], strict=False):
        state = copy.deepcopy(sampler)
        sampler.skip(b - a)
        parts.append(kpi_of_draws(scenario, (*state.next(b - a), b - a), *args))
    np.testing.assert_array_equal(np.concatenate(parts, axis=-1), whole)

"""The projection rules of spec sections 3 and 4, on hand-computed numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import finmodel
from finmodel.model import series

from conftest import MINIMAL


def lines_of(p: finmodel.Projection) -> dict[str, list[float]]:
    return {name: [round(v, 9) for v in values.tolist()] for name, values in p.lines.items()}


def test_tiny_every_line(tiny: finmodel.Scenario) -> None:
    """Every line of the tiny scenario equals its hand computation."""
    got = lines_of(finmodel.project(tiny))
    # capacity 1000 h, own use 200 h -> 800 rentable.
    # 2025: A ramps at 0.5 -> 300 h, B starts 2026. 2026+: 600 + 600 requested > 800,
    # each scaled by 800/1200 -> 400 h. A: 400 x 10; B: 400 x 20 x (1 - 0.25).
    assert got["rented_hours"] == [300, 800, 800, 800]
    assert got["rental_income"] == [3000, 10000, 10000, 10000]
    # phase-out: 1 full year, then taper k=1 of T=1 pays 1000 x (1 - 1/2)
    assert got["operating_subsidies"] == [1000, 500, 0, 0]
    # investment subsidy of 900 in 2025 released over 3 years
    assert got["investment_subsidy_release"] == [300, 300, 300, 0]
    assert got["subsidy_cash"] == [1900, 500, 0, 0]
    assert got["partner_cash"] == [100] * 4
    assert got["in_kind_income"] == got["in_kind_costs"] == [50] * 4
    assert got["total_income"] == [4450, 10950, 10450, 10150]
    # staff 500 indexed by cpi 10 %: I = 1, 1.1, 1.21, 1.331
    assert got["operating_costs"] == [500, 550, 605, 665.5]
    assert got["variable_costs"] == [300, 800, 800, 800]
    # kit 1200 bought 2025 and again 2028 (life 3), 400 a year
    assert got["capex"] == [1200, 0, 0, 1200]
    assert got["depreciation"] == [400] * 4
    assert got["book_value"] == [800, 400, 0, 800]
    assert got["total_expenses"] == [1250, 1800, 1855, 1915.5]
    assert got["result"] == [3200, 9150, 8595, 8234.5]
    assert got["structural_result"] == [1900, 8350, 8295, 8234.5]
    assert got["net_cash_flow"] == [3000, 9250, 8695, 7434.5]
    assert got["cash_end"] == [4000, 13250, 21945, 29379.5]
    assert got["deferred_subsidy"] == [600, 300, 0, 0]
    assert got["equity"] == [4200, 13350, 21945, 30179.5]
    assert got["occupancy"] == [0.5, 1.0, 1.0, 1.0]
    assert got["self_sufficiency"] == [round(3100 / 1200, 9), round(10100 / 1750, 9),
                                       round(10100 / 1805, 9), round(10100 / 1865.5, 9)]


def test_tiny_kpis(tiny: finmodel.Scenario) -> None:
    """KPIs of the tiny scenario, by hand."""
    kpis = finmodel.project(tiny).kpis
    npv = 3000 + 9250 / 1.1 + 8695 / 1.1**2 + 7434.5 / 1.1**3
    assert kpis["npv"] == pytest.approx(npv, abs=1e-9)
    assert kpis["total_result"] == 3200 + 9150 + 8595 + 8234.5
    assert kpis["break_even_year"] == 2025
    assert (kpis["min_cash"], kpis["min_cash_year"]) == (4000, 2025)
    assert kpis["years_below_minimum"] == 0
    # last subsidy cash in 2026 -> t* = 2027, structural result 8295 >= 0
    assert kpis["funding_gap_after_subsidy"] == 0
    assert kpis["book_value_end"] == 800
    assert kpis["deferred_subsidy_end"] == 0


def test_series_step_function(write: Callable[..., Path]) -> None:
    """A series value holds from its year; years before the first key take the first value."""
    path = write(MINIMAL.replace("horizon: 3", "horizon: 5") + """\
operating_costs:
  - {name: Rent, amount: {2026: 10, 2028: 30}}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    assert p.lines["operating_costs"].tolist() == [10, 10, 10, 30, 30]


def test_index_factor_ignores_first_year_rate(write: Callable[..., Path]) -> None:
    """I(0) = 1 and I(t) = I(t-1) (1 + r(t)): the first year's rate never applies."""
    path = write(MINIMAL + """\
indexation: {wages: {2025: 0.50, 2026: 0.10, 2027: 0.20}}
operating_costs:
  - {name: Staff, amount: 100, indexation: wages}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    np.testing.assert_allclose(p.lines["operating_costs"], [100, 110, 132])


def test_cost_window_inclusive(write: Callable[..., Path]) -> None:
    """from and until are both inclusive."""
    path = write(MINIMAL.replace("horizon: 3", "horizon: 5") + """\
operating_costs:
  - {name: Project, amount: 7, from: 2026, until: 2028}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    assert p.lines["operating_costs"].tolist() == [0, 7, 7, 7, 0]


def test_ramp_up_from_start_and_until(write: Callable[..., Path]) -> None:
    """Ramp-up counts from the segment's first year; no demand after until."""
    path = write(MINIMAL.replace("horizon: 3", "horizon: 6") + """\
rental:
  segments:
    - {name: S, tariff: 1, demand_hours: 10, ramp_up: [0.2, 0.6], from: 2026, until: 2029}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    assert p.lines["rented_hours"].tolist() == pytest.approx([0, 2, 6, 10, 10, 0])


def test_linear_phase_out_and_cut_off(write: Callable[..., Path]) -> None:
    """Linear taper pays amount (1 - k/(T+1)); payments past the horizon are flagged."""
    path = write(MINIMAL + """\
subsidies:
  - name: Grant
    type: operating
    amount: 400
    phase_out: {start: 2026, full_years: 1, taper_years: 3, shape: linear}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    assert p.lines["operating_subsidies"].tolist() == [0, 400, 300]
    flags = {c.name: c for c in p.checks}
    cut = flags["subsidy_cut_off[Grant]"]
    assert not cut.passed and "300 EUR of Grant falls after 2027" in cut.message
    assert p.master_check  # a flag is a warning, not a broken identity


def test_step_phase_out(write: Callable[..., Path]) -> None:
    """Step: full years, then nothing."""
    path = write(MINIMAL + """\
subsidies:
  - {name: G, type: operating, amount: 50, phase_out: {full_years: 2, shape: step}}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    assert p.lines["operating_subsidies"].tolist() == [50, 50, 0]
    assert p.kpis["funding_gap_after_subsidy"] == 0.0


def test_investment_subsidy_each_receipt_released_separately(write: Callable[..., Path]) -> None:
    """Each receipt is released in equal parts from its own year; the rest stays deferred."""
    path = write(MINIMAL.replace("horizon: 3", "horizon: 4") + """\
subsidies:
  - {name: I, type: investment, amounts: {2025: 300, 2027: 600}, release_years: 3}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    assert p.lines["investment_subsidy_release"].tolist() == [100, 100, 300, 200]
    assert p.lines["deferred_subsidy"].tolist() == [200, 100, 400, 200]
    assert p.kpis["deferred_subsidy_end"] == 200
    assert p.lines["structural_result"].tolist() == [0, 0, 0, 0]


def test_replacement_at_indexed_price(write: Callable[..., Path]) -> None:
    """A replaced purchase is bought again every `life` years at that year's indexed price."""
    path = write(MINIMAL.replace("horizon: 3", "horizon: 5") + """\
indexation: {cpi: 0.10}
investments:
  - {name: PC, amount: 1000, year: 2026, life: 2, replace: true, indexation: cpi}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    np.testing.assert_allclose(p.lines["capex"], [0, 1100, 0, 1331, 0])
    np.testing.assert_allclose(p.lines["depreciation"], [0, 550, 550, 665.5, 665.5])
    np.testing.assert_allclose(p.lines["book_value"], [0, 550, 0, 665.5, 0], atol=1e-9)


def test_depreciation_runs_past_horizon_as_book_value(write: Callable[..., Path]) -> None:
    """What is not yet depreciated at the end of the horizon is book_value_end."""
    path = write(MINIMAL + """\
investments:
  - {name: Fitout, amount: 1000, year: 2026, life: 4}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    assert p.lines["depreciation"].tolist() == [0, 250, 250]
    assert p.kpis["book_value_end"] == 500


def test_break_even_needs_every_remaining_year(write: Callable[..., Path]) -> None:
    """Break-even is the first year from which the structural result stays >= 0."""
    path = write(MINIMAL.replace("horizon: 3", "horizon: 5") + """\
operating_costs:
  - {name: C, amount: 100}
parties:
  - name: P
    role: public
    contributions:
      - {name: Fee, type: cash, amount: {2025: 200, 2026: 50, 2027: 150}}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    assert p.lines["structural_result"].tolist() == [100, -50, 50, 50, 50]
    assert p.kpis["break_even_year"] == 2027


def test_break_even_null_when_last_year_negative(write: Callable[..., Path]) -> None:
    """No break-even when the last year is below zero."""
    path = write(MINIMAL + "operating_costs: [{name: C, amount: 1}]\n")
    assert finmodel.project(finmodel.load_scenario(path)).kpis["break_even_year"] is None


def test_funding_gap_and_min_cash(write: Callable[..., Path]) -> None:
    """Funding gap in the first year after the last subsidy cash; min cash first occurrence."""
    path = write(MINIMAL.replace("horizon: 3", "horizon: 4") + """\
operating_costs: [{name: C, amount: 100}]
subsidies:
  - {name: G, type: operating, amounts: {2025: 100, 2026: 100}}
finance: {opening_cash: 150, minimum_cash: 100}
""")
    p = finmodel.project(finmodel.load_scenario(path))
    assert p.lines["cash_end"].tolist() == [150, 150, 50, -50]
    assert p.kpis["funding_gap_after_subsidy"] == 100
    assert (p.kpis["min_cash"], p.kpis["min_cash_year"]) == (-50, 2028)
    assert p.kpis["years_below_minimum"] == 2
    flag = {c.name: c for c in p.checks}["cash_above_minimum"]
    assert not flag.passed and flag.years == (2027, 2028)


def test_funding_gap_null_when_subsidy_runs_to_horizon(write: Callable[..., Path]) -> None:
    """No year after the subsidy inside the horizon, and no subsidy at all: null."""
    with_subsidy = write(MINIMAL + "subsidies: [{name: G, type: operating, amounts: {2027: 5}}]\n")
    assert finmodel.project(finmodel.load_scenario(with_subsidy)).kpis[
        "funding_gap_after_subsidy"] is None
    without = write(MINIMAL, "plain.yaml")
    assert finmodel.project(finmodel.load_scenario(without)).kpis[
        "funding_gap_after_subsidy"] is None


def test_self_sufficiency_null_without_expenses(write: Callable[..., Path]) -> None:
    """Self-sufficiency is null (NaN inside, null in JSON) when there are no own expenses."""
    p = finmodel.project(finmodel.load_scenario(write(MINIMAL)))
    assert np.isnan(p.lines["self_sufficiency"]).all()
    assert p.to_dict()["lines"]["self_sufficiency"] == [None, None, None]


def test_in_kind_is_income_and_expense(tiny: finmodel.Scenario) -> None:
    """In-kind contributions show in the budget but change neither result nor cash."""
    p = finmodel.project(tiny)
    assert (p.lines["in_kind_costs"] == p.lines["in_kind_income"]).all()
    assert p.lines["in_kind_income"].sum() == 200


def test_batch_equals_single_projections(tiny: finmodel.Scenario) -> None:
    """The draw axis gives exactly what separate projections give."""
    tariffs = np.array([8.0, 10.0, 30.0])
    batch = finmodel.evaluate(tiny, draws={"rental.segments[A].tariff": tariffs})
    for i, tariff in enumerate(tariffs):
        single = finmodel.project(tiny.with_changes({"rental.segments[A].tariff": tariff}))
        for name in finmodel.LINES:
            np.testing.assert_array_equal(batch.lines[name][i], single.lines[name])
        assert batch.kpis["npv"][i] == single.kpis["npv"]


def test_multiply_draw_scales_series(tiny: finmodel.Scenario) -> None:
    """apply: multiply scales the series; replace sets the value in every year."""
    scaled = finmodel.evaluate(tiny, multiply={"operating_costs[Staff].amount": [2.0]})
    np.testing.assert_allclose(scaled.lines["operating_costs"][0], [1000, 1100, 1210, 1331])
    replaced = finmodel.evaluate(tiny, draws={"indexation.cpi": [0.0]})
    np.testing.assert_allclose(replaced.lines["operating_costs"][0], [500] * 4)


def test_unknown_draw_path_is_an_error(tiny: finmodel.Scenario) -> None:
    """A draw for a path that is not a numeric parameter names it."""
    with pytest.raises(finmodel.ParameterError, match=r"rental\.segments\[Nope\]\.tariff"):
        finmodel.evaluate(tiny, draws={"rental.segments[Nope].tariff": [1.0]})


def test_scalar_draw_keeps_single_shape(tiny: finmodel.Scenario) -> None:
    """A 0-d draw changes the value without adding a batch axis (what the explorer needs)."""
    one = finmodel.evaluate(tiny, draws={"finance.opening_cash": 2000.0})
    assert one.inputs.batch_shape == () and one.lines["cash_end"].shape == (4,)
    assert one.lines["cash_end"].tolist() == [5000, 14250, 22945, 30379.5]
    projection = finmodel.Projection(tiny, one)
    assert projection.kpis["min_cash"] == 5000


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal to the last bit: NaN where NaN, and the sign of every zero."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("name", ["base", "bridge_loan", "vendor_exits"])
def test_many_draws_equal_single_projections_to_the_last_bit(name: str) -> None:
    """Enough draws that the batch takes its year-by-year loops (sums, running sums,
    minima over the years): each draw gives exactly, to the last bit, what one projection
    of that draw gives, which takes numpy's own reductions."""
    from finmodel.analysis.uncertainty import Sampler

    scenario = finmodel.load_scenario(Path("scenarios") / f"{name}.yaml")
    n = series._MANY_ROWS + 16  # enough rows for the year-by-year loops
    values, factors = Sampler(scenario, 11).next(n)
    for loan in scenario.finance.loans:  # draw the loop over the loans too
        values[f"finance.loans[{loan.name}].rate"] = np.linspace(0.0, 0.09, n)
    batch = finmodel.evaluate(scenario, values, factors)
    for i in range(0, n, 7):
        one = finmodel.evaluate(scenario, {p: v[i] for p, v in values.items()},
                                {p: v[i] for p, v in factors.items()})
        assert one.inputs.batch_shape == ()
        for key in finmodel.LINES:
            assert _same_bits(batch.lines[key][i], one.lines[key]), key
        for key in finmodel.KPIS:
            assert _same_bits(batch.kpis[key][i], one.kpis[key]), key
        for key, detail in one.detail.items():
            assert _same_bits(batch.detail[key][i], detail), key


@pytest.mark.parametrize("layout", ["rows", "broadcast", "columns"])
def test_year_reductions_equal_numpy_to_the_last_bit(layout: str) -> None:
    """The year-by-year sums, running sums, minima and their years of many rows are
    numpy's, bit for bit, for every horizon (numpy adds up to 8 terms in turn, then 8 at a
    time, longer rows pairwise), with zeros of both signs and NaN."""
    from finmodel.model.series import cumulative_sum, year_argmin, year_min, year_sum

    rng = np.random.default_rng(3)
    for horizon in [*range(1, 51), 129, 300]:
        rows = rng.standard_normal((100, horizon)) * 10.0 ** rng.integers(-3, 7, (100, horizon))
        rows[rng.random(rows.shape) < 0.05] = 0.0
        rows[rng.random(rows.shape) < 0.03] = -0.0
        rows[:3, -1] = -0.0          # rows of signed zeros: numpy's sum starts from +0
        rows[:2] = -0.0
        if layout == "broadcast":
            rows = np.broadcast_to(rows[5], rows.shape)
        elif layout == "columns":
            rows = np.asfortranarray(rows)
        assert _same_bits(year_sum(rows), rows.sum(axis=-1)), horizon
        assert _same_bits(cumulative_sum(rows), np.cumsum(rows, axis=-1)), horizon
        with_nan = np.array(rows)
        with_nan[7, horizon // 2] = np.nan
        with_nan[2:] += 0.0   # minima: no ties of +0 and -0 (their sign is not kept)
        assert _same_bits(year_min(with_nan), with_nan.min(axis=-1)), horizon
        assert np.array_equal(year_argmin(with_nan), np.argmin(with_nan, axis=-1)), horizon

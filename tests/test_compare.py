"""Comparing scenarios (spec section 8): the assumption diff, the bridge, charts, CLI."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.analysis import shapley as _shapley
from finmodel.analysis.compare import (
    BridgeError,
    assumption_diff,
    bridge,
    bridge_items,
    kpi_table,
    split_base,
)
from finmodel.cli import main
from finmodel.model.scenario import validate_scenario

from conftest import ROOT

#: Three years, no discounting, no indexation by default: npv is a sum by hand.
#: npv = 3 * (100 h * 100 EUR + 500 fee - 1000 staff - 500 rent) = 27,000.
HAND = """\
name: Hand
start_year: 2025
horizon: 3
indexation:
  tariffs: 0.0
facility:
  available_hours: 1000
operating_costs:
  - {name: Staff, amount: 1000}
  - {name: Rent, amount: 500}
rental:
  segments:
    - {name: S, tariff: 100, indexation: tariffs, demand_hours: 100}
parties:
  - name: P
    role: public
    own_use_hours: 100
    contributions:
      - {name: Fee, type: cash, amount: 500}
finance: {discount_rate: 0.0}
"""


@pytest.fixture
def hand(tmp_path: Path) -> finmodel.Scenario:
    path = tmp_path / "hand.yaml"
    path.write_text(HAND, encoding="utf-8")
    return finmodel.load_scenario(path)


def _parts(b: Any) -> dict[str, float]:
    return dict(b.parts)


# --- bridge: hand-computed ---------------------------------------------------------------

def test_bridge_hand_scenario_base_npv() -> None:
    """The hand scenario's npv is 27,000 as computed in its comment."""
    scenario = validate_scenario(__import__("yaml").safe_load(HAND))
    assert finmodel.project(scenario).kpis["npv"] == pytest.approx(27000.0, abs=1e-9)


def test_bridge_additive_items_each_get_their_own_effect(hand: finmodel.Scenario) -> None:
    """Staff +1000/yr and the fee +300/yr do not interact: parts -3,000 and +900."""
    other = hand.with_changes({"operating_costs[Staff].amount": 2000,
                               "parties[P].contributions[Fee].amount": 800})
    b = bridge(hand, other)
    assert b.method == "exact"
    assert b.projections == 4
    assert _parts(b) == pytest.approx({"operating_costs[Staff]": -3000.0,
                                       "parties[P]": 900.0}, abs=1e-9)
    assert b.total == pytest.approx(-2100.0, abs=1e-9)


def test_bridge_interacting_items_share_the_interaction_evenly(
        hand: finmodel.Scenario) -> None:
    """Tariff 100 -> 110 and its index 0 % -> 10 %: each its own effect plus half of 310."""
    other = hand.with_changes({"rental.segments[S].tariff": 110, "indexation.tariffs": 0.1})
    hours, flat, indexed = 100.0, [1.0, 1.0, 1.0], [1.0, 1.1, 1.1 * 1.1]

    def income(tariff: float, index: list[float]) -> float:
        return sum(hours * tariff * i for i in index)

    tariff_alone = income(110, flat) - income(100, flat)            # 3,000
    index_alone = income(100, indexed) - income(100, flat)          # 3,100
    interaction = income(110, indexed) - income(100, flat) - tariff_alone - index_alone  # 310
    b = bridge(hand, other)
    assert _parts(b) == pytest.approx({
        "rental.segments[S]": tariff_alone + interaction / 2,       # 3,155
        "indexation.tariffs": index_alone + interaction / 2}, abs=1e-9)  # 3,255
    assert _parts(b)["rental.segments[S]"] == pytest.approx(3155.0, abs=1e-9)


def test_bridge_order_independent(hand: finmodel.Scenario) -> None:
    """Listing the players in another order gives the same parts."""
    other = hand.with_changes({"rental.segments[S].tariff": 130, "indexation.tariffs": 0.05,
                               "operating_costs[Rent].amount": 700,
                               "finance.discount_rate": 0.1})
    first = bridge(hand, other)
    reordered = bridge(hand, other, groups=[["finance"], ["indexation.tariffs"]])
    assert [item for item, _ in reordered.parts][:2] == ["finance", "indexation.tariffs"]
    assert _parts(reordered) == pytest.approx(_parts(first), abs=1e-9)


def test_bridge_reversed_is_negated(hand: finmodel.Scenario) -> None:
    """Bridging other to base gives every part with the opposite sign."""
    other = hand.with_changes({"rental.segments[S].tariff": 80, "indexation.tariffs": 0.2,
                               "finance.discount_rate": 0.05})
    forward, backward = _parts(bridge(hand, other)), _parts(bridge(other, hand))
    assert backward == pytest.approx({k: -v for k, v in forward.items()}, abs=1e-9)


def test_bridge_added_and_removed_items(hand: finmodel.Scenario) -> None:
    """An item only in the other is added, one only in the base removed: -1,500 and +300."""
    data = hand.data
    data["operating_costs"] = [{"name": "Staff", "amount": 1000},
                               {"name": "Licence", "amount": 100}]
    other = validate_scenario(data)
    b = bridge(hand, other)
    assert _parts(b) == pytest.approx({"operating_costs[Rent]": 1500.0,
                                       "operating_costs[Licence]": -300.0}, abs=1e-9)


def test_bridge_nothing_differs(hand: finmodel.Scenario) -> None:
    """Identical scenarios: no parts, total 0."""
    b = bridge(hand, hand)
    assert (b.parts, b.total, b.projections) == ((), 0.0, 1)


def test_bridge_sampled_above_eight_items_additive(hand: finmodel.Scenario) -> None:
    """Ten additive cost items: the sampled estimate equals each own effect, -3 x delta."""
    data = hand.data
    data["operating_costs"] = [{"name": f"C{i}", "amount": 100} for i in range(10)]
    base = validate_scenario(data)
    other = base.with_changes({f"operating_costs[C{i}].amount": 100 + 10 * i
                               for i in range(10)})
    b = bridge(base, other, permutations=4)
    assert (b.method, b.permutations) == ("sampled", 4)
    assert _parts(b) == pytest.approx({f"operating_costs[C{i}]": -30.0 * i
                                       for i in range(1, 10)}, abs=1e-9)


def test_bridge_sampled_pairwise_interactions_exact(hand: finmodel.Scenario) -> None:
    """Eight costs on an index that also moves: antithetic orders split each pair exactly.

    Cost i: 100 -> 50 + 30 i on the tariffs index, 0 % -> 30 % (index sum over 3 years
    3 -> 3.99). Cost i's part: -(its change x 3 + half its interaction, change x 0.99 / 2);
    the index: rental +100 h x 100 x 0.99 minus 0.99 x (each old cost + half its change).
    """
    data = hand.data
    data["operating_costs"] = [{"name": f"C{i}", "amount": 100, "indexation": "tariffs"}
                               for i in range(8)]
    base = validate_scenario(data)
    change = [-50.0 + 30 * i for i in range(8)]
    other = base.with_changes({f"operating_costs[C{i}].amount": 100 + change[i]
                               for i in range(8)} | {"indexation.tariffs": 0.3})
    b = bridge(base, other, permutations=6, seed=3)
    expected = {f"operating_costs[C{i}]": -(change[i] * 3 + change[i] * 0.99 / 2)
                for i in range(8)}
    expected["indexation.tariffs"] = 100 * 100 * 0.99 - sum(0.99 * (100 + c / 2)
                                                            for c in change)
    assert (b.method, b.permutations) == ("sampled", 6)
    assert _parts(b) == pytest.approx(expected, abs=1e-8)
    assert b.errors == pytest.approx([0.0] * 9, abs=1e-8)
    assert math.fsum(v for _, v in b.parts) == pytest.approx(b.total, rel=1e-14, abs=1e-9)
    early = bridge(base, other, permutations=200)   # no spread after 10 pairs: stops
    assert early.permutations == 20
    assert early.projections <= 2 + 20 * 8          # base, other, 8 hybrids per order
    assert _parts(early) == pytest.approx(expected, abs=1e-8)


def test_bridge_sampled_three_way_interaction_has_error(hand: finmodel.Scenario) -> None:
    """Demand beyond capacity couples all segments: the estimate reports a spread > 0."""
    data = hand.data
    data["rental"]["segments"] = [{"name": f"S{i}", "tariff": 100 + 10 * i,
                                   "demand_hours": 50} for i in range(9)]
    base = validate_scenario(data)
    other = base.with_changes({f"rental.segments[S{i}].demand_hours": 200 + 20 * i
                               for i in range(9)})
    b = bridge(base, other, permutations=40, seed=1)
    assert b.permutations == 40                     # a spread: no early stop
    assert max(b.errors) > 0
    assert math.fsum(v for _, v in b.parts) == pytest.approx(b.total, rel=1e-14, abs=1e-9)
    assert b.total == pytest.approx(finmodel.project(other).kpis["npv"]
                                    - finmodel.project(base).kpis["npv"], abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["operating_costs[Staff].amount", "operating_costs[Rent].amount",
                     "rental.segments[S].tariff", "rental.segments[S].demand_hours",
                     "indexation.tariffs", "finance.discount_rate",
                     "parties[P].contributions[Fee].amount", "parties[P].own_use_hours",
                     "facility.available_hours"]),
    st.floats(0.0, 0.5), min_size=1))
def test_bridge_parts_sum_to_total(changes: dict[str, float]) -> None:
    """Random perturbations of the hand scenario: the parts add up to npv(other) - npv(base)."""
    base = validate_scenario(__import__("yaml").safe_load(HAND))
    scaled = {path: (factor if path in ("indexation.tariffs", "finance.discount_rate")
                     else 1000 + 900 * factor if path == "facility.available_hours"
                     else 1000 * factor) for path, factor in changes.items()}
    other = base.with_changes(scaled)
    b = bridge(base, other)
    expected = finmodel.project(other).kpis["npv"] - finmodel.project(base).kpis["npv"]
    assert b.total == pytest.approx(expected, abs=1e-9)
    assert sum(v for _, v in b.parts) == pytest.approx(b.total, rel=1e-13, abs=1e-8)


# --- bridge: errors and choices ----------------------------------------------------------

def test_bridge_invalid_hybrid_named_and_grouping_fixes_it(hand: finmodel.Scenario) -> None:
    """Own use 1,500 h needs the other's 2,000 h facility: a clear error, then groups."""
    other = hand.with_changes({"facility.available_hours": 2000,
                               "parties[P].own_use_hours": 1500})
    with pytest.raises(BridgeError, match=r"with the other's parties\[P\] is not a valid "
                       r"scenario \(parties: own use of all parties \(1,500 h\) is above "
                       r"facility.available_hours \(1,000 h\) in 2025, 2026, 2027\); swap"):
        bridge(hand, other)
    b = bridge(hand, other, groups=[["facility", "parties[P]"]])
    assert [item for item, _ in b.parts] == ["facility + parties[P]"]


def test_bridge_null_kpi_is_an_error(hand: finmodel.Scenario) -> None:
    """break_even_year null in the other (last year below 0): BridgeError, no number."""
    other = hand.with_changes({"operating_costs[Staff].amount": 50000})
    assert finmodel.project(other).kpis["break_even_year"] is None
    with pytest.raises(BridgeError, match="break_even_year is null for the other scenario"):
        bridge(hand, other, "break_even_year")


def test_bridge_unknown_kpi_and_group(hand: finmodel.Scenario) -> None:
    """A KPI or a group item that names nothing is an error listing the choices."""
    with pytest.raises(BridgeError, match="unknown KPI 'nvp'; choose one of total_result, npv"):
        bridge(hand, hand, "nvp")
    with pytest.raises(BridgeError, match="permutations must be at least 4 .*, got 3"):
        bridge(hand, hand, permutations=3)
    other = hand.with_changes({"finance.discount_rate": 0.1})
    with pytest.raises(BridgeError, match=r"no differing item 'facility' to group; the "
                       r"items are: finance"):
        bridge(hand, other, groups=[["facility"]])


def test_bridge_other_kpi_total_result(hand: finmodel.Scenario) -> None:
    """total_result: Staff +1,000/yr is -3,000 regardless of the discount rate change."""
    other = hand.with_changes({"operating_costs[Staff].amount": 2000,
                               "finance.discount_rate": 0.1})
    assert _parts(bridge(hand, other, "total_result")) == pytest.approx(
        {"operating_costs[Staff]": -3000.0, "finance": 0.0}, abs=1e-9)


def test_bridge_bundled_vendor_exits() -> None:
    """The bundled vendor exit: four items, exact, parts add to the npv difference."""
    base = finmodel.load_scenario(ROOT / "scenarios/base.yaml")
    other = finmodel.load_scenario(ROOT / "scenarios/vendor_exits.yaml")
    b = bridge(base, other)
    assert (b.method, b.projections, len(b.parts)) == ("exact", 16, 4)
    assert b.total == pytest.approx(finmodel.project(other).kpis["npv"]
                                    - finmodel.project(base).kpis["npv"], abs=1e-6)


def test_bridge_horizon_and_start_year(hand: finmodel.Scenario) -> None:
    """Two more years of 9,000 each: horizon +18,000; an earlier start alone changes nothing."""
    other = hand.with_changes({"horizon": 5, "start_year": 2024})
    assert _parts(bridge(hand, other)) == pytest.approx({"start_year": 0.0, "horizon": 18000.0},
                                                        abs=1e-9)


def test_bridge_removed_index_still_used_needs_grouping(hand: finmodel.Scenario) -> None:
    """The other drops an index and the segment's use of it: swapped alone it is invalid."""
    data = hand.data
    del data["indexation"]["tariffs"], data["rental"]["segments"][0]["indexation"]
    data["rental"]["segments"][0]["tariff"] = 120
    other = validate_scenario(data)
    with pytest.raises(BridgeError, match=r"with the other's indexation.tariffs is not a valid "
                       r"scenario \(rental.segments\[S\].indexation: unknown index 'tariffs'"):
        bridge(hand, other)
    b = bridge(hand, other, groups=[["indexation.tariffs", "rental.segments[S]"]])
    assert _parts(b) == pytest.approx({"indexation.tariffs + rental.segments[S]": 6000.0})


def test_shapley_exact_glove_game() -> None:
    """Two players worth 0 alone and 1 together: 0.5 each."""
    assert _shapley.exact(2, lambda m: 1.0 if m == 3 else 0.0) == [0.5, 0.5]


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(st.floats(-1e6, 1e6), min_size=1 << n, max_size=1 << n),
    st.permutations(range(n)))))
def test_shapley_exact_relabelling_and_efficiency(game: tuple[list[float], list[int]]) -> None:
    """Any game: renaming the players permutes their values; the values sum to v(all) - v(0)."""
    values, order = game
    n = len(order)

    def relabelled(mask: int) -> float:  # player i of the new game is player order[i]
        return values[sum(1 << order[i] for i in range(n) if mask >> i & 1)]

    parts = _shapley.exact(n, values.__getitem__)
    renamed = _shapley.exact(n, relabelled)
    assert renamed == pytest.approx([parts[order[i]] for i in range(n)], abs=1e-6)
    assert math.fsum(parts) == pytest.approx(values[-1] - values[0], abs=1e-6)


# --- diff --------------------------------------------------------------------------------

def test_diff_lists_exactly_the_changed_paths(hand: finmodel.Scenario) -> None:
    """Two changed values, one added key, one removed item: four rows, in file order."""
    data = hand.data
    data["indexation"]["tariffs"] = 0.02
    data["operating_costs"] = [{"name": "Staff", "amount": 1200, "until": 2026}]
    data["finance"]["discount_rate"] = 0.03
    rows = assumption_diff(hand, validate_scenario(data)).to_numpy().tolist()
    assert rows == [
        ["indexation.tariffs", "indexation.tariffs", "changed", 0.0, 0.02],
        ["operating_costs[Staff]", "operating_costs[Staff].amount", "changed", 1000, 1200],
        ["operating_costs[Staff]", "operating_costs[Staff].until", "added", None, 2026],
        ["operating_costs[Rent]", "operating_costs[Rent]", "removed",
         {"name": "Rent", "amount": 500}, None],
        ["finance", "finance.discount_rate", "changed", 0.0, 0.03]]


def test_diff_analysis_layer_listed_not_bridged(hand: finmodel.Scenario) -> None:
    """Uncertainty and seed differ in the diff (paths quoted) but not in the bridge."""
    tariff = "rental.segments[S].tariff"
    first = hand.with_changes({"uncertainty": {tariff: {"uniform": [80, 120]}}})
    second = first.with_changes({"uncertainty": {tariff: {"uniform": [70, 120]}}, "seed": 3})
    rows = assumption_diff(first, second)[["path", "change", "base", "other"]]
    assert rows.to_numpy().tolist() == [
        ['uncertainty["rental.segments[S].tariff"].uniform', "changed", [80, 120], [70, 120]],
        ["seed", "added", None, 3]]
    assert bridge(first, second).parts == ()
    risky = first.with_changes({"risks": [{"name": "R", "probability": 0.5,
                                           "overrides": {"finance.discount_rate": 0.1}}]})
    riskier = risky.with_changes({"risks": [{"name": "R", "probability": 0.5,
                                             "overrides": {"finance.discount_rate": 0.2}}]})
    assert assumption_diff(risky, riskier).path.tolist() == [
        'risks[R].overrides["finance.discount_rate"]']


def test_diff_inheritance_resolved_and_name_ignored(tmp_path: Path) -> None:
    """A child that only renames and restates the parent's value differs in nothing."""
    (tmp_path / "hand.yaml").write_text(HAND, encoding="utf-8")
    (tmp_path / "child.yaml").write_text(textwrap.dedent("""\
        name: Child
        extends: hand.yaml
        finance: {discount_rate: 0.0}
        """), encoding="utf-8")
    base = finmodel.load_scenario(tmp_path / "hand.yaml")
    assert assumption_diff(base, finmodel.load_scenario(tmp_path / "child.yaml")).empty


def test_diff_series_compared_whole_and_items_of_bundled() -> None:
    """rental_growth: a series and a ramp-up per segment; bridge items are the 4 segments."""
    base = finmodel.load_scenario(ROOT / "scenarios/base.yaml")
    other = finmodel.load_scenario(ROOT / "scenarios/rental_growth.yaml")
    diff = assumption_diff(base, other)
    row = diff[diff.path == "rental.segments[Care organisations].demand_hours"].iloc[0]
    assert (row.base, row.other) == ({2026: 220, 2032: 240}, {2026: 400, 2032: 450})
    assert len(diff) == 8
    assert bridge_items(base, other) == [f"rental.segments[{s}]" for s in (
        "Care organisations", "Schools", "Municipalities and welfare",
        "Companies / vendors' customers")]


# --- tables, charts, CLI -----------------------------------------------------------------

def test_kpi_table_side_by_side(hand: finmodel.Scenario) -> None:
    """One column per scenario, one row per KPI, the projections' values."""
    other = hand.with_changes({"operating_costs[Staff].amount": 2000})
    table = kpi_table([finmodel.project(hand), finmodel.project(other)])
    assert table.columns.tolist() == ["Hand", "Hand (2)"]
    assert table.loc["npv"].tolist() == pytest.approx([27000.0, 24000.0])
    assert table.index.tolist() == list(finmodel.KPIS)


def test_split_base_matches_the_same_file() -> None:
    """The base is found by file, whatever the spelling; the others keep their order."""
    assert split_base(["a.yaml", "./b.yaml", "c.yaml"], "b.yaml") == ("./b.yaml",
                                                                     ["a.yaml", "c.yaml"])
    with pytest.raises(finmodel.FinModelError, match="the base 'd.yaml' is not among"):
        split_base(["a.yaml"], "d.yaml")


def test_waterfall_bars_float_between_running_totals(hand: finmodel.Scenario) -> None:
    """Base 27,000 full; -3,000 from 24,000 to 27,000; +900 from 24,000; other 24,900."""
    from finmodel.views.compare_charts import waterfall_chart

    other = hand.with_changes({"operating_costs[Staff].amount": 2000,
                               "parties[P].contributions[Fee].amount": 800})
    ax = waterfall_chart(bridge(hand, other))
    bars = [v for p in ax.patches for v in (p.get_x(), p.get_width())]
    assert bars == pytest.approx([0, 27000, 24000, 3000, 24000, 900, 0, 24900], abs=1e-9)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Base: Hand", "Staff", "P", "Other: Hand"]  # items by name, not by path


def test_overlay_charts_one_line_per_scenario(hand: finmodel.Scenario) -> None:
    """Cash and structural result: one line per scenario with its values."""
    from finmodel.views.compare_charts import cash_positions_chart, structural_results_chart

    projections = [finmodel.project(hand),
                   finmodel.project(hand.with_changes({"operating_costs[Rent].amount": 0}))]
    lines = structural_results_chart(projections).get_lines()
    assert lines[1].get_ydata().tolist() == pytest.approx([9500.0] * 3)
    assert cash_positions_chart(projections).get_lines()[0].get_ydata().tolist() == (
        pytest.approx([9000.0, 18000.0, 27000.0]))


def test_cli_compare_table(capsys: pytest.CaptureFixture[str]) -> None:
    """The diff lines and the bridge with base, part and other."""
    assert main(["compare", "base", "subsidy_stops_early"]) == 0
    out = capsys.readouterr().out
    assert "  subsidies[RIF operating grant].phase_out.shape: linear -> step\n" in out
    assert "Bridge of npv (exact Shapley values, 2 projections):" in out
    assert "  subsidies[RIF operating grant]" in out


def test_cli_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON: the diff records and the bridge whose parts add up to its total."""
    assert main(["compare", "base", "vendor_exits", "--format", "json",
                 "--kpi", "total_result"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["bridge"]["kpi"] == "total_result"
    assert sum(p["value"] for p in out["bridge"]["parts"]) == pytest.approx(
        out["bridge"]["total"], abs=1e-6)
    assert out["diff"][0]["path"] == "investments[Replacement of lent equipment]"


def test_cli_compare_bridge_error_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A null KPI: the diff is still printed, one error line, exit code 1."""
    assert main(["compare", "base", "lean_cash", "--kpi", "break_even_year"]) == 1
    captured = capsys.readouterr()
    assert "Assumptions that differ" in captured.out
    assert captured.err.startswith("finmodel compare: error: break_even_year is null for ")


# --- notebook ----------------------------------------------------------------------------

NOTEBOOK = ROOT / "notebooks/compare_scenarios.ipynb"


def test_notebook_stored_clean_with_parameters() -> None:
    """No outputs or counts; one parameters cell defaulting to the bundled scenarios."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'Path("../scenarios").glob("*.yaml")' in tagged[0].source
    assert 'base = "../scenarios/base.yaml"' in tagged[0].source


def _run_notebook(out: Path, parameters: dict[str, Any] | None = None) -> str:
    """Execute the notebook from its folder; the HTML of its outputs (errors fail)."""
    import nbformat
    import papermill

    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters or {},
                               cwd=str(NOTEBOOK.parent), progress_bar=False,
                               kernel_name="python3", execution_timeout=120)
    outputs = [o for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    return "\n".join(o.data["text/html"] for o in outputs if "text/html" in o.get("data", {}))


@pytest.mark.slow
def test_notebook_compare_scenarios_runs_with_defaults(tmp_path: Path) -> None:
    """With its defaults: every bundled scenario against the base, a bridge for each."""
    from finmodel.views.compare_report import SECTIONS

    html = _run_notebook(tmp_path / "compare.ipynb")
    others = len(list((ROOT / "scenarios").glob("*.yaml"))) - 1
    assert html.count("data:image/svg+xml;base64,") == 2 + others  # overlays, a bridge each
    assert html.count(" against the base</h2>") == others
    from finmodel.views.i18n import t

    assert all(f'<h2 id="{key}">{t("en", "cmp." + key)}</h2>' in html for key in SECTIONS)
    assert "Vendor exits in 2029" in html and "No bridge" not in html


@pytest.mark.slow
def test_notebook_compare_scenarios_absolute_paths_escaped(tmp_path: Path) -> None:
    """As `finmodel report` runs it (absolute paths, base listed second): the engine's KPIs,
    the diff of the child, its name escaped."""
    from finmodel.views.text import format_kpi

    base = tmp_path / "base.yaml"
    base.write_text(HAND, encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text('extends: base.yaml\nname: "<i>Child</i> & co"\n'
                     "operating_costs:\n  - {name: Staff, amount: 1200}\n", encoding="utf-8")
    html = _run_notebook(tmp_path / "compare.ipynb",
                         {"scenario_paths": [str(child), str(base)], "base": str(base)})
    assert "<i>" not in html and "&lt;i&gt;Child&lt;/i&gt; &amp; co against the base" in html
    npv = finmodel.project(finmodel.load_scenario(child)).kpis["npv"]
    assert f"<td>{format_kpi('npv', 27000.0)}</td><td>{format_kpi('npv', npv)}</td>" in html
    assert ('<th>Staff: amount</th><td class="text path"><code>operating_costs[Staff].amount'
            '</code></td><td class="text">changed</td>') in html
    assert "From 27,000 EUR to 26,400 EUR (-600 EUR)" in html

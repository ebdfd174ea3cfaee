"""The explorer without a browser: controls, updates by path, reset, overrides, save_as."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel import FinModelError, ParameterError, ScenarioError
from finmodel.explore.explorer import Explorer

from conftest import ROOT

BASE = ROOT / "scenarios" / "base.yaml"
COMPANIES = "rental.segments[Companies / vendors' customers]"
GRANT = "subsidies[RIF operating grant]"


@pytest.fixture(scope="module")
def base() -> finmodel.Scenario:
    return finmodel.load_scenario(BASE)


@pytest.fixture
def explorer(base: finmodel.Scenario) -> Explorer:
    return Explorer(base)


def _lines_equal(a: finmodel.Projection, b: finmodel.Projection) -> bool:
    return all(np.array_equal(a.lines[k], b.lines[k], equal_nan=True) for k in finmodel.LINES)


def test_controls_cover_the_drivers_of_base(explorer: Explorer) -> None:
    """Each segment's tariff, demand and ramp-up, each subsidy, contribution, index, cash."""
    paths = [c.path for c in explorer.controls]
    assert len(paths) == 4 * 3 + 4 + 6 + 3 + 1
    assert paths[:3] == ["rental.segments[Care organisations].tariff",
                         "rental.segments[Care organisations].demand_hours",
                         "rental.segments[Care organisations].ramp_up"]
    assert [p for p in paths if p.startswith("subsidies")] == [
        f"{GRANT}.amount", f"{GRANT}.phase_out.full_years", f"{GRANT}.phase_out.taper_years",
        "subsidies[RIF investment grant].amounts"]
    assert paths[-4:] == ["indexation.cpi", "indexation.wages", "indexation.tariffs",
                          "finance.opening_cash"]


def test_controls_ranges_hold_the_base_value(explorer: Explorer) -> None:
    """Every control starts at its scenario value, inside its range, on a positive step."""
    for c in explorer.controls:
        assert c.low <= c.base <= c.high and c.step > 0, c
    tariff = explorer.control(f"{COMPANIES}.tariff")
    assert (tariff.kind, tariff.base, tariff.low, tariff.high, tariff.step) == (
        "value", 160.0, 0.0, 500.0, 5.0)
    wages = explorer.control("indexation.wages")
    assert (wages.kind, wages.base, wages.low, wages.high) == ("shift", 0.0, -0.05, 0.05)


def test_set_opening_cash_moves_cash_by_the_amount(explorer: Explorer) -> None:
    """Opening cash + 1,000: every cash_end and equity + 1,000; npv and result unchanged."""
    base = explorer.base_projection
    explorer.set("finance.opening_cash", 151_000)
    now = explorer.projection
    assert np.array_equal(now.lines["cash_end"] - base.lines["cash_end"], np.full(15, 1000.0))
    assert np.array_equal(now.lines["equity"] - base.lines["equity"], np.full(15, 1000.0))
    assert explorer.kpis["npv"] == explorer.base_kpis["npv"]
    assert explorer.kpis["total_result"] == explorer.base_kpis["total_result"]
    assert explorer.kpis["min_cash"] == 63_833.0


def test_set_tariff_adds_rented_hours_times_indexed_tariff(explorer: Explorer) -> None:
    """Tariff +10 EUR/h for companies (30, 60, 85, then 100 h from 2028; tariffs +2 %)."""
    explorer.set(f"{COMPANIES}.tariff", 170)
    hours = [0, 0, 30, 60, 85] + [100] * 10
    extra = [10 * h * 1.02**t for t, h in enumerate(hours)]
    delta = {k: explorer.kpis[k] - explorer.base_kpis[k] for k in ("total_result", "npv")}
    assert delta["total_result"] == pytest.approx(sum(extra), abs=1e-6)
    assert delta["total_result"] == pytest.approx(13_958.288892, abs=1e-6)
    assert delta["npv"] == pytest.approx(sum(e / 1.0425**t for t, e in enumerate(extra)), abs=1e-6)


def test_set_taper_years_pays_a_longer_tail(explorer: Explorer) -> None:
    """Taper 2 -> 3 years: 90 + 60 + 30 k after the full years instead of 80 + 40 k: +60 k."""
    explorer.set(f"{GRANT}.phase_out.taper_years", 3)
    subsidy = explorer.projection.lines["operating_subsidies"]
    assert subsidy[:6].tolist() == [120_000.0, 120_000.0, 90_000.0, 60_000.0, 30_000.0, 0.0]
    gain = explorer.kpis["total_result"] - explorer.base_kpis["total_result"]
    assert gain == pytest.approx(60_000.0, abs=1e-6)
    assert np.allclose(explorer.projection.lines["structural_result"],
                       explorer.base_projection.lines["structural_result"], rtol=0, atol=1e-6)


def test_set_ramp_up_zero_years_rents_at_maturity_at_once(explorer: Explorer) -> None:
    """Care organisations mature at once: 154, 88 and 33 more hours in 2026-2028."""
    explorer.set("rental.segments[Care organisations].ramp_up", 0)
    base, now = explorer.base_projection.lines, explorer.projection.lines
    extra = now["rented_hours"] - base["rented_hours"]
    assert extra[:4] == pytest.approx([154.0, 88.0, 33.0, 0.0], abs=1e-9)
    assert explorer.overrides() == {"rental.segments[Care organisations].ramp_up": []}


def test_overrides_hold_only_what_changed_as_scenario_data(explorer: Explorer) -> None:
    """Scaled and shifted step series keep their years; untouched controls are left out."""
    explorer.set("rental.segments[Schools].demand_hours", 1.1)
    explorer.set("indexation.wages", 0.01)
    explorer.set("rental.segments[Schools].ramp_up", 6)
    explorer.set("finance.opening_cash", 150_000)  # the base value: not a change
    assert explorer.overrides() == {
        "rental.segments[Schools].demand_hours": {2026: 220.0, 2032: 242.0},
        "rental.segments[Schools].ramp_up": [0.3, 0.45, 0.6, 0.725, 0.85, 0.925],
        "indexation.wages": {2026: 0.04, 2031: 0.0375},
    }


def test_reset_restores_the_scenario(explorer: Explorer) -> None:
    """After reset no override is left and every line equals the base projection."""
    explorer.set("subsidies[RIF investment grant].amounts", 0.5)
    explorer.set(f"{COMPANIES}.tariff", 100)
    explorer.reset()
    assert explorer.overrides() == {}
    assert explorer.kpis == explorer.base_kpis
    assert _lines_equal(explorer.projection, explorer.base_projection)


@settings(max_examples=25, deadline=None)
@given(tariff=st.floats(0, 500), taper=st.integers(0, 10), cash=st.floats(0, 500_000),
       scale=st.floats(0, 2), cpi=st.floats(-0.02, 0.10))
def test_explorer_equals_the_scenario_with_its_overrides(
        base: finmodel.Scenario, tariff: float, taper: int, cash: float, scale: float,
        cpi: float) -> None:
    """Draw axis plus structural changes give exactly the budget of the changed scenario."""
    explorer = Explorer(base)
    for path, value in [(f"{COMPANIES}.tariff", tariff), (f"{GRANT}.phase_out.taper_years", taper),
                        ("finance.opening_cash", cash), ("indexation.cpi", cpi),
                        ("rental.segments[Schools].demand_hours", scale)]:
        explorer.set(path, value)
    changed = finmodel.project(base.with_changes(explorer.overrides()))
    assert _lines_equal(explorer.projection, changed)
    assert explorer.kpis == changed.kpis
    assert [c.passed for c in explorer.checks] == [c.passed for c in changed.checks]


def test_chart_data_follows_the_projection(explorer: Explorer) -> None:
    """Cash against the minimum, five income sources against expenses, structural result."""
    explorer.set("finance.opening_cash", 0)
    data = explorer.chart_data()
    assert data["cash"]["cash_end"][0] == 62_833.0 - 150_000.0
    assert np.array_equal(data["cash"]["cash_end"], explorer.projection.lines["cash_end"])
    assert data["cash"]["minimum_cash"].tolist() == [50_000.0] * 15
    stacked = sum(data["income"]["sources"].values())
    assert np.allclose(stacked, explorer.projection.lines["total_income"], rtol=0, atol=1e-6)
    assert list(data["income"]["sources"]) == ["rental_income", "partner_cash", "in_kind_income",
                                               "operating_subsidies",
                                               "investment_subsidy_release"]


def test_set_unknown_path_is_a_clear_error(explorer: Explorer) -> None:
    """A path without a control names itself and lists the controls."""
    with pytest.raises(ParameterError) as info:
        explorer.set("finance.minimum_cash", 1)
    assert str(info.value).startswith(
        "no explorer control for 'finance.minimum_cash'; controls: "
        "rental.segments[Care organisations].tariff, ")


def test_set_outside_the_range_is_a_scenario_error(explorer: Explorer) -> None:
    """Too low, not finite, or a fraction of a year: the message gives the allowed range."""
    with pytest.raises(ScenarioError) as info:
        explorer.set("finance.opening_cash", -1)
    assert str(info.value) == ("<explorer>:0: finance.opening_cash: must be a number between 0 "
                               "and 500000 (EUR), got -1")
    with pytest.raises(ScenarioError, match=r"must be a whole number between 0 and 10 \(years\)"):
        explorer.set(f"{GRANT}.phase_out.taper_years", 2.5)
    for bad in (float("nan"), "abc", None):
        with pytest.raises(ScenarioError, match="must be a number between 0 and 500"):
            explorer.set(f"{COMPANIES}.tariff", bad)
    assert explorer.overrides() == {}


def test_save_as_writes_a_scenario_that_projects_the_same(explorer: Explorer,
                                                          tmp_path: Path) -> None:
    """The file extends base.yaml by a relative path, holds only the changes and loads back."""
    explorer.set("rental.segments[Schools].demand_hours", 1.25)
    explorer.set(f"{GRANT}.phase_out.taper_years", 4)
    explorer.set("parties[CareTech Vendor].contributions[Partner fee].amount", 20_000)
    explorer.set("indexation.wages", -0.005)
    target = explorer.save_as("vendor_pays_less", tmp_path)
    assert target == tmp_path / "vendor_pays_less.yaml"
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert Path(data["extends"]).is_absolute() is False
    assert (tmp_path / data["extends"]).resolve() == BASE.resolve()
    assert list(data) == ["description", "extends", "rental", "subsidies", "parties",
                          "indexation"]
    assert data["parties"] == [{"name": "CareTech Vendor",
                                "contributions": [{"name": "Partner fee", "amount": 20000.0}]}]
    saved = finmodel.load_scenario(target)
    assert saved.name == "vendor_pays_less"
    assert _lines_equal(finmodel.project(saved), explorer.projection)
    assert sorted(tmp_path.iterdir()) == [target]


def test_save_as_refuses_to_overwrite_unless_asked(explorer: Explorer, tmp_path: Path) -> None:
    """A second save under the same name fails and leaves the file; overwrite=True replaces it."""
    explorer.set("finance.opening_cash", 100_000)
    target = explorer.save_as("less_cash", tmp_path)
    first = target.read_text(encoding="utf-8")
    explorer.set("finance.opening_cash", 90_000)
    with pytest.raises(FinModelError) as info:
        explorer.save_as("less_cash", tmp_path)
    assert str(info.value) == f"{target} exists; choose another name or allow overwriting"
    assert target.read_text(encoding="utf-8") == first
    explorer.save_as("less_cash", tmp_path, overwrite=True)
    assert finmodel.load_scenario(target).finance.opening_cash == 90_000.0


@pytest.mark.parametrize("name", ["", "a b", "../up", "x.yaml", "-x", "_x", "é", "a" * 65])
def test_save_as_rejects_unsafe_names(explorer: Explorer, tmp_path: Path, name: str) -> None:
    """Only letters, digits, '-' and '_' (not first), at most 64: nothing is written."""
    with pytest.raises(FinModelError, match="not allowed: use 1-64 letters, digits"):
        explorer.save_as(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_explorer_of_a_variant_saves_beside_it(tmp_path: Path) -> None:
    """A variant that extends base is explored and saved with the chain intact."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    explorer = Explorer(tmp_path / "scenarios" / "vendor_exits.yaml")
    explorer.set("finance.opening_cash", 200_000)
    target = explorer.save_as("vendor_exits_more_cash")
    assert target == tmp_path / "scenarios" / "vendor_exits_more_cash.yaml"
    assert "extends: vendor_exits.yaml\n" in target.read_text(encoding="utf-8")
    assert _lines_equal(finmodel.project(finmodel.load_scenario(target)), explorer.projection)


def test_widgets_update_kpis_and_save(tmp_path: Path) -> None:
    """A slider moves the KPI table and the chart data; saving shows the path, then asks
    before overwriting."""
    from finmodel.explore.widgets import ExplorerApp

    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    app = ExplorerApp(tmp_path / "scenarios" / "base.yaml")
    assert '<b>62,833 EUR</b>' in app.kpi_html.value
    revision, cash = app.charts.revision, app.charts.data["charts"][0]
    assert cash["lines"][0]["values"][0] == 62_833.0
    app.sliders["finance.opening_cash"].value = 160_000.0
    assert '<b>72,833 EUR</b>' in app.kpi_html.value and "+10,000 EUR" in app.kpi_html.value
    now = app.charts.data["charts"][0]["lines"]
    assert app.charts.revision == revision + 1
    assert now[0]["values"][0] == 72_833.0 and now[1]["values"][0] == 62_833.0  # as written
    assert app.rows["finance.opening_cash"].entry.value == "160,000"
    assert app.groups.titles[-1] == "Finance \u25cf 1 changed"
    app.name.value = "more_cash"
    app.save()
    assert f"saved {tmp_path / 'scenarios' / 'more_cash.yaml'}" in app.status.value
    assert "more_cash.yaml" in app.chooser.options
    app.save()
    assert "exists; choose another name or allow overwriting" in app.status.value
    app.reset()
    assert app.sliders["finance.opening_cash"].value == 150_000.0
    assert app.rows["finance.opening_cash"].entry.value == "150,000"
    assert app.explorer.overrides() == {} and app.groups.titles[-1] == "Finance"
    (tmp_path / "scenarios" / "broken.yaml").write_text("horizon: many\n", encoding="utf-8")
    app.chooser.options = app._files()
    app.chooser.value = "broken.yaml"
    assert "cannot explore broken.yaml:" in app.status.value
    assert "horizon: must be a whole number" in app.status.value
    app.chooser.value = "lean_cash.yaml"
    assert app.explorer.path.name == "lean_cash.yaml" and app.status.value == ""


def test_widgets_show_rates_in_percent_and_read_typed_values() -> None:
    """CPI 2.5 % is shown as 2.50 on a percent slider; "3,25" sets 0.0325; a typed word
    is an error on the status line and changes nothing."""
    from finmodel.explore.widgets import ExplorerApp

    app = ExplorerApp(BASE)
    cpi = app.rows["indexation.cpi"]
    assert (cpi.slider.value, cpi.slider.min, cpi.slider.max, cpi.entry.value) == (
        2.5, -2.0, 10.0, "2.50")
    assert "(file: 2.50 %)" in cpi.label.value
    assert "Indexation: consumer prices (CPI)" in cpi.label.value
    cpi.entry.value = "3,25"
    assert app.explorer.value("indexation.cpi") == 0.0325 and cpi.slider.value == 3.25
    assert 'data-changed="true"' in cpi.label.value and cpi.entry.value == "3.25"
    cpi.entry.value = "lots"
    assert ("Indexation: consumer prices (CPI): &#x27;lots&#x27; is not a number; type e.g. 2.50"
            in app.status.value)
    assert cpi.entry.value == "3.25"  # back to the explorer's value
    assert app.explorer.value("indexation.cpi") == 0.0325
    cash = app.rows["finance.opening_cash"]
    cash.entry.value = "-5.000"
    assert "Opening cash: must be a number between 0 and 500,000 EUR, got -5,000" \
        in app.status.value  # by its name, in the shown unit, with the locale's separators
    assert cash.entry.value == "150,000"  # back to the explorer's value
    cpi.entry.value = "12"
    assert "Indexation: consumer prices (CPI): must be a number between -2 and 10 %, got 12" \
            in app.status.value
    assert app.explorer.value("indexation.cpi") == 0.0325


def test_widgets_in_dutch_show_and_read_dutch_numbers() -> None:
    """In Dutch the panel writes 150.000 and 2,50 and reads them back: "160.000" is
    160,000 EUR (+10,000 on the lowest cash, 62,833 -> 72,833), "3,25" is 3.25 %."""
    from finmodel.explore.widgets import ExplorerApp

    app = ExplorerApp(BASE, "nl")
    cash, cpi = app.rows["finance.opening_cash"], app.rows["indexation.cpi"]
    assert (cash.entry.value, cpi.entry.value) == ("150.000", "2,50")
    assert "Beginkas" in cash.label.value and "(bestand: 150.000 EUR)" in cash.label.value
    assert "<b>€\xa062.833</b>" in app.kpi_html.value
    cash.entry.value = "160.000"
    assert app.explorer.value("finance.opening_cash") == 160_000.0
    assert cash.entry.value == "160.000" and "<b>€\xa072.833</b>" in app.kpi_html.value
    assert "+€\xa010.000" in app.kpi_html.value
    cpi.entry.value = "3,25"
    assert app.explorer.value("indexation.cpi") == 0.0325 and cpi.entry.value == "3,25"
    cpi.entry.value = "veel"
    assert "typ bijv. 2,50" in app.status.value and cpi.entry.value == "3,25"
    cash.entry.value = "-5.000,5"
    assert ("Beginkas: moet een getal tussen 0 en 500.000 EUR zijn, niet -5.000,5"
            in app.status.value) and cash.entry.value == "160.000"
    cpi.entry.value = "-2,5"
    assert "moet een getal tussen -2 en 10 % zijn, niet -2,5" in app.status.value
    assert "must be" not in app.status.value and app.explorer.value("indexation.cpi") == 0.0325
    app.reset()
    assert "teruggezet" in app.status.value and cash.entry.value == "150.000"


def test_widgets_compare_with_a_second_scenario() -> None:
    """The cash chart holds the explored cash, the file as written and lean_cash.yaml's."""
    from finmodel.explore.widgets import ExplorerApp

    app = ExplorerApp(BASE, compare="lean_cash.yaml")
    lines = app.charts.data["charts"][0]["lines"]
    lean = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "lean_cash.yaml"))
    assert [line["name"] for line in lines[1:]] == [
        "Cash at year end, as written in the file",
        f"Cash at year end, {lean.scenario.name} (lean_cash.yaml)"]
    assert lines[2]["values"] == [round(float(v), 2) for v in lean.lines["cash_end"]]
    app.compare.value = "(none)"
    assert len(app.charts.data["charts"][0]["lines"]) == 2
    app.chooser.value = "lean_cash.yaml"
    assert "lean_cash.yaml" not in app.compare.options and "base.yaml" in app.compare.options


def test_widgets_band_is_p10_p90_of_the_explored_cash() -> None:
    """The background band equals simulate() of the explored scenario, P10 below P90."""
    from finmodel.analysis.simulation import simulate
    from finmodel.explore.widgets import BAND_DRAWS, ExplorerApp

    app = ExplorerApp(BASE)
    app.sliders["finance.opening_cash"].value = 200_000.0
    assert app.wait_for_band(120.0)
    band = app.charts.band
    sim = simulate(finmodel.load_scenario(BASE).with_changes(
        {"finance.opening_cash": 200_000.0}), draws=BAND_DRAWS)
    assert band["p10"] == [round(float(v), 2) for v in sim.line("cash_end", 10)]
    assert band["p90"] == [round(float(v), 2) for v in sim.line("cash_end", 90)]
    assert all(lo <= hi for lo, hi in zip(band["p10"], band["p90"], strict=True))
    assert "P10\u2013P90 of cash at year end over 2,000 draws" in app.band_note.value


@pytest.mark.parametrize("name", ["base", "subsidy_stops_early", "vendor_exits", "lean_cash",
                                  "rental_growth", "bridge_loan"])
def test_every_control_at_its_ends_matches_the_changed_scenario(name: str) -> None:
    """Each control at its low and high end: the budget of the scenario with those overrides."""
    scenario = finmodel.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    explorer = Explorer(scenario)
    for control in explorer.controls:
        for value in (control.low, control.high):
            explorer.set(control.path, value)
            changed = finmodel.project(scenario.with_changes(explorer.overrides()))
            assert _lines_equal(explorer.projection, changed), (control.path, value)
            assert explorer.projection.master_check
        explorer.reset()


def test_chart_payload_marks_the_years_below_the_minimum(explorer: Explorer) -> None:
    """Without opening cash, cash is 62,833 - 150,000 in 2026: red points where it is below
    50,000, at the cash values; the cash axis reaches 10 % below the lowest cash."""
    from finmodel.explore.live import chart_payload

    explorer.set("finance.opening_cash", 0)
    cash = explorer.projection.lines["cash_end"]
    chart = chart_payload(explorer.projection, explorer.base_projection)["charts"][0]
    assert chart["below"]["values"][0] == 62_833.0 - 150_000.0
    assert chart["below"]["values"] == [round(float(c), 2) if c < 50_000 else None
                                        for c in cash]
    assert chart["floor"] == pytest.approx(1.1 * float(cash.min()))
    assert chart["lines"][1]["values"][0] == 62_833.0  # the file as written


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_shown_value_reads_back_as_itself(base: finmodel.Scenario,
                                            data: st.DataObject) -> None:
    """For every control and any value on its slider grid, the text the panel writes is
    read back (parse_value) as that value."""
    from finmodel.explore import display

    controls = Explorer(base).controls
    control = data.draw(st.sampled_from(controls))
    step = display.slider_step(control)
    low, high = display.shown(control, control.low), display.shown(control, control.high)
    k = data.draw(st.integers(0, round((high - low) / step)))
    value = display.stored(control, round(low + k * step, 10))
    assert display.parse_value(control, display.format_value(control, value)) == \
        pytest.approx(value, abs=1e-9)

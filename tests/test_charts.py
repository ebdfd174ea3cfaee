"""Charts of one projection: what each plots equals the projection's lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import finmodel
from finmodel.views import charts
from finmodel.views.i18n import Language

from conftest import MINIMAL

matplotlib.use("Agg")

ALL_CHARTS = (charts.income_chart, charts.subsidy_chart, charts.cash_chart,
              charts.hours_chart, charts.self_sufficiency_chart)


@pytest.fixture(scope="module")
def base() -> finmodel.Projection:
    root = Path(__file__).resolve().parents[1]
    return finmodel.project(finmodel.load_scenario(root / "scenarios/base.yaml"))


def _heights(ax: Axes) -> list[np.ndarray]:
    return [np.array([bar.get_height() for bar in c]) for c in ax.containers]


def test_income_chart_stacks_every_source_up_to_total_income(base: finmodel.Projection) -> None:
    """Five income bars per year stacking to total income; total expenses is the one line."""
    ax = charts.income_chart(base)
    heights = _heights(ax)
    assert len(heights) == 5 and len(ax.get_lines()) == 1
    np.testing.assert_allclose(heights[0], base.lines["rental_income"])
    np.testing.assert_allclose(sum(heights), base.lines["total_income"], rtol=1e-12)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), base.lines["total_expenses"])
    assert ax.get_ylabel() == "EUR"


def test_subsidy_chart_shows_subsidy_income_and_structural_result(
        base: finmodel.Projection) -> None:
    """Operating and released investment subsidy as bars; the structural result as a line."""
    ax = charts.subsidy_chart(base)
    operating, investment = _heights(ax)
    np.testing.assert_array_equal(operating, base.lines["operating_subsidies"])
    np.testing.assert_array_equal(investment, base.lines["investment_subsidy_release"])
    structural = [ln for ln in ax.get_lines() if ln.get_label().startswith("Structural")]
    np.testing.assert_array_equal(structural[0].get_ydata(), base.lines["structural_result"])
    assert ax.get_title("left") == ("Subsidy phase-out against the structural result "
                                    "(break-even 2030)")


def test_cash_chart_marks_the_years_below_the_minimum(tiny: finmodel.Scenario) -> None:
    """With a minimum above the lowest cash, exactly those years get the red markers."""
    p = finmodel.project(tiny.with_changes({"finance.minimum_cash": 20000.0}))
    ax = charts.cash_chart(p)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    np.testing.assert_array_equal(lines["Cash at year end"].get_ydata(), p.lines["cash_end"])
    assert list(lines["Below the minimum"].get_xdata()) == [2025, 2026]  # 4,000 and 13,250
    assert "Minimum cash (20,000 EUR)" in lines


def test_cash_chart_without_years_below_minimum_has_two_lines(
        base: finmodel.Projection) -> None:
    """Base case: cash and the minimum, no markers."""
    ax = charts.cash_chart(base)
    assert [ln.get_label() for ln in ax.get_lines()] == ["Cash at year end",
                                                         "Minimum cash (50,000 EUR)"]


def test_hours_chart_stacks_own_use_and_rental_below_capacity(
        base: finmodel.Projection) -> None:
    """One bar per party and segment; the stack is own use + rented; capacity drawn as steps."""
    ax = charts.hours_chart(base)
    heights = _heights(ax)
    assert len(heights) == 3 + 4
    used = base.lines["occupancy"] * base.evaluation.inputs.available_hours
    np.testing.assert_allclose(sum(heights), used, rtol=1e-12)
    (capacity,) = ax.get_lines()
    np.testing.assert_array_equal(capacity.get_ydata()[:-1], base.evaluation.inputs.available_hours)
    assert ax.get_ylabel() == "hours per year"


def test_self_sufficiency_chart_plots_the_line_in_percent(base: finmodel.Projection) -> None:
    """The share per year, with a 100 % reference line and percent ticks."""
    ax = charts.self_sufficiency_chart(base)
    share, reference = ax.get_lines()
    np.testing.assert_array_equal(share.get_ydata(), base.lines["self_sufficiency"])
    assert list(reference.get_ydata()) == [1.0, 1.0]
    assert ax.yaxis.get_major_formatter()(0.5) == "50%"


def test_euro_axis_thousands_separators_and_label() -> None:
    """Ticks like 1,234,568 with a true minus sign; "EUR" added to an existing label once."""
    ax = Figure().add_subplot()
    ax.set_xlabel("Impact")
    charts.euro_axis(charts.euro_axis(ax, axis="x"), axis="x")
    assert ax.get_xlabel() == "Impact (EUR)"
    assert ax.xaxis.get_major_formatter()(-1234567.5) == "\u22121,234,568"


def test_charts_draw_on_given_axes(base: finmodel.Projection) -> None:
    """Each chart draws on the axes it is given and returns them."""
    figure = Figure()
    axes = figure.subplots(1, 5)
    for chart, ax in zip(ALL_CHARTS, axes, strict=True):
        assert chart(base, ax=ax) is ax


def test_charts_render_png_files(base: finmodel.Projection, tmp_path: Path) -> None:
    """Every chart renders with Agg to a PNG of 9 x 4.5 inches at 120 dpi."""
    for chart in ALL_CHARTS:
        target = tmp_path / f"{chart.__name__}.png"
        data = charts.png(chart(base), target)
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and target.read_bytes() == data
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == (1080, 540)


def test_import_finmodel_does_not_import_charts() -> None:
    """The command line stays quick: matplotlib is loaded only by the report modules."""
    import subprocess
    import sys

    code = ("import sys, finmodel; print('finmodel.views.charts' in sys.modules, "
            "'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out == "False False\n"


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_fitted_charts_keep_every_text_inside_the_figure(base: finmodel.Projection,
                                                         lang: Language) -> None:
    """Charts without a layout engine get margins from their labels when rendered: the
    titles, tick labels (party, risk and parameter names), axis labels and legends under
    the plot all lie inside the figure, in both languages."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from finmodel.analysis.parties import party_statement
    from finmodel.analysis.risks import risk_register
    from finmodel.analysis.sensitivity import tornado
    from finmodel.views.parties import give_get_chart
    from finmodel.views.risks import expected_impact_chart
    from finmodel.views.uncertainty_charts import tornado_chart

    statement = party_statement(base)
    axes = [give_get_chart(statement, name, lang=lang) for name in statement.parties]
    axes.append(expected_impact_chart(risk_register(base.scenario), lang=lang))
    with charts.style():  # as the report's uncertainty section draws it
        axes.append(tornado_chart(tornado(base.scenario, "npv"), lang=lang))
    for ax in axes:
        figure = ax.get_figure()
        assert isinstance(figure, Figure) and figure.get_layout_engine() is None
        assert b"<svg" in charts.svg(ax)  # sets the margins
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        used = ax.get_tightbbox(canvas.get_renderer())  # title, labels, legend included
        assert used is not None
        box = figure.bbox
        assert (box.x0 - 1 <= used.x0 and used.x1 <= box.x1 + 1 and
                box.y0 - 1 <= used.y0 and used.y1 <= box.y1 + 1), (ax.get_title("left"), used)


def test_svg_is_text_and_the_same_each_time(base: finmodel.Projection) -> None:
    """SVG of 9 x 4.5 inches with the texts as text and no date: the same chart gives the
    same bytes, so a report changes only when its numbers do."""
    data = charts.svg(charts.cash_chart(base))
    assert b'width="648pt" height="324pt"' in data
    assert b">Cash position against the minimum<" in data and b"<dc:date>" not in data
    assert charts.svg(charts.cash_chart(base)) == data


def _visible(ticks: np.ndarray, limits: tuple[float, float]) -> list[float]:
    low, high = sorted(limits)
    return [float(v) for v in ticks if low <= v <= high]


def test_a_one_year_horizon_shows_its_year_and_a_zero_axis_one_zero(
        write: Callable[..., Path]) -> None:
    """The smallest scenario over one year: the x axis reads 2025 (not 2024.6 and
    2025.4), and an axis of amounts or hours that are all 0 shows a single 0 (not five
    ticks that all round to 0)."""
    p = finmodel.project(finmodel.load_scenario(write(MINIMAL.replace("horizon: 3",
                                                                      "horizon: 1"))))
    for chart in (charts.income_chart, charts.subsidy_chart, charts.hours_chart):
        ax = chart(p)
        ax.figure.canvas.draw()
        assert _visible(ax.get_xticks(), ax.get_xlim()) == [2025.0], chart.__name__
        if chart is not charts.hours_chart:  # that one has the 100 h capacity line
            assert _visible(ax.get_yticks(), ax.get_ylim()) == [0.0], chart.__name__
    assert charts.euro_axis(Figure().add_subplot()).yaxis.get_major_locator().tick_values(
        0, 250_000).tolist() == [0.0, 50_000.0, 100_000.0, 150_000.0, 200_000.0, 250_000.0]

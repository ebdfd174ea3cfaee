"""The report's own SVG charts (finmodel.views.svgplot): the font table, the ticks, the
drawing of each chart against the numbers and against matplotlib's chart of the same data."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.views import chartspec, report_charts, svgplot
from finmodel.views._font_widths import BOLD, NORMAL
from finmodel.views._ticks import Locator, autoscale, visible

from conftest import ROOT

#: The characters whose widths the table holds: Latin-1, Latin Extended-A and the
#: punctuation the catalogue and the number formats use (minus, euro, dashes, quotes).
CHARACTERS = [*range(0x20, 0x7F), *range(0xA0, 0x180),
              0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x20AC,
              0x2212, 0x2264, 0x2265]


def widths_from_font() -> dict[str, dict[int, int]]:
    """The advance widths in font units of DejaVu Sans (normal, bold), read with
    matplotlib's ft2font: how finmodel/views/_font_widths.py was made."""
    from matplotlib import ft2font
    from matplotlib.font_manager import FontProperties, findfont

    tables = {}
    for weight in ("normal", "bold"):
        font = ft2font.FT2Font(findfont(FontProperties(family="DejaVu Sans", weight=weight),
                                        fallback_to_default=False))
        font.set_size(font.units_per_EM, 72)  # one pixel a font unit
        table = {}
        for code in CHARACTERS:
            if font.get_char_index(code):
                glyph = font.load_char(code, flags=ft2font.LoadFlags.NO_HINTING)
                table[code] = round(glyph.linearHoriAdvance / 65536)
        tables[weight] = table
    return tables



SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def base() -> finmodel.Projection:
    return finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"))


def _tree(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_width_table_is_the_fonts() -> None:
    pytest.importorskip("matplotlib")
    tables = widths_from_font()
    assert tables["normal"] == NORMAL and tables["bold"] == BOLD
    assert NORMAL[ord("0")] == 1303 and NORMAL[0x2212] == NORMAL[ord("+")]  # tabular digits


def test_text_width_adds_the_advances() -> None:
    # "10" at 9 pt: two digits of 1303 units, 2048 units an em
    assert svgplot.text_width("10", 9.0) == pytest.approx(2 * 1303 * 9 / 2048)
    assert svgplot.text_width("W", 12, bold=True) > svgplot.text_width("W", 12)


def test_income_chart_has_one_rect_per_bar_and_year_in_proportion(
        base: finmodel.Projection) -> None:
    chart = report_charts.income_spec(base)
    root = _tree(svgplot.render(chart))
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("fill") not in ("#ffffff", None)]
    years = len(base.years)
    # five income sources per year, and the five legend keys
    assert len(rects) == 5 * years + 5
    bars = rects[:5 * years]
    x0, x1, y0, y1 = svgplot._limits(chart)
    assert (x0, x1) == (base.years[0] - 0.6, base.years[-1] + 0.6)
    assert y0 == 0.0  # bars stand on 0: no margin below
    income = sum(base.lines[k] for k in ("rental_income", "partner_cash", "in_kind_income",
                                          "operating_subsidies", "investment_subsidy_release"))
    highest = max(float(income.max()), float(base.lines["total_expenses"].max()))
    assert y1 == pytest.approx(highest * 1.05)  # 5 % above the highest stack or point
    # the plot area: 1 inch left, 0.15 right, 0.4 top, 0.66 + 2 legend rows of 0.24 below
    left, top, width, height = 72.0, 28.8, 648 - 72 - 10.8, 324 - 28.8 - 72 * (0.66 + 0.48)
    rental = base.lines["rental_income"]
    for k in (0, years // 2, years - 1):
        rect = bars[k]
        centre = float(rect.get("x")) + float(rect.get("width")) / 2
        assert centre == pytest.approx(left + (base.years[k] - x0) / (x1 - x0) * width,
                                       abs=0.01)
        assert float(rect.get("width")) == pytest.approx(0.7 / (x1 - x0) * width, abs=0.01)
        assert float(rect.get("height")) == pytest.approx(rental[k] / y1 * height, abs=0.02)
        bottom = float(rect.get("y")) + float(rect.get("height"))
        assert bottom == pytest.approx(top + height, abs=0.02)
    # the second source stands on the first
    partner = bars[years]
    assert float(partner.get("y")) + float(partner.get("height")) == pytest.approx(
        top + height - rental[0] / y1 * height, abs=0.02)


@pytest.mark.parametrize("spec", report_charts.SPECS, ids=lambda s: s.__name__)
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_svg_shows_what_matplotlib_shows(spec: object, lang: str,
                                             base: finmodel.Projection) -> None:
    """Title, legend texts and tick labels of each report chart, against matplotlib's
    drawing of the same description."""
    pytest.importorskip("matplotlib")
    from finmodel.views import charts

    chart = spec(base, lang)  # type: ignore[operator]
    ax = charts.draw(chart)
    theirs = _texts(_tree(charts.svg(ax)))  # matplotlib's SVG, as the report had it
    ours = _texts(_tree(svgplot.render(chart)))
    assert sorted(ours) == sorted(theirs)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [s.label for s in chartspec.legend_entries(chart)]
    assert chart.title in ours and len(ours) > len(legend) + 5


@settings(max_examples=300, deadline=None)
@given(low=st.floats(-1e9, 1e9), width=st.floats(1e-3, 1e9),
       nbins=st.sampled_from([1, 3, 5, 9, 16]), integer=st.booleans(),
       few=st.booleans())
def test_ticks_are_matplotlibs(low: float, width: float, nbins: int, integer: bool,
                               few: bool) -> None:
    """The port of MaxNLocator gives matplotlib's ticks over any range."""
    pytest.importorskip("matplotlib")
    from matplotlib.ticker import MaxNLocator

    steps = (1, 2, 2.5, 5, 10) if few else (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
    ours = Locator(nbins, steps, integer=integer, min_n_ticks=1)
    theirs = MaxNLocator(nbins=nbins, steps=list(steps), integer=integer, min_n_ticks=1)
    high = low + width
    np.testing.assert_array_equal(ours.tick_values(low, high), theirs.tick_values(low, high))


@settings(max_examples=100, deadline=None)
@given(low=st.floats(-1e7, 1e7), width=st.floats(0.0, 1e7), bars=st.booleans())
def test_view_limits_are_matplotlibs(low: float, width: float, bars: bool) -> None:
    """Autoscaling: data limits with 5 % margins, stopped at a bar's base of 0."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    values = np.array([low, low + width])
    if bars:
        ax.bar([0, 1], values)
        ours = autoscale(min(0.0, *values), max(0.0, *values), [0.0, 0.0])
    else:
        ax.plot([0, 1], values)
        ours = autoscale(float(values.min()), float(values.max()))
    assert ours == pytest.approx(ax.get_ylim(), rel=1e-12, abs=1e-300)


def test_a_zero_axis_shows_one_zero_and_one_year_its_year(write: object) -> None:
    path = write("start_year: 2025\nhorizon: 1\nfacility: {available_hours: 100}\n")  # type: ignore[operator]
    p = finmodel.project(finmodel.load_scenario(path))
    chart = report_charts.income_spec(p)
    x0, x1, y0, y1 = svgplot._limits(chart)
    assert [t for _, t in svgplot._ticks(chart.x, x0, x1, 500.0, False)] == ["2025"]
    assert [t for _, t in svgplot._ticks(chart.y, y0, y1, 200.0, True)] == ["0"]
    assert visible(np.array([0.0]), y0, y1) == [0.0]


def test_every_report_chart_parses_and_is_the_same_twice(base: finmodel.Projection) -> None:
    from finmodel.analysis.parties import party_statement
    from finmodel.analysis.risks import risk_register
    from finmodel.views.parties import give_get_spec
    from finmodel.views.risks import expected_impact_spec

    specs = [spec(base, "nl") for spec in report_charts.SPECS]
    statement = party_statement(base)
    specs += [give_get_spec(statement, name, "nl") for name in statement.parties]
    specs.append(expected_impact_spec(risk_register(base.scenario), "nl"))
    for chart in specs:
        data = svgplot.render(chart)
        root = _tree(data)
        assert root.tag == f"{SVG}svg" and data == svgplot.render(chart)
        assert chart.title in _texts(root)
        assert not re.search(rb"\d{4}-\d\d-\d\dT", data)  # no date


@pytest.mark.parametrize("minimal", [False, True], ids=["actuals", "minimal"])
def test_the_report_notebook_does_not_import_matplotlib(minimal: bool, write: object) -> None:
    """The kernel that runs a report draws its charts without matplotlib: the report
    notebook's code cells, run in a fresh interpreter (the parameters as papermill sets
    them), show every chart and leave matplotlib unimported. The smallest scenario has
    no parties, risks, actuals or uncertainty: the five charts only."""
    scenario = (str(write("start_year: 2025\nhorizon: 1\nfacility: {available_hours: 100}\n"))  # type: ignore[operator]
                if minimal else "scenarios/base_actuals.yaml")
    code = f"""
import json, sys
import IPython.display
shown = []
IPython.display.display = lambda *objects, **_: shown.extend(objects)
notebook = json.load(open("notebooks/scenario_report.ipynb", encoding="utf-8"))
names = {{}}
for cell in notebook["cells"]:
    if cell["cell_type"] != "code":
        continue
    exec("".join(cell["source"]), names)
    if "parameters" in cell["metadata"].get("tags", []):
        names.update(scenario_path={scenario!r}, lang="nl")
html = "".join(getattr(o, "data", "") or "" for o in shown)
print(html.count('<p class="chart"><img alt="'))
print(sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib"))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    images, modules = done.stdout.strip().splitlines()[-2:]
    # 5 charts, 3 parties, the risks, the variance and 4 of the uncertainty section
    assert int(images) == (5 if minimal else 14), done.stdout
    assert modules == "[]", done.stdout + done.stderr


@pytest.fixture(scope="module")
def uncertainty_specs(base: finmodel.Projection) -> list[chartspec.Chart]:
    from finmodel.analysis.sensitivity import tornado
    from finmodel.analysis.simulation import simulate
    from finmodel.views import uncertainty_charts as u

    sim = simulate(base.scenario, draws=400)
    result = tornado(base.scenario, "npv")
    table = u._top_two_table(base.scenario, result)
    assert table is not None
    return [u.fan_spec(sim, lang="nl"), u.histogram_spec(sim, lang="nl"),
            u.tornado_spec(result, "nl"), u.heatmap_spec(table, "nl")]


@pytest.mark.parametrize("k", range(4), ids=["fan", "histogram", "tornado", "heatmap"])
def test_uncertainty_charts_show_what_matplotlib_shows(
        k: int, uncertainty_specs: list[chartspec.Chart]) -> None:
    pytest.importorskip("matplotlib")
    from finmodel.views import charts

    chart = uncertainty_specs[k]
    theirs = _texts(_tree(charts.svg(charts.draw(chart))))
    ours = _texts(_tree(svgplot.render(chart)))
    assert sorted(ours) == sorted(theirs)


def test_histogram_bars_are_numpys_counts(uncertainty_specs: list[chartspec.Chart]) -> None:
    chart = uncertainty_specs[1]
    (hist,) = [s for s in chart.series if isinstance(s, chartspec.Histogram)]
    counts, _ = np.histogram(hist.values, bins=50)
    root = _tree(svgplot.render(chart))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill-opacity") == "0.7"]
    assert len(bars) == 50  # 50 bins; the legend has no key for the bars (no label)
    heights = np.array([float(r.get("height")) for r in bars])
    tallest = int(counts.argmax())
    # heights in proportion to the counts, to the 0.01 pt the coordinates are written in
    np.testing.assert_allclose(heights, counts / counts[tallest] * heights[tallest], atol=0.02)


def test_heatmap_colours_are_matplotlibs_rdylgn() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    from finmodel.views import svgheat

    theirs = matplotlib.colormaps["RdYlGn"]
    for share in np.linspace(0.0, 1.0, 301):
        r, g, b, _ = theirs(float(share), bytes=True)
        assert svgheat.colour(float(share)) == f"#{r:02x}{g:02x}{b:02x}", share


def test_heatmap_cells_hatch_and_labels(uncertainty_specs: list[chartspec.Chart]) -> None:
    chart = uncertainty_specs[3]
    (heat,) = chart.series
    assert isinstance(heat, chartspec.Heatmap)
    root = _tree(svgplot.render(chart))
    cells = [r for r in root.iter(f"{SVG}rect")
             if (r.get("fill") or "").startswith("#") and r.get("fill") != "#ffffff"]
    assert len(cells) == heat.cells.size == 7 * 7  # 7 values of each of the top two
    low, high = float(heat.cells.min()), float(heat.cells.max())
    from finmodel.views.svgheat import colour

    # row 0 is drawn at the bottom: the first cell written is the lowest row's first
    assert cells[0].get("fill") == colour((heat.cells[0, 0] - low) / (high - low))
    assert float(cells[0].get("y")) > float(cells[-1].get("y"))
    hatched = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "url(#hatch)"]
    assert len(hatched) == int(heat.invalid.sum())
    texts = _texts(root)
    assert all(label in texts for row in heat.labels for label in row)


@pytest.mark.parametrize("after", [False, True], ids=["last", "then-a-line"])
def test_a_reference_line_in_the_margin_counts_as_matplotlib_counts_it(after: bool) -> None:
    """A reference line inside the view so far does not rescale it; a series after it
    does, and then the line counts (matplotlib's axhline and autoscaling)."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    x, y = np.array([0.0, 1.0, 2.0]), np.array([0.0, 10.0, 5.0])
    ax = Figure().add_subplot()
    ax.plot(x, y)
    ax.axhline(10.3)
    series: list[chartspec.Series] = [chartspec.Line(x, y, "k"), chartspec.Ref(10.3, "k")]
    if after:
        ax.plot([1.0], [2.0])
        series.append(chartspec.Line(np.array([1.0]), np.array([2.0]), "k"))
    chart = chartspec.Chart("", (9.0, 4.5), tuple(series), chartspec.Axis(), chartspec.Axis())
    # by hand: 0..10 with 5 % margins, or 0..10.3 with them
    expected = (-0.515, 10.815) if after else (-0.5, 10.5)
    assert svgplot._limits(chart)[2:] == pytest.approx(expected)
    assert ax.get_ylim() == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(height=st.floats(1.5, 12.0), width=st.floats(2.0, 14.0),
       high=st.floats(0.5, 1e8), vertical=st.booleans())
def test_the_number_of_ticks_follows_the_axis_length_as_matplotlibs_auto(
        height: float, width: float, high: float, vertical: bool) -> None:
    """nbins='auto': as many ticks as labels of 9 points fit, 2 sizes apart up the y
    axis and 3 along x, at most 10 (matplotlib's get_tick_space)."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from finmodel.views import charts

    with charts.style():  # tick labels of 9 points
        figure = Figure(figsize=(width, height))
        ax = figure.add_subplot()
        charts.fixed_margins(figure, bottom=0.66)
        axis = ax.yaxis if vertical else ax.xaxis
        axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10],
                                           integer=True, min_n_ticks=1))
        (ax.set_ylim if vertical else ax.set_xlim)(0.0, high)
        theirs = axis.get_majorticklocs()
    box = ax.get_position()
    length = (box.height * height if vertical else box.width * width) * 72
    ours = chartspec.WHOLE.tick_values(0.0, high, chartspec.WHOLE.bins(length, 9.0, vertical))
    np.testing.assert_array_equal(visible(ours, 0.0, high),
                                  visible(theirs, 0.0, high))

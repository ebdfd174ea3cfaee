"""Charts of the uncertainty analysis, and the report section that shows them.

A fan chart of a line over the years, the histogram of NPV, the tornado and the data
table as a heatmap. Each is described once (``*_spec``, :mod:`finmodel.views.chartspec`):
the report section draws it as SVG without matplotlib (:mod:`finmodel.views.svgplot`);
``(data, ax=None) -> Axes`` draws it with matplotlib for notebooks, imported only then.
"""

from __future__ import annotations

import math
import textwrap
from html import escape
from typing import TYPE_CHECKING

import numpy as np

from finmodel.model.scenario import Scenario
from finmodel.views import i18n
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from finmodel.analysis.sensitivity import DataTable, Tornado
    from finmodel.analysis.simulation import Simulation
    from finmodel.views.chartspec import Chart

__all__ = ["data_table_heatmap", "fan_chart", "fan_spec", "heatmap_spec", "histogram_spec",
           "npv_histogram", "report_section", "section", "section_html", "tornado_chart",
           "tornado_spec"]

_BLUE = "#1f5f8b"   # finmodel.views.charts.COLORS["rental_income"]


def _draw(chart: Chart, ax: Axes | None) -> Axes:
    from finmodel.views.charts import draw

    return draw(chart, ax)


def fan_spec(sim: Simulation, line: str = "cash_end", lang: Language = "en") -> Chart:
    """P5-P95 and P25-P75 bands and the median of a line per year; for cash, the
    minimum cash as a dashed line (the chart's description,
    :mod:`finmodel.views.chartspec`)."""
    from finmodel.views.chartspec import Axis, Band, Chart, Line, Ref, Series, euro_axis

    years = sim.years
    series: list[Series] = [
        Band(years, sim.line(line, 5), sim.line(line, 95), _BLUE, 0.15, "P5-P95"),
        Band(years, sim.line(line, 25), sim.line(line, 75), _BLUE, 0.35, "P25-P75"),
        Line(years, sim.line(line, 50), _BLUE, t(lang, "chart.median"))]
    if line == "cash_end":
        series.append(Ref(sim.minimum_cash, "#c0504d", 1.2, "--",
                          i18n.line_name(lang, "minimum_cash")))
    ticks = tuple(float(y) for y in years[:: max(1, len(years) // 8)])
    return Chart(t(lang, "chart.fan", line=i18n.line_name(lang, line),
                   draws=i18n.number(lang, sim.draws)), (8.0, 4.0), tuple(series),
                 Axis(format="year", lang=lang, ticks=ticks), euro_axis(lang), columns=4,
                 fitted=True, legend_gap=0.3)


def fan_chart(sim: Simulation, ax: Axes | None = None, line: str = "cash_end",
              lang: Language = "en") -> Axes:
    """P5-P95 and P25-P75 bands and the median of a line per year; for cash, the
    minimum cash as a dashed line (:func:`fan_spec`, drawn with matplotlib).

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.simulation import simulate
    >>> sim = simulate(finmodel.load_scenario("scenarios/base.yaml"), draws=500)
    >>> fan_chart(sim).get_title("left")
    'Cash at year end: 500 draws'
    """
    return _draw(fan_spec(sim, line, lang), ax)


def histogram_spec(sim: Simulation, kpi: str = "npv", lang: Language = "en") -> Chart:
    """Histogram of a KPI over the draws (50 bins), with its P5, median and P95 marked."""
    from finmodel.views.chartspec import Axis, Chart, Histogram, Ref, Series, euro_axis

    values = sim.kpis[kpi][~np.isnan(sim.kpis[kpi])]
    series: list[Series] = [Histogram(values, _BLUE, 50, 0.7)]
    summary = sim.kpi_summary(kpi)
    for key, style in (("p5", ":"), ("p50", "-"), ("p95", ":")):
        if summary[key] is not None:
            series.append(Ref(float(summary[key] or 0.0), "black", 1.0, style, key.upper(),
                              vertical=True))
    return Chart(t(lang, "chart.histogram", kpi=i18n.kpi_name(lang, kpi),
                   draws=i18n.number(lang, sim.draws)), (8.0, 4.0), tuple(series),
                 euro_axis(lang), Axis(t(lang, "chart.draws"), lang=lang), columns=3,
                 fitted=True, legend_gap=0.6)


def npv_histogram(sim: Simulation, ax: Axes | None = None, kpi: str = "npv",
                  lang: Language = "en") -> Axes:
    """Histogram of a KPI over the draws, with its P5, median and P95 marked
    (:func:`histogram_spec`, drawn with matplotlib)."""
    return _draw(histogram_spec(sim, kpi, lang), ax)


def tornado_spec(tornado: Tornado, lang: Language = "en") -> Chart:
    """Bars from the base value of the KPI to its value at each parameter's P10 and P90,
    largest swing on top (the chart's description)."""
    from finmodel.views.chartspec import Axis, Bars, Chart, Locator, Ref, euro_axis

    rows = [r for r in tornado.rows if not np.isnan(r.swing)]
    y = np.arange(len(rows), dtype=float)
    bars = tuple(Bars(y, np.array([getattr(r, value) for r in rows], dtype=float)
                      - tornado.base, color, label, base=tornado.base, width=0.6,
                      horizontal=True)
                 for value, color, label in (("kpi_low", "#e6a19f", t(lang, "chart.at_p10")),
                                             ("kpi_high", _BLUE, t(lang, "chart.at_p90"))))
    names = Axis(ticks=tuple(y.tolist()),
                 names=tuple(i18n.param_name(lang, r.param) for r in rows), inverted=True)
    return Chart(t(lang, "chart.tornado", kpi=i18n.kpi_name(lang, tornado.kpi),
                   base=i18n.kpi_value(lang, tornado.kpi, tornado.base)),
                 (10.0, 1.2 + 0.45 * max(1, len(rows))),
                 (*bars, Ref(tornado.base, "black", 0.8, vertical=True)),
                 euro_axis(lang, locator=Locator(5)), names, columns=2, fitted=True,
                 legend_gap=0.6)


def tornado_chart(tornado: Tornado, ax: Axes | None = None, lang: Language = "en") -> Axes:
    """Bars from the base value of the KPI to its value at each parameter's P10 and P90,
    largest swing on top (:func:`tornado_spec`, drawn with matplotlib)."""
    return _draw(tornado_spec(tornado, lang), ax)


def heatmap_spec(table: DataTable, lang: Language = "en") -> Chart:
    """The data table as a heatmap, each cell labelled when the grid is small; invalid
    cells (:attr:`DataTable.invalid_cells`) hatched, a ``*`` after their label and the
    note under the chart, as the text table marks them (the chart's description)."""
    from finmodel.views.chartspec import Axis, Chart, Heatmap, euro_axis

    x_name, y_name = (i18n.param_name(lang, p) for p in (table.x_param, table.y_param))
    bad = table.invalid_cells
    labels: tuple[tuple[str, ...], ...] = ()
    if table.cells.size <= 100:
        labels = tuple(tuple(_cell_label(table.kpi, float(v), lang) + ("*" if bad[i, j]
                                                                       else "")
                             for j, v in enumerate(row)) for i, row in enumerate(table.cells))
    kpi = i18n.kpi_name(lang, table.kpi)
    bar = euro_axis(lang, label=kpi) if _money(table.kpi) else Axis(kpi, lang=lang)
    x_label = x_name if not bad.any() else (
        x_name + "\n" + "\n".join(textwrap.wrap(t(lang, "cli.table.invalid"), 90)))
    x = Axis(x_label, lang=lang, ticks=tuple(float(i) for i in range(len(table.x_values))),
             names=tuple(_ticks(table.x_param, table.x_values, lang)), rotation=45.0)
    y = Axis(y_name, lang=lang, ticks=tuple(float(i) for i in range(len(table.y_values))),
             names=tuple(_ticks(table.y_param, table.y_values, lang)))
    return Chart(t(lang, "chart.heatmap", kpi=kpi, x=x_name, y=y_name), (8.0, 5.0),
                 (Heatmap(np.asarray(table.cells, dtype=float), bad, labels, bar),), x, y,
                 fitted=True)


def data_table_heatmap(table: DataTable, ax: Axes | None = None, lang: Language = "en"
                       ) -> Axes:
    """The data table as a heatmap, each cell labelled when the grid is small
    (:func:`heatmap_spec`, drawn with matplotlib).

    Cells whose pair of values is no valid scenario (own use above the available hours;
    :attr:`DataTable.invalid_cells`) are marked as the text table marks them: hatched, a
    ``*`` after the label, and the note under the chart.

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.sensitivity import data_table
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> table = data_table(base, ("facility.available_hours", [300, 1400]),
    ...                    ("finance.opening_cash", [0, 100000]), "min_cash")
    >>> ax = data_table_heatmap(table)   # own use is 960 hours a year from 2027
    >>> [t.get_text() for t in ax.texts]
    ['-696k*', '-106k', '-596k*', '-6k']
    >>> len(ax.patches), ax.get_xlabel().splitlines()[0]
    (2, 'Available hours')
    """
    return _draw(heatmap_spec(table, lang), ax)


def _money(kpi: str) -> bool:
    """True for KPIs in euros (not years, counts or the debt service coverage ratio)."""
    return not (kpi.endswith("_year") or kpi == "years_below_minimum"
                or kpi.startswith("min_debt_service"))


def _cell_label(kpi: str, value: float, lang: Language) -> str:
    """A heatmap cell: euros in thousands (``-57k``), years as years, ratios with 2
    decimals."""
    if np.isnan(value):
        return t(lang, "n/a")
    if kpi.endswith("_year"):
        return i18n.year(value)
    if not _money(kpi):
        return i18n.number(lang, value, 0 if kpi == "years_below_minimum" else 2)
    return i18n.number(lang, value / 1000) + "k"


def _ticks(path: str, values: np.ndarray, lang: Language = "en") -> list[str]:
    """Rates and shares in percent, other values with thousands separators; with the
    fewest decimals (at most 4) that write every value exactly, else enough to place each
    value within a twentieth of the step between them.

    Examples
    --------
    >>> _ticks("indexation.cpi", np.array([0.02, 0.0225, 0.025]), "nl")
    ['2,00%', '2,25%', '2,50%']
    >>> _ticks("finance.loans[Bank].rate", np.array([0.03, 0.04]))
    ['3%', '4%']
    >>> _ticks("rental.segments[A].demand_hours", np.array([900.0, 1000.0, 1100.0]))
    ['900', '1,000', '1,100']
    >>> _ticks("rental.segments[A].tariff", np.array([1 / 3, 2 / 3]))
    ['0.33', '0.67']
    """
    from finmodel.analysis.uncertainty import bounds_of

    rate = bounds_of(path).name in ("share", "rate") or path.endswith("].rate")
    shown = (values * 100 if rate else values).tolist()

    def say(digits: int) -> list[str]:
        return [(i18n.percent(lang, v / 100, digits) if rate else
                 i18n.number(lang, v, digits)) for v in shown]

    exact = next((d for d in range(5) if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v))
                                             for v in shown)), None)
    if exact is not None:
        return say(exact)
    ordered = sorted(set(shown))
    step = min((b - a for a, b in zip(ordered, ordered[1:], strict=False)), default=1.0)
    return say(min(4, max(0, math.ceil(math.log10(10 / step)))))  # step > 0: set() above


def section(scenario: Scenario, draws: int = 10_000, lang: Language = "en"
            ) -> tuple[str, list[tuple[str, bytes]]]:
    """The report's uncertainty section: its text as HTML (heading, what was drawn, the
    probabilities in plain words) and its charts as ``(title, SVG)``: fan chart of cash,
    histogram of NPV, tornado and, given two uncertain values, a data table. Empty when
    the scenario has no ``uncertainty``.

    Examples
    --------
    >>> import finmodel
    >>> section(finmodel.load_scenario("scenarios/base.yaml").with_changes(
    ...     {"uncertainty": {}}))
    ('', [])
    """
    if not scenario.uncertainty:
        return "", []
    from finmodel.analysis.sensitivity import tornado
    from finmodel.analysis.simulation import simulate
    from finmodel.views.svgplot import render
    from finmodel.views.uncertainty_text import plain_words

    sim = simulate(scenario, draws=draws)
    result = tornado(scenario, "npv")
    specs = [fan_spec(sim, lang=lang), histogram_spec(sim, lang=lang),
             tornado_spec(result, lang)]
    table = _top_two_table(scenario, result)
    if table is not None:
        specs.append(heatmap_spec(table, lang))
    params = ", ".join(f'<span title="{escape(p)}">{escape(i18n.param_name(lang, p))}</span>'
                       for p in scenario.uncertainty)
    note = escape(t(lang, "unc.note", draws=i18n.number(lang, sim.draws), seed=sim.seed,
                    params="\x00")).replace("\x00", params)
    text = "\n".join([
        f'<h2 id="uncertainty">{escape(t(lang, "section.uncertainty"))}</h2>',
        f'<p class="note fm">{note}</p>',
        '<ul class="fm">' + "".join(f"<li>{escape(w)}</li>" for w in plain_words(sim, lang))
        + "</ul>"])
    return text, [(chart.title, render(chart)) for chart in specs]


def section_html(scenario: Scenario, draws: int = 10_000, lang: Language = "en") -> str:
    """:func:`section` as one piece of HTML, the charts embedded as SVG images with their
    titles as alt text."""
    from finmodel.views.svgplot import svg_image_html

    text, charts = section(scenario, draws, lang)
    images = [svg_image_html(title, data) for title, data in charts]
    return "\n".join([text, *images]) if text else ""


def _top_two_table(scenario: Scenario, result: Tornado) -> DataTable | None:
    """NPV over P10..P90 of the two uncertain values (``apply: replace``) that swing most."""
    from finmodel.analysis.sensitivity import data_table

    top = [r for r in result.rows if r.apply == "replace" and r.low != r.high][:2]
    if len(top) < 2:
        return None
    x, y = (np.linspace(min(r.low, r.high), max(r.low, r.high), 7) for r in top)
    return data_table(scenario, (top[0].param, x), (top[1].param, y), "npv")


def report_section(scenario: Scenario, draws: int = 10_000, lang: Language = "en") -> None:
    """Display the uncertainty section of the scenario report in a notebook: the fan
    chart of cash, the histogram of NPV, the probabilities in plain words, the tornado of
    NPV and a data table over the two values that swing it most. Shows nothing when the
    scenario has no ``uncertainty``. One HTML output; each chart an embedded SVG image
    with its title as alt text.
    """
    html = section_html(scenario, draws, lang)
    if not html:
        return
    from finmodel.views.reporting import show

    show(html)

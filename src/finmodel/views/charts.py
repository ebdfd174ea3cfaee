"""Charts of one projection drawn with matplotlib, in the report's style, for notebooks.

Every chart is ``(projection, ax=None) -> Axes``, drawn by :func:`draw` from the same
description (:mod:`finmodel.views.chartspec`) that the scenario report draws as SVG
without matplotlib (:mod:`finmodel.views.svgplot`). Without ``ax`` a new figure is made
with :class:`matplotlib.figure.Figure` (not pyplot), so building charts in a batch
never piles up open pyplot figures; :func:`svg` renders any of them as SVG with its
text as text (what compare.html embeds), :func:`png` with Agg. Amount axes use
:func:`euro_axis` (thousands separators, "EUR" in the axis label), which the other chart
modules reuse. Neither ``import finmodel`` nor the report imports this module.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from finmodel.views import chartspec, report_charts
from finmodel.views.chartspec import COLORS, Chart
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["COLORS", "STYLE", "cash_chart", "draw", "euro_axis", "fixed_margins",
           "FIT", "fit", "hours_chart", "image_html", "income_chart", "label_width",
           "new_axes", "png", "self_sufficiency_chart", "style", "subsidy_chart", "svg"]

#: rcParams of the report style: quiet frame, light horizontal grid, legend without box.
STYLE: dict[str, Any] = {
    "figure.figsize": (9.0, 4.5), "figure.dpi": 100, "font.size": 10,
    "axes.titlesize": 12, "axes.titleweight": "bold", "axes.titlelocation": "left",
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "axes.grid.axis": "y", "axes.axisbelow": True, "grid.color": "#d6dde4",
    "grid.linewidth": 0.8, "legend.frameon": False, "legend.fontsize": 9,
    "xtick.labelsize": 9, "ytick.labelsize": 9,
    # The title just above the plot: nothing is drawn above the axes, so matplotlib's
    # search for ticks up there (a sixth of each draw) finds nothing to move it for.
    "axes.titley": 1.0,
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Apply :data:`STYLE` to the charts made inside the block."""
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # keys are valid rcParams
        yield


def euro_axis(ax: Axes, axis: str = "y", lang: Language = "en") -> Axes:
    """Euro ticks with the locale's thousands separators; the currency in the axis label.

    Examples
    --------
    >>> ax = Figure().add_subplot()
    >>> _ = ax.set_ylabel("Cash")
    >>> euro_axis(ax).get_ylabel(), ax.yaxis.get_major_formatter()(-1234567.8)
    ('Cash (EUR)', '\u22121,234,568')
    >>> euro_axis(Figure().add_subplot(), lang="nl").yaxis.get_major_formatter()(1234567.8)
    '1.234.568'
    """
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(_locator(chartspec.WHOLE))
    euros = chartspec.Axis(format="euro", lang=lang)
    target.set_major_formatter(FuncFormatter(lambda v, pos: chartspec.tick_text(euros, v)))
    label = target.get_label_text()
    unit = t(lang, "chart.eur")
    if unit not in label:
        target.set_label_text(f"{label} ({unit})" if label else unit)
    return ax


def image_html(ax: Axes | Figure, width: int = 900) -> str:
    """A chart as an ``<img>`` with its SVG embedded and its title as alt text: vector
    graphics with the text as text, so sharp on screen and in the PDF at any zoom (the
    markup of the report's own charts, :func:`finmodel.views.svgplot.svg_image_html`)."""
    from finmodel.views.svgplot import svg_image_html

    axes = ax if isinstance(ax, Axes) else ax.axes[0]
    return svg_image_html(axes.get_title("left") or axes.get_title(), svg(ax), width)


_OWN = "finmodel.views.charts"  # label of the figures made here: their margins are ours to set
def _axes(ax: Axes | None, size: tuple[float, float] = (9.0, 4.5)) -> Axes:
    if ax is not None:
        return ax
    with style():
        figure = Figure(figsize=size)
        figure.set_label(_OWN)
        return figure.add_subplot()


def _margins(ax: Axes, legend_rows: int) -> None:
    """Fixed margins in inches for our own figures, room for the legend rows below.

    Cheaper than a layout engine (which draws the figure twice) and the same for every
    chart, so the plot areas line up in a report.
    """
    figure = ax.get_figure()
    if not isinstance(figure, Figure) or figure.get_label() != _OWN:
        return
    fixed_margins(figure, bottom=0.66 + 0.24 * legend_rows)


def fixed_margins(figure: Figure, left: float = 1.0, right: float = 0.15,
                  top: float = 0.4, bottom: float = 0.66) -> None:
    """Set the space around the plot area in inches (not fractions of the figure), so
    that charts of any size have the same margins.

    Examples
    --------
    >>> figure = Figure(figsize=(10, 5))
    >>> fixed_margins(figure, left=2.0, bottom=1.0)
    >>> round(float(figure.subplotpars.left), 9), round(float(figure.subplotpars.bottom), 9)
    (0.2, 0.2)
    """
    width, height = figure.get_size_inches()
    figure.subplots_adjust(left=left / width, right=1 - right / width,
                           top=1 - top / height, bottom=bottom / height)


#: Label of figures whose margins :func:`fit` sets when they are rendered here.
FIT = "finmodel.views.charts.fit"


def new_axes(size: tuple[float, float]) -> Axes:
    """Axes on a new figure outside pyplot, without a layout engine: its margins are set
    by :func:`fit` when :func:`svg` or :func:`png` renders it (one draw, not three)."""
    with style():
        figure = Figure(figsize=size)
        figure.set_label(FIT)
        return figure.add_subplot()


def fit(figure: Figure) -> None:
    """Margins that hold the tick labels, axis labels and a legend under the plot.

    For one axes (and its colour bar): the left margin from the widest fixed tick label
    (names such as parameters or risks; 1 inch for amounts), the bottom from the rows of
    a legend anchored under the axes, whose anchor is in axes units.
    """
    import math

    ax = figure.axes[0]
    width, height = figure.get_size_inches()
    names = [t.get_text() for t in ax.get_yticklabels()]
    left = label_width(figure, names) + 0.2 if any(names) else 0.75
    left = max(left, 0.75) + (0.3 if ax.get_ylabel() else 0.0)
    xlabels = ax.get_xticklabels()  # each call places and formats every tick again
    xnames = [t.get_text() for t in xlabels]
    rotated = any(t.get_rotation() for t in xlabels)
    under = (label_width(figure, xnames) * 0.71 if rotated and any(xnames) else 0.2) + 0.15
    under += 0.3 if ax.get_xlabel() else 0.0
    top = 0.4
    bottom = under + 0.1
    legend = ax.get_legend()
    if legend is not None:
        anchor = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
        if anchor.y1 < 0:  # under the axes: anchored at a share of the axes height
            texts = [t.get_text() for t in legend.get_texts()]
            size = float(legend.get_texts()[0].get_fontsize()) if texts else 9.0
            columns = max(int(getattr(legend, "_ncols", 1)), 1)
            # a column: its text, the handle (2 em), the gaps (0.8 + 2 em), the frame
            ems = (2 + 0.8 + 2) * size / 72
            if sum(label_width(figure, [t], size) + ems for t in texts[:columns]) > width - 0.2:
                # one entry a row rather than past the page's edge (a legend is laid
                # out when made, so it is made again)
                handles = [h for h in legend.legend_handles if h is not None]
                legend = ax.legend(handles, texts, loc=getattr(legend, "_loc", "upper center"),
                                   bbox_to_anchor=(anchor.x0, anchor.y0), ncols=1)
                columns = 1
            rows = math.ceil(len(texts) / columns)
            extra = rows * 0.22 + 0.2
            below = -anchor.y1
            bottom = max(bottom, (below * (height - top) + extra) / (1 + below))
    right = 0.25 + (1.1 if len(figure.axes) > 1 else 0.0)  # room for a colour bar's labels
    figure.subplots_adjust(left=left / width, right=1 - right / width,
                           top=1 - top / height, bottom=bottom / height)
    plot_width = ax.get_position().width * width
    if legend is not None and anchor.y1 < 0:  # centred on the page, not on the plot
        box = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
        centre = (width / 2 - left) / plot_width
        legend.set_bbox_to_anchor((centre, box.y0, 0, box.height), ax.transAxes)
    _fit_title(figure, ax, left, plot_width)


def _fit_title(figure: Figure, ax: Axes, left: float, plot_width: float) -> None:
    """A left-aligned title that would run off the figure starts at its left edge
    instead, and is set smaller if it still does not fit."""
    title: Text = ax._left_title  # type: ignore[attr-defined]  # where the style puts it
    if not title.get_text():
        return
    width = figure.get_size_inches()[0]
    size = title.get_fontsize()
    needed = label_width(figure, [title.get_text()], size, title.get_fontweight())
    if left + needed + 0.1 <= width:
        return
    title.set_x(-(left - 0.1) / plot_width)
    if needed + 0.2 > width:
        title.set_fontsize(size * (width - 0.2) / needed)


def label_width(figure: Figure, labels: Iterable[str], size: float | str = 9.0,
                weight: str | int = "normal") -> float:
    """The width in inches of the widest of ``labels`` at font ``size``, as drawn:
    what a margin must leave for tick labels such as parameter or risk names.

    Examples
    --------
    >>> figure = Figure()
    >>> 0 < label_width(figure, ["ab"]) < label_width(figure, ["ab", "abcdef"]) < 1
    True
    >>> label_width(figure, [])
    0.0
    """
    from matplotlib.font_manager import FontProperties

    points = FontProperties(size=size).get_size_in_points()  # "small": of the rcParams now
    font = (tuple(matplotlib.rcParams["font.family"]),
            tuple(matplotlib.rcParams["font.sans-serif"]))
    widths = [_text_width(text, points, weight, font) for text in labels if text]
    return max(widths, default=0.0) / 72


@functools.lru_cache(maxsize=4096)
def _text_width(text: str, points: float, weight: str | int,
                font: tuple[tuple[str, ...], tuple[str, ...]]) -> float:
    """The width in points of ``text`` as Agg draws it in the ``font`` families (the
    rcParams of the time, part of the key); the same tick labels and names come back
    chart after chart, so each is measured once."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(1, 1, 72)  # type: ignore[no-untyped-call]  # widths in points
    prop = FontProperties(size=points, weight=weight)
    width: float = renderer.get_text_width_height_descent(  # type: ignore[no-untyped-call]
        text, prop, ismath=False)[0]
    return width


def _legend(ax: Axes, ncol: int = 3) -> None:
    """The legend under the plot, stacked bars first (bottom to top), then the lines."""
    pairs = list(zip(*ax.get_legend_handles_labels(), strict=True))
    pairs.sort(key=lambda pair: not isinstance(pair[0], BarContainer))
    ax.legend([h for h, _ in pairs], [lab for _, lab in pairs], loc="upper center",
              bbox_to_anchor=(0.5, 0.0), borderaxespad=2.4, ncol=ncol)
    _margins(ax, -(-len(pairs) // ncol))


def income_chart(p: Projection, ax: Axes | None = None, lang: Language = "en") -> Axes:
    """Income by source as stacked bars, against total expenses as a line
    (:func:`~finmodel.views.report_charts.income_spec`).

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> ax = income_chart(p)
    >>> len(ax.containers), len(ax.get_lines())
    (5, 1)
    """
    return draw(report_charts.income_spec(p, lang), ax)


def subsidy_chart(p: Projection, ax: Axes | None = None, lang: Language = "en") -> Axes:
    """Subsidy income (stacked bars) phasing out, against the structural result (line)."""
    return draw(report_charts.subsidy_spec(p, lang), ax)


def cash_chart(p: Projection, ax: Axes | None = None, lang: Language = "en") -> Axes:
    """Cash at year end against the minimum cash; years below the minimum marked red."""
    return draw(report_charts.cash_spec(p, lang), ax)


def hours_chart(p: Projection, ax: Axes | None = None, lang: Language = "en") -> Axes:
    """Own-use hours per party and rented hours per segment, stacked, against capacity."""
    return draw(report_charts.hours_spec(p, lang), ax)


def self_sufficiency_chart(p: Projection, ax: Axes | None = None,
                           lang: Language = "en") -> Axes:
    """Self-sufficiency (rental income and partner cash over cash costs) per year, in %."""
    return draw(report_charts.self_sufficiency_spec(p, lang), ax)


def draw(chart: Chart, ax: Axes | None = None) -> Axes:
    """Draw a chart's description (:mod:`finmodel.views.chartspec`) with matplotlib: on
    ``ax``, or on new axes in the report style; what the report's SVG writer
    (:mod:`finmodel.views.svgplot`) draws from the same description."""
    if ax is None:
        ax = new_axes(chart.size) if chart.fitted else _axes(None, chart.size)
    with style():
        for series in chart.series:
            _draw_series(ax, series)
        _draw_axis(ax, chart.x, "x")
        _draw_axis(ax, chart.y, "y")
        ax.set_title(chart.title)
        if chart.fitted:
            _legend_under(ax, chart)
        elif chartspec.legend_entries(chart):
            _legend(ax, chart.columns)
        else:
            _margins(ax, 0)
    return ax


def _draw_series(ax: Axes, s: chartspec.Series) -> None:
    if isinstance(s, chartspec.Bars):
        if s.horizontal:
            ax.barh(s.x, s.size, left=s.base, height=s.width, color=s.color, label=s.label,
                    alpha=s.alpha)
        else:
            ax.bar(s.x, s.size, bottom=s.base, width=s.width, color=s.color, label=s.label,
                   alpha=s.alpha)
    elif isinstance(s, chartspec.Line):
        style = dict(color=s.color, marker=s.marker or None, markersize=s.markersize,
                     linewidth=s.linewidth, linestyle=s.linestyle, label=s.label)
        if s.step:
            ax.step(s.x, s.y, where="post", **style)  # type: ignore[arg-type]
        else:
            ax.plot(s.x, s.y, **style)  # type: ignore[arg-type]
    elif isinstance(s, chartspec.Ref):
        line = ax.axvline if s.vertical else ax.axhline
        line(s.value, color=s.color, linestyle=s.linestyle, linewidth=s.linewidth,
             label=s.label)
    elif isinstance(s, chartspec.Span):
        ax.axvspan(s.start, s.end, color=s.color, zorder=0, label=s.label)
    elif isinstance(s, chartspec.Band):
        ax.fill_between(s.x, s.low, s.high, color=s.color, alpha=s.alpha, linewidth=0,
                        label=s.label)
    elif isinstance(s, chartspec.Histogram):
        ax.hist(s.values[np.isfinite(s.values)], bins=s.bins, color=s.color, alpha=s.alpha,
                label=s.label)
    elif isinstance(s, chartspec.Heatmap):
        _draw_heatmap(ax, s)


def _locator(locator: chartspec.Locator) -> MaxNLocator:
    """matplotlib's locator of ``locator``; :data:`~finmodel.views.chartspec.WHOLE`
    ticks only at whole euros or hours: an axis whose values are all 0 shows one "0", not
    five ticks that all round to "0".

    Examples
    --------
    >>> whole = _locator(chartspec.WHOLE)
    >>> [float(v) for v in whole.tick_values(-0.055, 0.055) if abs(v) <= 0.055]
    [0.0]
    >>> whole.tick_values(0, 250_000).tolist()
    [0.0, 50000.0, 100000.0, 150000.0, 200000.0, 250000.0]
    """
    return MaxNLocator(nbins="auto" if locator.nbins == chartspec.AUTO else locator.nbins,
                       steps=list(locator.steps), integer=locator.integer,
                       min_n_ticks=locator.min_n_ticks)


def _draw_axis(ax: Axes, spec: chartspec.Axis, which: str) -> None:
    axis = ax.xaxis if which == "x" else ax.yaxis
    if spec.ticks is not None:
        rotation: dict[str, Any] = {"rotation": spec.rotation} if spec.names and spec.rotation \
            else {}
        (ax.set_xticks if which == "x" else ax.set_yticks)(spec.ticks, spec.names,
                                                           **rotation)
    else:
        axis.set_major_locator(_locator(spec.locator))
    if spec.names is None and spec.format != "number":
        axis.set_major_formatter(FuncFormatter(
            lambda v, _pos, spec=spec: chartspec.tick_text(spec, v)))
    if spec.low is not None or spec.high is not None:
        (ax.set_xlim if which == "x" else ax.set_ylim)(spec.low, spec.high)
    if spec.inverted:
        axis.set_inverted(True)
    if spec.grid:
        ax.grid(axis=which)  # type: ignore[arg-type]
    if spec.label:
        axis.set_label_text(spec.label)


def _legend_under(ax: Axes, chart: Chart) -> None:
    """The legend under a fitted chart, ``legend_gap`` inches below the plot (:func:`fit`
    centres it on the page and leaves room for it)."""
    entries = [s.label for s in chartspec.legend_entries(chart)]
    if not entries:
        return
    handles, labels = ax.get_legend_handles_labels()
    pairs = dict(zip(labels, handles, strict=False))
    figure_height = getattr(ax.figure, "get_figheight", lambda: 4.0)()  # a SubFigure has none
    below = chart.legend_gap / max(ax.get_position().height * figure_height, 1.0)
    ax.legend([pairs[label] for label in entries], entries, loc="upper center",
              bbox_to_anchor=(0.5, -below), ncol=chart.columns)


def png(ax: Axes | Figure, path: str | Path | None = None, dpi: int = 120) -> bytes:
    """Render a chart's figure as PNG with Agg; also written to ``path`` if given."""
    figure = ax if isinstance(ax, Figure) else ax.get_figure()
    assert isinstance(figure, Figure)
    if figure.get_label() == FIT:
        fit(figure)
    buffer = io.BytesIO()
    with style():
        figure.savefig(buffer, format="png", dpi=dpi)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


#: SVG settings: text as text (the viewer's sans-serif font if DejaVu Sans is missing,
#: anchored as matplotlib placed it), fixed ids and no date, so a report changes only
#: when its numbers do.
_SVG: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "finmodel",
                        "svg.image_inline": True}


def svg(ax: Axes | Figure, path: str | Path | None = None) -> bytes:
    """Render a chart's figure as SVG, drawn once; also written to ``path`` if given.

    Examples
    --------
    >>> ax = Figure().add_subplot()
    >>> _ = ax.set_title("Cash")
    >>> data = svg(ax)
    >>> data.startswith(b"<?xml") and b">Cash<" in data and data == svg(ax)
    True
    """
    figure = ax if isinstance(ax, Figure) else ax.get_figure()
    assert isinstance(figure, Figure)
    if figure.get_label() == FIT:
        fit(figure)
    buffer = io.BytesIO()
    settings: dict[Any, Any] = {**STYLE, **_SVG}  # valid rcParams keys
    with matplotlib.rc_context(settings):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _draw_heatmap(ax: Axes, s: chartspec.Heatmap) -> None:
    """The grid as an image in RdYlGn, its labels, hatched invalid cells and a colour bar
    with its own axis."""
    image = ax.imshow(s.cells, origin="lower", aspect="auto", cmap="RdYlGn")
    for i, row in enumerate(s.labels):
        for j, label in enumerate(row):
            ax.text(j, i, label, ha="center", va="center", fontsize="x-small")
    for i, j in zip(*np.nonzero(s.invalid), strict=True):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1.0, 1.0, fill=False, hatch="///",
                               edgecolor="#2b2b2b", linewidth=0.0))
    figure = ax.get_figure()
    assert figure is not None
    bar = figure.colorbar(image, ax=ax)
    _draw_axis(bar.ax, s.bar, "y")

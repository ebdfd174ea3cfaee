"""The report's charts written as SVG directly, from their description
(:class:`~finmodel.views.chartspec.Chart`), without matplotlib.

The look is the matplotlib style of :data:`finmodel.views.charts.STYLE`: the title left
and bold above the plot, a light horizontal grid, no frame at the top and right, ticks
where matplotlib puts them (:mod:`finmodel.views._ticks`), the legend under the plot in
columns. Text stays text (DejaVu Sans, else the viewer's sans-serif), laid out with the
font's advance widths (:mod:`finmodel.views._font_widths`); ids are fixed and there is no
date, so the same chart gives the same bytes. A chart costs about a millisecond, where
matplotlib took 35-100 ms, and importing this module takes no matplotlib at all.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from html import escape

import numpy as np

from finmodel.views._ticks import Locator, autoscale, visible
from finmodel.views.chartspec import (
    Axis,
    Band,
    Bars,
    Chart,
    Heatmap,
    Histogram,
    Line,
    Ref,
    Series,
    Span,
    legend_entries,
    tick_text,
)
from finmodel.views.svgheat import cells, colour_bar
from finmodel.views.svgparts import FONT, LABEL_SIZE, TICK, TICK_SIZE, num, text, text_width

__all__ = ["image_html", "render", "svg_image_html", "text_width"]

_GRID = "#d6dde4"
_PT = 72.0           # points an inch

@dataclass(frozen=True)
class _Frame:
    """The plot area in points from the top left of the page, and its data limits."""

    left: float
    top: float
    width: float
    height: float
    x0: float
    x1: float
    y0: float
    y1: float
    y_inverted: bool = False

    def x(self, value: float | np.ndarray) -> np.ndarray:
        return self.left + (np.asarray(value, dtype=float) - self.x0) / (self.x1 - self.x0) \
            * self.width

    def y(self, value: float | np.ndarray) -> np.ndarray:
        share = (np.asarray(value, dtype=float) - self.y0) / (self.y1 - self.y0)
        return self.top + (share if self.y_inverted else 1 - share) * self.height


# -- limits ----------------------------------------------------------------------------

def _extent(series: Series) -> tuple[list[float], list[float], list[float], list[float]]:
    """The data x and y values a series spans, and its sticky x and y edges."""
    if isinstance(series, Bars):
        base = np.broadcast_to(np.asarray(series.base, dtype=float), np.shape(series.size))
        ends = base + series.size
        keep = (series.size != 0) | (series.width != 0)
        along = [*series.x[keep] - series.width / 2, *series.x[keep] + series.width / 2]
        across = [*base[keep], *ends[keep]]
        if series.horizontal:
            return across, along, list(base), []
        return along, across, [], list(base)
    if isinstance(series, Line):
        return list(series.x), list(series.y), [], []
    if isinstance(series, Band):
        return list(series.x) * 2, [*series.low, *series.high], [], []
    if isinstance(series, Histogram):
        counts, edges = _histogram(series)
        return [float(edges[0]), float(edges[-1])], [0.0, float(counts.max(initial=0))], \
            [], [0.0]
    if isinstance(series, Heatmap):
        rows, cols = series.cells.shape
        xs, ys = [-0.5, cols - 0.5], [-0.5, rows - 0.5]
        return xs, ys, xs, ys
    if isinstance(series, Span):
        return [series.start, series.end], [], [], []
    return [], [], [], []


def _histogram(series: Histogram) -> tuple[np.ndarray, np.ndarray]:
    values = series.values[np.isfinite(series.values)]
    return np.histogram(values, bins=series.bins)


def _limits(chart: Chart) -> tuple[float, float, float, float]:
    """The view limits as matplotlib autoscales them: data limits with 5 % margins that
    stop at the sticky edges (bar bases, a heatmap's border); a reference line inside the
    view of what came before it counts only once a later series makes matplotlib
    rescale; a fixed limit stays."""
    xs: list[float] = []
    ys: list[float] = []
    sx: list[float] = []
    sy: list[float] = []
    later: tuple[list[float], list[float]] = ([], [])  # counted when a series follows
    for series in chart.series:
        if isinstance(series, Ref):
            values, sticky = (xs, sx) if series.vertical else (ys, sy)
            if values:
                low, high = autoscale(min(values), max(values), sticky)
                if low <= series.value <= high:
                    later[0 if series.vertical else 1].append(series.value)
                    continue
            values.append(series.value)
            continue
        x, y, stick_x, stick_y = _extent(series)
        xs += [v for v in [*x, *later[0]] if math.isfinite(v)]
        ys += [v for v in [*y, *later[1]] if math.isfinite(v)]
        later = ([], [])
        sx += stick_x
        sy += stick_y
    x0, x1 = _fixed(chart.x, xs, sx)
    y0, y1 = _fixed(chart.y, ys, sy)
    return x0, x1, y0, y1


def _fixed(axis: Axis, values: list[float], sticky: list[float]) -> tuple[float, float]:
    low, high = autoscale(min(values), max(values), sticky) if values else (0.0, 1.0)
    return (low if axis.low is None else axis.low), (high if axis.high is None else axis.high)


def _ticks(axis: Axis, low: float, high: float, length: float, vertical: bool
           ) -> list[tuple[float, str]]:
    """The ticks shown on an axis ``length`` points long, with their labels."""
    if axis.ticks is not None:
        names = axis.names or tuple(tick_text(axis, v) for v in axis.ticks)
        return [(v, n) for v, n in zip(axis.ticks, names, strict=True)
                if visible(np.array([v]), low, high)]
    locator: Locator = axis.locator
    values = locator.tick_values(low, high, locator.bins(length, TICK_SIZE, vertical))
    return [(v, tick_text(axis, v)) for v in visible(values, low, high)]


# -- layout ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Legend:
    columns: list[list[Series]]
    widths: list[float]


def _legend(chart: Chart, page_width: float) -> _Legend | None:
    """The legend's entries in columns (filled down, as matplotlib does): one column
    when the first row would run past the page."""
    entries = legend_entries(chart)
    if not entries:
        return None
    columns = max(1, min(chart.columns, len(entries)))
    extra = 4.8 * TICK_SIZE  # the handle (2 em), the gaps (0.8 + 2 em)

    def split(n: int) -> list[list[Series]]:
        size, rest = divmod(len(entries), n)
        out, start = [], 0
        for i in range(n):
            end = start + size + (1 if i < rest else 0)
            out.append(entries[start:end])
            start = end
        return [c for c in out if c]

    first_row = [c[0] for c in split(columns)]
    if sum(text_width(_label(s)) + extra for s in first_row) > page_width - 0.2 * _PT:
        columns = 1
    parts = split(columns)
    widths = [max(text_width(_label(s)) for s in c) + 2.8 * TICK_SIZE for c in parts]
    return _Legend(parts, widths)


def _label(series: Series) -> str:
    return str(getattr(series, "label", ""))


def _rows(legend: _Legend | None) -> int:
    return max((len(c) for c in legend.columns), default=0) if legend else 0


def _margins(chart: Chart, legend: _Legend | None, x0: float, x1: float, y0: float,
             y1: float) -> tuple[float, float, float, float]:
    """Left, right, top and bottom margins in points: fixed for the report's charts per
    year (the plot areas line up), fitted to the labels for the others (as
    :func:`finmodel.views.charts.fit`)."""
    width, height = chart.size
    rows = _rows(legend)
    if not chart.fitted:
        return 1.0 * _PT, 0.15 * _PT, 0.4 * _PT, (0.66 + 0.24 * rows) * _PT
    plot_height = height * (0.88 - 0.11) * _PT  # matplotlib's default, before fitting
    names = [n for _, n in _ticks(chart.y, y0, y1, plot_height, True)]
    left = max(max((text_width(n) for n in names), default=0.0) / _PT + 0.2, 0.75)
    left += 0.3 if chart.y.label else 0.0
    xnames = [n for _, n in _ticks(chart.x, x0, x1, width * 0.775 * _PT, False)]
    under = (max(text_width(n) for n in xnames) / _PT * 0.71
             if chart.x.rotation and xnames else 0.2) + 0.15
    lines = chart.x.label.count("\n") + 1 if chart.x.label else 0
    under += 0.3 + 0.17 * (lines - 1) if lines else 0.0
    bottom = under + 0.1
    if legend is not None:
        bottom = max(bottom, chart.legend_gap + rows * 0.22 + 0.2)
    right = 0.25 + (1.1 if _heatmap(chart) is not None else 0.0)
    return left * _PT, right * _PT, 0.4 * _PT, bottom * _PT


def _heatmap(chart: Chart) -> Heatmap | None:
    return next((s for s in chart.series if isinstance(s, Heatmap)), None)


# -- drawing ---------------------------------------------------------------------------

def _dash(style: str, width: float) -> str:
    """matplotlib's dash patterns, scaled with the line width."""
    pattern = {"--": (3.7, 1.6), ":": (1.0, 1.65)}.get(style)
    if pattern is None:
        return ""
    return f' stroke-dasharray="{num(pattern[0] * width)},{num(pattern[1] * width)}"'


def _rect(x: float, y: float, w: float, h: float, fill: str, alpha: float = 1.0,
          extra: str = "") -> str:
    opacity = f' fill-opacity="{num(alpha)}"' if alpha < 1 else ""
    return (f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}"'
            f' fill="{fill}"{opacity}{extra}/>')


def _marker(kind: str, x: float, y: float, size: float, color: str) -> str:
    if kind == "s":
        return _rect(x - size / 2, y - size / 2, size, size, color,
                     extra=f' stroke="{color}"')
    return (f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(size / 2)}" fill="{color}"'
            f' stroke="{color}"/>')


def _path(xs: np.ndarray, ys: np.ndarray) -> str:
    return "M" + " L".join(f"{num(a)} {num(b)}" for a, b in zip(xs, ys, strict=True))


def _finite_runs(y: np.ndarray) -> list[tuple[int, int]]:
    """The stretches of finite values, ``(start, end)``: a line breaks where a value is
    missing (NaN), as matplotlib draws it.

    Examples
    --------
    >>> _finite_runs(np.array([1.0, np.nan, 2.0, 3.0])), _finite_runs(np.array([np.nan]))
    ([(0, 1), (2, 4)], [])
    """
    runs, start = [], None
    for i, ok in enumerate(np.isfinite(y).tolist() + [False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _line(series: Line, f: _Frame) -> list[str]:
    x, y = np.asarray(series.x, dtype=float), np.asarray(series.y, dtype=float)
    if series.step:  # each value held to the next x
        x, y = np.repeat(x, 2)[1:], np.repeat(y, 2)[:-1]
    out = []
    runs = _finite_runs(y)
    if series.linestyle != "none" and runs:
        d = " ".join(_path(f.x(x[a:b]), f.y(y[a:b])) for a, b in runs)
        out.append(f'<path d="{d}" fill="none" stroke='
                   f'"{series.color}" stroke-width="{num(series.linewidth)}"'
                   f' stroke-linejoin="round" stroke-linecap="square"'
                   f'{_dash(series.linestyle, series.linewidth)}/>')
    if series.marker:
        out += [_marker(series.marker, float(a), float(b), series.markersize, series.color)
                for a, b in zip(f.x(x), f.y(y), strict=True) if math.isfinite(b)]
    return out


def _bars(series: Bars, f: _Frame) -> list[str]:
    base = np.broadcast_to(np.asarray(series.base, dtype=float), np.shape(series.size))
    ends = base + series.size
    half = series.width / 2
    out = []
    for at, a, b in zip(series.x, base, ends, strict=True):
        if series.horizontal:
            xa, xb = sorted((float(f.x(a)), float(f.x(b))))
            ya, yb = sorted((float(f.y(at - half)), float(f.y(at + half))))
        else:
            xa, xb = float(f.x(at - half)), float(f.x(at + half))
            ya, yb = sorted((float(f.y(a)), float(f.y(b))))
        out.append(_rect(xa, ya, xb - xa, yb - ya, series.color, series.alpha))
    return out


def _series(series: Series, f: _Frame) -> list[str]:
    if isinstance(series, Bars):
        return _bars(series, f)
    if isinstance(series, Line):
        return _line(series, f)
    if isinstance(series, Ref):
        if series.vertical:
            x = float(f.x(series.value))
            xs, ys = np.array([x, x]), np.array([f.top, f.top + f.height])
        else:
            y = float(f.y(series.value))
            xs, ys = np.array([f.left, f.left + f.width]), np.array([y, y])
        return [f'<path d="{_path(xs, ys)}" stroke="{series.color}" stroke-width='
                f'"{num(series.linewidth)}"{_dash(series.linestyle, series.linewidth)}/>']
    if isinstance(series, Span):
        xa, xb = float(f.x(series.start)), float(f.x(series.end))
        return [_rect(xa, f.top, xb - xa, f.height, series.color)]
    if isinstance(series, Band):
        xs = np.concatenate([f.x(series.x), f.x(series.x)[::-1]])
        ys = np.concatenate([f.y(series.low), f.y(series.high)[::-1]])
        return [f'<path d="{_path(xs, ys)} Z" fill="{series.color}" fill-opacity='
                f'"{num(series.alpha)}"/>']
    if isinstance(series, Histogram):
        counts, edges = _histogram(series)
        bars = Bars((edges[:-1] + edges[1:]) / 2, counts.astype(float), series.color,
                    width=float(edges[1] - edges[0]), alpha=series.alpha)
        return _bars(bars, f)
    if isinstance(series, Heatmap):
        return cells(series, f.x, f.y)
    return []


def _zorder(series: Series) -> int:
    """matplotlib's drawing order: a span behind all, patches and areas, then lines."""
    return 0 if isinstance(series, Span) else 2 if isinstance(series, Line | Ref) else 1


def _handle(series: Series, x: float, y: float) -> list[str]:
    """The legend's key of a series, 2 em wide, centred on ``y``."""
    width, height = 2 * TICK_SIZE, 0.7 * TICK_SIZE
    if isinstance(series, Line | Ref):
        style = getattr(series, "linestyle", "-")
        out = []
        if style != "none":
            out.append(f'<path d="M{num(x)} {num(y)} L{num(x + width)} {num(y)}" '
                       f'stroke="{series.color}" stroke-width="{num(series.linewidth)}"'
                       f'{_dash(style, series.linewidth)}/>')
        if isinstance(series, Line) and series.marker:
            out.append(_marker(series.marker, x + width / 2, y, series.markersize,
                               series.color))
        return out
    alpha = getattr(series, "alpha", 1.0)
    return [_rect(x, y - height / 2, width, height, str(getattr(series, "color", "#000")),
                  alpha)]


def _draw_legend(legend: _Legend, centre: float, top: float) -> list[str]:
    size = TICK_SIZE
    total = sum(legend.widths) + 2 * size * (len(legend.widths) - 1)
    x = centre - total / 2
    out = []
    for column, width in zip(legend.columns, legend.widths, strict=True):
        for row, series in enumerate(column):
            row_top = top + 0.4 * size + row * 1.5 * size
            out += _handle(series, x, row_top + 0.38 * size)
            out.append(text(x + 2.8 * size, row_top + 0.76 * size, _label(series), size))
        x += width + 2 * size
    return out


def _axes_lines(chart: Chart, f: _Frame, xticks: list[tuple[float, str]],
                yticks: list[tuple[float, str]]) -> tuple[list[str], list[str]]:
    """The grid (behind the series) and the frame, ticks and tick labels (in front)."""
    grid, front = [], []
    right, bottom = f.left + f.width, f.top + f.height
    for v, _ in yticks:  # behind the series (axes.axisbelow)
        y = float(f.y(v))
        grid.append(f'<path d="M{num(f.left)} {num(y)} L{num(right)} {num(y)}"/>')
    for v, _ in xticks if chart.x.grid else []:
        x = float(f.x(v))
        grid.append(f'<path d="M{num(x)} {num(f.top)} L{num(x)} {num(bottom)}"/>')
    ticks = []
    for v, name in yticks:
        y = float(f.y(v))
        ticks.append(f"M{num(f.left)} {num(y)} h-{TICK}")
        front.append(text(f.left - 2 * TICK, y + 0.38 * TICK_SIZE, name, TICK_SIZE, "end"))
    for v, name in xticks:
        x = float(f.x(v))
        ticks.append(f"M{num(x)} {num(bottom)} v{TICK}")
        if chart.x.rotation:
            y = bottom + 2 * TICK + 0.5 * text_width(name) * 0.71
            front.append(text(x, y + 0.38 * TICK_SIZE, name, TICK_SIZE, "middle",
                               rotate=-chart.x.rotation))
        else:
            front.append(text(x, bottom + 2 * TICK + 0.76 * TICK_SIZE, name, TICK_SIZE,
                               "middle"))
    frame = (f'<path d="M{num(f.left)} {num(f.top)} V{num(bottom)} H{num(right)}" '
             'fill="none" stroke="#000000" stroke-width="0.8" stroke-linecap="square"/>')
    front.insert(0, f'<path d="{" ".join(ticks)}" stroke="#000000" stroke-width="0.8"/>'
                 if ticks else "")
    front.insert(1, frame)
    return grid, front


def _labels(chart: Chart, f: _Frame, xticks: list[tuple[float, str]],
            yticks: list[tuple[float, str]]) -> list[str]:
    """The axis labels: y rotated left of its tick labels, x (lines) under its ticks."""
    out = []
    if chart.y.label:
        widest = max((text_width(n) for _, n in yticks), default=0.0)
        x = f.left - 2 * TICK - widest - 4 - 0.3 * LABEL_SIZE
        out.append(text(x, f.top + f.height / 2, chart.y.label, LABEL_SIZE, "middle",
                         rotate=-90))
    if chart.x.label:
        below = (max((text_width(n) for _, n in xticks), default=0.0) * 0.71
                 if chart.x.rotation else TICK_SIZE)
        y = f.top + f.height + 2 * TICK + below + 4 + 0.76 * LABEL_SIZE
        for i, line in enumerate(chart.x.label.split("\n")):
            out.append(text(f.left + f.width / 2, y + i * 1.2 * LABEL_SIZE, line,
                             LABEL_SIZE, "middle"))
    return out


def _title(chart: Chart, left: float, width: float) -> str:
    """The title left above the plot; one that would run off the page starts at the
    page's left edge instead, and is set smaller if it still does not fit."""
    size = chart.title_size
    needed = text_width(chart.title, size, bold=True)
    x = left
    if left + needed + 0.1 * _PT > width:
        x = 0.1 * _PT
        if needed + 0.2 * _PT > width:
            size = size * (width - 0.2 * _PT) / needed
    return text(x, 0.4 * _PT - 6, chart.title, size, bold=True)


def render(chart: Chart) -> bytes:
    """The chart as an SVG document (UTF-8): the same chart, the same bytes.

    Examples
    --------
    >>> import numpy as np
    >>> from finmodel.views.chartspec import Bars, euro_axis, years_axis
    >>> years = np.array([2026, 2027])
    >>> chart = Chart("Cash", (9.0, 4.5), (Bars(years, np.array([100.0, 200.0]), "#1f5f8b",
    ...               "Cash"),), years_axis(years), euro_axis())
    >>> data = render(chart)
    >>> data.startswith(b"<?xml") and b">Cash</text>" in data and data == render(chart)
    True
    """
    width, height = chart.size[0] * _PT, chart.size[1] * _PT
    x0, x1, y0, y1 = _limits(chart)
    legend = _legend(chart, width)
    left, right, top, bottom = _margins(chart, legend, x0, x1, y0, y1)
    plot_width = width - left - right
    heat = _heatmap(chart)
    if heat is not None:
        plot_width *= 0.8  # matplotlib's colour bar takes 15 % and a 5 % gap
    f = _Frame(left, top, plot_width, height - top - bottom, x0, x1, y0, y1,
               chart.y.inverted)
    xticks = _ticks(chart.x, x0, x1, f.width, False)
    yticks = _ticks(chart.y, y0, y1, f.height, True)
    grid, front = _axes_lines(chart, f, xticks, yticks)
    body = [f'<rect width="{num(width)}" height="{num(height)}" fill="#ffffff"/>',
            f'<clipPath id="plot"><rect x="{num(f.left)}" y="{num(f.top)}" '
            f'width="{num(f.width)}" height="{num(f.height)}"/></clipPath>']
    if grid:
        body.append(f'<g stroke="{_GRID}" stroke-width="0.8">{"".join(grid)}</g>')
    drawn = [part for s in sorted(chart.series, key=_zorder) for part in _series(s, f)]
    body.append('<g clip-path="url(#plot)">' + "".join(drawn) + "</g>")
    body += front + _labels(chart, f, xticks, yticks)
    if heat is not None:
        body += colour_bar(heat, f.left, f.top, f.width, f.height)
    body.append(_title(chart, left, width))
    if legend is not None:
        centre = width / 2 if chart.fitted else f.left + f.width / 2
        body += _draw_legend(legend, centre, f.top + f.height + chart.legend_gap * _PT)
    head = ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{num(width)}pt" '
            f'height="{num(height)}pt" viewBox="0 0 {num(width)} {num(height)}" '
            f'font-family="{FONT}">')
    return (head + "\n" + "\n".join(b for b in body if b) + "\n</svg>\n").encode("utf-8")


def image_html(chart: Chart, width: int = 900) -> str:
    """A chart as an ``<img>`` with its SVG embedded and its title as alt text (the
    markup of :func:`finmodel.views.charts.image_html`)."""
    return svg_image_html(chart.title, render(chart), width)


def svg_image_html(title: str, data: bytes, width: int = 900) -> str:
    """SVG bytes as an ``<img>`` paragraph with ``title`` as alt text: vector graphics
    with the text as text, sharp on screen and in the PDF at any zoom."""
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<p class="chart"><img alt="{escape(title)}" style="width: {width}px" '
            f'src="data:image/svg+xml;base64,{encoded}"></p>')

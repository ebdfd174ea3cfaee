"""The heatmap of :mod:`finmodel.views.svgplot`: cells in matplotlib's RdYlGn colour map,
hatched invalid cells, cell labels and the colour bar with its own axis.

The colour map is matplotlib's, rebuilt from its 11 ColorBrewer anchors: a table of 256
colours interpolated linearly between them, a value taking the colour of its 256th
(``int(share * 256)``), written as matplotlib writes an image's bytes (``int(c * 255)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from finmodel.views._ticks import visible
from finmodel.views.chartspec import Heatmap, tick_text
from finmodel.views.svgparts import TICK_SIZE, num, text, text_width

__all__ = ["RDYLGN", "cells", "colour", "colour_bar", "lookup_table"]

#: RdYlGn's anchors (ColorBrewer, 11 classes), red (lowest) to green, as matplotlib has them.
RDYLGN = ("#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b",
          "#a6d96a", "#66bd63", "#1a9850", "#006837")
_HATCH = "#2b2b2b"
_CELL_SIZE = 10.0 * 0.694  # "x-small" of font.size 10 (points)


def lookup_table(n: int = 256) -> np.ndarray:
    """The colour map's ``n`` colours (RGB, 0..1), as matplotlib's
    ``LinearSegmentedColormap.from_list`` makes them from evenly spaced anchors.

    Examples
    --------
    >>> table = lookup_table()
    >>> table.shape, [round(float(v), 4) for v in table[0]], [round(float(v), 4) for v in table[-1]]
    ((256, 3), [0.6471, 0.0, 0.149], [0.0, 0.4078, 0.2157])
    """
    anchors = np.array([[int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)] for c in RDYLGN])
    x = np.linspace(0.0, 1.0, len(anchors))
    points = np.linspace(0.0, 1.0, n)
    return np.stack([np.interp(points, x, anchors[:, k]) for k in range(3)], axis=1)


_TABLE = lookup_table()


def colour(share: float) -> str:
    """The colour of a value ``share`` of the way from the lowest to the highest.

    Examples
    --------
    >>> colour(0.0), colour(0.5), colour(1.0)
    ('#a50026', '#fefebd', '#006837')
    """
    if not math.isfinite(share):
        return "none"
    rgb = _TABLE[int(min(max(share * 256, 0.0), 255.0))]
    return "#" + "".join(f"{int(v * 255):02x}" for v in rgb)


def _range(heat: Heatmap) -> tuple[float, float]:
    finite = heat.cells[np.isfinite(heat.cells)]
    if not finite.size:
        return 0.0, 1.0
    return float(finite.min()), float(finite.max())


def cells(heat: Heatmap, fx: Callable[[float], np.ndarray], fy: Callable[[float], np.ndarray]
          ) -> list[str]:
    """The cells (row 0 at the bottom), their hatching and labels, in page points."""
    low, high = _range(heat)
    span = high - low or 1.0
    # matplotlib's "///": lines at 45 degrees, 8 points apart along each axis
    out = [f'<pattern id="hatch" patternUnits="userSpaceOnUse" width="8" height="8">'
           f'<path d="M-1 1 L1 -1 M0 8 L8 0 M7 9 L9 7" stroke="{_HATCH}" '
           'stroke-width="1"/></pattern>']
    labels = []
    for (i, j), value in np.ndenumerate(heat.cells):
        xa, xb = float(fx(j - 0.5)), float(fx(j + 0.5))
        ya, yb = sorted((float(fy(i - 0.5)), float(fy(i + 0.5))))
        box = f'x="{num(xa)}" y="{num(ya)}" width="{num(xb - xa)}" height="{num(yb - ya)}"'
        # crisp edges: no hairline of the background between neighbouring cells
        out.append(f'<rect {box} fill="{colour((float(value) - low) / span)}" '
                   'shape-rendering="crispEdges"/>')
        if heat.invalid[i, j]:
            out.append(f'<rect {box} fill="url(#hatch)"/>')
        if heat.labels:
            labels.append(text((xa + xb) / 2, (ya + yb) / 2 + 0.38 * _CELL_SIZE,
                                heat.labels[i][j], _CELL_SIZE, "middle"))
    return out + labels


def colour_bar(heat: Heatmap, plot_left: float, plot_top: float, plot_width: float,
               plot_height: float) -> list[str]:
    """The colour bar right of the plot (matplotlib's: 5 % of the width as a gap, as
    tall as the plot, a twentieth of that wide) with its ticks, labels and axis label."""
    total = plot_width / 0.8
    left = plot_left + 0.85 * total
    width = plot_height / 20
    low, high = _range(heat)
    stops = "".join(f'<stop offset="{num(k / 10)}" stop-color="{c}"/>'
                    for k, c in enumerate(RDYLGN))
    out = [f'<linearGradient id="bar" x1="0" y1="1" x2="0" y2="0">{stops}</linearGradient>',
           f'<rect x="{num(left)}" y="{num(plot_top)}" width="{num(width)}" '
           f'height="{num(plot_height)}" fill="url(#bar)" stroke="#000000" '
           'stroke-width="0.8"/>']
    axis = heat.bar
    ticks = visible(axis.locator.tick_values(
        low, high, axis.locator.bins(plot_height, TICK_SIZE, True)), low, high)
    right = left + width
    names = [tick_text(axis, v) for v in ticks]
    for value, name in zip(ticks, names, strict=True):
        y = plot_top + (1 - (value - low) / ((high - low) or 1.0)) * plot_height
        out.append(f'<path d="M{num(right)} {num(y)} h3.5" stroke="#000000" '
                   'stroke-width="0.8"/>')
        out.append(text(right + 7, y + 0.38 * TICK_SIZE, name, TICK_SIZE))
    if axis.label:
        x = right + 7 + max((text_width(n) for n in names), default=0.0) + 4 + 7.6
        out.append(text(x, plot_top + plot_height / 2, axis.label, 10.0, "middle",
                         rotate=-90))
    return out

"""Axis limits and "nice" ticks as matplotlib chooses them, without matplotlib.

:class:`Locator` is matplotlib's ``MaxNLocator`` (``tick_values`` and the ``'auto'``
number of bins from the axis length), :func:`autoscale` its automatic view limits (data
limits, 5 % margins that stop at a bar's base), so the report's own SVG charts
(:mod:`finmodel.views.svgplot`) show the ticks the matplotlib charts show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["AUTO", "Locator", "autoscale", "nonsingular", "visible"]

AUTO = 0  # nbins: from the axis length, as matplotlib's 'auto'
_ALL_STEPS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # MaxNLocator's default
MARGIN = 0.05  # axes.xmargin, axes.ymargin


def nonsingular(vmin: float, vmax: float, expander: float = 0.001,
                tiny: float = 1e-15) -> tuple[float, float]:
    """matplotlib's ``transforms.nonsingular``: a range of some width, in order.

    Examples
    --------
    >>> nonsingular(0.0, 0.0, expander=0.05)
    (-0.05, 0.05)
    >>> nonsingular(3.0, 1.0)
    (1.0, 3.0)
    """
    if not (math.isfinite(vmin) and math.isfinite(vmax)):
        return -expander, expander
    vmin, vmax = float(min(vmin, vmax)), float(max(vmin, vmax))
    largest = max(abs(vmin), abs(vmax))
    if largest < (1e6 / tiny) * np.finfo(float).tiny:
        return -expander, expander
    if vmax - vmin <= largest * tiny:
        if vmax == 0 and vmin == 0:
            return -expander, expander
        return vmin - expander * abs(vmin), vmax + expander * abs(vmax)
    return vmin, vmax


def _scale_range(vmin: float, vmax: float, n: int) -> tuple[float, float]:
    dv = abs(vmax - vmin)
    meanv = (vmax + vmin) / 2
    offset = 0.0 if abs(meanv) / dv < 100 else math.copysign(
        10 ** (math.log10(abs(meanv)) // 1), meanv)
    return 10 ** (math.log10(dv / n) // 1), offset


def _close(ms: float, edge: float, step: float, offset: float) -> bool:
    tol = 1e-10
    if offset > 0:
        tol = min(0.4999, max(1e-10, 10 ** (math.log10(offset / step) - 12)))
    return abs(ms - edge) < tol


def _le(x: float, step: float, offset: float) -> float:
    d, m = divmod(x, step)
    return d + 1 if _close(m / step, 1, step, offset) else d


def _ge(x: float, step: float, offset: float) -> float:
    d, m = divmod(x, step)
    return d if _close(m / step, 0, step, offset) else d + 1


@dataclass(frozen=True)
class Locator:
    """matplotlib's ``MaxNLocator(nbins, steps, integer, min_n_ticks)``; ``nbins=AUTO``
    takes the number of bins from the axis (:meth:`bins`)."""

    nbins: int = 10
    steps: Sequence[float] = _ALL_STEPS
    integer: bool = False
    min_n_ticks: int = 2

    def bins(self, length: float, label_size: float, vertical: bool) -> int:
        """The number of bins for an axis ``length`` points long whose tick labels are
        ``label_size`` points: as matplotlib's ``get_tick_space`` (labels 3 times their
        size apart along x, 2 along y), at most 9."""
        if self.nbins != AUTO:
            return self.nbins
        space = int(math.floor(length / (label_size * (2 if vertical else 3))))
        return int(np.clip(space, max(1, self.min_n_ticks - 1), 9))

    def tick_values(self, vmin: float, vmax: float, nbins: int | None = None) -> np.ndarray:
        """The ticks for the view ``vmin``..``vmax`` (a few may lie just outside).

        Examples
        --------
        >>> Locator(9, (1, 2, 2.5, 5, 10), integer=True).tick_values(0, 250_000).tolist()
        [0.0, 50000.0, 100000.0, 150000.0, 200000.0, 250000.0]
        """
        vmin, vmax = nonsingular(vmin, vmax, expander=1e-13, tiny=1e-14)
        n = self.nbins if nbins is None else nbins
        n = 9 if n == AUTO else n
        scale, offset = _scale_range(vmin, vmax, n)
        lo, hi = vmin - offset, vmax - offset
        steps = np.asarray(self._staircase()) * scale
        if self.integer:
            steps = steps[(steps < 1) | (np.abs(steps - np.round(steps)) < 0.001)]
        large = steps >= (hi - lo) / n
        last = int(np.nonzero(large)[0][0]) if large.any() else len(steps) - 1
        ticks = np.array([])
        for step in steps[:last + 1][::-1]:
            if self.integer and math.floor(hi) - math.ceil(lo) >= self.min_n_ticks - 1:
                step = max(1.0, step)
            best = (lo // step) * step
            low, high = _le(lo - best, step, abs(offset)), _ge(hi - best, step, abs(offset))
            ticks = np.arange(low, high + 1) * step + best
            if ((ticks <= hi) & (ticks >= lo)).sum() >= self.min_n_ticks:
                break
        return ticks + offset

    def _staircase(self) -> list[float]:
        steps = [float(s) for s in self.steps]
        if steps[0] != 1:
            steps = [1.0, *steps]
        if steps[-1] != 10:
            steps = [*steps, 10.0]
        return [0.1 * s for s in steps[:-1]] + steps + [10 * steps[1]]


def visible(ticks: np.ndarray, low: float, high: float) -> list[float]:
    """The ticks inside the view, as matplotlib keeps them (a 1e-10 tolerance)."""
    a, b = min(low, high), max(low, high)
    slack = (b - a) * 1e-10
    return [float(v) for v in ticks if a - slack <= v <= b + slack]


def autoscale(low: float, high: float, stickies: Sequence[float] = (),
              margin: float = MARGIN) -> tuple[float, float]:
    """The view limits matplotlib gives data from ``low`` to ``high``: 5 % margins
    that stop at a sticky edge (a bar's base) they would cross.

    Examples
    --------
    >>> autoscale(0.0, 100.0, stickies=[0.0])   # bars from 0: no margin below
    (0.0, 105.0)
    >>> autoscale(-20.0, 80.0)
    (-25.0, 85.0)
    """
    x0, x1 = nonsingular(low, high, expander=0.05)
    lower = upper = None
    if len(stickies):
        edges = np.sort(np.asarray(stickies, dtype=float))
        tol = 1e-5 * abs(x1 - x0)
        i0 = int(edges.searchsorted(x0 + tol)) - 1
        lower = float(edges[i0]) if i0 != -1 else None
        i1 = int(edges.searchsorted(x1 - tol))
        upper = float(edges[i1]) if i1 != len(edges) else None
    delta = (x1 - x0) * margin
    x0, x1 = x0 - delta, x1 + delta
    if lower is not None:
        x0 = max(x0, lower)
    if upper is not None:
        x1 = min(x1, upper)
    return nonsingular(x0, x1, expander=1e-12, tiny=1e-13)

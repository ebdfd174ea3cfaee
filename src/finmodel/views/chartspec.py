"""What a chart shows, said once: its series, colours, labels, axes and title.

Each report chart is built as a :class:`Chart` by one function (``income_spec`` and so
on) and drawn by two renderers from the same description: the report's own SVG writer
(:mod:`finmodel.views.svgplot`, no matplotlib) and matplotlib for notebook users
(:func:`finmodel.views.charts.draw`). Coordinates are data units; sizes of lines and
markers in points, of the figure and margins in inches, as in matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from finmodel.views import i18n
from finmodel.views._ticks import AUTO, Locator
from finmodel.views.i18n import Language

__all__ = ["AUTO", "Axis", "Band", "Bars", "COLORS", "Chart", "Heatmap", "Histogram",
           "Line", "Locator", "Ref", "Series", "Span", "WHOLE", "euro_axis", "legend_entries",
           "stacked", "tick_text", "years_axis"]

#: Colours by meaning, the same in every chart.
COLORS: dict[str, str] = {
    "rental_income": "#1f5f8b", "partner_cash": "#5fa2ce", "in_kind_income": "#b7d4ea",
    "operating_subsidies": "#e8a33d", "investment_subsidy_release": "#f5d08a",
    "total_expenses": "#a4262c", "structural_result": "#1d2733", "result": "#7a8794",
    "cash_end": "#1f5f8b", "minimum": "#a4262c", "capacity": "#1d2733",
    "self_sufficiency": "#1e6b3a",
}

#: matplotlib's automatic ticks, but only at whole euros or hours: an axis whose values
#: are all 0 shows one "0", not five ticks that all round to "0".
WHOLE = Locator(AUTO, (1, 2, 2.5, 5, 10), integer=True, min_n_ticks=1)

Format = Literal["euro", "hours", "percent", "year", "number"]


@dataclass(frozen=True)
class Axis:
    """One axis: its label, how ticks are placed and written, and fixed limits if any.

    ``ticks``/``names`` fix the ticks (categories, parameter values); otherwise
    ``locator`` places them. ``low``/``high`` fix a limit; the other one is automatic.
    """

    label: str = ""
    format: Format = "number"
    lang: Language = "en"
    locator: Locator = field(default_factory=lambda: Locator(AUTO, (1, 2, 2.5, 5, 10)))
    ticks: tuple[float, ...] | None = None
    names: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None
    inverted: bool = False
    rotation: float = 0.0
    grid: bool = False


@dataclass(frozen=True)
class Bars:
    """Bars from ``base`` to ``base + size`` at ``x``; horizontal bars run along x from
    ``base`` at the rows ``x`` (then ``width`` is their height)."""

    x: np.ndarray
    size: np.ndarray
    color: str
    label: str = ""
    base: np.ndarray | float = 0.0
    width: float = 0.7
    horizontal: bool = False
    alpha: float = 1.0


@dataclass(frozen=True)
class Line:
    """A line through ``(x, y)`` with markers ``"o"``/``"s"``; ``step``: a staircase,
    each value held to the next x (matplotlib's ``where="post"``); ``linestyle="none"``:
    the markers only."""

    x: np.ndarray
    y: np.ndarray
    color: str
    label: str = ""
    marker: str = ""
    markersize: float = 4.0
    linewidth: float = 2.0
    linestyle: str = "-"
    step: bool = False


@dataclass(frozen=True)
class Ref:
    """A reference line across the plot at ``value`` (horizontal, or vertical), solid
    ``"-"``, dashed ``"--"`` or dotted ``":"``."""

    value: float
    color: str
    linewidth: float = 0.8
    linestyle: str = "-"
    label: str = ""
    vertical: bool = False


@dataclass(frozen=True)
class Span:
    """A shaded band of x from ``start`` to ``end`` over the whole height, behind all."""

    start: float
    end: float
    color: str
    label: str = ""


@dataclass(frozen=True)
class Band:
    """The area between ``low`` and ``high`` over ``x``, filled with ``alpha``."""

    x: np.ndarray
    low: np.ndarray
    high: np.ndarray
    color: str
    alpha: float
    label: str = ""


@dataclass(frozen=True)
class Histogram:
    """The values counted in ``bins`` equal bins (``numpy.histogram``) as bars."""

    values: np.ndarray
    color: str
    bins: int = 50
    alpha: float = 1.0
    label: str = ""


@dataclass(frozen=True)
class Heatmap:
    """A grid of values coloured with RdYlGn (lowest red), row 0 at the bottom; cells
    marked ``invalid`` hatched; ``labels`` written in the cells (empty: none); a colour
    bar beside it with its own axis."""

    cells: np.ndarray
    invalid: np.ndarray
    labels: tuple[tuple[str, ...], ...]
    bar: Axis
    label: str = ""  # never in the legend: the colour bar says what the colours are


Series = Bars | Line | Ref | Span | Band | Histogram | Heatmap


@dataclass(frozen=True)
class Chart:
    """A whole chart: its title, size in inches, series in drawing order and axes.

    ``fitted``: margins fitted to the labels (:func:`finmodel.views.charts.fit`), else
    the report's fixed margins. The legend goes under the plot in ``columns`` columns,
    ``legend_gap`` inches below the plot area; bars first, then the other series.
    """

    title: str
    size: tuple[float, float]
    series: tuple[Series, ...]
    x: Axis
    y: Axis
    columns: int = 3
    fitted: bool = False
    legend_gap: float = 0.3
    title_size: float = 12.0


def legend_entries(chart: Chart) -> list[Series]:
    """The labelled series in legend order: bars (bottom to top) first, then the rest."""
    labelled = [s for s in chart.series if getattr(s, "label", "")]
    return sorted(labelled, key=lambda s: not isinstance(s, Bars))


def tick_text(axis: Axis, value: float) -> str:
    """A tick label: euros and hours with the locale's thousands separators and a real
    minus, percent, years, or a plain number as matplotlib writes it.

    Examples
    --------
    >>> tick_text(Axis(format="euro"), -1234567.8)
    '\u22121,234,568'
    >>> tick_text(Axis(format="euro", lang="nl"), 1234567.8), tick_text(Axis(format="percent"), 0.5)
    ('1.234.568', '50%')
    >>> tick_text(Axis(format="year"), 2030.0), tick_text(Axis(), 250.0), tick_text(Axis(), 0.5)
    ('2030', '250', '0.5')
    """
    if axis.format in ("euro", "hours"):
        return i18n.number(axis.lang, value).replace("-", "\u2212")
    if axis.format == "percent":
        return i18n.percent(axis.lang, value)
    if axis.format == "year":
        return str(int(round(value)))
    return _plain(value)


def _plain(value: float) -> str:
    """A number as matplotlib's default formatter writes a tick (no offset): no
    needless decimals, a real minus."""
    text = f"{value:.10g}"
    if "e" not in text and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "\u2212")


def years_axis(years: np.ndarray, lang: Language = "en", label: str = "") -> Axis:
    """The x axis of a chart per year: each year from its first to its last (a bar's
    half-width beyond), whole years as ticks."""
    return Axis(label=label, format="year", lang=lang,
                locator=Locator(min(len(years), 16), integer=True, min_n_ticks=1),
                low=float(years[0]) - 0.6, high=float(years[-1]) + 0.6)


def euro_axis(lang: Language = "en", label: str = "", **kwargs: object) -> Axis:
    """An axis of amounts: ticks at whole euros, "EUR" in its label."""
    unit = i18n.t(lang, "chart.eur")
    text = label if unit in label else (f"{label} ({unit})" if label else unit)
    fields: dict[str, object] = {"locator": WHOLE, **kwargs}
    return Axis(label=text, format="euro", lang=lang,
                **fields)  # type: ignore[arg-type]  # the other fields of Axis


def stacked(x: np.ndarray, parts: Sequence[tuple[np.ndarray, str, str]], width: float = 0.7,
            base: np.ndarray | None = None) -> list[Bars]:
    """Bars stacked on each other: ``parts`` of (values, colour, label), bottom first."""
    bottom = np.zeros(len(x)) if base is None else base
    out = []
    for values, color, label in parts:
        out.append(Bars(x, values, color, label, base=bottom, width=width))
        bottom = bottom + values
    return out

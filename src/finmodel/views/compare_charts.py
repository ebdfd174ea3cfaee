"""Charts for comparing scenarios: the bridge as a waterfall, lines of several scenarios.

Every chart is ``(data, ax=None) -> Axes`` in the report style of
:mod:`finmodel.views.charts` (whose :func:`~finmodel.views.charts.style` and
:func:`~finmodel.views.charts.euro_axis` it reuses). ``import finmodel`` does not import
this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from finmodel.views import i18n
from finmodel.views.charts import COLORS, STYLE, euro_axis, style
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    from finmodel.analysis.compare import Bridge
    from finmodel.model.projection import Projection

__all__ = ["cash_positions_chart", "structural_results_chart", "waterfall_chart"]

_UP, _DOWN, _ENDS = "#1e6b3a", "#a4262c", "#1f5f8b"
_YEAR_KPIS = ("break_even_year", "min_cash_year", "years_below_minimum")
#: Markers and dashes per scenario, so that lines lying on top of each other stay apart.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_DASHES = ("-", "--", "-.", ":")


def _axes(ax: Axes | None, height: float | None = None) -> Axes:
    if ax is not None:
        return ax
    width, default = STYLE["figure.figsize"]
    with style():
        return Figure(figsize=(width, height or default), layout="constrained").add_subplot()


def waterfall_chart(bridge: Bridge, ax: Axes | None = None, lang: Language = "en") -> Axes:
    """The bridge as a horizontal waterfall: base, one bar per item, other.

    Base and other are full bars; each item floats from the running total before it to
    the one after it, green when it raises the KPI and red when it lowers it.

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.compare import bridge
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> b = bridge(base, finmodel.load_scenario("scenarios/vendor_exits.yaml"))
    >>> ax = waterfall_chart(b)
    >>> len(ax.patches) == len(b.parts) + 2
    True
    """
    ax = _axes(ax, height=max(2.5, 0.45 * (len(bridge.parts) + 2) + 1.2))
    labels = [t(lang, "chart.base", name=bridge.base)]
    labels += [i18n.param_name(lang, item) for item, _ in bridge.parts]
    labels.append(t(lang, "chart.other", name=bridge.other))
    values = [value for _, value in bridge.parts]
    before = bridge.base_value + np.concatenate([[0.0], np.cumsum(values)])
    lefts = [0.0, *np.minimum(before[:-1], before[1:]), 0.0]
    widths = [bridge.base_value, *np.abs(values), bridge.other_value]
    colors = [_ENDS] + [_UP if v >= 0 else _DOWN for v in values] + [_ENDS]
    with style():
        y = np.arange(len(labels))
        for bar in ax.barh(y, widths, left=lefts, color=colors, height=0.6):
            bar.sticky_edges.x.clear()  # floating bars: let the margins below apply
        for i, (left, width) in enumerate(zip(lefts, widths, strict=True)):
            text = (_amount(values[i - 1], lang, signed=True) if 0 < i <= len(values)
                    else _amount(width, lang))
            below = width < 0  # a negative base or other: label at its left end
            ax.annotate(text, (left + width, i),
                        xytext=(-4 if below else 4, 0), textcoords="offset points",
                        va="center", ha="right" if below else "left", fontsize=8)
        ax.margins(x=0.2)  # room for the amounts beside the bars at either end
        ax.set_yticks(y, [_short(label) for label in labels])
        ax.invert_yaxis()
        ax.axvline(0.0, color="#7a8794", linewidth=0.8)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(i18n.kpi_name(lang, bridge.kpi))
        if bridge.kpi not in _YEAR_KPIS:
            euro_axis(ax, "x", lang)
        method = t(lang, "chart.shapley" if bridge.method == "exact" else
                   "chart.shapley_sampled")
        ax.set_title(t(lang, "chart.waterfall", kpi=i18n.kpi_name(lang, bridge.kpi),
                       method=method))
    return ax


def _amount(value: float, lang: Language = "en", signed: bool = False) -> str:
    text = i18n.number(lang, value)
    text = i18n.signed(text, round(value)) if signed else text
    return text.replace("-", "\u2212")


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "\u2026"


def _overlay(projections: Sequence[Projection], line: str, title: str, ax: Axes | None,
             lang: Language = "en") -> Axes:
    ax = _axes(ax)
    with style():
        for i, p in enumerate(projections):
            ax.plot(p.years, p.lines[line], marker=_MARKERS[i % len(_MARKERS)],
                    linestyle=_DASHES[i % len(_DASHES)], markersize=4, linewidth=1.8,
                    markerfacecolor="none" if i % 2 else None,
                    label=_short(p.scenario.name, 60))
        years = np.unique(np.concatenate([p.years for p in projections]))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=min(len(years), 16)))
        ax.axhline(0.0, color="#7a8794", linewidth=0.8)
        ax.set_ylabel(i18n.line_name(lang, line))
        euro_axis(ax, lang=lang)
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    return ax


def cash_positions_chart(projections: Sequence[Projection], ax: Axes | None = None,
                         lang: Language = "en") -> Axes:
    """Cash at year end of several scenarios, overlaid, with each distinct minimum cash.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> len(cash_positions_chart([p, p]).get_lines())   # 2 scenarios, zero, 1 minimum
    4
    """
    ax = _overlay(projections, "cash_end", t(lang, "chart.cash_scenarios"), ax, lang)
    with style():
        for minimum in sorted({p.scenario.finance.minimum_cash for p in projections}):
            ax.axhline(minimum, color=COLORS["minimum"], linestyle="--", linewidth=1,
                       label=t(lang, "chart.minimum", amount=i18n.money(lang, minimum)))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    return ax


def structural_results_chart(projections: Sequence[Projection], ax: Axes | None = None,
                             lang: Language = "en") -> Axes:
    """The structural result (result without subsidy income) of several scenarios."""
    return _overlay(projections, "structural_result", t(lang, "chart.structural_scenarios"),
                    ax, lang)

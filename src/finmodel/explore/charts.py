"""The explorer's three charts, drawn once by :mod:`finmodel.views.charts`, then updated in place.

Moving a slider changes numbers, not the structure of a chart: the bars, lines and title
made by :func:`finmodel.views.charts.cash_chart`, :func:`~finmodel.views.charts.income_chart` and
:func:`~finmodel.views.charts.subsidy_chart` get new data and the axes rescale. Only when the
structure does change (cash drops below the minimum, which adds red markers and a legend
entry) is that one chart drawn again on its axes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from finmodel.model.projection import Projection
from finmodel.views import charts
from finmodel.views.i18n import Language, t

__all__ = ["Charts"]

_SUBSIDIES = ("operating_subsidies", "investment_subsidy_release")
_INCOME = ("rental_income", "partner_cash", "in_kind_income", *_SUBSIDIES)


class Charts:
    """Cash against the minimum, income by source against expenses, structural result.

    Examples
    --------
    >>> import finmodel
    >>> from matplotlib.figure import Figure
    >>> base = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> c = Charts(base, Figure())
    >>> c.update(base)
    >>> len(c.income.containers), float(c.cash.get_lines()[0].get_ydata()[0])
    (5, 62833.0)
    """

    def __init__(self, projection: Projection, figure: Figure, lang: Language = "en") -> None:
        self.lang = lang
        with charts.style():
            self.cash, self.income, self.structural = figure.subplots(3, 1)
        charts.cash_chart(projection, self.cash, lang)
        charts.income_chart(projection, self.income, lang)
        charts.subsidy_chart(projection, self.structural, lang)
        self._low = bool(self._below(projection).any())

    @staticmethod
    def _below(p: Projection) -> np.ndarray:
        return np.asarray(p.lines["cash_end"] < p.scenario.finance.minimum_cash)

    def update(self, p: Projection) -> None:
        """Show ``p``: new data in the same artists, axes rescaled."""
        low = self._below(p)
        cash = p.lines["cash_end"]
        if bool(low.any()) != self._low:
            self.cash.cla()
            charts.cash_chart(p, self.cash, self.lang)
            self._low = bool(low.any())
        else:
            lines = self.cash.get_lines()
            lines[0].set_ydata(cash)
            if self._low:
                lines[2].set_data(p.years[low], cash[low])
            minimum = p.scenario.finance.minimum_cash
            _rescale(self.cash, [cash, np.array([minimum])],
                     bottom=min(0.0, float(cash.min()) * 1.1))
        income = _stack(self.income.containers, [p.lines[n] for n in _INCOME])
        self.income.get_lines()[0].set_ydata(p.lines["total_expenses"])
        _rescale(self.income, [income, p.lines["total_expenses"], np.zeros(1)])
        subsidies = _stack(self.structural.containers, [p.lines[n] for n in _SUBSIDIES])
        self.structural.get_lines()[0].set_ydata(p.lines["structural_result"])
        year = p.kpis["break_even_year"]
        with charts.style():  # the title's weight and place come from the style
            self.structural.set_title(
                t(self.lang, "chart.subsidy") if year is None else
                t(self.lang, "chart.subsidy_be", year=year), loc="left")
        _rescale(self.structural, [subsidies, p.lines["structural_result"], np.zeros(1)])


def _stack(containers: Sequence[BarContainer], values: Sequence[np.ndarray]) -> np.ndarray:
    """Stacked bars: each container's rectangles on top of the previous ones; the top."""
    bottom = np.zeros(len(values[0]))
    for bars, heights in zip(containers, values, strict=True):
        for rect, y, h in zip(bars.patches, bottom, heights, strict=True):
            rect.set_y(float(y))
            rect.set_height(float(h))
        bottom = bottom + heights
    return bottom


def _rescale(ax: Axes, shown: Sequence[np.ndarray], bottom: float | None = None) -> None:
    """Y limits around the values shown, with matplotlib's 5 % margin.

    Computed from the data rather than by ``Axes.relim``, which walks every bar.
    """
    low = min(float(np.min(v)) for v in shown)
    high = max(float(np.max(v)) for v in shown)
    pad = 0.05 * (high - low) or 1.0
    ax.set_ylim(low - pad if bottom is None else bottom, high + pad)

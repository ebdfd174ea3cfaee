"""The five charts of the scenario report, each described once as a
:class:`~finmodel.views.chartspec.Chart`: drawn as SVG by :mod:`finmodel.views.svgplot`
for the report and with matplotlib by :mod:`finmodel.views.charts` for notebooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from finmodel.views import i18n
from finmodel.views.chartspec import (
    COLORS,
    WHOLE,
    Axis,
    Chart,
    Line,
    Ref,
    Series,
    euro_axis,
    stacked,
    years_axis,
)
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["OWN_USE", "RENTED", "SPECS", "cash_spec", "hours_spec", "income_spec",
           "self_sufficiency_spec", "subsidy_spec"]

OWN_USE = ("#2e7d4f", "#5aa672", "#8cc59b", "#bfe0c6")
RENTED = ("#1f5f8b", "#3f83b5", "#6fa8d3", "#a3c8e6", "#cfe1f1")
_INCOME = ("rental_income", "partner_cash", "in_kind_income", "operating_subsidies",
           "investment_subsidy_release")
_SIZE = (9.0, 4.5)


def _line(p: Projection, key: str, lang: Language, **style: object) -> Line:
    return Line(p.years, p.lines[key], COLORS[key], i18n.line_name(lang, key), marker="o",
                **style)  # type: ignore[arg-type]  # further fields of Line


def _chart(title: str, series: list[Series], p: Projection, y: Axis, columns: int = 3
           ) -> Chart:
    return Chart(title, _SIZE, tuple(series), years_axis(p.years, y.lang), y, columns)


def income_spec(p: Projection, lang: Language = "en") -> Chart:
    """Income by source as stacked bars, against total expenses as a line.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> chart = income_spec(p)
    >>> [s.label for s in chart.series][-1], chart.y.label
    ('Total expenses', 'EUR')
    """
    bars = stacked(p.years, [(p.lines[k], COLORS[k], i18n.line_name(lang, k))
                             for k in _INCOME])
    return _chart(t(lang, "chart.income"), [*bars, _line(p, "total_expenses", lang)], p,
                  euro_axis(lang))


def subsidy_spec(p: Projection, lang: Language = "en") -> Chart:
    """Subsidy income (stacked bars) phasing out, against the structural result (line)."""
    bars = stacked(p.years, [(p.lines[k], COLORS[k], i18n.line_name(lang, k))
                             for k in ("operating_subsidies", "investment_subsidy_release")])
    year = p.kpis["break_even_year"]
    title = (t(lang, "chart.subsidy") if year is None else
             t(lang, "chart.subsidy_be", year=i18n.year(year)))
    return _chart(title, [*bars, _line(p, "structural_result", lang),
                          Ref(0.0, "#7a8794", 0.8)], p, euro_axis(lang))


def cash_spec(p: Projection, lang: Language = "en") -> Chart:
    """Cash at year end against the minimum cash; years below the minimum marked red."""
    cash, minimum = p.lines["cash_end"], p.scenario.finance.minimum_cash
    series: list[Series] = [
        _line(p, "cash_end", lang),
        Ref(minimum, COLORS["minimum"], 1.2, "--",
            t(lang, "chart.minimum", amount=i18n.money(lang, minimum)))]
    low = cash < minimum
    if low.any():
        series.append(Line(p.years[low], cash[low], COLORS["minimum"], t(lang, "chart.below"),
                           marker="o", markersize=7, linestyle="none"))
    return _chart(t(lang, "chart.cash"), series, p,
                  euro_axis(lang, low=min(0.0, float(cash.min()) * 1.1)))


def hours_spec(p: Projection, lang: Language = "en") -> Chart:
    """Own-use hours per party and rented hours per segment, stacked, against capacity."""
    x, d = p.evaluation.inputs, p.evaluation.detail
    parts = [(hours, OWN_USE[i % len(OWN_USE)], t(lang, "chart.own_use", name=name))
             for i, (name, hours) in enumerate(zip(x.parties, x.own_use, strict=True))]
    parts += [(hours, RENTED[i % len(RENTED)], t(lang, "chart.rented", name=name))
              for i, (name, hours) in enumerate(zip(x.segments, d["segment_rented_hours"],
                                                    strict=True))]
    edges = np.append(p.years - 0.5, p.years[-1] + 0.5)
    capacity = Line(edges, np.append(x.available_hours, x.available_hours[-1]),
                    COLORS["capacity"], t(lang, "chart.capacity"), step=True)
    hours = Axis(t(lang, "chart.hours_axis"), "hours", lang, locator=WHOLE)
    return _chart(t(lang, "chart.hours"), [*stacked(p.years, parts), capacity], p, hours, 2)


def self_sufficiency_spec(p: Projection, lang: Language = "en") -> Chart:
    """Self-sufficiency (rental income and partner cash over cash costs) per year, in %."""
    share = Axis(t(lang, "chart.share_axis"), "percent", lang, low=0.0)
    return _chart(t(lang, "chart.self_sufficiency"),
                  [_line(p, "self_sufficiency", lang),
                   Ref(1.0, "#7a8794", 1.0, "--", t(lang, "chart.covered"))], p, share, 2)


#: The report's charts in report order.
SPECS = (income_spec, subsidy_spec, cash_spec, hours_spec, self_sufficiency_spec)

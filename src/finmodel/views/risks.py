"""The risk register for people: a terminal table, CSV and the chart of expected impacts.

The numbers come from :func:`finmodel.analysis.risks.risk_register` (impact = stressed -
base; expected impact = probability x impact).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

from finmodel.analysis.risks import EXPECTED_KPIS, IMPACT_KPIS, RiskRegister
from finmodel.views.text import csv_writer, format_kpi

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["expected_impact_chart", "register_csv", "register_text"]



def _format(kpi: str, value: float | int | None, signed: bool = True) -> str:
    if value is None:
        return "n/a"
    if kpi in ("break_even_year", "years_below_minimum") and signed:
        return f"{int(value):+d}"
    return f"{round(value) or 0:+,}" if signed else f"{round(value) or 0:,}"


def register_text(register: RiskRegister) -> str:
    """The ranked register as a terminal table (EUR; impacts are stressed - base)."""
    out = [f"{register.scenario}: risk register (impact = stressed - base; "
           "expected = probability x impact)", "", "Base"]
    out += [f"  {k:<22}{format_kpi(k, register.base[k])}" for k in IMPACT_KPIS]
    head = (f"{'risk':<34}{'prob.':>6}{'npv':>12}{'min_cash':>12}{'break-even':>11}"
            f"{'yrs<min':>8}{'exp. npv':>12}{'exp. min_cash':>14}")
    if not register.risks:
        return "\n".join([*out, "", "The scenario lists no risks."]) + "\n"
    out += ["", "Risks, most harmful expected npv impact first", head]
    for r in register.risks:
        out.append(f"{r.name[:33]:<34}{r.probability:>6.0%}"
                   + "".join(f"{_format(k, r.impact[k]):>{w}}" for k, w in
                             zip(IMPACT_KPIS, (12, 12, 11, 8), strict=True))
                   + f"{_format('npv', r.expected_impact['npv']):>12}"
                   + f"{_format('min_cash', r.expected_impact['min_cash']):>14}")
    return "\n".join(out) + "\n"


def register_csv(register: RiskRegister) -> str:
    """One CSV row per risk, ranked; empty cells where an impact is null."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["risk", "probability", *(f"impact_{k}" for k in IMPACT_KPIS),
                     *(f"expected_{k}" for k in EXPECTED_KPIS)])
    for r in register.risks:
        writer.writerow([r.name, repr(r.probability),
                         *("" if r.impact[k] is None else repr(r.impact[k]) for k in IMPACT_KPIS),
                         *(repr(r.expected_impact[k]) for k in EXPECTED_KPIS)])
    return buffer.getvalue()


def expected_impact_chart(register: RiskRegister, ax: Axes | None = None) -> Axes:
    """Horizontal bars of each risk's expected impact on npv and min_cash, ranked.

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.risks import risk_register
    >>> ax = expected_impact_chart(risk_register(finmodel.load_scenario("scenarios/base.yaml")))
    >>> len(ax.containers)
    2
    """
    from finmodel.views.charts import COLORS, euro_axis, style
    from finmodel.views.parties import _figure_axes

    ax = _figure_axes(ax, (9.0, 1.5 + 0.5 * len(register.risks)))
    rows = np.arange(len(register.risks))
    with style():
        for offset, kpi, color in ((-0.2, "npv", COLORS["total_expenses"]),
                                   (0.2, "min_cash", COLORS["cash_end"])):
            ax.barh(rows + offset, [r.expected_impact[kpi] for r in register.risks],
                    height=0.4, color=color, label=f"expected impact on {kpi}")
        ax.set_yticks(rows, [r.name for r in register.risks])
        ax.invert_yaxis()  # most harmful on top
        ax.axvline(0.0, color="#7a8794", linewidth=0.8)
        ax.grid(axis="x")
        ax.set_title("Expected impact of each risk (probability x impact)")
        euro_axis(ax, axis="x")
        figure_height = getattr(ax.figure, "get_figheight", lambda: 4.0)()  # a SubFigure has none
        below = 0.75 / max(ax.get_position().height * figure_height, 1.0)  # axes units
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -below), ncol=2)  # under "EUR"
    return ax

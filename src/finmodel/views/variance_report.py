"""The scenario report's "Budget vs actuals" section (spec section 10).

Shown only when the scenario has actuals: the variance per closed year and line, the
largest differences in sentences, the cash chart of plan and prognosis with the closed
years marked, the key figures of plan and prognosis, and the prognosis's check sheet
with the reconciliation of control balances. The notebook calls :func:`show_section`.
"""

from __future__ import annotations

import base64
import os
from html import escape
from typing import TYPE_CHECKING

from finmodel.views import charts
from finmodel.views.text import LABELS, format_kpi
from finmodel.views.variance import kpi_difference, variance_html

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from finmodel.analysis.variance import Variance
    from finmodel.model.projection import Projection

__all__ = ["HEADING", "cash_chart", "section_html", "show_section", "workbook_sheets"]

HEADING = "Budget vs actuals"
_PROGNOSIS = "#e8a33d"


def cash_chart(v: Variance) -> Axes:
    """Cash at year end: plan and prognosis, closed years shaded, the minimum dashed."""
    from matplotlib.figure import Figure

    years, closed = v.plan.years, v.closed_years
    minimum = v.plan.scenario.finance.minimum_cash
    with charts.style():
        ax = Figure(figsize=charts.STYLE["figure.figsize"]).add_subplot()
        if closed:
            ax.axvspan(closed[0] - 0.5, closed[-1] + 0.5, color="#eef1f4", zorder=0,
                       label=f"Closed years ({closed[0]}-{closed[-1]}): actuals")
        ax.plot(years, v.plan.lines["cash_end"], color=charts.COLORS["cash_end"], marker="o",
                markersize=4, linewidth=2, label="Plan (begroting)")
        ax.plot(years, v.prognosis.lines["cash_end"], color=_PROGNOSIS, marker="s",
                markersize=4, linewidth=2, linestyle="-", label="Prognosis (prognose)")
        ax.axhline(minimum, color=charts.COLORS["minimum"], linestyle="--", linewidth=1.2,
                   label=f"Minimum cash ({minimum:,.0f} EUR)")
        low = min(0.0, float(min(v.plan.lines["cash_end"].min(),
                                 v.prognosis.lines["cash_end"].min())) * 1.1)
        ax.set_ylim(bottom=low)
        ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
        ax.set_title("Cash position: plan and prognosis")
        charts.euro_axis(ax)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
        ax.get_figure().subplots_adjust(bottom=0.3)  # type: ignore[union-attr]
    return ax


def _kpi_rows(v: Variance) -> str:
    rows = []
    for name, kpi in v.kpi_table().items():
        shown = kpi_difference(name, kpi["difference"])
        rows.append(f"<tr><th>{escape(name.replace('_', ' '))}</th>"
                    f"<td>{escape(format_kpi(name, kpi['plan']))}</td>"
                    f"<td>{escape(format_kpi(name, kpi['prognosis']))}</td>"
                    f"<td>{escape(shown)}</td></tr>")
    return ('<div class="scroll fm"><table><thead><tr><th class="text">key figure</th>'
            "<th>plan</th><th>prognosis</th><th>difference</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>")


def _checks(v: Variance) -> str:
    rows = []
    for c in v.checks:
        status = "ok" if c.passed else ("FAILED" if c.kind == "identity" else "warning")
        rows.append(f'<tr><th>{escape(c.name)}</th><td class="text">{escape(status)}</td>'
                    f'<td class="text">{escape(c.message)}</td></tr>')
    return ('<div class="scroll fm"><table><thead><tr><th class="text">check</th>'
            '<th class="text">status</th><th class="text">message</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")


def section_html(v: Variance) -> str:
    """The whole section as HTML (escaped); empty when there are no closed years."""
    if not v.closed_years or v.actuals is None:
        return ""
    years = f"{v.closed_years[0]}-{v.closed_years[-1]}" if len(v.closed_years) > 1 \
        else str(v.closed_years[0])
    source = os.path.basename(v.actuals.source)
    data = base64.b64encode(charts.png(cash_chart(v))).decode("ascii")
    return "\n".join([
        f'<h2 id="budget-vs-actuals">{HEADING}</h2>',
        f'<p class="note fm">Closed years {escape(years)}, booked amounts from '
        f"{escape(source)}. The plan (begroting) is the scenario as written; the "
        "prognosis (prognose) takes the actuals in the closed years and the plan after "
        f"them. Amounts in EUR ({escape(LABELS['rented_hours'].lower())} in hours).</p>",
        f'<div class="fm">{variance_html(v)}</div>',
        f'<p><img alt="Cash position: plan and prognosis" style="width: 900px" '
        f'src="data:image/png;base64,{data}"></p>',
        "<h3>Key figures: plan and prognosis</h3>", _kpi_rows(v),
        "<h3>Checks of the prognosis</h3>",
        '<p class="note fm">The identities of the prognosis, its warnings, and each control '
        "balance in the actuals against the balance rolled forward from the flows "
        "(reconciliation, within 0.01 EUR).</p>", _checks(v),
    ])


def show_section(p: Projection) -> None:
    """Display the section in a notebook; nothing when the scenario has no actuals."""
    if p.scenario.ledger is None:
        return
    from finmodel.analysis.variance import variance
    from finmodel.views.reporting import show

    show(section_html(variance(p.scenario, p)))


def workbook_sheets(v: Variance) -> dict[str, pd.DataFrame]:
    """Sheets for budget.xlsx (values): the actuals as read (blank: not given, the plan
    kept), the variance per line and closed year, the prognosis's lines and its checks
    with the reconciliation flags. Empty without actuals."""
    import pandas as pd

    from finmodel.model.actuals import ACTUAL_LINES

    if v.actuals is None or not v.closed_years:
        return {}
    actuals = pd.DataFrame(v.actuals.values, index=pd.Index(ACTUAL_LINES, name="line"),
                           columns=list(v.closed_years))
    rows = {(name, year): [t["plan"][j], t["actual"][j], t["difference"][j],
                           t["relative"][j], "yes" if v.from_plan(name)[j] else ""]
            for name in v.lines for t in (v.table(name),)
            for j, year in enumerate(v.closed_years)}
    variance = pd.DataFrame.from_dict(rows, orient="index", columns=[
        "plan", "actual", "difference (actual - plan)", "relative (difference / |plan|)",
        "plan kept (not in the actuals)"])
    variance.index = pd.MultiIndex.from_tuples(list(rows), names=["line", "year"])
    prognosis = pd.DataFrame([v.all_lines[name] for name in v.lines],
                             index=pd.Index(v.lines, name="line"), columns=v.plan.years.tolist())
    checks = pd.DataFrame([(c.name, c.kind, "ok" if c.passed else "not ok", c.message)
                           for c in v.checks], columns=["check", "kind", "status", "message"]
                          ).set_index("check")
    return {"actuals": actuals, "variance": variance, "prognosis": prognosis,
            "prognosis checks": checks}

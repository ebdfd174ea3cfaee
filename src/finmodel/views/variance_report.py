"""The scenario report's "Budget vs actuals" section (spec section 10).

Shown only when the scenario has actuals: the variance per closed year and line, the
largest differences in sentences, the cash chart of plan and prognosis with the closed
years marked, the key figures of plan and prognosis, and the prognosis's check sheet
with the reconciliation of control balances. The notebook calls :func:`show_section`.
"""

from __future__ import annotations

import os
from html import escape
from typing import TYPE_CHECKING

from finmodel.views import i18n
from finmodel.views.i18n import Language, t
from finmodel.views.text import format_kpi
from finmodel.views.variance import kpi_difference, variance_html

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from finmodel.analysis.variance import Variance
    from finmodel.model.projection import Projection
    from finmodel.views.chartspec import Chart

__all__ = ["HEADING", "cash_chart", "cash_spec", "section_html", "show_section", "workbook_sheets"]

HEADING = "Budget vs actuals"  # the English heading (catalogue: section.actuals)
_PROGNOSIS = "#e8a33d"


def cash_spec(v: Variance, lang: Language = "en") -> Chart:
    """Cash at year end: plan and prognosis, closed years shaded, the minimum dashed (the
    chart's description, :mod:`finmodel.views.chartspec`; the margins and the legend as
    the report's cash chart).

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.variance import variance
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base_actuals.yaml"))
    >>> [s.label for s in cash_spec(variance(p.scenario, p)).series][:2]
    ['Closed years (2026-2027): actuals', 'Plan (begroting)']
    """
    from finmodel.views.chartspec import (
        COLORS,
        Chart,
        Line,
        Ref,
        Series,
        Span,
        euro_axis,
        years_axis,
    )

    years, closed = v.plan.years, v.closed_years
    minimum = v.plan.scenario.finance.minimum_cash
    plan, prognosis = v.plan.lines["cash_end"], v.prognosis.lines["cash_end"]
    series: list[Series] = []
    if closed:
        series.append(Span(closed[0] - 0.5, closed[-1] + 0.5, "#eef1f4",
                           t(lang, "var.chart.closed", years=f"{closed[0]}-{closed[-1]}")))
    series += [Line(years, plan, COLORS["cash_end"], t(lang, "var.chart.plan"), marker="o"),
               Line(years, prognosis, _PROGNOSIS, t(lang, "var.chart.prognosis"), marker="s"),
               Ref(minimum, COLORS["minimum"], 1.2, "--",
                   t(lang, "var.chart.minimum", amount=i18n.money(lang, minimum)))]
    low = min(0.0, float(min(plan.min(), prognosis.min())) * 1.1)
    return Chart(t(lang, "var.chart.title"), (9.0, 4.5), tuple(series),
                 years_axis(years, lang), euro_axis(lang, low=low), columns=2)


def cash_chart(v: Variance, lang: Language = "en") -> Axes:
    """Cash at year end: plan and prognosis, closed years shaded, the minimum dashed
    (:func:`cash_spec`, drawn with matplotlib)."""
    from finmodel.views.charts import draw

    return draw(cash_spec(v, lang))


def _kpi_rows(v: Variance, lang: Language) -> str:
    rows = []
    for name, kpi in v.kpi_table().items():
        shown = kpi_difference(name, kpi["difference"], lang)
        rows.append(f"<tr><th>{escape(i18n.kpi_name(lang, name))}</th>"
                    f"<td>{escape(format_kpi(name, kpi['plan'], lang))}</td>"
                    f"<td>{escape(format_kpi(name, kpi['prognosis'], lang))}</td>"
                    f"<td>{escape(shown)}</td></tr>")
    head = "".join(f"<th>{escape(t(lang, f'var.col.{k}'))}</th>"
                   for k in ("plan", "prognosis", "difference"))
    return (f'<div class="scroll fm"><table><thead><tr><th class="text">'
            f"{escape(t(lang, 'var.col.key_figure'))}</th>{head}</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>")


def _checks(v: Variance, lang: Language) -> str:
    from finmodel.views.summary import check_message, check_status

    rows = []
    for c in v.checks:
        rows.append(f"<tr><th>{escape(i18n.check_name(lang, c.name))}</th>"
                    f'<td class="text">{escape(check_status(c, lang))}</td>'
                    f'<td class="text">{escape(check_message(v.prognosis, c, lang))}</td></tr>')
    head = "".join(f'<th class="text">{escape(t(lang, f"col.{k}"))}</th>'
                   for k in ("check", "status", "message"))
    return (f'<div class="scroll fm"><table><thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")


def section_html(v: Variance, lang: Language = "en") -> str:
    """The whole section as HTML (escaped); empty when there are no closed years."""
    if not v.closed_years or v.actuals is None:
        return ""
    years = f"{v.closed_years[0]}-{v.closed_years[-1]}" if len(v.closed_years) > 1 \
        else str(v.closed_years[0])
    from finmodel.views.svgplot import image_html

    source = os.path.basename(v.actuals.source)
    return "\n".join([
        f'<h2 id="actuals">{escape(t(lang, "section.actuals"))}</h2>',
        f'<p class="note fm">{escape(t(lang, "var.note", years=years, source=source))}</p>',
        f'<div class="fm">{variance_html(v, lang)}</div>',
        image_html(cash_spec(v, lang)),
        f"<h3>{escape(t(lang, 'var.key_figures'))}</h3>", _kpi_rows(v, lang),
        f"<h3>{escape(t(lang, 'var.checks_title'))}</h3>",
        f'<p class="note fm">{escape(t(lang, "var.checks_note"))}</p>', _checks(v, lang),
    ])


def show_section(p: Projection, lang: Language = "en") -> None:
    """Display the section in a notebook; nothing when the scenario has no actuals."""
    if p.scenario.ledger is None:
        return
    from finmodel.analysis.variance import variance
    from finmodel.views.reporting import show

    show(section_html(variance(p.scenario, p), lang))


def workbook_sheets(v: Variance, lang: Language = "en") -> dict[str, pd.DataFrame]:
    """Sheets for budget.xlsx (values), named and labelled in ``lang``: the actuals as
    read (blank: not given, the plan kept), the variance per line and closed year, the
    prognosis's lines and its checks with the reconciliation flags. Each row shows its
    name and, next to it, its key (read back by machine). Empty without actuals."""
    import pandas as pd

    from finmodel.model.actuals import ACTUAL_LINES

    if v.actuals is None or not v.closed_years:
        return {}

    def w(key: str) -> str:
        return t(lang, key)

    def by_line(keys: list[str]) -> pd.MultiIndex:
        return pd.MultiIndex.from_tuples([(i18n.line_name(lang, k), k) for k in keys],
                                         names=[w("wb.dl.line"), w("wb.h.key")])

    actuals = pd.DataFrame(v.actuals.values, index=by_line(list(ACTUAL_LINES)),
                           columns=list(v.closed_years))
    rows = {(i18n.line_name(lang, name), name, year): [
        t_["plan"][j], t_["actual"][j], t_["difference"][j], t_["relative"][j],
        w("wb.yes") if v.from_plan(name)[j] else ""]
        for name in v.lines for t_ in (v.table(name),) for j, year in enumerate(v.closed_years)}
    variance = pd.DataFrame.from_dict(rows, orient="index", columns=[
        w(f"wb.col.{c}") for c in ("plan", "actual", "difference", "relative", "plan_kept")])
    variance.index = pd.MultiIndex.from_tuples(list(rows), names=[
        w("wb.dl.line"), w("wb.h.key"), w("wb.dl.year")])
    prognosis = pd.DataFrame([v.all_lines[name] for name in v.lines],
                             index=by_line(list(v.lines)), columns=v.plan.years.tolist())
    from finmodel.views.summary import check_message, check_status

    checks = pd.DataFrame(
        [(i18n.check_name(lang, c.name), c.name, _kind(lang, c.kind), check_status(c, lang),
          check_message(v.prognosis, c, lang)) for c in v.checks],
        columns=[w("wb.dl.check"), w("wb.h.key"), w("wb.col.kind"), w("wb.col.status"),
                 w("wb.col.message")]).set_index([w("wb.dl.check"), w("wb.h.key")])
    return {w("wb.sheet.actuals"): actuals, w("wb.sheet.variance"): variance,
            w("wb.sheet.prognosis"): prognosis, w("wb.sheet.prognosis_checks"): checks}


def _kind(lang: Language, kind: str) -> str:
    return t(lang, f"kind.{kind}") if i18n.has(lang, f"kind.{kind}") else kind

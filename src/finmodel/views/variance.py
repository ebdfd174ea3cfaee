"""Budget vs actuals as people read it: terminal table, CSV, sentences, report section.

Renders a :class:`~finmodel.analysis.variance.Variance` (spec section 10); computes nothing
the analysis did not.
"""

from __future__ import annotations

import csv
import html
import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from finmodel.views.text import LABELS, format_kpi

if TYPE_CHECKING:
    from finmodel.analysis.variance import Variance

__all__ = ["Row", "explanations", "kpi_difference", "variance_csv", "variance_html",
           "variance_rows", "variance_text"]

#: Lines of the "Budget vs actuals" table, in budget order (flows, then what follows).
SHOWN: tuple[str, ...] = (
    "rental_income", "operating_subsidies", "investment_subsidy_release", "partner_cash",
    "in_kind_income", "total_income", "operating_costs", "variable_costs", "depreciation",
    "interest", "in_kind_costs", "total_expenses", "result", "structural_result", "capex",
    "subsidy_cash", "loan_received", "repayment", "net_cash_flow", "cash_end",
    "rented_hours", "book_value", "deferred_subsidy", "debt", "equity",
)
_HOURS = {"rented_hours"}


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def _amount(name: str, value: float) -> str:
    text = f"{round(value) or 0:,}"
    return f"{text} h" if name in _HOURS else text


def _percent(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.1%}"


@dataclass(frozen=True)
class Row:
    """One line in one closed year (EUR; hours for ``rented_hours``)."""

    line: str
    label: str
    year: int
    plan: float
    actual: float
    difference: float   # actual - plan
    relative: float     # difference / |plan|; NaN when the plan is 0
    from_plan: bool     # not in the actuals: the plan's amount is kept


def variance_rows(v: Variance) -> list[Row]:
    """One row per line and closed year. Lines that are zero in plan and prognosis
    alike (no loans, say) are left out."""
    rows: list[Row] = []
    for name in (n for n in SHOWN if n in v.lines):
        table = v.table(name)
        if not (np.any(table["plan"]) or np.any(table["actual"])):
            continue
        kept = v.from_plan(name)
        for j, year in enumerate(v.closed_years):
            rows.append(Row(name, _label(name), year, float(table["plan"][j]),
                            float(table["actual"][j]), float(table["difference"][j]),
                            float(table["relative"][j]), bool(kept[j])))
    return rows


def explanations(v: Variance, count: int = 3) -> list[str]:
    """The largest differences among the flows, in sentences, largest first (in-kind
    amounts last: they move neither the result nor cash).

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.variance import variance
    >>> v = variance(finmodel.load_scenario("scenarios/base_actuals.yaml"))
    >>> first, second = explanations(v, 2)
    >>> second.split(": ")[0], second.split(": ")[-1]
    ('Rental income in 2027', '5,671 EUR less result and cash.')
    """
    from finmodel.model.actuals import ACTUAL_FLOWS

    found = [row for row in variance_rows(v)
             if row.line in ACTUAL_FLOWS and row.line not in _HOURS
             and not row.from_plan and abs(row.difference) >= 0.5]
    # in-kind amounts move neither result nor cash: explained after the others
    found.sort(key=lambda row: (row.line == "in_kind_income", -abs(row.difference)))
    return [_sentence(row) for row in found[:count]]


def _sentence(row: Row) -> str:
    diff = row.difference
    direction = "above" if diff > 0 else "below"
    share = "" if row.plan == 0 else f", {abs(diff) / abs(row.plan):.0%} {direction} plan"
    sign, reaches = _EFFECT.get(row.line, (0, ""))
    if sign == 0:
        effect = "no effect on the result or cash (booked in kind as income and cost alike)"
    else:
        effect = f"{abs(round(diff)):,} EUR {'more' if diff * sign > 0 else 'less'} {reaches}"
    return (f"{row.label} in {row.year}: {_amount(row.line, row.actual)} EUR against "
            f"{_amount(row.line, row.plan)} EUR planned ({round(diff) or 0:+,} EUR"
            f"{share}): {effect}.")


#: What a difference in a flow does: +1 more income is more, -1 more cost is less; and where.
_EFFECT: dict[str, tuple[int, str]] = {
    "rental_income": (1, "result and cash"), "partner_cash": (1, "result and cash"),
    "operating_subsidies": (1, "result"), "investment_subsidy_release": (1, "result"),
    "subsidy_cash": (1, "cash"), "loan_received": (1, "cash (and debt)"),
    "operating_costs": (-1, "result and cash"), "variable_costs": (-1, "result and cash"),
    "interest": (-1, "result and cash"), "depreciation": (-1, "result"),
    "capex": (-1, "cash (the book value grows; depreciated from the plan's amounts)"),
    "repayment": (-1, "cash (and debt)"),
}


def variance_text(v: Variance) -> str:
    """Budget vs actuals for the terminal: per closed year plan, actual, difference, %."""
    years = v.closed_years
    out = [f"{v.plan.scenario.name}: budget vs actuals, closed years "
           f"{', '.join(map(str, years)) or 'none'} (amounts in EUR)", ""]
    head = f"{'':<38}" + "".join(f"{'plan ' + str(y):>14}{'actual':>12}{'diff':>11}{'%':>8}"
                                 for y in years)
    out.append(head)
    by_line: dict[str, list[Row]] = {}
    for row in variance_rows(v):
        by_line.setdefault(row.line, []).append(row)
    for name, rows in by_line.items():
        cells = "".join(
            f"{_amount(name, r.plan):>14}"
            f"{_amount(name, r.actual) + ('*' if r.from_plan else ''):>12}"
            f"{_amount(name, r.difference):>11}{_percent(r.relative):>8}" for r in rows)
        out.append(f"{_label(name):<38}{cells}")
    out += ["  * not in the actuals: the plan's amount is kept", "", "Largest differences"]
    out += [f"  {s}" for s in explanations(v)] or ["  none"]
    out += ["", f"{'Key figures':<30}{'plan':>22}{'prognosis':>22}{'difference':>18}"]
    for name, kpi in v.kpi_table().items():
        diff = kpi["difference"]
        out.append(f"  {name:<28}{format_kpi(name, kpi['plan']):>22}"
                   f"{format_kpi(name, kpi['prognosis']):>22}"
                   f"{kpi_difference(name, diff):>18}")
    out += ["", f"Checks of the prognosis: master check "
                f"{'OK' if v.prognosis.master_check else 'FAILED'}"]
    out += [f"  [{'ok' if c.passed else ('FAIL' if c.kind == 'identity' else 'warn')}] "
            f"{c.name}: {c.message}" for c in v.checks]
    return "\n".join(out) + "\n"


def kpi_difference(name: str, value: float | int | None) -> str:
    """A KPI's difference (prognosis - plan) as shown: years, a ratio or euros.

    Examples
    --------
    >>> kpi_difference("npv", -1234.6), kpi_difference("break_even_year", 2)
    ('-1,235 EUR', '+2')
    >>> kpi_difference("min_debt_service_coverage", 0.456), kpi_difference("npv", None)
    ('+0.46', 'n/a')
    """
    if value is None:
        return "n/a"
    if name.endswith("_year") or name == "years_below_minimum":
        return f"{value:+d}" if isinstance(value, int) else f"{value:+g}"
    if name == "min_debt_service_coverage":
        return f"{value:+.2f}"
    return f"{round(value) or 0:+,} EUR"


def variance_csv(v: Variance) -> str:
    """The variance as CSV: line, year, plan, actual, difference, relative, from_plan."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["line", "year", "plan", "actual", "difference", "relative", "from_plan"])
    for name in v.lines:
        table, kept = v.table(name), v.from_plan(name)
        for j, year in enumerate(v.closed_years):
            relative = float(table["relative"][j])
            writer.writerow([name, year, repr(float(table["plan"][j])),
                             repr(float(table["actual"][j])),
                             repr(float(table["difference"][j])),
                             "" if math.isnan(relative) else repr(relative),
                             str(bool(kept[j])).lower()])
    return buffer.getvalue()


def variance_html(v: Variance) -> str:
    """The report's "Budget vs actuals" table and sentences (HTML, escaped)."""
    years = v.closed_years
    head = "".join(f'<th colspan="4">{y}</th>' for y in years)
    sub = "<th>plan</th><th>actual</th><th>difference</th><th>%</th>" * len(years)
    body = []
    by_line: dict[str, list[Row]] = {}
    for row in variance_rows(v):
        by_line.setdefault(row.line, []).append(row)
    for name, rows in by_line.items():
        cells = "".join(
            f"<td>{_amount(name, r.plan)}</td>"
            f"<td>{_amount(name, r.actual)}{'*' if r.from_plan else ''}</td>"
            f"<td>{_amount(name, r.difference)}</td><td>{_percent(r.relative)}</td>"
            for r in rows)
        body.append(f"<tr><th>{html.escape(_label(name))}</th>{cells}</tr>")
    items = "".join(f"<li>{html.escape(s)}</li>" for s in explanations(v))
    return (f'<table class="variance"><thead><tr><th rowspan="2">EUR</th>{head}</tr>'
            f"<tr>{sub}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            "<p><small>* not in the actuals: the plan's amount is kept. Difference = actual "
            "- plan; % = difference / |plan|.</small></p>"
            f"<p>Largest differences:</p><ul>{items or '<li>none</li>'}</ul>")

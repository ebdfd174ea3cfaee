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

from finmodel.views import i18n
from finmodel.views.i18n import Language, t
from finmodel.views.text import format_kpi, kpi_difference

if TYPE_CHECKING:
    from finmodel.analysis.variance import Variance
    from finmodel.model.checks import Check

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


def _rows_by_line(v: Variance, lang: Language) -> dict[str, list[Row]]:
    """The variance rows grouped by line, one row per closed year, in line order."""
    by_line: dict[str, list[Row]] = {}
    for row in variance_rows(v, lang):
        by_line.setdefault(row.line, []).append(row)
    return by_line


def _amount(name: str, value: float, lang: Language = "en") -> str:
    text = i18n.number(lang, value)
    return f"{text} h" if name in _HOURS else text


#: Relative differences beyond this (100,000,000 %) are shown as "> +100,000,000%": a
#: plan of a fraction of a cent gives ratios no table needs in full (and Babel cannot
#: round a ratio of 1e154 to one decimal).
_HUGE = 1e6


def _percent(value: float, lang: Language = "en") -> str:
    """A relative difference in percent, signed; capped at :data:`_HUGE` each way.

    >>> _percent(0.125), _percent(-6e154, "nl"), _percent(float("nan"))
    ('+12.5%', '< -100.000.000%', 'n/a')
    """
    if math.isfinite(value) and abs(value) > _HUGE:
        bound = math.copysign(_HUGE, value)
        return f"{'>' if value > 0 else '<'} {i18n.signed(i18n.percent(lang, bound), bound)}"
    return i18n.signed(i18n.percent(lang, value, 1), value)


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


def variance_rows(v: Variance, lang: Language = "en") -> list[Row]:
    """One row per line and closed year. Lines that are zero in plan and prognosis
    alike (no loans, say) are left out."""
    rows: list[Row] = []
    for name in (n for n in SHOWN if n in v.lines):
        table = v.table(name)
        if not (np.any(table["plan"]) or np.any(table["actual"])):
            continue
        kept = v.from_plan(name)
        for j, year in enumerate(v.closed_years):
            rows.append(Row(name, i18n.line_name(lang, name), year, float(table["plan"][j]),
                            float(table["actual"][j]), float(table["difference"][j]),
                            float(table["relative"][j]), bool(kept[j])))
    return rows


def explanations(v: Variance, count: int = 3, lang: Language = "en") -> list[str]:
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

    found = [row for row in variance_rows(v, lang)
             if row.line in ACTUAL_FLOWS and row.line not in _HOURS
             and not row.from_plan and abs(row.difference) >= 0.5]
    # in-kind amounts move neither result nor cash: explained after the others
    found.sort(key=lambda row: (row.line == "in_kind_income", -abs(row.difference)))
    return [_sentence(row, lang) for row in found[:count]]


def _sentence(row: Row, lang: Language = "en") -> str:
    diff, ratio = row.difference, abs(row.relative)
    # no share without a ratio: a plan of 0, or one too close to 0 for a float ratio
    share = "" if math.isnan(ratio) else t(
        lang, "var.above" if diff > 0 else "var.below",
        share=i18n.percent(lang, ratio) if ratio <= _HUGE else f"> {i18n.percent(lang, _HUGE)}")
    sign, reaches = _EFFECT.get(row.line, (0, ""))
    if sign == 0:
        effect = t(lang, "var.in_kind")
    else:
        effect = t(lang, "var.more" if diff * sign > 0 else "var.less",
                   amount=i18n.money(lang, abs(diff)), reaches=t(lang, f"var.reach.{reaches}"))
    return t(lang, "var.sentence", label=row.label, year=row.year,
             actual=i18n.money(lang, row.actual), plan=i18n.money(lang, row.plan),
             difference=i18n.signed(i18n.money(lang, diff), diff), share=share, effect=effect)


#: What a difference in a flow does: +1 more income is more, -1 more cost is less; and where.
_EFFECT: dict[str, tuple[int, str]] = {  # the second item: a catalogue key var.reach.*
    "rental_income": (1, "result_cash"), "partner_cash": (1, "result_cash"),
    "operating_subsidies": (1, "result"), "investment_subsidy_release": (1, "result"),
    "subsidy_cash": (1, "cash"), "loan_received": (1, "cash_debt"),
    "operating_costs": (-1, "result_cash"), "variable_costs": (-1, "result_cash"),
    "interest": (-1, "result_cash"), "depreciation": (-1, "result"),
    "capex": (-1, "capex"), "repayment": (-1, "cash_debt"),
}


def variance_text(v: Variance, lang: Language = "en") -> str:
    """Budget vs actuals for the terminal: per closed year plan, actual, difference, %."""
    from finmodel.views.summary import check_message

    years = v.closed_years
    out = [t(lang, "var.heading", name=v.plan.scenario.name,
             years=", ".join(map(str, years)) or t(lang, "var.none")), ""]
    plan, actual, diff = (t(lang, f"var.col.{k}") for k in ("plan", "actual", "difference"))
    out.append(f"{'':<38}" + "".join(f"{plan + ' ' + str(y):>16}{actual:>12}{diff:>11}{'%':>8}"
                                     for y in years))
    for name, rows in _rows_by_line(v, lang).items():
        cells = "".join(
            f"{_amount(name, r.plan, lang):>16}"
            f"{_amount(name, r.actual, lang) + ('*' if r.from_plan else ''):>12}"
            f"{_amount(name, r.difference, lang):>11}{_percent(r.relative, lang):>8}"
            for r in rows)
        out.append(f"{rows[0].label:<38}{cells}")
    out += [f"  {t(lang, 'var.kept')}", "", t(lang, "var.largest")]
    out += [f"  {s}" for s in explanations(v, lang=lang)] or [f"  {t(lang, 'var.none')}"]
    table = v.kpi_table()
    shown = {name: (format_kpi(name, kpi["plan"], lang), format_kpi(name, kpi["prognosis"], lang))
             for name, kpi in table.items()}
    # 22 wide, wider when a value is longer ("n.v.t. (geen rente of aflossing)")
    width = max([22] + [len(text) + 1 for pair in shown.values() for text in pair])
    out += ["", f"{t(lang, 'var.key_figures'):<46}{plan:>{width}}"
                f"{t(lang, 'var.col.prognosis'):>{width}}{diff:>18}"]
    for name, kpi in table.items():
        out.append(f"  {i18n.kpi_name(lang, name):<44}{shown[name][0]:>{width}}"
                   f"{shown[name][1]:>{width}}"
                   f"{kpi_difference(name, kpi['difference'], lang):>18}")
    status = t(lang, "txt.ok" if v.prognosis.master_check else "txt.failed")
    out += ["", t(lang, "var.checks", status=status)]
    out += [f"  [{t(lang, 'txt.tag.' + _tag(c))}] {i18n.check_name(lang, c.name)}: "
            f"{check_message(v.prognosis, c, lang)}" for c in v.checks]
    return "\n".join(out) + "\n"


def _tag(check: Check) -> str:
    return "ok" if check.passed else ("fail" if check.kind == "identity" else "warn")


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


def variance_html(v: Variance, lang: Language = "en") -> str:
    """The report's "Budget vs actuals" table and sentences (HTML, escaped)."""
    years = v.closed_years
    head = "".join(f'<th colspan="4">{y}</th>' for y in years)
    sub = "".join(f"<th>{html.escape(t(lang, f'var.col.{k}'))}</th>"
                  for k in ("plan", "actual", "difference")) + "<th>%</th>"
    body = []
    for name, rows in _rows_by_line(v, lang).items():
        cells = "".join(
            f"<td>{_amount(name, r.plan, lang)}</td>"
            f"<td>{_amount(name, r.actual, lang)}{'*' if r.from_plan else ''}</td>"
            f"<td>{_amount(name, r.difference, lang)}</td><td>{_percent(r.relative, lang)}</td>"
            for r in rows)
        body.append(f"<tr><th>{html.escape(rows[0].label)}</th>{cells}</tr>")
    items = "".join(f"<li>{html.escape(s)}</li>" for s in explanations(v, lang=lang))
    none = html.escape(t(lang, "var.none"))
    return (f'<table class="variance"><thead><tr><th rowspan="2">EUR</th>{head}</tr>'
            f"<tr>{sub * len(years)}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"<p><small>{html.escape(t(lang, 'var.table_note'))}</small></p>"
            f"<p>{html.escape(t(lang, 'var.largest'))}:</p><ul>{items or f'<li>{none}</li>'}</ul>")

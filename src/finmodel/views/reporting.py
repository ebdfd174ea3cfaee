"""The sections of the scenario report, as HTML, for notebooks/scenario_report.ipynb.

Each ``*_html`` function is pure (projection in, HTML text out) and is what the tests
check; each ``show_*`` function displays one in a notebook, so the notebook holds no
logic. Every piece of text that comes from a scenario file (names, descriptions, check
messages, values) goes through :func:`html.escape`. Amounts are shown in whole euros;
the numbers themselves are never rounded (see budget.xlsx for cents).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Collection, Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING

from finmodel.views import summary
from finmodel.views.text import LABELS

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection

__all__ = ["BALANCE_LINES", "BUDGET_LINES", "CASH_ROWS", "LOAN_BALANCE_LINES",
           "LOAN_BUDGET_LINES", "LOAN_CASH_ROWS", "SECTIONS", "amount_text",
           "assumptions_html", "budget_html", "charts_html", "detail_html", "frame_html",
           "load", "show", "summary_html"]

#: Section headings in report order (the test of the notebook looks for these).
SECTIONS = ("Summary", "Budget", "Cash flow and cash position", "Balance", "Charts",
            "Detail", "Assumptions as resolved", "Provenance")

BUDGET_LINES = ("rental_income", "operating_subsidies", "investment_subsidy_release",
                "partner_cash", "in_kind_income", "total_income", "operating_costs",
                "variable_costs", "depreciation", "in_kind_costs", "total_expenses",
                "result", "structural_result")
#: Cash-flow rows: (line, sign as shown). Payments are shown negative so the column adds up.
CASH_ROWS = (("rental_income", 1), ("partner_cash", 1), ("subsidy_cash", 1),
             ("operating_costs", -1), ("variable_costs", -1), ("capex", -1),
             ("net_cash_flow", 1), ("cash_end", 1))
BALANCE_LINES = ("book_value", "deferred_subsidy", "equity")
#: With loans (contract v1.1) the budget shows interest, the cash flow the loans received,
#: interest and repayments, the balance the loans outstanding; without loans they are 0
#: and left out, so a report without loans reads as before.
LOAN_BUDGET_LINES = (*BUDGET_LINES[:9], "interest", *BUDGET_LINES[9:])
LOAN_CASH_ROWS = (*CASH_ROWS[:3], ("loan_received", 1), *CASH_ROWS[3:5], ("interest", -1),
                  CASH_ROWS[5], ("repayment", -1), *CASH_ROWS[6:])
LOAN_BALANCE_LINES = ("book_value", "deferred_subsidy", "debt", "equity")
_TOTALS = {"Total income", "Total expenses", "Result", "Net cash flow", "Cash at year end",
           "Equity", "total"}
_CSS = ("<style>.fm tr.total th, .fm tr.total td {font-weight: 600; border-top: 1px solid "
        "#9aa5b1;} .fm p.note {color: #5b6875; margin: 0 0 8px;} .fm ul {margin: 4px 0 12px;} "
        ".fm tbody th {white-space: nowrap;}"
        "</style>")


def load(scenario_path: str) -> Projection:
    """Load and project the scenario a report is about."""
    from finmodel.model.projection import project
    from finmodel.model.scenario import load_scenario

    return project(load_scenario(scenario_path))


def amount_text(value: float) -> str:
    """A number as a report shows it: whole units, thousands separators, never ``-0``.

    Examples
    --------
    >>> amount_text(-1234.5), amount_text(-0.2), amount_text(float("nan"))
    ('-1,234', '0', 'n/a')
    """
    if math.isnan(value):
        return "n/a"
    return f"{round(value) or 0:,}"


def _share_text(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0%}"


def frame_html(frame: pd.DataFrame, text_columns: Collection[str] = (),
               totals: Collection[str] = _TOTALS) -> str:
    """A table of display strings as escaped HTML; repeated outer row labels left blank.

    Examples
    --------
    >>> import pandas as pd
    >>> print(frame_html(pd.DataFrame({"a": ["<b>"]}, index=pd.Index(["x&y"], name="k"))))
    <div class="scroll fm"><table>
    <thead><tr><th class="text">k</th><th>a</th></tr></thead>
    <tbody>
    <tr><th>x&amp;y</th><td>&lt;b&gt;</td></tr>
    </tbody></table></div>
    """
    names = [str(n) if n is not None else "" for n in frame.index.names]
    head = "".join(f'<th class="text">{escape(n)}</th>' for n in names)
    head += "".join(f'<th{_cls(str(c) in text_columns, "text")}>{escape(str(c))}</th>'
                    for c in frame.columns)
    body: list[str] = []
    previous: tuple[str, ...] = ()
    for key, values in zip(frame.index, frame.itertuples(index=False), strict=True):
        labels = tuple(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        shown = [lab if labels[: i + 1] != previous[: i + 1] else ""
                 for i, lab in enumerate(labels)]
        previous = labels
        cells = "".join(f"<th>{escape(lab)}</th>" for lab in shown)
        cells += "".join(f'<td{_cls(str(c) in text_columns, "text")}>{escape(str(v))}</td>'
                         for c, v in zip(frame.columns, values, strict=True))
        body.append(f'<tr{_cls(labels[-1] in totals, "total")}>{cells}</tr>')
    return (f'<div class="scroll fm"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(body) + "\n</tbody></table></div>")


def _cls(flag: bool, name: str) -> str:
    return f' class="{name}"' if flag else ""


def _lines_frame(p: Projection, rows: Iterable[tuple[str, int]]) -> pd.DataFrame:
    import pandas as pd

    data = {LABELS[line]: [amount_text(sign * float(v)) for v in p.lines[line]]
            for line, sign in rows}
    frame = pd.DataFrame.from_dict(data, orient="index", columns=p.years.tolist())
    frame.index.name = "EUR"
    return frame


def _heading(level: int, text: str) -> str:
    anchor = text.lower().replace(" ", "-")
    return f'<h{level} id="{escape(anchor)}">{escape(text)}</h{level}>'


def _items(texts: Sequence[str], css: str = "") -> str:
    return (f'<ul{_cls(bool(css), css)}>' + "".join(f"<li>{escape(t)}</li>" for t in texts)
            + "</ul>")


def summary_html(p: Projection) -> str:
    """Title, description, master check and every failed check, key figures, findings."""
    s = p.scenario
    parts = [_CSS, f'<div class="fm"><h1>{escape(s.name)}</h1>',
             f'<p class="note">{s.start_year}-{s.end_year}, amounts in EUR</p>']
    if s.description:
        parts.append(f"<p>{escape(s.description)}</p>")
    parts.append(_heading(2, "Summary"))
    ok = "ok" if p.master_check else "failed"
    parts.append(f'<p class="{ok}">{escape(summary.master_check_text(p))}</p>')
    failed = summary.failed_checks(p)
    if failed:
        parts.append(_items([f"{summary.check_status(c)}: {c.name}: {c.message}"
                             for c in failed], "failed"))
    parts.append("</div>")
    parts.append(frame_html(summary.kpi_table(p).set_index("key figure"), totals=()))
    parts.append('<div class="fm">' + _items(summary.sentences(p)) + "</div>")
    return "\n".join(parts)


def budget_html(p: Projection) -> str:
    """The multi-year budget, the cash flow with the cash position, and the balance."""
    minimum = p.scenario.finance.minimum_cash
    opening = [p.scenario.finance.opening_cash, *p.lines["cash_end"][:-1].tolist()]
    loans = bool(p.scenario.finance.loans)
    cash = _lines_frame(p, LOAN_CASH_ROWS if loans else CASH_ROWS)
    cash.loc["Minimum cash"] = [amount_text(minimum)] * len(p.years)
    cash.loc["Cash at start of year"] = [amount_text(v) for v in opening]
    cash = cash.iloc[[-1, *range(len(cash) - 1)]]
    return "\n".join([
        _heading(2, "Budget"),
        frame_html(_lines_frame(p, ((line, 1) for line in
                                    (LOAN_BUDGET_LINES if loans else BUDGET_LINES)))),
        _heading(2, "Cash flow and cash position"),
        '<p class="note fm">Payments are shown negative; net cash flow is the sum of the '
        "rows above it.</p>",
        frame_html(cash),
        _heading(2, "Balance"),
        '<p class="note fm">At year end: cash + book value - deferred subsidy '
        + ("- loans outstanding " if loans else "") + "= equity.</p>",
        frame_html(_lines_frame(p, [("cash_end", 1)] + [
            (x, 1) for x in (LOAN_BALANCE_LINES if loans else BALANCE_LINES)])),
    ])


def charts_html(p: Projection) -> str:
    """The five charts as embedded PNG images (Agg), each with its title as alt text."""
    from finmodel.views import charts

    out = [_heading(2, "Charts")]
    for chart in (charts.income_chart, charts.subsidy_chart, charts.cash_chart,
                  charts.hours_chart, charts.self_sufficiency_chart):
        ax = chart(p)
        data = base64.b64encode(charts.png(ax)).decode("ascii")
        title = ax.get_title("left") or ax.get_title()
        out.append(f'<p><img alt="{escape(title)}" style="width: 900px" '
                   f'src="data:image/png;base64,{data}"></p>')
    return "\n".join(out)


def _detail_frame(frame: pd.DataFrame, shares: bool = False) -> pd.DataFrame:
    shown = frame.map(_share_text if shares else amount_text)
    shown.index = shown.index.set_levels(
        [[str(v).replace("_", " ") for v in level] for level in shown.index.levels])
    return shown


def detail_html(p: Projection) -> str:
    """Per segment, capacity, cost item, purchase (with replacements), subsidy, party
    and loan."""
    d = p.detail
    capacity = _detail_frame(d["capacity"])
    occupancy = _lines_frame(p, [])
    for line in ("occupancy", "self_sufficiency"):
        occupancy.loc[LABELS[line]] = [_share_text(float(v)) for v in p.lines[line]]
    costs = _detail_frame(d["operating_costs"])
    sections = [
        ("Segments", "Hours per year and rental income in EUR.", _detail_frame(d["segments"])),
        ("Capacity and use", "Hours per year.", capacity),
        (None, "", occupancy.rename_axis("share")),
        ("Operating costs", "EUR, indexed as the scenario says.", costs),
        ("Purchases", "Each purchase, replacements included: EUR.", _detail_frame(
            d["purchases"])),
        ("Subsidies", "Cash received, income recognised, deferred at year end: EUR.",
         _detail_frame(d["subsidies"])),
        ("Parties: contributions", "EUR; in kind is both income and expense.",
         _detail_frame(d["contributions"])),
        ("Parties: benefits", "EUR, for the business case per party.",
         _detail_frame(d["benefits"])),
    ]
    if p.scenario.finance.loans:
        sections.append(("Loans", "Principal received, interest, principal repaid and debt "
                         "at year end: EUR.", _detail_frame(d["loans"])))
    out = [_heading(2, "Detail")]
    for title, note, frame in sections:
        if title:
            out.append(_heading(3, title))
        if frame.empty:
            out.append('<p class="note fm">None in this scenario.</p>')
            continue
        if note:
            out.append(f'<p class="note fm">{escape(note)}</p>')
        out.append(frame_html(frame))
    return "\n".join(out)


def assumptions_html(p: Projection, now: dt.datetime | None = None) -> str:
    """The resolved assumptions (path, value, where set) and the provenance stamp."""
    table = summary.assumptions_table(p.scenario).set_index("path")
    stamp = summary.provenance_table(p.scenario, now).set_index("item")
    return "\n".join([
        _heading(2, "Assumptions as resolved"),
        '<p class="note fm">Every parameter after inheritance (<code>extends</code>), '
        "with the file and line that set it.</p>",
        frame_html(table, text_columns={"value", "set in"}, totals=()),
        _heading(2, "Provenance"),
        frame_html(stamp, text_columns={"value"}, totals=()),
    ])


def show(html: str) -> None:
    """Display HTML in a notebook."""
    from IPython.display import HTML, display

    display(HTML(html))  # type: ignore[no-untyped-call]

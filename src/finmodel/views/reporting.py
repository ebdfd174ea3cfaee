"""The sections of the scenario report, as HTML, for notebooks/scenario_report.ipynb.

Each ``*_html`` function is pure (projection in, HTML text out) and is what the tests
check; each ``show_*`` function displays one in a notebook, so the notebook holds no
logic. Every piece of text that comes from a scenario file (names, descriptions, check
messages, values) goes through :func:`html.escape`. Amounts are shown in whole euros;
the numbers themselves are never rounded (see budget.xlsx for cents).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from finmodel.views import i18n, summary
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection

__all__ = ["BALANCE_LINES", "BUDGET_LINES", "CASH_ROWS", "LOAN_BALANCE_LINES",
           "LOAN_BUDGET_LINES", "LOAN_CASH_ROWS", "SECTIONS", "amount_text",
           "assumptions_html", "budget_html", "charts_html", "checks_html", "contents",
           "contents_html", "detail_html", "frame_html", "language_of", "load", "load_base",
           "periods_html", "permanent", "section_title", "show", "summary_html", "Table",
           "table_html"]

#: Section keys in report order, with their anchors (``id=``); the headings are the
#: catalogue's ``section.<key>`` in the report's language.
SECTIONS = ("summary", "budget", "cash", "balance", "actuals", "charts", "detail", "parties",
            "agreement", "risks", "uncertainty", "checks", "assumptions", "provenance")

BUDGET_LINES = ("rental_income", "operating_subsidies", "investment_subsidy_release",
                "partner_cash", "in_kind_income", "total_income", "operating_costs",
                "variable_costs", "depreciation", "in_kind_costs", "total_expenses",
                "result", "structural_result")
#: Cash-flow rows: (line, sign as shown). Payments are shown negative so the column adds up.
CASH_ROWS = (("rental_income", 1), ("partner_cash", 1), ("subsidy_cash", 1),
             ("operating_costs", -1), ("variable_costs", -1), ("capex", -1),
             ("net_cash_flow", 1), ("cash_end", 1))
BALANCE_LINES = ("book_value", "deferred_subsidy", "equity")
#: Lines shown as totals (bold, a rule above).
TOTAL_LINES = ("total_income", "total_expenses", "result", "net_cash_flow", "cash_end",
               "equity")
#: Lines that are positions at a moment or shares: no sum over the years.
_NO_SUM = {"cash_end", "opening_cash", "minimum_cash", "book_value", "deferred_subsidy",
           "equity", "debt", "occupancy", "self_sufficiency"}
#: With loans (contract v1.1) the budget shows interest, the cash flow the loans received,
#: interest and repayments, the balance the loans outstanding; without loans they are 0
#: and left out, so a report without loans reads as before.
LOAN_BUDGET_LINES = (*BUDGET_LINES[:9], "interest", *BUDGET_LINES[9:])
LOAN_CASH_ROWS = (*CASH_ROWS[:3], ("loan_received", 1), *CASH_ROWS[3:5], ("interest", -1),
                  CASH_ROWS[5], ("repayment", -1), *CASH_ROWS[6:])
LOAN_BALANCE_LINES = ("book_value", "deferred_subsidy", "debt", "equity")
_CSS = ("<style>.fm tr.total th, .fm tr.total td {font-weight: 600; border-top: 1px solid "
        "#9aa5b1;} .fm p.note {color: #5b6875; margin: 0 0 8px;} .fm ul {margin: 4px 0 12px;} "
        ".fm tbody th {white-space: nowrap;} .fm td.sum, .fm th.sum {border-left: 1px solid "
        "#9aa5b1;}"
        "</style>")


def section_title(lang: Language, key: str) -> str:
    """The heading of report section ``key`` in ``lang``."""
    return t(lang, f"section.{key}")


def _totals(lang: Language) -> set[str]:
    return {i18n.line_name(lang, line) for line in TOTAL_LINES} | {t(lang, "total")}


def language_of(p: Projection, lang: str | None = None) -> Language:
    """The report's language: ``lang`` when given, else the scenario's ``language``, else
    English."""
    return i18n.language(lang or p.scenario.language)


def contents(p: Projection) -> list[str]:
    """The sections this projection's report has, in order: "Budget vs actuals" only when
    the scenario has closed years (``actuals``), "Uncertainty" only with an
    ``uncertainty`` block.

    Examples
    --------
    >>> import finmodel
    >>> contents(finmodel.project(finmodel.load_scenario("scenarios/base_actuals.yaml")))[:6]
    ['summary', 'budget', 'cash', 'balance', 'actuals', 'charts']
    """
    ledger = p.scenario.ledger
    present = {"uncertainty": bool(p.scenario.uncertainty),
               "actuals": ledger is not None and bool(ledger.years)}
    return [key for key in SECTIONS if present.get(key, True)]


def load(scenario_path: str) -> Projection:
    """Load and project the scenario a report is about (the first time in a process,
    also make the report's libraries :func:`permanent`)."""
    from finmodel.model.projection import project
    from finmodel.model.scenario import load_scenario

    permanent()
    return project(load_scenario(scenario_path))


@functools.cache
def permanent() -> None:
    """Import what a report draws with and exempt everything imported so far from the
    garbage collector's full passes (:func:`gc.freeze`), once per process.

    A report's charts make many short-lived reference cycles; every few of them the
    collector's full pass walks every object of every imported module (numpy, the
    kernel's own), about a tenth of a report's CPU. Neither pandas nor matplotlib is
    among them: the report builds its tables without pandas (:class:`Table`) and draws
    its charts without matplotlib (:mod:`finmodel.views.svgplot`), so a kernel imports
    neither. Modules are never unloaded, so nothing is lost by not walking them. Objects
    made later are collected as before; calling this again does nothing, so a kernel
    that runs many reports does not freeze one report's garbage.
    """
    import gc

    from finmodel.views import svgplot  # noqa: F401  # (the charts)

    gc.freeze()


def load_base(base_path: str, scenario_path: str) -> Projection | None:
    """The base scenario of a batch, projected; None without one or when it is the
    scenario itself."""
    import os

    if not base_path or os.path.abspath(base_path) == os.path.abspath(scenario_path):
        return None
    return load(base_path)


def amount_text(value: float, lang: Language = "en") -> str:
    """A number as a report shows it: whole units, the locale's separators, never ``-0``.

    Examples
    --------
    >>> amount_text(-1234.5), amount_text(-0.2), amount_text(float("nan"))
    ('-1,234', '0', 'n/a')
    >>> amount_text(1234567.0, "nl")
    '1.234.567'
    """
    return i18n.number(lang, value)


def _share_text(value: float, lang: Language = "en") -> str:
    return i18n.percent(lang, value)


@dataclass(frozen=True)
class Table:
    """A table of display strings, built without pandas (a report kernel never imports
    it): the heads of the row-label columns, the column heads, and per row its labels
    (one per label column) and its cells (one per column)."""

    names: Sequence[str]
    columns: Sequence[str]
    rows: Sequence[tuple[Sequence[str], Sequence[str]]]

    @property
    def empty(self) -> bool:
        """Whether the table has no rows."""
        return not self.rows


def frame_html(frame: pd.DataFrame, text_columns: Collection[str] = (),
               totals: Collection[str] | None = None, titles: Sequence[str] = (),
               path_columns: Collection[str] = ()) -> str:
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
    rows = [(tuple(str(k) for k in (key if isinstance(key, tuple) else (key,))),
             [str(v) for v in values])
            for key, values in zip(frame.index, frame.itertuples(index=False), strict=True)]
    return table_html(Table(names, [str(c) for c in frame.columns], rows), text_columns,
                      totals, titles, path_columns)


def table_html(table: Table, text_columns: Collection[str] = (),
               totals: Collection[str] | None = None, titles: Sequence[str] = (),
               path_columns: Collection[str] = ()) -> str:
    """:func:`frame_html` of a :class:`Table`: rows whose last label is in ``totals``
    (default: the English total lines) in bold, ``text_columns`` left-aligned,
    ``path_columns`` as code, ``titles`` as the row labels' tooltips.

    Examples
    --------
    >>> print(table_html(Table(["k", ""], ["a"], [(("x", "y"), ["1"]), (("x", "z"), ["2"])]),
    ...                  totals=("z",)))
    <div class="scroll fm"><table>
    <thead><tr><th class="text">k</th><th class="text"></th><th>a</th></tr></thead>
    <tbody>
    <tr><th>x</th><th>y</th><td>1</td></tr>
    <tr class="total"><th></th><th>z</th><td>2</td></tr>
    </tbody></table></div>
    """
    totals = _totals("en") if totals is None else totals
    head = "".join(f'<th class="text">{escape(n)}</th>' for n in table.names)
    head += "".join(f'<th{_cls(c in text_columns, "text")}>{escape(c)}</th>'
                    for c in table.columns)
    cells_of = [_td(c in path_columns, c in text_columns) for c in table.columns]
    body: list[str] = []
    previous: tuple[str, ...] = ()
    for row, (labels, values) in enumerate(table.rows):
        labels = tuple(labels)
        shown = [lab if labels[: i + 1] != previous[: i + 1] else ""
                 for i, lab in enumerate(labels)]
        previous = labels
        tip = f' title="{escape(titles[row])}"' if row < len(titles) and titles[row] else ""
        cells = "".join(f"<th{tip}>{escape(lab)}</th>" for lab in shown)
        cells += "".join(cell.format(escape(v)) for cell, v in
                         zip(cells_of, values, strict=True))
        body.append(f'<tr{_cls(labels[-1] in totals, "total")}>{cells}</tr>')
    return (f'<div class="scroll fm"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(body) + "\n</tbody></table></div>")


def _td(path: bool, text: bool) -> str:
    """A cell's HTML around its escaped text ``{}``: a path (where a name maps to its
    path in the scenario file) as code, text left-aligned, numbers right."""
    if path:
        return '<td class="text path"><code>{}</code></td>'
    return "<td" + _cls(text, "text") + ">{}</td>"


def _cls(flag: bool, name: str) -> str:
    return f' class="{name}"' if flag else ""


def _lines_table(p: Projection, rows: Iterable[tuple[str, int]], lang: Language = "en",
                 total: bool = False) -> Table:
    """Lines as display rows, years as columns; with ``total`` a column summing the years
    of each flow (positions and shares get an empty cell: a sum of balances means nothing).
    """
    body: dict[str, list[str]] = {}
    for line, sign in rows:
        cells = [amount_text(sign * float(v), lang) for v in p.lines[line]]
        if total:
            cells.append("" if line in _NO_SUM else
                         amount_text(sign * float(p.lines[line].sum()), lang))
        body[i18n.line_name(lang, line)] = cells
    columns = [str(y) for y in p.years.tolist()] + ([t(lang, "total")] if total else [])
    return Table([t(lang, "col.eur")], columns, [((k,), v) for k, v in body.items()])


def _heading(level: int, text: str, anchor: str = "") -> str:
    anchor = anchor or text.lower().replace(" ", "-")
    return f'<h{level} id="{escape(anchor)}">{escape(text)}</h{level}>'


def _section(lang: Language, key: str) -> str:
    return _heading(2, section_title(lang, key), key)


def _items(texts: Sequence[str], css: str = "") -> str:
    return (f'<ul{_cls(bool(css), css)}>' + "".join(f"<li>{escape(t)}</li>" for t in texts)
            + "</ul>")


def contents_html(lang: Language = "en", keys: Sequence[str] = SECTIONS) -> str:
    """The table of contents: a link to each section of the report."""
    links = "".join(f'<li><a href="#{key}">{escape(section_title(lang, key))}</a></li>'
                    for key in keys)
    return (f'<nav class="toc fm"><strong>{escape(t(lang, "toc"))}</strong>'
            f'<ol>{links}</ol></nav>')


def summary_html(p: Projection, lang: Language = "en", base: Projection | None = None,
                 contents: Sequence[str] = ()) -> str:
    """What a board asks first, on one page: the verdict in sentences, the key figures,
    the checks that need attention, the top risks and what changed against ``base``."""
    from finmodel.views import board

    s = p.scenario
    parts = [_CSS, f'<div class="fm board"><h1>{escape(s.name)}</h1>',
             '<p class="note">' + escape(t(lang, "report.subtitle", first=s.start_year,
                                           last=s.end_year)) + "</p>"]
    if contents:
        parts.append(contents_html(lang, contents))
    parts.append(_section(lang, "summary"))
    parts.append(f'<p class="verdict">{escape(" ".join(board.verdict(p, lang)))}</p>')
    prognosis = board.prognosis(p, lang)
    if prognosis:  # closed years booked: the plan's verdict, then what the actuals say
        parts.append(f'<p class="verdict">{escape(" ".join(prognosis))}</p>')
    ok = "ok" if p.master_check else "failed"
    parts.append(f'<p class="{ok}">{escape(summary.master_check_text(p, lang))}</p>')
    failed = summary.failed_checks(p)
    if failed:
        parts.append(_items([f"{summary.check_status(c, lang)}: "
                             f"{i18n.check_name(lang, c.name)}: "
                             f"{summary.check_message(p, c, lang)}" for c in failed], "failed"))
    parts.append("</div>")
    kpis = Table([t(lang, "col.key_figure")], [t(lang, "col.value")],
                 [((name,), (value,)) for name, value in summary.kpi_rows(p, lang).values()])
    parts.append('<div class="kpis">' + table_html(kpis, totals=()) + "</div>")
    parts.append('<div class="fm">' + _items(board.findings(p, lang)))
    risks = board.top_risks(p.scenario, lang)
    if risks:
        parts.append(f"<p><strong>{escape(t(lang, 's.top_risks'))}</strong></p>"
                     + _items(risks))
    if base is not None:
        parts.append(f'<p><strong>{escape(section_title(lang, "changes"))}</strong></p>'
                     + _items(board.changes(base, p, lang)))
    parts.append('</div><div class="board-end"></div>')
    return "\n".join(parts)


def budget_html(p: Projection, lang: Language = "en") -> str:
    """The multi-year budget, the cash flow with the cash position, and the balance; the
    budget and cash flow with a total column (the sum over the horizon)."""
    minimum = p.scenario.finance.minimum_cash
    opening = [p.scenario.finance.opening_cash, *p.lines["cash_end"][:-1].tolist()]
    loans = bool(p.scenario.finance.loans)
    cash = _lines_table(p, LOAN_CASH_ROWS if loans else CASH_ROWS, lang, total=True)
    cash = Table(cash.names, cash.columns, [
        ((i18n.line_name(lang, "opening_cash"),), [amount_text(v, lang) for v in opening]
         + [""]),
        *cash.rows,
        ((i18n.line_name(lang, "minimum_cash"),), [amount_text(minimum, lang)]
         * len(p.years) + [""])])
    totals = _totals(lang)
    budget = LOAN_BUDGET_LINES if loans else BUDGET_LINES
    balance = LOAN_BALANCE_LINES if loans else BALANCE_LINES
    return "\n".join([
        _section(lang, "budget"),
        f'<p class="note fm">{escape(t(lang, "report.total_note"))}</p>',
        table_html(_lines_table(p, ((line, 1) for line in budget), lang, total=True),
                   totals=totals),
        periods_html(p, lang),
        _section(lang, "cash"),
        f'<p class="note fm">{escape(t(lang, "report.payments_negative"))}</p>',
        table_html(cash, totals=totals),
        _section(lang, "balance"),
        '<p class="note fm">' + escape(t(lang, "report.balance_note_loans" if loans else
                                         "report.balance_note")) + "</p>",
        table_html(_lines_table(p, [("cash_end", 1)] + [(x, 1) for x in balance], lang),
                   totals=totals),
    ])


def periods_html(p: Projection, lang: Language = "en") -> str:
    """The budget summed over the subsidy years and over the years after them (empty when
    the subsidy does not end inside the horizon): what the lab looks like without it.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> "2026-2029" in periods_html(p) and "2030-2040" in periods_html(p)
    True
    """
    last = summary.subsidy_end_year(p)
    years = p.years
    if last is None or not years[0] <= last < years[-1]:
        return ""
    during, after = years <= last, years > last
    columns = {t(lang, "report.period_subsidy", first=years[0], last=last): during,
               t(lang, "report.period_after", first=last + 1, last=years[-1]): after}
    rows = {i18n.line_name(lang, line): [amount_text(float(p.lines[line][mask].sum()), lang)
                                         for mask in columns.values()]
            for line in (LOAN_BUDGET_LINES if p.scenario.finance.loans else BUDGET_LINES)}
    table = Table([t(lang, "col.eur")], list(columns), [((k,), v) for k, v in rows.items()])
    return (f'<h3 id="periods">{escape(t(lang, "report.periods"))}</h3>\n'
            + table_html(table, totals=_totals(lang)))


def charts_html(p: Projection, lang: Language = "en") -> str:
    """The five charts as embedded SVG images, each with its title as alt text."""
    from finmodel.views.report_charts import SPECS
    from finmodel.views.svgplot import image_html

    out = [_section(lang, "charts")]
    for spec in SPECS:
        out.append(image_html(spec(p, lang)))
    return "\n".join(out)


def _detail_word(lang: Language, word: object) -> str:
    key = f"detail.{word}"
    return t(lang, key) if i18n.has(lang, key) else str(word)


def _detail_table(p: Projection, key: str, lang: Language, total: bool = False) -> Table:
    """One table of the projection's detail (:func:`finmodel.model.detail.detail_rows`)
    as display strings, its labels and heads in words of ``lang``; with ``total`` a
    column summing the years (as pandas sums a row: missing values count as 0)."""
    import numpy as np

    from finmodel.model.detail import detail_rows

    levels, rows = detail_rows(p)[key]
    columns = [str(y) for y in p.years.tolist()]
    sums: list[float] = []
    if total and rows:
        columns.append(t(lang, "total"))
        values = np.array([v for _, v in rows], dtype=float)
        sums = np.where(np.isnan(values), 0.0, values).sum(axis=1).tolist()
    body = []
    for i, (labels, values) in enumerate(rows):
        cells = [amount_text(float(v), lang) for v in values]
        if sums:
            cells.append(amount_text(float(sums[i]), lang))
        body.append((tuple(_detail_word(lang, v) for v in labels), cells))
    return Table([_detail_word(lang, n) for n in levels], columns, body)


def detail_html(p: Projection, lang: Language = "en") -> str:
    """Per segment, capacity, cost item, purchase (with replacements), subsidy, party
    and loan."""
    occupancy = Table([t(lang, "col.share")], [str(y) for y in p.years.tolist()],
                      [((i18n.line_name(lang, line),),
                        [_share_text(float(v), lang) for v in p.lines[line]])
                       for line in ("occupancy", "self_sufficiency")])
    sections = [
        ("segments", _detail_table(p, "segments", lang)),
        ("capacity", _detail_table(p, "capacity", lang)),
        (None, occupancy),
        ("costs", _detail_table(p, "operating_costs", lang, total=True)),
        ("purchases", _detail_table(p, "purchases", lang)),
        ("subsidies", _detail_table(p, "subsidies", lang)),
        ("contributions", _detail_table(p, "contributions", lang, total=True)),
        ("benefits", _detail_table(p, "benefits", lang, total=True)),
    ]
    if p.scenario.finance.loans:
        sections.append(("loans", _detail_table(p, "loans", lang)))
    out = [_section(lang, "detail")]
    for key, table in sections:
        if key:
            out.append(_heading(3, t(lang, f"sec.{key}"), f"detail-{key}"))
        if table.empty:
            out.append(f'<p class="note fm">{escape(t(lang, "none_in_scenario"))}</p>')
            continue
        if key:
            out.append(f'<p class="note fm">{escape(t(lang, f"sec.{key}_note"))}</p>')
        out.append(table_html(table, totals=_totals(lang)))
    return "\n".join(out)


def checks_html(p: Projection, lang: Language = "en") -> str:
    """The check sheet: every check by name, its status and message in words."""
    columns = summary.check_columns(lang)
    table = Table(columns[:1], columns[1:], [(row[:1], row[1:])
                                             for row in summary.check_rows(p, lang)])
    return "\n".join([_section(lang, "checks"), table_html(
        table, text_columns=set(columns[1:]), totals=())])


def assumptions_html(p: Projection, now: dt.datetime | None = None,
                     lang: Language = "en") -> str:
    """The resolved assumptions (name, path, value, where set) and the provenance stamp."""
    shown = Table([t(lang, "col.parameter")],
                  [t(lang, "col.path"), t(lang, "col.value"), t(lang, "col.set_in")],
                  [((name,), (path, value, where)) for path, name, value, where
                   in summary.assumption_table_rows(p.scenario, lang)])
    stamp = Table([t(lang, "col.item")], [t(lang, "col.value")],
                  [((item,), (value,)) for item, value
                   in summary.provenance(p.scenario, now, lang)])
    return "\n".join([
        _section(lang, "assumptions"),
        f'<p class="note fm">{escape(t(lang, "report.assumptions_note"))}</p>',
        table_html(shown, text_columns=set(shown.columns), totals=(),
                   path_columns={t(lang, "col.path")}),
        _section(lang, "provenance"),
        table_html(stamp, text_columns=set(stamp.columns), totals=()),
    ])


def show(html: str) -> None:
    """Display HTML in a notebook."""
    from IPython.display import HTML, display

    display(HTML(html))  # type: ignore[no-untyped-call]

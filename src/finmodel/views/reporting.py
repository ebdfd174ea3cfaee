"""The sections of the scenario report, as HTML, for notebooks/scenario_report.ipynb.

Each ``*_html`` function is pure (projection in, HTML text out) and is what the tests
check; each ``show_*`` function displays one in a notebook, so the notebook holds no
logic. Every piece of text that comes from a scenario file (names, descriptions, check
messages, values) goes through :func:`html.escape`. Amounts are shown in whole euros;
the numbers themselves are never rounded (see budget.xlsx for cents).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
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
           "periods_html", "permanent", "section_title", "show", "summary_html"]

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


_PERMANENT: list[bool] = []  # once per process


def permanent() -> None:
    """Import what a report draws with and exempt everything imported so far from the
    garbage collector's full passes (:func:`gc.freeze`), once per process.

    A report's charts make many short-lived reference cycles; every few of them the
    collector's full pass walks every object of every imported module (pandas, numpy,
    the kernel's own), about a tenth of a report's CPU. Modules are never
    unloaded, so nothing is lost by not walking them. Objects made later are collected
    as before; calling this again does nothing, so a kernel that runs many reports does
    not freeze one report's garbage.
    """
    if _PERMANENT:
        return
    import gc

    import pandas  # noqa: F401  # the report's libraries, imported before freezing

    from finmodel.views import svgplot  # noqa: F401  # (the charts)

    _PERMANENT.append(True)
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
    totals = _totals("en") if totals is None else totals
    names = [str(n) if n is not None else "" for n in frame.index.names]
    head = "".join(f'<th class="text">{escape(n)}</th>' for n in names)
    head += "".join(f'<th{_cls(str(c) in text_columns, "text")}>{escape(str(c))}</th>'
                    for c in frame.columns)
    body: list[str] = []
    previous: tuple[str, ...] = ()
    for row, (key, values) in enumerate(zip(frame.index, frame.itertuples(index=False),
                                           strict=True)):
        labels = tuple(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        shown = [lab if labels[: i + 1] != previous[: i + 1] else ""
                 for i, lab in enumerate(labels)]
        previous = labels
        tip = f' title="{escape(titles[row])}"' if row < len(titles) and titles[row] else ""
        cells = "".join(f"<th{tip}>{escape(lab)}</th>" for lab in shown)
        cells += "".join(_cell(str(c), str(v), text_columns, path_columns)
                         for c, v in zip(frame.columns, values, strict=True))
        body.append(f'<tr{_cls(labels[-1] in totals, "total")}>{cells}</tr>')
    return (f'<div class="scroll fm"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(body) + "\n</tbody></table></div>")


def _cell(column: str, value: str, text_columns: Collection[str],
          path_columns: Collection[str]) -> str:
    if column in path_columns:  # where a name maps to its path in the scenario file
        return f'<td class="text path"><code>{escape(value)}</code></td>'
    return f'<td{_cls(column in text_columns, "text")}>{escape(value)}</td>'


def _cls(flag: bool, name: str) -> str:
    return f' class="{name}"' if flag else ""


def _lines_frame(p: Projection, rows: Iterable[tuple[str, int]], lang: Language = "en",
                 total: bool = False) -> pd.DataFrame:
    """Lines as display rows, years as columns; with ``total`` a column summing the years
    of each flow (positions and shares get an empty cell: a sum of balances means nothing).
    """
    import pandas as pd

    rows = list(rows)
    data = {i18n.line_name(lang, line): [amount_text(sign * float(v), lang)
                                         for v in p.lines[line]] for line, sign in rows}
    frame = pd.DataFrame.from_dict(data, orient="index", columns=p.years.tolist())
    if total:
        frame[t(lang, "total")] = ["" if line in _NO_SUM else
                                   amount_text(sign * float(p.lines[line].sum()), lang)
                                   for line, sign in rows]
    frame.index.name = t(lang, "col.eur")
    return frame


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
    parts.append('<div class="kpis">' + frame_html(
        summary.kpi_table(p, lang).set_index("key figure")
        .rename_axis(t(lang, "col.key_figure"))
        .rename(columns={"value": t(lang, "col.value")}), totals=()) + "</div>")
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
    import pandas as pd

    minimum = p.scenario.finance.minimum_cash
    opening = [p.scenario.finance.opening_cash, *p.lines["cash_end"][:-1].tolist()]
    loans = bool(p.scenario.finance.loans)
    cash = _lines_frame(p, LOAN_CASH_ROWS if loans else CASH_ROWS, lang, total=True)
    extra = pd.DataFrame(
        [[amount_text(minimum, lang)] * len(p.years) + [""],
         [amount_text(v, lang) for v in opening] + [""]],
        index=[i18n.line_name(lang, "minimum_cash"), i18n.line_name(lang, "opening_cash")],
        columns=cash.columns)
    cash = pd.concat([extra.iloc[[1]], cash, extra.iloc[[0]]]).rename_axis(cash.index.name)
    totals = _totals(lang)
    budget = LOAN_BUDGET_LINES if loans else BUDGET_LINES
    balance = LOAN_BALANCE_LINES if loans else BALANCE_LINES
    return "\n".join([
        _section(lang, "budget"),
        f'<p class="note fm">{escape(t(lang, "report.total_note"))}</p>',
        frame_html(_lines_frame(p, ((line, 1) for line in budget), lang, total=True),
                   totals=totals),
        periods_html(p, lang),
        _section(lang, "cash"),
        f'<p class="note fm">{escape(t(lang, "report.payments_negative"))}</p>',
        frame_html(cash, totals=totals),
        _section(lang, "balance"),
        '<p class="note fm">' + escape(t(lang, "report.balance_note_loans" if loans else
                                         "report.balance_note")) + "</p>",
        frame_html(_lines_frame(p, [("cash_end", 1)] + [(x, 1) for x in balance], lang),
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
    import pandas as pd

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
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(columns))
    frame.index.name = t(lang, "col.eur")
    return (f'<h3 id="periods">{escape(t(lang, "report.periods"))}</h3>\n'
            + frame_html(frame, totals=_totals(lang)))


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


def _detail_frame(frame: pd.DataFrame, lang: Language, shares: bool = False,
                  total: bool = False) -> pd.DataFrame:
    shown = frame.map(lambda v: _share_text(v, lang) if shares else amount_text(v, lang))
    if total and not frame.empty:
        shown[t(lang, "total")] = [amount_text(float(v), lang) for v in frame.sum(axis=1)]
    shown.index = shown.index.set_levels(
        [[_detail_word(lang, v) for v in level] for level in shown.index.levels])
    shown.index = shown.index.set_names([_detail_word(lang, n) for n in shown.index.names])
    return shown


def detail_html(p: Projection, lang: Language = "en") -> str:
    """Per segment, capacity, cost item, purchase (with replacements), subsidy, party
    and loan."""
    d = p.detail
    occupancy = _lines_frame(p, [], lang)
    for line in ("occupancy", "self_sufficiency"):
        occupancy.loc[i18n.line_name(lang, line)] = [_share_text(float(v), lang)
                                                     for v in p.lines[line]]
    sections = [
        ("segments", _detail_frame(d["segments"], lang)),
        ("capacity", _detail_frame(d["capacity"], lang)),
        (None, occupancy.rename_axis(t(lang, "col.share"))),
        ("costs", _detail_frame(d["operating_costs"], lang, total=True)),
        ("purchases", _detail_frame(d["purchases"], lang)),
        ("subsidies", _detail_frame(d["subsidies"], lang)),
        ("contributions", _detail_frame(d["contributions"], lang, total=True)),
        ("benefits", _detail_frame(d["benefits"], lang, total=True)),
    ]
    if p.scenario.finance.loans:
        sections.append(("loans", _detail_frame(d["loans"], lang)))
    out = [_section(lang, "detail")]
    for key, frame in sections:
        if key:
            out.append(_heading(3, t(lang, f"sec.{key}"), f"detail-{key}"))
        if frame.empty:
            out.append(f'<p class="note fm">{escape(t(lang, "none_in_scenario"))}</p>')
            continue
        if key:
            out.append(f'<p class="note fm">{escape(t(lang, f"sec.{key}_note"))}</p>')
        out.append(frame_html(frame, totals=_totals(lang)))
    return "\n".join(out)


def checks_html(p: Projection, lang: Language = "en") -> str:
    """The check sheet: every check by name, its status and message in words."""
    table = summary.checks_table(p, lang)
    first = table.columns[0]
    return "\n".join([_section(lang, "checks"), frame_html(
        table.set_index(first), text_columns=set(table.columns[1:]), totals=())])


def assumptions_html(p: Projection, now: dt.datetime | None = None,
                     lang: Language = "en") -> str:
    """The resolved assumptions (name, path, value, where set) and the provenance stamp."""
    table = summary.assumptions_table(p.scenario, lang)
    shown = table.rename(columns={"path": t(lang, "col.path"), "value": t(lang, "col.value"),
                                  "set in": t(lang, "col.set_in")})
    shown = shown.set_index("name").rename_axis(t(lang, "col.parameter"))
    stamp = summary.provenance_table(p.scenario, now, lang).set_index("item")
    stamp = stamp.rename_axis(t(lang, "col.item")).rename(columns={"value": t(lang, "col.value")})
    return "\n".join([
        _section(lang, "assumptions"),
        f'<p class="note fm">{escape(t(lang, "report.assumptions_note"))}</p>',
        frame_html(shown, text_columns=set(shown.columns), totals=(),
                   path_columns={t(lang, "col.path")}),
        _section(lang, "provenance"),
        frame_html(stamp, text_columns=set(stamp.columns), totals=()),
    ])


def show(html: str) -> None:
    """Display HTML in a notebook."""
    from IPython.display import HTML, display

    display(HTML(html))  # type: ignore[no-untyped-call]

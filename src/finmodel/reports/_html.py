"""HTML pages of the report runner: one stylesheet, the page frame, index and compare.

Pure functions from values to text; every piece of text that comes from a scenario file
or an error message is escaped with :func:`html.escape`. Pages are self-contained: the
stylesheet is inline and nothing is loaded from elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["IndexRow", "STYLESHEET", "compare_table_html", "index_html", "page"]

STYLESHEET = """
:root { --ink: #1d2733; --muted: #5b6875; --line: #d6dde4; --accent: #1f5f8b;
        --bad: #a4262c; --warn: #8a5a00; --good: #1e6b3a; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 24px 24px 48px; color: var(--ink);
       font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, sans-serif; background: #fff; }
h1 { font-size: 26px; margin: 8px 0 4px; } h2 { font-size: 20px; margin: 28px 0 8px;
     border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
a { color: var(--accent); } .anchor-link { display: none; }
p.meta { color: var(--muted); margin: 0 0 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 12.5px;
        font-variant-numeric: tabular-nums; }
th, td { border: none; border-bottom: 1px solid var(--line); padding: 3px 6px;
         text-align: right; vertical-align: top; white-space: nowrap; }
th { background: #f3f6f8; font-weight: 600; white-space: normal; }
th.text { text-align: left; }
.scroll { overflow-x: auto; }
tbody th, td.label, th.label { text-align: left; }
td.text, td.error { text-align: left; white-space: normal; }
td.error { overflow-wrap: anywhere; }
td.error pre { margin: 0; }
tbody tr:hover { background: #f8fafb; }
.output_wrapper, .output, .output_area { overflow-x: auto; }
.output_subarea { max-width: 100%; }
img, svg { max-width: 100%; height: auto; }
pre { white-space: pre-wrap; font-size: 13px; }
.output_stderr { display: none; }
.ok { color: var(--good); font-weight: 600; } .failed, td.error { color: var(--bad); }
.warn { color: var(--warn); } ul.warn { margin: 2px 0 0; padding-left: 16px; }
table.index td.text { min-width: 220px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print { body { max-width: none; padding: 0; } .scroll, .output_wrapper, .output,
  .output_area { overflow: visible; } table { font-size: 9px; } }
""".strip()


def page(title: str, body: str, generated: str = "") -> str:
    """A complete, self-contained HTML document around ``body`` (already HTML).

    Examples
    --------
    >>> html = page("A & B", "<p>x</p>")
    >>> "<title>A &amp; B</title>" in html and html.startswith("<!DOCTYPE html>")
    True
    """
    footer = f"<footer>{escape(generated)}</footer>" if generated else ""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>\n{STYLESHEET}\n</style>\n</head>\n"
            f"<body>\n{body}\n{footer}\n</body>\n</html>\n")


@dataclass(frozen=True)
class IndexRow:
    """One scenario in index.html: its figures and links, or the error that stopped it."""

    folder: str
    name: str
    kpis: Mapping[str, float | int | None]
    self_sufficiency_end: float | None
    master_check: bool | None
    warnings: tuple[str, ...]  # messages of the flags raised (spec section 6)
    links: tuple[tuple[str, str], ...]  # (label, relative href)
    error: str | None = None


_COLUMNS = (("npv", "NPV"), ("break_even_year", "Break-even year"),
            ("min_cash", "Minimum cash"), ("min_cash_year", "in year"),
            ("funding_gap_after_subsidy", "Funding gap after subsidy"))


def _figure(name: str, value: float | int | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "never" if name == "break_even_year" else "n/a"
    if name.endswith("_year"):
        return str(int(value))
    return f"{value:,.0f}"


def _checks_cell(row: IndexRow) -> str:
    status = ('<span class="ok">master check OK</span>' if row.master_check
              else '<span class="failed">master check FAILED</span>')
    if row.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in row.warnings)
        status += f'<ul class="warn">{items}</ul>'
    return status


def _row_html(row: IndexRow) -> str:
    title = escape(row.name)
    if row.error is not None:
        span = len(_COLUMNS) + 3
        folder = f"<br><small>{escape(row.folder)}/</small>" if row.folder != row.name else ""
        return (f'<tr class="error-row"><td class="label">{title}{folder}</td>'
                f'<td class="error" colspan="{span}">'
                f"<pre>{escape(row.error)}</pre></td></tr>")
    figures = "".join(f"<td>{_figure(key, row.kpis.get(key))}</td>" for key, _ in _COLUMNS)
    share = ("n/a" if row.self_sufficiency_end is None
             or math.isnan(row.self_sufficiency_end) else f"{row.self_sufficiency_end:.0%}")
    links = " · ".join(f'<a href="{escape(href)}">{escape(label)}</a>'
                       for label, href in row.links)
    first = row.links[0][1] if row.links else ""
    name = f'<a href="{escape(first)}">{title}</a>' if first else title
    return (f'<tr><td class="label">{name}</td>{figures}<td>{share}</td>'
            f'<td class="text">{_checks_cell(row)}</td><td class="text">{links}</td></tr>')


def index_html(rows: Sequence[IndexRow], compare_href: str | None, generated: str) -> str:
    """index.html: one row per scenario (figures in euros), errors in their own rows.

    Examples
    --------
    >>> row = IndexRow("bad", "<b>", {}, None, None, (), (), error="x < y")
    >>> "&lt;b&gt;" in index_html([row], None, "") and "x &lt; y" in index_html([row], None, "")
    True
    """
    head = "".join(f"<th>{escape(label)}</th>" for _, label in _COLUMNS)
    failed = sum(r.error is not None for r in rows)
    summary = f"{len(rows)} scenario(s), {failed} failed. Amounts in EUR."
    compare = (f'<p><a href="{escape(compare_href)}">Compare the scenarios</a></p>'
               if compare_href else "")
    body = (f"<h1>Budget reports</h1>\n<p class=\"meta\">{escape(summary)}</p>\n{compare}\n"
            f'<div class="scroll"><table class="index">\n<thead><tr><th class="label">Scenario'
            f'</th>{head}<th>Self-sufficiency (last year)</th><th class="text">Checks</th>'
            f'<th class="text">Files</th></tr></thead>\n<tbody>\n'
            + "\n".join(_row_html(r) for r in rows) + "\n</tbody>\n</table></div>")
    return page("Budget reports", body, generated)


def compare_table_html(rows: Sequence[IndexRow], base: str, generated: str) -> str:
    """compare.html without the compare notebook: KPIs side by side, with the difference
    from the base scenario (by folder name)."""
    good = [r for r in rows if r.error is None]
    base_row = next((r for r in good if r.folder == base), good[0] if good else None)
    head = "".join(f"<th>{escape(r.name)}</th>" for r in good)
    lines = []
    for key, label in _COLUMNS:
        cells = "".join(f"<td>{_figure(key, r.kpis.get(key))}</td>" for r in good)
        lines.append(f'<tr><th class="label">{escape(label)}</th>{cells}</tr>')
        if key in ("npv", "min_cash") and base_row is not None:
            ref = base_row.kpis.get(key)
            diffs = "".join(f"<td>{_difference(r.kpis.get(key), ref)}</td>" for r in good)
            lines.append(f'<tr><th class="label">{escape(label)}: difference from base'
                         f"</th>{diffs}</tr>")
    base_name = escape(base_row.name) if base_row else "none"
    body = (f"<h1>Scenarios compared</h1>\n<p class=\"meta\">Base: {base_name}. Amounts in "
            f"EUR.</p>\n<table>\n<thead><tr><th></th>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(lines) + "\n</tbody>\n</table>")
    return page("Scenarios compared", body, generated)


def _difference(value: float | int | None, ref: float | int | None) -> str:
    if value is None or ref is None:
        return "n/a"
    return f"{value - ref:+,.0f}"

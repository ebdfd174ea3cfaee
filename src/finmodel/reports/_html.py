"""HTML pages of the report runner: one stylesheet, the page frame, index and compare.

Pure functions from values to text; every piece of text that comes from a scenario file
or an error message is escaped with :func:`html.escape`. Pages are self-contained: the
stylesheet is inline and nothing is loaded from elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from finmodel.views import i18n
from finmodel.views.i18n import Language, t

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
nav.toc ol { columns: 3; margin: 4px 0 12px; padding-left: 20px; font-size: 13px; }
p.verdict { font-size: 16px; font-weight: 600; margin: 8px 0; }
.kpis table { font-size: 14px; }
td.path code { font-size: 11px; color: var(--muted); }
@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 9px sans-serif;
                  color: #5b6875; } }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .scroll, .output_wrapper, .output, .output_area { overflow: visible; }
  table { font-size: 8px; } th, td { padding: 1px 3px; }
  thead { display: table-header-group; } tr, img, li, p.chart { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; } h2 { margin-top: 16px; }
  img { max-width: 100% !important; width: auto !important; }
  nav.toc ol { font-size: 10px; } p.verdict { font-size: 13px; }
  .kpis table { font-size: 11px; } .board li { font-size: 11px; }
  .agreement table { font-size: 10px; } .agreement li { font-size: 11px; }
  .board-end { break-after: page; } .agreement { break-before: page; break-after: page; }
  a { color: inherit; text-decoration: none; }
  tbody tr:hover { background: none; }
}
""".strip()


def page(title: str, body: str, generated: str = "", lang: Language = "en") -> str:
    """A complete, self-contained HTML document around ``body`` (already HTML).

    Examples
    --------
    >>> html = page("A & B", "<p>x</p>")
    >>> "<title>A &amp; B</title>" in html and html.startswith("<!DOCTYPE html>")
    True
    """
    footer = f"<footer>{escape(generated)}</footer>" if generated else ""
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
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
    #: With closed years: the prognosis's key figures and ``closed_until`` (see
    #: :class:`finmodel.reports._job.ReportOutcome`); shown under the plan's figures.
    prognosis: Mapping[str, float | int | None] = field(default_factory=dict)


_COLUMNS = ("npv", "break_even_year", "min_cash", "min_cash_year",
            "funding_gap_after_subsidy", "financing_need")


def _figure(name: str, value: float | int | None, lang: Language = "en") -> str:
    return i18n.kpi_value(lang, name, value)


def _checks_cell(row: IndexRow, lang: Language) -> str:
    status = (f'<span class="ok">{escape(t(lang, "idx.master_ok"))}</span>' if row.master_check
              else f'<span class="failed">{escape(t(lang, "idx.master_failed"))}</span>')
    if row.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in row.warnings)
        status += f'<ul class="warn">{items}</ul>'
    return status


def _financing_need(row: IndexRow) -> float | None:
    """``max(0, minimum cash - lowest cash)``: the KPI when the engine gives it."""
    if row.kpis.get("financing_need") is not None:
        return row.kpis["financing_need"]
    low, floor = row.kpis.get("min_cash"), row.kpis.get("minimum_cash")
    if low is None or floor is None:
        return None
    return max(0.0, float(floor) - float(low))


def _value(row: IndexRow, key: str) -> float | int | None:
    return _financing_need(row) if key == "financing_need" else row.kpis.get(key)


def _row_html(row: IndexRow, lang: Language = "en") -> str:
    title = escape(row.name)
    if row.error is not None:
        span = len(_COLUMNS) + 3
        folder = f"<br><small>{escape(row.folder)}/</small>" if row.folder != row.name else ""
        return (f'<tr class="error-row"><td class="label">{title}{folder}</td>'
                f'<td class="error" colspan="{span}">'
                f"<pre>{escape(row.error)}</pre></td></tr>")
    figures = "".join(f"<td>{escape(_figure(key, _value(row, key), lang))}"
                      f"{_prognosis_cell(row, key, lang)}</td>" for key in _COLUMNS)
    share = i18n.percent(lang, row.self_sufficiency_end)
    links = " · ".join(f'<a href="{escape(href)}">{escape(_link(label, lang))}</a>'
                       for label, href in row.links)
    first = row.links[0][1] if row.links else ""
    name = f'<a href="{escape(first)}">{title}</a>' if first else title
    return (f'<tr><td class="label">{name}</td>{figures}<td>{escape(share)}</td>'
            f'<td class="text">{_checks_cell(row, lang)}</td><td class="text">{links}</td></tr>')


#: The figures the prognosis is shown for, under the plan's (the others follow the plan's
#: structure or lie in the closed years alike).
_PROGNOSIS = ("npv", "min_cash", "min_cash_year", "financing_need")


def _prognosis_cell(row: IndexRow, key: str, lang: Language) -> str:
    """Under a plan's figure, the prognosis's when closed years are booked:
    ``prognosis: € 44.798``, with the last closed year in its tooltip.

    Examples
    --------
    >>> row = IndexRow("b", "B", {"min_cash": 62833.0}, None, True, (), (),
    ...                prognosis={"min_cash": 44798.0, "closed_until": 2027})
    >>> _prognosis_cell(row, "min_cash", "en")  # doctest: +NORMALIZE_WHITESPACE
    '<br><small class="prognosis" title="actuals to 2027, then the plan">prognosis:
    44,798 EUR</small>'
    >>> _prognosis_cell(row, "npv", "nl"), _prognosis_cell(row, "break_even_year", "nl")
    ('', '')
    """
    if key not in _PROGNOSIS or key not in row.prognosis:
        return ""
    title = t(lang, "idx.prognosis_title", year=i18n.year(row.prognosis["closed_until"] or 0))
    value = _figure(key, row.prognosis[key], lang)
    return (f'<br><small class="prognosis" title="{escape(title)}">'
            f'{escape(t(lang, "idx.prognosis", value=value))}</small>')


def _link(label: str, lang: Language) -> str:
    key = f"idx.link.{label.lower()}"
    return t(lang, key) if i18n.has(lang, key) else label


def _head(lang: Language) -> str:
    return "".join(f"<th>{escape(i18n.kpi_name(lang, key))}</th>" for key in _COLUMNS)


def index_html(rows: Sequence[IndexRow], compare_href: str | None, generated: str,
               lang: Language = "en") -> str:
    """index.html: one row per scenario (figures in euros), errors in their own rows.

    Examples
    --------
    >>> row = IndexRow("bad", "<b>", {}, None, None, (), (), error="x < y")
    >>> "&lt;b&gt;" in index_html([row], None, "") and "x &lt; y" in index_html([row], None, "")
    True
    """
    failed = sum(r.error is not None for r in rows)
    summary = t(lang, "idx.meta_one" if len(rows) == 1 else "idx.meta", n=len(rows),
                failed=failed)
    compare = (f'<p><a href="{escape(compare_href)}">{escape(t(lang, "idx.compare"))}</a></p>'
               if compare_href else "")
    title = t(lang, "idx.title")
    body = (f"<h1>{escape(title)}</h1>\n<p class=\"meta\">{escape(summary)}</p>\n{compare}\n"
            f'<div class="scroll"><table class="index">\n<thead><tr><th class="label">'
            f'{escape(t(lang, "idx.scenario"))}</th>{_head(lang)}'
            f'<th>{escape(i18n.kpi_name(lang, "self_sufficiency_end"))}</th>'
            f'<th class="text">{escape(t(lang, "section.checks"))}</th>'
            f'<th class="text">{escape(t(lang, "idx.files"))}</th></tr></thead>\n<tbody>\n'
            + "\n".join(_row_html(r, lang) for r in rows) + "\n</tbody>\n</table></div>")
    return page(title, body, generated, lang)


def compare_table_html(rows: Sequence[IndexRow], base: str, generated: str,
                       lang: Language = "en") -> str:
    """compare.html without the compare notebook: KPIs side by side, with the difference
    from the base scenario (by folder name)."""
    good = [r for r in rows if r.error is None]
    base_row = next((r for r in good if r.folder == base), good[0] if good else None)
    head = "".join(f"<th>{escape(r.name)}</th>" for r in good)
    lines = []
    for key in _COLUMNS:
        label = i18n.kpi_name(lang, key)
        cells = "".join(f"<td>{escape(_figure(key, _value(r, key), lang))}</td>" for r in good)
        lines.append(f'<tr><th class="label">{escape(label)}</th>{cells}</tr>')
        if key in ("npv", "min_cash") and base_row is not None:
            ref = base_row.kpis.get(key)
            diffs = "".join(f"<td>{escape(_difference(r.kpis.get(key), ref, lang))}</td>"
                            for r in good)
            lines.append(f'<tr><th class="label">{escape(t(lang, "cmp.difference", name=label))}'
                         f"</th>{diffs}</tr>")
    base_name = base_row.name if base_row else t(lang, "n/a")
    title = t(lang, "cmp.title")
    body = (f"<h1>{escape(title)}</h1>\n<p class=\"meta\">"
            f"{escape(t(lang, 'cmp.base_meta', name=base_name))}</p>\n<table>\n"
            f"<thead><tr><th></th>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(lines) + "\n</tbody>\n</table>")
    return page(title, body, generated, lang)


def _difference(value: float | int | None, ref: float | int | None,
                lang: Language = "en") -> str:
    if value is None or ref is None:
        return t(lang, "n/a")
    return i18n.signed(i18n.money(lang, value - ref), round(value - ref))

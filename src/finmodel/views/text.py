"""Plain-text and CSV renderings of a projection, for the terminal."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from finmodel.model.engine import LINES
from finmodel.views import i18n
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["LABELS", "budget_text", "csv_cell", "csv_writer", "fit_columns", "format_kpi",
           "kpi_difference", "lines_csv"]

#: How a controller reads each line, in English (see :func:`finmodel.views.i18n.line_name`
#: for every language).
LABELS: dict[str, str] = {line: i18n.line_name("en", line) for line in LINES}

_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (  # heading keys of the catalogue
    ("txt.income", LINES[:6]),
    ("txt.expenses", LINES[6:12]),
    ("", LINES[12:14]),
    ("txt.cash", LINES[14:20]),
    ("txt.balance", ("book_value", "deferred_subsidy", "debt", "equity")),
    ("txt.use", ("rented_hours", "occupancy", "self_sufficiency")),
)
_TOTALS = {"total_income", "total_expenses", "result", "cash_end"}
_SHARES = {"occupancy", "self_sufficiency"}
#: Positions at a moment and shares: no total over the horizon.
_POSITIONS = {"cash_end", "book_value", "deferred_subsidy", "equity", "debt", *_SHARES}


def _cell(line: str, value: float, lang: Language = "en") -> str:
    if line in _SHARES:
        return i18n.percent(lang, value)
    return i18n.number(lang, value)


def format_kpi(name: str, value: float | int | None, lang: Language = "en") -> str:
    """A KPI value as a report shows it (euros without cents, years as years).

    Examples
    --------
    >>> format_kpi("npv", 1234567.891), format_kpi("break_even_year", None)
    ('1,234,568 EUR', 'never (within the horizon)')
    >>> format_kpi("book_value_end", -1e-9), format_kpi("npv", -1234.4, "nl")
    ('0 EUR', '€\\xa0-1.234')
    >>> dscr = "min_debt_service_coverage"
    >>> format_kpi(dscr, 1.4567), format_kpi(dscr, None), format_kpi(dscr, 1.4567, "nl")
    ('1.46', 'n/a (no debt service)', '1,46')
    """
    return i18n.kpi_value(lang, name, value)


def fit_columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """A terminal table fitted to its words: every cell whole, each column as wide as its
    widest cell, two spaces between columns; the first column (names) left-aligned, the
    others (numbers) right-aligned. Indent a row by starting its first cell with spaces.

    Fixed widths cut long (Dutch) names and ran wide cells together.

    Examples
    --------
    >>> for line in fit_columns([["KPI", "base", "change"], ["  NPV", "1,000 EUR", "+5 EUR"]]):
    ...     print(line)
    KPI         base  change
      NPV  1,000 EUR  +5 EUR
    """
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [f"{row[0]:<{widths[0]}}" + "".join(
        f"{cell:>{width + 2}}" for cell, width in zip(row[1:], widths[1:], strict=True))
        for row in rows]


def kpi_difference(name: str, value: float | int | None, lang: Language = "en") -> str:
    """A KPI's difference (what-if - base, prognosis - plan) as every view shows it.

    Years and counts as whole numbers, the DSCR to two decimals, the rest in whole euros
    (:func:`~finmodel.views.i18n.money`); a ``+`` before a difference that is positive
    as shown, none before one that is zero as shown (never ``-0`` or ``+0``); numbers in
    the format of ``lang``.

    Examples
    --------
    >>> kpi_difference("npv", -1234.6), kpi_difference("break_even_year", 2)
    ('-1,235 EUR', '+2')
    >>> kpi_difference("min_debt_service_coverage", 0.456), kpi_difference("npv", None)
    ('+0.46', 'n/a')
    >>> kpi_difference("npv", -0.4), kpi_difference("min_cash_year", 0)
    ('0 EUR', '0')
    >>> kpi_difference("npv", 8051.2, "nl"), kpi_difference("debt_end", -12.0, "nl")
    ('+€\\xa08.051', '€\\xa0-12')
    """
    if value is None:
        return t(lang, "n/a")
    if name.endswith("_year") or name == "years_below_minimum":
        return i18n.signed(i18n.number(lang, value), value)
    if name == "min_debt_service_coverage":
        return i18n.signed(i18n.number(lang, value, 2), value)
    return i18n.signed(i18n.money(lang, value), value)


def budget_text(p: Projection, lang: Language = "en") -> str:
    """The budget as a terminal table: years as columns, the locale's separators, and a
    total column (the sum over the horizon) for every flow."""
    years = p.years.tolist()
    labels = {n: i18n.line_name(lang, n) for n in LINES}
    label_width = max(len(v) for v in labels.values()) + 2
    width = max(11, max(len(_cell(n, float(v), lang)) for n in LINES for v in p.lines[n]) + 2)
    out = [t(lang, "txt.heading", name=p.scenario.name, first=years[0], last=years[-1]), ""]
    total = width + 2  # the sum over the horizon: a wider number
    out.append(" " * label_width + "".join(f"{y:>{width}}" for y in years)
               + f"{t(lang, 'total'):>{total}}")
    for title, names in _SECTIONS:
        out.append(t(lang, title) if title else "")  # the results stand under no heading
        for name in names:
            label = ("  " if name not in _TOTALS else "") + labels[name]
            summed = "" if name in _POSITIONS else _cell(name, float(p.lines[name].sum()), lang)
            out.append(f"{label:<{label_width}}" + "".join(
                f"{_cell(name, float(v), lang):>{width}}" for v in p.lines[name])
                + f"{summed:>{total}}".rstrip())
    out += ["", t(lang, "txt.key_figures")]
    kpi_names = {k: i18n.kpi_name(lang, k) for k in p.kpis}
    kw = max(len(v) for v in kpi_names.values()) + 2
    out += [f"  {kpi_names[k]:<{kw}}{format_kpi(k, v, lang)}" for k, v in p.kpis.items()]
    status = t(lang, "txt.ok" if p.master_check else "txt.failed")
    out += ["", t(lang, "txt.checks", status=status)]
    from finmodel.views.summary import check_message

    tags = {c.name: "ok" if c.passed else ("fail" if c.kind == "identity" else "warn")
            for c in p.checks}
    out += [f"  [{t(lang, 'txt.tag.' + tags[c.name])}] "
            f"{i18n.check_name(lang, c.name)}: {check_message(p, c, lang)}" for c in p.checks]
    return "\n".join(out) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as the text it is, never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe (OWASP's advice against CSV injection); numbers, also written as
    text (``"-12.5"``), are left alone.

    Examples
    --------
    >>> csv_cell("=1+1"), csv_cell("-12.5"), csv_cell("Schools"), csv_cell(-3.0)
    ("'=1+1", '-12.5', 'Schools', -3.0)
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, buffer: io.StringIO) -> None:
        self._writer = csv.writer(buffer, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(cell) for cell in row])


def csv_writer(buffer: io.StringIO) -> _SafeWriter:
    """A ``csv.writer`` (rows end in ``\\n``) whose text cells pass :func:`csv_cell`."""
    return _SafeWriter(buffer)


def lines_csv(p: Projection) -> str:
    """Every line as a CSV row, years as columns; empty cells where a value is undefined."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["line", *p.years.tolist()])
    for name in LINES:
        writer.writerow([name, *("" if math.isnan(v) else repr(float(v))
                                 for v in p.lines[name].tolist())])
    return buffer.getvalue()

"""Plain-text and CSV renderings of a projection, for the terminal."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from finmodel.model.engine import LINES

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["LABELS", "budget_text", "csv_cell", "csv_writer", "format_kpi", "lines_csv"]

#: How a controller reads each line.
LABELS: dict[str, str] = {
    "rental_income": "Rental income", "operating_subsidies": "Operating subsidies",
    "investment_subsidy_release": "Investment subsidy released", "partner_cash":
    "Partner contributions (cash)", "in_kind_income": "Contributions in kind",
    "total_income": "Total income", "operating_costs": "Operating costs",
    "variable_costs": "Variable rental costs", "depreciation": "Depreciation",
    "interest": "Interest on loans",
    "in_kind_costs": "Costs in kind", "total_expenses": "Total expenses",
    "result": "Result", "structural_result": "Structural result (without subsidy)",
    "capex": "Investments paid", "subsidy_cash": "Subsidy received",
    "loan_received": "Loans received", "repayment": "Loan repayments",
    "net_cash_flow": "Net cash flow", "cash_end": "Cash at year end",
    "rented_hours": "Rented hours", "occupancy": "Occupancy",
    "self_sufficiency": "Self-sufficiency", "book_value": "Book value of assets",
    "deferred_subsidy": "Deferred investment subsidy", "debt": "Loans outstanding",
    "equity": "Equity",
}

_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Income", LINES[:6]),
    ("Expenses", LINES[6:12]),
    ("", LINES[12:14]),
    ("Cash", LINES[14:20]),
    ("Balance", ("book_value", "deferred_subsidy", "debt", "equity")),
    ("Use of the facility", ("rented_hours", "occupancy", "self_sufficiency")),
)
_TOTALS = {"total_income", "total_expenses", "result", "cash_end"}
_SHARES = {"occupancy", "self_sufficiency"}


def _cell(line: str, value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if line in _SHARES:
        return f"{value:.0%}"
    return f"{round(value) or 0:,}"


def format_kpi(name: str, value: float | int | None) -> str:
    """A KPI value as a report shows it (euros without cents, years as years).

    Examples
    --------
    >>> format_kpi("npv", 1234567.891), format_kpi("break_even_year", None)
    ('1,234,568 EUR', 'never (within the horizon)')
    >>> format_kpi("book_value_end", -1e-9)
    '0 EUR'
    >>> dscr = "min_debt_service_coverage"
    >>> format_kpi(dscr, 1.4567), format_kpi(dscr, None)
    ('1.46', 'n/a (no debt service)')
    """
    if value is None:
        if name == "min_debt_service_coverage":
            return "n/a (no debt service)"
        return "never (within the horizon)" if name == "break_even_year" else "n/a"
    if name == "min_debt_service_coverage":
        return f"{value:.2f}"
    if name.endswith("_year") or name == "years_below_minimum":
        return str(value)
    return f"{round(value) or 0:,} EUR"  # `or 0`: never "-0 EUR"


def budget_text(p: Projection) -> str:
    """The budget as a terminal table: years as columns, thousands separators."""
    years = p.years.tolist()
    label_width = max(len(v) for v in LABELS.values()) + 2
    width = max(11, max(len(_cell(n, float(v))) for n in LINES for v in p.lines[n]) + 2)
    out = [f"{p.scenario.name} ({years[0]}-{years[-1]}), amounts in EUR", ""]
    out.append(" " * label_width + "".join(f"{y:>{width}}" for y in years))
    for title, names in _SECTIONS:
        out.append(title)  # the result lines stand under an empty heading
        for name in names:
            label = ("  " if name not in _TOTALS else "") + LABELS[name]
            out.append(f"{label:<{label_width}}"
                       + "".join(f"{_cell(name, float(v)):>{width}}" for v in p.lines[name]))
    out += ["", "Key figures"]
    out += [f"  {name:<28}{format_kpi(name, value)}" for name, value in p.kpis.items()]
    out += ["", f"Checks: master check {'OK' if p.master_check else 'FAILED'}"]
    out += [f"  [{'ok' if c.passed else ('FAIL' if c.kind == 'identity' else 'warn')}] "
            f"{c.name}: {c.message}" for c in p.checks]
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

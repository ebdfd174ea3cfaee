"""What-if comparisons for people: KPIs side by side and the budget lines that differ."""

from __future__ import annotations

import io

import numpy as np

from finmodel.analysis.what_if import Comparison
from finmodel.model.engine import LINES
from finmodel.views.text import LABELS, csv_writer, format_kpi

__all__ = ["comparison_csv", "comparison_text"]


def comparison_text(comparison: Comparison) -> str:
    """KPIs side by side, then the budget lines that differ (what-if - base) per year."""
    out = [f"{comparison.base.scenario.name}: what-if against the base", "", "Changes"]
    out += [f"  {path}: {value!r}" for path, value in comparison.changes.items()]
    out += ["", f"{'Key figures':<28}{'base':>28}{'what-if':>28}{'difference':>20}"]
    for name, row in comparison.kpis.items():
        change = row["difference"]
        shown = ("n/a" if change is None else f"{change:+d}" if isinstance(change, int)
                 else f"{change + 0.0:+.2f}" if name == "min_debt_service_coverage"
                 else f"{round(change) or 0:+,} EUR")
        out.append(f"  {name:<26}{format_kpi(name, row['base']):>28}"
                   f"{format_kpi(name, row['what_if']):>28}{shown:>20}")
    years = comparison.base.years.tolist()
    out += ["", "Budget differences (what-if - base), EUR",
            " " * 36 + "".join(f"{y:>10}" for y in years)]
    changed = {n: d for n, d in comparison.line_differences().items()
               if np.nanmax(np.abs(d), initial=0.0) >= 0.005}
    for name, values in changed.items():
        cells = ["n/a" if np.isnan(v) else
                 (f"{v:+.1%}" if name in ("occupancy", "self_sufficiency")
                  else f"{round(v) or 0:+,}") for v in values]
        out.append(f"  {LABELS[name]:<34}" + "".join(f"{c:>10}" for c in cells))
    if not changed:
        out.append("  (no line changes)")
    flags = [c for c in comparison.what_if.checks if c.kind == "flag" and not c.passed]
    if flags:
        out += ["", "Warnings in the what-if"] + [f"  {c.name}: {c.message}" for c in flags]
    return "\n".join(out) + "\n"

def comparison_csv(comparison: Comparison) -> str:
    """Rows ``line, base|what_if|difference``, years as columns."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["line", "measure", *comparison.base.years.tolist()])
    differences = comparison.line_differences()
    for name in LINES:
        for measure, values in (("base", comparison.base.lines[name]),
                                ("what_if", comparison.what_if.lines[name]),
                                ("difference", differences[name])):
            writer.writerow([name, measure, *("" if np.isnan(v) else repr(float(v))
                                              for v in values)])
    return buffer.getvalue()

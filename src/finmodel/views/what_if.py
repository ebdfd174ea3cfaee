"""What-if comparisons for people: KPIs side by side and the budget lines that differ."""

from __future__ import annotations

import io

import numpy as np

from finmodel.analysis.what_if import Comparison
from finmodel.model.engine import LINES
from finmodel.views import i18n
from finmodel.views.i18n import Language, t
from finmodel.views.text import csv_writer, fit_columns, format_kpi, kpi_difference

__all__ = ["comparison_csv", "comparison_text"]


def comparison_text(comparison: Comparison, lang: Language = "en") -> str:
    """KPIs side by side, then the budget lines that differ (what-if - base) per year."""
    out = [t(lang, "cli.whatif.heading", name=comparison.base.scenario.name), "",
           t(lang, "cli.whatif.changes")]
    out += [f"  {i18n.param_name(lang, path)}: {value!r}"
            for path, value in comparison.changes.items()]
    out += [""] + _kpi_lines(comparison, lang)
    years = comparison.base.years.tolist()
    changed = {n: d for n, d in comparison.line_differences().items()
               if np.nanmax(np.abs(d), initial=0.0) >= 0.005}
    label = max((len(i18n.line_name(lang, n)) for n in changed), default=0) + 2
    out += ["", t(lang, "cli.whatif.differences"),
            " " * (label + 2) + "".join(f"{y:>10}" for y in years)]
    for name, values in changed.items():
        cells = [t(lang, "n/a") if np.isnan(v) else
                 (i18n.signed(i18n.percent(lang, v, 1), v)
                  if name in ("occupancy", "self_sufficiency")
                  else i18n.signed(i18n.number(lang, v), round(v))) for v in values]
        out.append(f"  {i18n.line_name(lang, name):<{label}}"
                   + "".join(f"{c:>10}" for c in cells))
    if not changed:
        out.append(t(lang, "cli.whatif.no_changes"))
    flags = [c for c in comparison.what_if.checks if c.kind == "flag" and not c.passed]
    if flags:
        from finmodel.views.summary import check_message

        out += ["", t(lang, "cli.whatif.warnings")] + [
            f"  {i18n.check_name(lang, c.name)}: {check_message(comparison.what_if, c, lang)}"
            for c in flags]
    return "\n".join(out) + "\n"


def _kpi_lines(comparison: Comparison, lang: Language) -> list[str]:
    """The KPIs side by side, whole names, the columns fitted to their words."""
    head = [t(lang, f"cli.whatif.col.{k}") for k in ("kpis", "base", "what_if", "difference")]
    return fit_columns([head, *([f"  {i18n.kpi_name(lang, name)}",
                                 format_kpi(name, row["base"], lang),
                                 format_kpi(name, row["what_if"], lang),
                                 kpi_difference(name, row["difference"], lang)]
                                for name, row in comparison.kpis.items())])


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

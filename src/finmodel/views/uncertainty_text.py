"""Terminal and plain-word renderings of simulations, tornados and goal seeks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from finmodel.views.text import LABELS

if TYPE_CHECKING:
    from finmodel.analysis.goalseek import GoalSeek
    from finmodel.analysis.sensitivity import DataTable, Tornado
    from finmodel.analysis.simulation import Simulation

__all__ = ["data_table_text", "goal_seek_text", "plain_words", "simulation_text", "tornado_text"]

_YEARS = ("break_even_year", "min_cash_year", "years_below_minimum")
_TABLE_LINES = ("cash_end", "structural_result", "result")


def _share(p: float) -> str:
    """A probability as a controller reads it: whole percent, but never 0 % or 100 %
    for something that happens in some draws and not in others."""
    text = f"{p:.0%}"
    if text == "0%" and p > 0:
        return "under 1 %"
    if text == "100%" and p < 1:
        return "over 99 %"
    return text.replace("%", " %")


def _value(name: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if name == "min_debt_service_coverage":  # a ratio, not euros
        return f"{value + 0.0:.2f}"
    value = 0.0 if abs(value) < 0.5 else value  # no "-0" for rounding noise
    return f"{value:.0f}" if name in _YEARS else f"{value:,.0f}"


def _param(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def plain_words(sim: Simulation) -> list[str]:
    """The probabilities as sentences for a report.

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.simulation import simulate
    >>> sim = simulate(finmodel.load_scenario("scenarios/base.yaml"), draws=1000)
    >>> plain_words(sim)[0].startswith("In ")
    True
    """
    n = f"{sim.draws:,}"
    cash = (f"In {_share(sim.cash_above_minimum)} of {n} draws cash stays above the "
            f"minimum ({sim.minimum_cash:,.0f} EUR) in every year.")
    by = sim.break_even_by
    never = float(sum(1 for v in sim.kpis["break_even_year"].tolist() if math.isnan(v))
                  ) / sim.draws
    last = int(sim.years[-1])
    half = next((y for y, p in by.items() if p >= 0.5), last)   # never counts as later
    when = f"by {half}" if half < last else "within the horizon"
    even = (f"The structural result (without subsidy) breaks even {when} in "
            f"{_share(by[half])} of the draws")
    words = [cash, even + (f"; in {_share(never)} it is still negative in {last}."
                           if never else ".")]
    npv = sim.kpi_summary("npv")
    if npv["p5"] is not None and npv["p95"] is not None:
        words.append(f"The net present value lies between {npv['p5']:,.0f} and "
                     f"{npv['p95']:,.0f} EUR in 90 % of the draws (median "
                     f"{npv['p50']:,.0f} EUR).")
    return words


def simulation_text(sim: Simulation) -> str:
    """KPI summaries, probabilities and the percentiles of a few key lines per year."""
    out = [f"{sim.scenario}: {sim.draws:,} draws, seed {sim.seed}", "",
           f"{'Key figures':<30}{'mean':>14}{'P5':>14}{'P50':>14}{'P95':>14}{'null':>8}"]
    for name in sim.kpis:
        row = sim.kpi_summary(name)
        out.append(f"  {name:<28}" + "".join(f"{_value(name, row[k]):>14}"
                                              for k in ("mean", "p5", "p50", "p95"))
                   + f"{_share(row['null_share'] or 0.0):>8}")
    out += ["", "Probabilities", *(f"  {line}" for line in plain_words(sim))]
    out.append("  P(break-even by year): " + ", ".join(
        f"{y} {_share(p)}" for y, p in sim.break_even_by.items()))
    if sim.risks:
        out.append("  Risks occurred in: " + ", ".join(
            f"{name} {_share(p)}" for name, p in sim.risks.items()))
    years = sim.years.tolist()
    for line in _TABLE_LINES:
        out += ["", f"{LABELS[line]} (EUR)", "      " + "".join(f"{y:>11}" for y in years)]
        for p in (5, 10, 50, 90, 95):
            out.append(f"  P{p:<4}" + "".join(f"{v:>11,.0f}" for v in sim.line(line, p)))
    if sim.line_draws < sim.draws:
        out += ["", f"Line percentiles from the first {sim.line_draws:,} draws; "
                    "key figures and probabilities from all."]
    return "\n".join(out) + "\n"


def tornado_text(t: Tornado) -> str:
    """The tornado as a table, largest swing first."""
    width = max([len(r.param) for r in t.rows] + [9]) + 2
    out = [f"Sensitivity of {t.kpi} (base {_value(t.kpi, t.base)}), "
           "each parameter at its P10 and P90", "",
           f"{'parameter':<{width}}{'low':>12}{'high':>12}{'at low':>14}{'at high':>14}"
           f"{'swing':>14}"]
    for r in t.rows:
        factor = " x" if r.apply == "multiply" else ""
        out.append(f"{r.param:<{width}}{_param(r.low):>12}{_param(r.high):>12}"
                   f"{_value(t.kpi, r.kpi_low):>14}{_value(t.kpi, r.kpi_high):>14}"
                   f"{_value(t.kpi, r.swing):>14}{factor}")
    if not t.rows:
        out.append("(the scenario has no uncertainty: nothing to vary)")
    return "\n".join(out) + "\n"


def goal_seek_text(g: GoalSeek) -> str:
    """One or two sentences: the value found and what it achieves."""
    if g.probability is None:
        return (f"{g.param} = {g.value:,.6g} gives {g.kpi} = {g.achieved + 0.0:,.2f} "
                f"(target {g.target:,.2f}; searched {g.range[0]:g}..{g.range[1]:g})\n")
    return (f"{g.param} = {g.value:,.6g} gives P({g.event}) = {g.achieved:.4f} "
            f"(target {g.probability:g}; {g.draws:,} draws, seed {g.seed}; "
            f"searched {g.range[0]:g}..{g.range[1]:g})\n")


def data_table_text(table: DataTable) -> str:
    """The table for a terminal: x values across, y values down."""
    cells = [[_cell(table.kpi, v) for v in row] for row in table.cells.tolist()]
    heads = [f"{v:g}" for v in table.x_values.tolist()]
    width = max(len(c) for c in [*heads, *(c for row in cells for c in row)]) + 2
    lead = max(len(f"{v:g}") for v in table.y_values.tolist()) + 2
    out = [f"{table.kpi} by {table.y_param} (down) and {table.x_param} (across)", "",
           " " * lead + "".join(f"{h:>{width}}" for h in heads)]
    out += [f"{y:<{lead}g}" + "".join(f"{c:>{width}}" for c in row)
            for y, row in zip(table.y_values.tolist(), cells, strict=True)]
    return "\n".join(out) + "\n"


def _cell(kpi: str, value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if kpi == "min_debt_service_coverage":
        return f"{value + 0.0:.2f}"
    if kpi.endswith("_year") or kpi == "years_below_minimum":
        return f"{value:.0f}"
    return f"{value:,.0f}"

"""Terminal and plain-word renderings of simulations, tornados and goal seeks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from finmodel.views import i18n
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    from finmodel.analysis.goalseek import GoalSeek
    from finmodel.analysis.sensitivity import DataTable, Tornado
    from finmodel.analysis.simulation import Simulation

__all__ = ["TABLE_LINES", "data_table_text", "goal_seek_text", "plain_words", "prepare_text",
           "simulation_text", "tornado_text"]

_YEARS = ("break_even_year", "min_cash_year", "years_below_minimum")
#: The lines whose percentiles :func:`simulation_text` shows (a simulation for the
#: table keeps only these: ``simulate(..., lines=TABLE_LINES)``).
TABLE_LINES = ("cash_end", "structural_result", "result")


def _share(p: float, lang: Language = "en") -> str:
    """A probability as a controller reads it: whole percent, but never 0 % or 100 %
    for something that happens in some draws and not in others."""
    text = f"{p:.0%}"
    if text == "0%" and p > 0:
        return t(lang, "unc.under1")
    if text == "100%" and p < 1:
        return t(lang, "unc.over99")
    return i18n.percent(lang, p)


def _value(name: str, value: float | None, lang: Language = "en") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t(lang, "n/a")
    if name == "min_debt_service_coverage":  # a ratio, not euros
        return i18n.number(lang, value + 0.0, 2)
    value = 0.0 if abs(value) < 0.5 else value  # no "-0" for rounding noise
    return f"{value:.0f}" if name in _YEARS else i18n.number(lang, value)


def _param(value: float, lang: Language = "en") -> str:
    if abs(value) >= 1000:
        return i18n.number(lang, value)
    text = f"{value:.4g}"
    return text.replace(".", ",") if lang == "nl" else text


def plain_words(sim: Simulation, lang: Language = "en") -> list[str]:
    """The probabilities as sentences for a report.

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.simulation import simulate
    >>> sim = simulate(finmodel.load_scenario("scenarios/base.yaml"), draws=1000)
    >>> plain_words(sim)[0].startswith("In ")
    True
    """
    n = i18n.number(lang, sim.draws)
    cash = t(lang, "unc.cash", share=_share(sim.cash_above_minimum, lang), draws=n,
             minimum=i18n.money(lang, sim.minimum_cash))
    by = sim.break_even_by
    never = float(np.count_nonzero(np.isnan(sim.kpis["break_even_year"]))) / sim.draws
    last = int(sim.years[-1])
    half = next((y for y, p in by.items() if p >= 0.5), last)   # never counts as later
    when = t(lang, "unc.by", year=half) if half < last else t(lang, "unc.within")
    even = t(lang, "unc.even", when=when, share=_share(by[half], lang))
    words = [cash, even + (t(lang, "unc.never", share=_share(never, lang), year=last)
                           if never else t(lang, "unc.period"))]
    npv = sim.kpi_summary("npv")
    if npv["p5"] is not None and npv["p95"] is not None:
        words.append(t(lang, "unc.npv", low=i18n.money(lang, npv["p5"]),
                       high=i18n.money(lang, npv["p95"]),
                       median=i18n.money(lang, npv["p50"])))
    return words


def prepare_text(lang: Language = "en") -> None:
    """Load what writing numbers in ``lang`` needs (Babel's locale data: about 0.1 s the
    first time in a process), e.g. on a thread while a simulation runs, so that
    :func:`simulation_text` does not wait for it afterwards.

    Examples
    --------
    >>> prepare_text("nl")
    """
    i18n.number(lang, 1234.5, 1)


def simulation_text(sim: Simulation, lang: Language = "en") -> str:
    """KPI summaries, probabilities and the percentiles of a few key lines per year.

    Columns are as wide as their widest value plus two spaces, so that no two values run
    together (``2036`` next to ``over 99 %``).
    """
    n = i18n.number
    kpis = {name: sim.kpi_summary(name) for name in sim.kpis}
    cells = {name: [_value(name, row[k], lang) for k in ("mean", "p5", "p50", "p95")]
             for name, row in kpis.items()}
    nulls = {name: _share(row["null_share"] or 0.0, lang) for name, row in kpis.items()}
    heads = (t(lang, "cli.sim.mean"), "P5", "P50", "P95")
    width = max([len(c) for row in cells.values() for c in row] + [len(h) for h in heads]
                + [12]) + 2
    null_head = t(lang, "cli.sim.null")
    null_width = max([len(c) for c in nulls.values()] + [len(null_head), 4]) + 2
    labels = {name: i18n.kpi_name(lang, name) for name in sim.kpis}
    lead = max([len(v) for v in labels.values()] + [len(t(lang, "cli.sim.key_figures"))]) + 2
    out = [t(lang, "cli.sim.heading", name=sim.scenario, draws=n(lang, sim.draws),
             seed=sim.seed), "",
           f"{t(lang, 'cli.sim.key_figures'):<{lead + 2}}"
           + "".join(f"{h:>{width}}" for h in heads) + f"{null_head:>{null_width}}"]
    for name in sim.kpis:
        out.append(f"  {labels[name]:<{lead}}" + "".join(f"{c:>{width}}" for c in cells[name])
                   + f"{nulls[name]:>{null_width}}")
    out += ["", t(lang, "cli.sim.probabilities"),
            *(f"  {line}" for line in plain_words(sim, lang))]
    out.append(t(lang, "cli.sim.break_even_by") + ", ".join(
        f"{y} {_share(p, lang)}" for y, p in sim.break_even_by.items()))
    if sim.risks:
        out.append(t(lang, "cli.sim.risks") + ", ".join(
            f"{name} {_share(p, lang)}" for name, p in sim.risks.items()))
    years = sim.years.tolist()
    for line in TABLE_LINES:
        rows = {p: [n(lang, v) for v in sim.line(line, p)] for p in (5, 10, 50, 90, 95)}
        step = max([len(c) for row in rows.values() for c in row] + [9]) + 2
        out += ["", f"{i18n.line_name(lang, line)} (EUR)",
                "      " + "".join(f"{y:>{step}}" for y in years)]
        out += [f"  P{p:<4}" + "".join(f"{c:>{step}}" for c in row) for p, row in rows.items()]
    if sim.line_draws < sim.draws:
        out += ["", t(lang, "cli.sim.line_draws", n=n(lang, sim.line_draws))]
    return "\n".join(out) + "\n"


def tornado_text(result: Tornado, lang: Language = "en") -> str:
    """The tornado as a table, largest swing first (parameters by name)."""
    names = [i18n.param_name(lang, r.param) for r in result.rows]
    width = max([len(name) for name in names] + [9]) + 2
    out = [t(lang, "cli.tornado.heading", kpi=i18n.kpi_name(lang, result.kpi),
             base=_value(result.kpi, result.base, lang)), "",
           f"{t(lang, 'col.parameter'):<{width}}" + t(lang, "cli.tornado.columns")]
    for name, r in zip(names, result.rows, strict=True):
        factor = " x" if r.apply == "multiply" else ""
        out.append(f"{name:<{width}}{_param(r.low, lang):>12}{_param(r.high, lang):>12}"
                   f"{_value(result.kpi, r.kpi_low, lang):>14}"
                   f"{_value(result.kpi, r.kpi_high, lang):>14}"
                   f"{_value(result.kpi, r.swing, lang):>14}{factor}")
    if not result.rows:
        out.append(t(lang, "cli.tornado.none"))
    return "\n".join(out) + "\n"


def goal_seek_text(g: GoalSeek, lang: Language = "en") -> str:
    """One or two sentences: the value found and what it achieves."""
    name = i18n.param_name(lang, g.param)
    value = i18n.number(lang, g.value, 0 if abs(g.value) >= 1000 else 4)
    if g.probability is None:
        return t(lang, "cli.goal.kpi", name=name, value=value, kpi=i18n.kpi_name(lang, g.kpi),
                 achieved=i18n.number(lang, g.achieved + 0.0, 2),
                 target=i18n.number(lang, g.target, 2), low=f"{g.range[0]:g}",
                 high=f"{g.range[1]:g}") + "\n"
    return t(lang, "cli.goal.probability", name=name, value=value, event=g.event,
             achieved=i18n.number(lang, g.achieved, 4), target=f"{g.probability:g}",
             draws=i18n.number(lang, g.draws), seed=g.seed, low=f"{g.range[0]:g}",
             high=f"{g.range[1]:g}") + "\n"


def data_table_text(table: DataTable, lang: Language = "en") -> str:
    """The table for a terminal: x values across, y values down; cells whose values are
    not valid for the scenario (own use above the available hours) are marked ``*``."""
    marks = table.invalid_cells.tolist()
    cells = [[_cell(table.kpi, v, lang) + ("*" if bad else "")
              for v, bad in zip(row, flags, strict=True)]
             for row, flags in zip(table.cells.tolist(), marks, strict=True)]
    heads = [_param(v, lang) for v in table.x_values.tolist()]
    width = max(len(c) for c in [*heads, *(c for row in cells for c in row)]) + 2
    downs = [_param(v, lang) for v in table.y_values.tolist()]
    lead = max(len(v) for v in downs) + 2
    out = [t(lang, "cli.table.heading", kpi=i18n.kpi_name(lang, table.kpi),
             y=i18n.param_name(lang, table.y_param), x=i18n.param_name(lang, table.x_param)),
           "", " " * lead + "".join(f"{h:>{width}}" for h in heads)]
    out += [f"{y:<{lead}}" + "".join(f"{c:>{width}}" for c in row)
            for y, row in zip(downs, cells, strict=True)]
    if table.invalid_cells.any():
        out += ["", t(lang, "cli.table.invalid")]
    return "\n".join(out) + "\n"


def _cell(kpi: str, value: float, lang: Language = "en") -> str:
    if math.isnan(value):
        return t(lang, "n/a")
    if kpi == "min_debt_service_coverage":
        return i18n.number(lang, value + 0.0, 2)
    if kpi.endswith("_year") or kpi == "years_below_minimum":
        return f"{value:.0f}"
    return i18n.number(lang, value)

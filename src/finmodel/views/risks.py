"""The risk register for people: a terminal table, CSV and the chart of expected impacts.

The numbers come from :func:`finmodel.analysis.risks.risk_register` (impact = stressed -
base; expected impact = probability x impact). Beside them every view shows the financing
need with the risk (``max(0, minimum_cash - min_cash)`` of the stressed scenario, the
extra opening cash or loan that keeps cash above the minimum in every year) and its change
against the base (:func:`financing_need`); both come from the KPIs the register holds, so
its JSON is unchanged.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

from finmodel.analysis.risks import EXPECTED_KPIS, IMPACT_KPIS, RiskImpact, RiskRegister
from finmodel.views.text import csv_writer, fit_columns, format_kpi

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from finmodel.model.errors import Problem
    from finmodel.model.scenario import Scenario
    from finmodel.views.chartspec import Chart
    from finmodel.views.i18n import Language

__all__ = ["expected_impact_chart", "expected_impact_spec", "financing_need", "register_csv",
           "register_or_problems", "register_text"]

#: The last register made, with the scenario it is of: a report's summary and its risk
#: section (and a workbook's risk sheet) ask for the same one.
_LAST: list[tuple[Scenario, RiskRegister]] = []


def register_or_problems(scenario: Scenario) -> RiskRegister | list[Problem]:
    """The risk register of ``scenario``, or the problems of the risks that cannot be
    applied, as :func:`~finmodel.analysis.risks.validate_risks` lists them.

    One pass over the risks rather than a check and then the register, and the register
    of the scenario asked for last is kept (a scenario is frozen): each risk's scenario
    is built, checked and projected once per report instead of four times.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> register_or_problems(base) is register_or_problems(base)
    True
    >>> [p.path for p in register_or_problems(base.with_changes(
    ...     {"risks": [{"name": "x", "probability": 0.5, "overrides": {"nope": 1}}]}))]
    ['risks[x].overrides.nope']
    """
    from finmodel.analysis.risks import risk_register, validate_risks
    from finmodel.model.errors import ScenarioError

    if _LAST and _LAST[0][0] is scenario:
        return _LAST[0][1]
    try:
        register = risk_register(scenario)
    except ScenarioError:
        problems = validate_risks(scenario)  # as listed there (not merged)
        if not problems:
            raise
        return problems
    _LAST[:] = [(scenario, register)]
    return register


def financing_need(register: RiskRegister, risk: RiskImpact) -> tuple[float, float]:
    """The financing need with ``risk`` (EUR, >= 0) and its change against the base (EUR;
    positive: the risk makes the lab need more money).

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.risks import risk_register
    >>> register = risk_register(finmodel.load_scenario("scenarios/base.yaml"))
    >>> cut = next(r for r in register.risks if r.name == "Operating grant cut by a quarter")
    >>> financing_need(register, cut)
    (17167.0, 17167.0)
    """
    need = float(risk.kpis["financing_need"] or 0.0)
    return need, need - float(register.base["financing_need"] or 0.0)



def _format(kpi: str, value: float | int | None, signed: bool = True,
            lang: Language = "en") -> str:
    from finmodel.views.i18n import number
    from finmodel.views.i18n import signed as plus

    if value is None:
        return "n/a" if lang == "en" else "n.v.t."
    if kpi in ("break_even_year", "years_below_minimum") and signed:
        return f"{int(value):+d}"
    text = number(lang, value)
    return plus(text, round(value)) if signed else text


def register_text(register: RiskRegister, lang: Language = "en") -> str:
    """The ranked register as a terminal table (EUR; impacts are stressed - base)."""
    from finmodel.views.i18n import kpi_name, t

    out = [t(lang, "cli.risks.heading", name=register.scenario), "",
           t(lang, "cli.risks.base")]
    names = {k: kpi_name(lang, k) for k in IMPACT_KPIS}
    wide = max(len(v) for v in names.values()) + 2
    names["financing_need"] = kpi_name(lang, "financing_need")
    wide = max(wide, len(names["financing_need"]) + 2)
    out += [f"  {names[k]:<{wide}}{format_kpi(k, register.base[k], lang)}"
            for k in (*IMPACT_KPIS, "financing_need")]
    if not register.risks:
        return "\n".join([*out, "", t(lang, "s.no_risks")]) + "\n"
    rows = [[t(lang, f"cli.risks.col.{k}") for k in _COLUMNS]]
    rows += [[r.name, percent_text(r.probability, lang),
              *(_format(k, r.impact[k], lang=lang) for k in IMPACT_KPIS),
              _format("npv", r.expected_impact["npv"], lang=lang),
              _format("min_cash", r.expected_impact["min_cash"], lang=lang),
              *_need_cells(register, r, lang)] for r in register.risks]
    out += ["", t(lang, "cli.risks.ranked"), *fit_columns(rows)]
    return "\n".join(out) + "\n"


#: The register's columns (catalogue ``cli.risks.col.*``).
_COLUMNS = ("risk", "probability", "npv", "min_cash", "break_even_year",
            "years_below_minimum", "expected_npv", "expected_min_cash", "financing_need",
            "change")


def _need_cells(register: RiskRegister, risk: RiskImpact, lang: Language) -> list[str]:
    need, change = financing_need(register, risk)
    return [_format("financing_need", need, signed=False, lang=lang),
            _format("financing_need", change, lang=lang)]


def percent_text(value: float, lang: Language) -> str:
    from finmodel.views.i18n import percent

    return percent(lang, value)


def register_csv(register: RiskRegister) -> str:
    """One CSV row per risk, ranked; empty cells where an impact is null; the last two
    columns are the financing need with the risk and its change (:func:`financing_need`)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["risk", "probability", *(f"impact_{k}" for k in IMPACT_KPIS),
                     *(f"expected_{k}" for k in EXPECTED_KPIS), "financing_need",
                     "impact_financing_need"])
    for r in register.risks:
        writer.writerow([r.name, repr(r.probability),
                         *("" if r.impact[k] is None else repr(r.impact[k]) for k in IMPACT_KPIS),
                         *(repr(r.expected_impact[k]) for k in EXPECTED_KPIS),
                         *(repr(x) for x in financing_need(register, r))])
    return buffer.getvalue()


def expected_impact_spec(register: RiskRegister, lang: Language = "en") -> Chart:
    """Horizontal bars of each risk's expected impact on npv and min_cash, ranked, most
    harmful on top: the chart's description (:mod:`finmodel.views.chartspec`).

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.risks import risk_register
    >>> chart = expected_impact_spec(risk_register(finmodel.load_scenario("scenarios/base.yaml")))
    >>> len(chart.y.names), [type(s).__name__ for s in chart.series]
    (5, ['Bars', 'Bars', 'Ref'])
    """
    from finmodel.views.chartspec import COLORS, Axis, Bars, Chart, Ref, euro_axis
    from finmodel.views.i18n import kpi_name, t

    rows = np.arange(len(register.risks), dtype=float)
    bars = tuple(Bars(rows + offset, np.array([r.expected_impact[kpi] for r in register.risks],
                                              dtype=float), color,
                      t(lang, "chart.expected_on", kpi=kpi_name(lang, kpi)), width=0.4,
                      horizontal=True)
                 for offset, kpi, color in ((-0.2, "npv", COLORS["total_expenses"]),
                                            (0.2, "min_cash", COLORS["cash_end"])))
    names = Axis(ticks=tuple(rows.tolist()), names=tuple(r.name for r in register.risks),
                 inverted=True)
    return Chart(t(lang, "chart.expected_impact"), (9.0, 1.5 + 0.5 * len(register.risks)),
                 (*bars, Ref(0.0, "#7a8794", 0.8, vertical=True)),
                 euro_axis(lang, grid=True), names, columns=2, fitted=True, legend_gap=0.75)


def expected_impact_chart(register: RiskRegister, ax: Axes | None = None,
                          lang: Language = "en") -> Axes:
    """Horizontal bars of each risk's expected impact on npv and min_cash, ranked
    (:func:`expected_impact_spec`, drawn with matplotlib).

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.risks import risk_register
    >>> ax = expected_impact_chart(risk_register(finmodel.load_scenario("scenarios/base.yaml")))
    >>> len(ax.containers)
    2
    """
    from finmodel.views.charts import draw

    return draw(expected_impact_spec(register, lang), ax)

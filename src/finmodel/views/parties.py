"""The business case per party for people: a terminal table, CSV and the give/get chart.

The numbers come from :func:`finmodel.analysis.parties.party_statement`; see its module for
the sign convention (amounts positive, seen from the party; net = gets - brings).
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from finmodel.analysis.parties import LAB, PartyStatement, _list, _span
from finmodel.views.text import csv_writer

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from finmodel.views.chartspec import Chart
    from finmodel.views.i18n import Language

__all__ = ["LAB_MEASURES", "MEASURES", "give_get_chart", "give_get_spec", "statement_csv",
           "statement_text"]

#: Rows of a party's block, in display order, with how a controller reads them.
MEASURES: dict[str, str] = {
    "own_use_hours": "Own-use hours (h)", "brings_cash": "Brings: cash",
    "brings_in_kind": "Brings: in kind", "brings": "Brings, total",
    "own_use_value": "Gets: value of own use", "benefits": "Gets: benefits",
    "gets": "Gets, total", "net": "Net (gets - brings)",
}
#: Colours of what a party gets: the own-use greens of :mod:`finmodel.views.charts`.
_GETS = ("#2e7d4f", "#8cc59b")
#: Rows of the lab's own block.
LAB_MEASURES: dict[str, str] = {  # named apart from the budget's lines of the same numbers
    "partner_cash": "Lab receives: cash from partners",
    "in_kind_income": "Lab receives: in kind", "result": "Lab's result",
    "net_cash_flow": "Lab's net cash flow",
}


def _euros(value: float, lang: Language = "en") -> str:
    from finmodel.views.i18n import number

    return number(lang, value)


def statement_text(statement: PartyStatement, lang: Language = "en") -> str:
    """The statement as a terminal table: a block per party, the lab, co-financing."""
    from finmodel.views.i18n import money, percent, t

    years = statement.years.tolist()
    measures = {m: t(lang, f"party.{m}") for m in MEASURES}
    lab = {m: t(lang, f"party.lab.{m}") for m in LAB_MEASURES}
    label = max(len(v) for v in (*measures.values(), *lab.values())) + 4
    width = 11
    head = " " * label + "".join(f"{y:>{width}}" for y in years)
    out = [t(lang, "cli.parties.heading", name=statement.scenario,
             rate=percent(lang, statement.discount_rate, 2)), ""]
    for name, case in statement.parties.items():
        out += [f"{name} ({t(lang, 'role.' + case.role)})", head]
        for m, text in measures.items():
            values = getattr(case, m)
            out.append(f"  {text:<{label - 2}}"
                       + "".join(f"{_euros(v, lang):>{width}}" for v in values))
        out += [t(lang, "cli.parties.npv", amount=money(lang, case.npv)), ""]
    out += [t(lang, "party.lab"), head]
    out += [f"  {text:<{label - 2}}" + "".join(f"{_euros(v, lang):>{width}}"
                                              for v in statement.lab[m])
            for m, text in lab.items()]
    out += [t(lang, "cli.parties.lab_npv", amount=money(lang, statement.lab_npv)), "",
            t(lang, "cli.parties.cofinancing")]
    for r in statement.cofinancing:
        required = "" if r.required is None else f"{r.required:g}"
        verdict = (t(lang, "cof.no_condition") if r.required is None else
                   t(lang, "cli.parties.meets" if r.met else "cli.parties.below",
                     required=required))
        ratio = (t(lang, "cli.parties.nothing_paid") if not math.isfinite(r.ratio) else
                 f"{r.ratio:.2f}" if lang == "en" else f"{r.ratio:.2f}".replace(".", ","))
        out.append(t(lang, "cli.parties.row", subsidy=r.subsidy,
                     years=_span(r.years) or t(lang, "cli.parties.no_payments"),
                     total=_euros(r.subsidy_total, lang), cash=_euros(r.partner_cash, lang),
                     kind=_euros(r.partner_in_kind, lang), ratio=ratio, verdict=verdict))
    if not statement.cofinancing:
        out.append(t(lang, "cli.parties.none"))
    return "\n".join(out) + "\n"


def statement_csv(statement: PartyStatement) -> str:
    """One CSV row per party and measure, years as columns; the lab's own rows have the
    party ``[lab]`` (:data:`~finmodel.analysis.parties.LAB`), which no party can be called."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["party", "measure", *statement.years.tolist(), "npv"])
    for name, case in statement.parties.items():
        for m in MEASURES:
            writer.writerow([name, m, *map(repr, _list(getattr(case, m))),
                             repr(case.npv) if m == "net" else ""])
    for m, values in statement.lab.items():
        writer.writerow([LAB, m, *map(repr, _list(values)),
                         repr(statement.lab_npv) if m == "net_cash_flow" else ""])
    return buffer.getvalue()


def give_get_spec(statement: PartyStatement, party: str, lang: Language = "en") -> Chart:
    """What ``party`` gets (bars up) and brings (bars down) per year, with its net as a
    line: the chart's description (:mod:`finmodel.views.chartspec`).

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.parties import party_statement
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> chart = give_get_spec(party_statement(p), "CareTech Vendor")
    >>> [s.label for s in chart.series][:2]
    ['Gets: value of own use', 'Gets: benefits']
    """
    from finmodel.views.chartspec import COLORS, Axis, Chart, Line, Ref, euro_axis, stacked
    from finmodel.views.i18n import money, t

    case = statement.parties[party]
    years = statement.years
    gets = stacked(years, [(case.own_use_value, _GETS[0], t(lang, "party.own_use_value")),
                           (case.benefits, _GETS[1], t(lang, "party.benefits"))])
    brings = stacked(years, [(-case.brings_cash, COLORS["partner_cash"],
                              t(lang, "party.brings_cash")),
                             (-case.brings_in_kind, COLORS["in_kind_income"],
                              t(lang, "party.brings_in_kind"))])
    net = Line(years, case.net, COLORS["structural_result"], t(lang, "party.net"), marker="o")
    return Chart(t(lang, "chart.give_get", party=party, amount=money(lang, case.npv)),
                 (9.0, 4.5), (*gets, *brings, net, Ref(0.0, "#7a8794", 0.8)),
                 Axis(lang=lang), euro_axis(lang), columns=3, fitted=True,
                 legend_gap=0.33)


def give_get_chart(statement: PartyStatement, party: str, ax: Axes | None = None,
                   lang: Language = "en") -> Axes:
    """Bars of what ``party`` gets (up) and brings (down) per year, with its net as a line
    (:func:`give_get_spec`, drawn with matplotlib).

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.parties import party_statement
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> ax = give_get_chart(party_statement(p), "CareTech Vendor")
    >>> len(ax.containers), len(ax.get_lines())     # 4 bar series; the net and the zero line
    (4, 2)
    """
    from finmodel.views.charts import draw

    return draw(give_get_spec(statement, party, lang), ax)

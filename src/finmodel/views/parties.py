"""The business case per party for people: a terminal table, CSV and the give/get chart.

The numbers come from :func:`finmodel.analysis.parties.party_statement`; see its module for
the sign convention (amounts positive, seen from the party; net = gets - brings).
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from finmodel.analysis.parties import PartyStatement, _list, _span
from finmodel.views.text import csv_writer

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["LAB_MEASURES", "MEASURES", "give_get_chart", "statement_csv", "statement_text"]

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


def _euros(value: float) -> str:
    return f"{round(value) or 0:,}"


def statement_text(statement: PartyStatement) -> str:
    """The statement as a terminal table: a block per party, the lab, co-financing."""
    years = statement.years.tolist()
    label = max(len(v) for v in (*MEASURES.values(), *LAB_MEASURES.values())) + 4
    width = 11
    head = " " * label + "".join(f"{y:>{width}}" for y in years)
    out = [f"{statement.scenario}: business case per party, EUR per year "
           f"(net = gets - brings; NPV at {statement.discount_rate:.2%})", ""]
    for name, case in statement.parties.items():
        out += [f"{name} ({case.role})", head]
        for m, text in MEASURES.items():
            values = getattr(case, m)
            out.append(f"  {text:<{label - 2}}" + "".join(f"{_euros(v):>{width}}" for v in values))
        out += [f"  NPV of the net: {_euros(case.npv)} EUR", ""]
    out += ["The lab itself", head]
    out += [f"  {text:<{label - 2}}" + "".join(f"{_euros(v):>{width}}"
                                              for v in statement.lab[m])
            for m, text in LAB_MEASURES.items()]
    out += [f"  NPV of the net cash flow: {_euros(statement.lab_npv)} EUR", "",
            "Co-financing per subsidy (partners' cash and in kind in the years it pays)"]
    for r in statement.cofinancing:
        verdict = ("no condition" if r.required is None else
                   f"{'meets' if r.met else 'BELOW'} the required {r.required:g}")
        out.append(f"  {r.subsidy}: {_span(r.years) or 'no payments'}: subsidy "
                   f"{_euros(r.subsidy_total)}, partners {_euros(r.partner_cash)} cash + "
                   f"{_euros(r.partner_in_kind)} in kind, ratio "
                   f"{f'{r.ratio:.2f}' if math.isfinite(r.ratio) else '- (nothing paid)'}: "
                   f"{verdict}")
    if not statement.cofinancing:
        out.append("  (no subsidies)")
    return "\n".join(out) + "\n"


def statement_csv(statement: PartyStatement) -> str:
    """One CSV row per party and measure (the lab as party ``Lab``), years as columns."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["party", "measure", *statement.years.tolist(), "npv"])
    for name, case in statement.parties.items():
        for m in MEASURES:
            writer.writerow([name, m, *map(repr, _list(getattr(case, m))),
                             repr(case.npv) if m == "net" else ""])
    for m, values in statement.lab.items():
        writer.writerow(["Lab", m, *map(repr, _list(values)),
                         repr(statement.lab_npv) if m == "net_cash_flow" else ""])
    return buffer.getvalue()


def _figure_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax``, or a new axes in the report style (a Figure, not pyplot: nothing piles up)."""
    from matplotlib.figure import Figure

    from finmodel.views.charts import style

    if ax is not None:
        return ax
    with style():
        return Figure(figsize=size, layout="constrained").add_subplot()


def give_get_chart(statement: PartyStatement, party: str, ax: Axes | None = None) -> Axes:
    """Bars of what ``party`` gets (up) and brings (down) per year, with its net as a line.

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.analysis.parties import party_statement
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> ax = give_get_chart(party_statement(p), "CareTech Vendor")
    >>> len(ax.containers), len(ax.get_lines())     # 4 bar series; the net and the zero line
    (4, 2)
    """
    from finmodel.views.charts import COLORS, euro_axis, style

    case = statement.parties[party]
    ax = _figure_axes(ax, (9.0, 4.5))
    years = statement.years
    with style():
        ax.bar(years, case.own_use_value, width=0.7, label="gets: value of own use",
               color=_GETS[0])
        ax.bar(years, case.benefits, bottom=case.own_use_value, width=0.7,
               label="gets: benefits", color=_GETS[1])
        ax.bar(years, -case.brings_cash, width=0.7, label="brings: cash",
               color=COLORS["partner_cash"])
        ax.bar(years, -case.brings_in_kind, bottom=-case.brings_cash, width=0.7,
               label="brings: in kind", color=COLORS["in_kind_income"])
        ax.plot(years, case.net, color=COLORS["structural_result"], marker="o", markersize=4,
                linewidth=2, label="net (gets - brings)")
        ax.axhline(0.0, color="#7a8794", linewidth=0.8)
        ax.set_title(f"{party}: gives and gets (NPV of the net {_euros(case.npv)} EUR)")
        euro_axis(ax)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3)
    return ax

"""Report sections and Excel sheets of the business case per party and the risk register.

Like :mod:`finmodel.views.reporting`, each ``*_html`` function is pure (in: a projection or a
scenario; out: escaped HTML) and the notebook only shows it, through
:func:`parties_section` and :func:`risks_section`. The
``*_sheet`` functions give the same numbers, unrounded, as tables for budget.xlsx.
"""

from __future__ import annotations

import base64
import math
from html import escape
from typing import TYPE_CHECKING

from finmodel.analysis.parties import PartyStatement, party_statement
from finmodel.analysis.risks import (
    EXPECTED_KPIS,
    IMPACT_KPIS,
    RiskRegister,
    risk_register,
    validate_risks,
)
from finmodel.views.parties import LAB_MEASURES, MEASURES, give_get_chart
from finmodel.views.risks import expected_impact_chart

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from finmodel.model.projection import Projection
    from finmodel.model.scenario import Scenario

__all__ = ["SECTIONS", "parties_html", "parties_section", "parties_sheet", "risks_html",
           "risks_section", "risks_sheet", "workbook_sheets"]

#: Section headings, in report order.
SECTIONS = ("Business case per party", "Risk register")


def _heading(level: int, text: str) -> str:
    anchor = text.lower().replace(" ", "-")
    return f'<h{level} id="{escape(anchor)}">{escape(text)}</h{level}>'


def _note(text: str) -> str:
    return f'<p class="note fm">{escape(text)}</p>'


def _image(ax: Axes) -> str:
    from finmodel.views.charts import png

    data = base64.b64encode(png(ax)).decode("ascii")
    title = ax.get_title("left") or ax.get_title()  # the report style puts titles left
    return (f'<p><img alt="{escape(title)}" style="width: 900px" '
            f'src="data:image/png;base64,{data}"></p>')


def _party_frame(statement: PartyStatement, name: str) -> pd.DataFrame:
    import pandas as pd

    from finmodel.views.reporting import amount_text

    case = statement.parties[name]
    rows = {text: [amount_text(float(v)) for v in getattr(case, m)]
            for m, text in MEASURES.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=statement.years.tolist())
    frame["NPV"] = ""
    frame.loc[MEASURES["net"], "NPV"] = amount_text(case.npv)
    frame.index.name = "EUR"
    return frame


def _lab_frame(statement: PartyStatement) -> pd.DataFrame:
    import pandas as pd

    from finmodel.views.reporting import amount_text

    rows = {text: [amount_text(float(v)) for v in statement.lab[m]]
            for m, text in LAB_MEASURES.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=statement.years.tolist())
    frame["NPV"] = ""
    frame.loc[LAB_MEASURES["net_cash_flow"], "NPV"] = amount_text(statement.lab_npv)
    frame.index.name = "EUR"
    return frame


def _cofinancing_frame(statement: PartyStatement) -> pd.DataFrame:
    import pandas as pd

    from finmodel.views.reporting import amount_text

    rows = [{"subsidy": r.subsidy,
             "paid in": f"{r.years[0]}-{r.years[-1]}" if r.years else "never",
             "subsidy total": amount_text(r.subsidy_total),
             "partners' cash": amount_text(r.partner_cash),
             "partners in kind": amount_text(r.partner_in_kind),
             "ratio": f"{r.ratio:.2f}" if math.isfinite(r.ratio) else "-",
             "required": "-" if r.required is None else f"{r.required:g}",
             "verdict": "no condition" if r.met is None else ("met" if r.met else "NOT MET")}
            for r in statement.cofinancing]
    return pd.DataFrame(rows).set_index("subsidy")


def parties_html(p: Projection) -> str:
    """Per party a table and its give/get chart, the lab's position, co-financing."""
    from finmodel.views.reporting import frame_html

    statement = party_statement(p)
    out = [_heading(2, SECTIONS[0]), _note(
        "Per party and year, in EUR: what it brings (cash, in kind) and what it gets (its "
        "own-use hours valued at the facility's own-use value per hour, and its benefits). "
        f"Net = gets - brings: positive when the party gains. NPV at "
        f"{statement.discount_rate:.2%}, the first year undiscounted.")]
    for name, case in statement.parties.items():
        out.append(_heading(3, f"{name} ({case.role})"))
        out.append(frame_html(_party_frame(statement, name),
                              totals=(MEASURES["brings"], MEASURES["gets"], MEASURES["net"])))
        out.append(_image(give_get_chart(statement, name)))
    if not statement.parties:
        out.append(_note("The scenario has no parties."))
    out += [_heading(3, "The lab itself"),
            _note("The projection's own lines; its NPV is the npv of the net cash flow."),
            frame_html(_lab_frame(statement), totals=(LAB_MEASURES["net_cash_flow"],)),
            _heading(3, "Co-financing per subsidy"),
            _note("All parties' contributions (cash and in kind) in the years the subsidy "
                  "pays, divided by the subsidy received.")]
    out.append(frame_html(_cofinancing_frame(statement), text_columns={"paid in", "verdict"},
                          totals=()) if statement.cofinancing else _note("No subsidies."))
    return "\n".join(out)


def _register_frame(register: RiskRegister) -> pd.DataFrame:
    import pandas as pd

    from finmodel.views.reporting import amount_text

    def signed(kpi: str, value: float | int | None) -> str:
        if value is None:
            return "n/a"
        if kpi in ("break_even_year", "years_below_minimum"):
            return f"{int(value):+d}"
        return ("+" if round(value) > 0 else "") + amount_text(value)

    rows = [{"risk": r.name, "probability": f"{r.probability:.0%}",
             **{f"impact: {k}": signed(k, r.impact[k]) for k in IMPACT_KPIS},
             **{f"expected: {k}": signed(k, r.expected_impact[k]) for k in EXPECTED_KPIS},
             "description": r.description}
            for r in register.risks]
    return pd.DataFrame(rows).set_index("risk")


def risks_html(scenario: Scenario) -> str:
    """The ranked risk register and the chart of expected impacts (or why there is none)."""
    from finmodel.views.reporting import frame_html

    out = [_heading(2, SECTIONS[1]), _note(
        "Each risk's overrides applied to the scenario as written. Impact = stressed - base "
        "(EUR; years for break-even and years below the minimum cash); expected impact = "
        "probability x impact. Most harmful expected npv impact first.")]
    problems = validate_risks(scenario)
    if problems:
        return "\n".join([*out, _note("These risks cannot be applied:"),
                          '<ul class="fm">' + "".join(f"<li>{escape(str(p))}</li>"
                                                      for p in problems) + "</ul>"])
    register = risk_register(scenario)
    if not register.risks:
        return "\n".join([*out, _note("The scenario lists no risks.")])
    out.append(frame_html(_register_frame(register), text_columns={"description"}, totals=()))
    out.append(_image(expected_impact_chart(register)))
    return "\n".join(out)


def parties_section(projection: Projection) -> None:
    """Display the business case per party in a notebook (:func:`parties_html`): per party
    a table and its give/get chart, the lab's position and the co-financing table."""
    from finmodel.views.reporting import show

    show(parties_html(projection))


def risks_section(scenario: Scenario) -> None:
    """Display the risk register in a notebook (:func:`risks_html`): the ranked table and
    the chart of expected impacts, or the problems of risks that cannot be applied."""
    from finmodel.views.reporting import show

    show(risks_html(scenario))


def parties_sheet(p: Projection) -> pd.DataFrame:
    """The party statement for budget.xlsx: rows (party, measure), years and NPV, unrounded.

    Euros only: the own-use hours are on the workbook's detail sheet.
    """
    frame = party_statement(p).table()
    return frame.drop(index="own_use_hours", level="measure")


def risks_sheet(scenario: Scenario) -> pd.DataFrame:
    """The ranked register for budget.xlsx: one row per risk, euros unrounded.

    The probability is text (``"20 %"``): the workbook formats every number as euros.
    Risks that cannot be applied give one row per problem instead.
    """
    import pandas as pd

    problems = validate_risks(scenario)
    if problems:
        return pd.DataFrame({"problem": [str(p) for p in problems]}).rename_axis("#")
    register = risk_register(scenario)
    frame = register.table()
    frame.insert(0, "description", [r.description for r in register.risks])
    frame["probability"] = [f"{r.probability * 100:g} %" for r in register.risks]
    for kpi in ("break_even_year", "years_below_minimum"):  # years, not euros
        frame[f"impact_{kpi}"] = pd.Series([r.impact[kpi] for r in register.risks],
                                           index=frame.index, dtype=object)
    return frame


def workbook_sheets(p: Projection) -> dict[str, pd.DataFrame]:
    """The ``extra_sheets`` of :func:`~finmodel.views.workbook.write_budget_xlsx`: parties
    and risks."""
    return {"parties": parties_sheet(p), "risks": risks_sheet(p.scenario)}

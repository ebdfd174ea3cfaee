"""Report sections and Excel sheets of the business case per party and the risk register.

Like :mod:`finmodel.views.reporting`, each ``*_html`` function is pure (in: a projection or a
scenario; out: escaped HTML) and the notebook only shows it, through
:func:`parties_section` and :func:`risks_section`. The
``*_sheet`` functions give the same numbers, unrounded, as tables for budget.xlsx.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

from finmodel.analysis.parties import PartyStatement, party_statement
from finmodel.analysis.risks import (
    EXPECTED_KPIS,
    IMPACT_KPIS,
    RiskImpact,
    RiskRegister,
)
from finmodel.views import i18n
from finmodel.views.i18n import Language, t
from finmodel.views.parties import LAB_MEASURES, MEASURES, give_get_spec
from finmodel.views.risks import expected_impact_spec, financing_need, register_or_problems

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection
    from finmodel.model.scenario import Scenario
    from finmodel.views.chartspec import Chart

__all__ = ["SECTIONS", "agreement_html", "parties_html", "parties_section", "parties_sheet",
           "risks_html", "risks_section", "risks_sheet", "workbook_sheets"]

#: Section keys (anchors), in report order; headings from the catalogue.
SECTIONS = ("parties", "agreement", "risks")


def _heading(level: int, text: str, anchor: str = "") -> str:
    anchor = anchor or text.lower().replace(" ", "-")
    return f'<h{level} id="{escape(anchor)}">{escape(text)}</h{level}>'


def _section(lang: Language, key: str) -> str:
    return _heading(2, t(lang, f"section.{key}"), key)


def _note(text: str) -> str:
    return f'<p class="note fm">{escape(text)}</p>'


def _image(chart: Chart) -> str:
    from finmodel.views.svgplot import image_html

    return image_html(chart)


def _measure(lang: Language, key: str) -> str:
    return t(lang, f"party.{key}")


def _npv_frame(rows: dict[str, list[str]], years: list[int], net: str, npv: float,
               lang: Language, totals: dict[str, float]) -> pd.DataFrame:
    import pandas as pd

    from finmodel.views.reporting import amount_text

    frame = pd.DataFrame.from_dict(rows, orient="index", columns=years)
    frame[t(lang, "total")] = [amount_text(totals[label], lang) if label in totals else ""
                               for label in frame.index]
    frame[t(lang, "party.npv_col")] = ""
    frame.loc[net, t(lang, "party.npv_col")] = amount_text(npv, lang)
    frame.index.name = t(lang, "col.eur")
    return frame


def _party_frame(statement: PartyStatement, name: str, lang: Language = "en"
                 ) -> pd.DataFrame:
    from finmodel.views.reporting import amount_text

    case = statement.parties[name]
    rows = {_measure(lang, m): [amount_text(float(v), lang) for v in getattr(case, m)]
            for m in MEASURES}
    totals = {_measure(lang, m): float(getattr(case, m).sum()) for m in MEASURES}
    return _npv_frame(rows, statement.years.tolist(), _measure(lang, "net"), case.npv, lang,
                      totals)


def _lab_frame(statement: PartyStatement, lang: Language = "en") -> pd.DataFrame:
    from finmodel.views.reporting import amount_text

    rows = {_measure(lang, f"lab.{m}"): [amount_text(float(v), lang) for v in statement.lab[m]]
            for m in LAB_MEASURES}
    totals = {_measure(lang, f"lab.{m}"): float(statement.lab[m].sum()) for m in LAB_MEASURES}
    return _npv_frame(rows, statement.years.tolist(), _measure(lang, "lab.net_cash_flow"),
                      statement.lab_npv, lang, totals)


def _cofinancing_frame(statement: PartyStatement, lang: Language = "en") -> pd.DataFrame:
    import pandas as pd

    from finmodel.views.reporting import amount_text

    def c(key: str) -> str:
        return t(lang, f"cof.{key}")

    rows = [{c("subsidy"): r.subsidy,
             c("paid_in"): f"{r.years[0]}-{r.years[-1]}" if r.years else c("never"),
             c("subsidy_total"): amount_text(r.subsidy_total, lang),
             c("partner_cash"): amount_text(r.partner_cash, lang),
             c("partner_in_kind"): amount_text(r.partner_in_kind, lang),
             c("ratio"): i18n.number(lang, r.ratio, 2) if math.isfinite(r.ratio) else "-",
             c("required"): "-" if r.required is None else i18n.number(lang, r.required, 2),
             c("verdict"): c("no_condition") if r.met is None else
             (c("met") if r.met else c("not_met"))}
            for r in statement.cofinancing]
    return pd.DataFrame(rows).set_index(c("subsidy"))


def _list_html(title: str, texts: tuple[str, ...], lang: Language) -> str:
    items = "".join(f"<li>{escape(text)}</li>" for text in texts)
    none = escape(t(lang, "agreement.not_stated"))
    body = f"<ul>{items}</ul>" if texts else f'<p class="note">{none}</p>'
    return f'<div class="fm"><p><strong>{escape(title)}</strong></p>{body}</div>'


def parties_html(p: Projection, lang: Language = "en") -> str:
    """Per party its objectives and responsibilities beside its numbers (a table and its
    give/get chart), then the lab's position and co-financing."""
    from finmodel.views.reporting import frame_html

    statement = party_statement(p)
    out = [_section(lang, "parties"), _note(t(lang, "party.intro", rate=i18n.percent(
        lang, statement.discount_rate, 2)))]
    texts = {party.name: party for party in p.scenario.parties}
    totals = {_measure(lang, m) for m in ("brings", "gets", "net")}
    for number, (name, case) in enumerate(statement.parties.items(), start=1):
        party = texts[name]
        # by position: a name may have spaces, or be "lab" (the lab's own anchor)
        out.append(_heading(3, t(lang, "party.heading", name=name,
                                 role=t(lang, f"role.{case.role}")), f"party-{number}"))
        if party.objectives or party.responsibilities:
            out.append(_list_html(t(lang, "party.objectives"), party.objectives, lang))
            out.append(_list_html(t(lang, "party.responsibilities"), party.responsibilities,
                                  lang))
        out.append(frame_html(_party_frame(statement, name, lang), totals=totals))
        out.append(_image(give_get_spec(statement, name, lang)))
    if not statement.parties:
        out.append(_note(t(lang, "party.none")))
    out += [_heading(3, t(lang, "party.lab"), "party-lab"), _note(t(lang, "party.lab_note")),
            frame_html(_lab_frame(statement, lang),
                       totals={_measure(lang, "lab.net_cash_flow")}),
            _heading(3, t(lang, "party.cofinancing"), "cofinancing"),
            _note(t(lang, "party.cofinancing_note"))]
    cof = _cofinancing_frame(statement, lang) if statement.cofinancing else None
    out.append(frame_html(cof, text_columns={t(lang, "cof.paid_in"), t(lang, "cof.verdict")},
                          totals=()) if cof is not None else _note(t(lang, "party.no_subsidies")))
    return "\n".join(out)


def agreement_html(p: Projection, lang: Language = "en") -> str:
    """The agreement on one page: the common objectives and, per party, its role,
    objectives, responsibilities, what it brings and gets over the horizon and its net
    (NPV). The texts are shown as written in the scenario (escaped)."""
    import pandas as pd

    from finmodel.views.reporting import amount_text, frame_html

    statement = party_statement(p)
    s = p.scenario
    out = [_section(lang, "agreement"),
           _note(t(lang, "agreement.intro", first=s.start_year, last=s.end_year)),
           _list_html(t(lang, "agreement.common"), s.partnership.objectives, lang)]
    rows = []
    for party in s.parties:
        case = statement.parties[party.name]
        rows.append({
            t(lang, "agreement.party"): party.name,
            t(lang, "party.role"): t(lang, f"role.{party.role}"),
            t(lang, "party.objectives"): "; ".join(party.objectives) or "-",
            t(lang, "party.responsibilities"): "; ".join(party.responsibilities) or "-",
            t(lang, "party.brings_total"): amount_text(float(case.brings.sum()), lang),
            t(lang, "party.gets_total"): amount_text(float(case.gets.sum()), lang),
            t(lang, "party.net_npv"): amount_text(case.npv, lang)})
    if rows:
        frame = pd.DataFrame(rows).set_index(t(lang, "agreement.party"))
        out.append(frame_html(frame, text_columns={t(lang, "party.role"), t(
            lang, "party.objectives"), t(lang, "party.responsibilities")}, totals=()))
    else:
        out.append(_note(t(lang, "party.none")))
    return '<div class="agreement">' + "\n".join(out) + "</div>"


def _register_frame(register: RiskRegister, lang: Language = "en") -> pd.DataFrame:
    import pandas as pd

    from finmodel.views.reporting import amount_text

    def signed(kpi: str, value: float | int | None) -> str:
        if value is None:
            return t(lang, "n/a")
        if kpi in ("break_even_year", "years_below_minimum"):
            return f"{int(value):+d}"
        return i18n.signed(amount_text(value, lang), round(value))

    def name(kpi: str) -> str:
        return i18n.kpi_name(lang, kpi)

    rows = [{t(lang, "risk.col.risk"): r.name,
             t(lang, "risk.col.probability"): i18n.percent(lang, r.probability),
             **{t(lang, "risk.col.impact", kpi=name(k)): signed(k, r.impact[k])
                for k in IMPACT_KPIS},
             **{t(lang, "risk.col.expected", kpi=name(k)): signed(k, r.expected_impact[k])
                for k in EXPECTED_KPIS},
             **_need_columns(register, r, lang),
             t(lang, "risk.col.description"): r.description}
            for r in register.risks]
    return pd.DataFrame(rows).set_index(t(lang, "risk.col.risk"))


def _need_columns(register: RiskRegister, risk: RiskImpact, lang: Language) -> dict[str, str]:
    """The financing need with the risk and its change against the base, as shown."""
    from finmodel.views.reporting import amount_text

    need, change = financing_need(register, risk)
    return {t(lang, "risk.col.need"): amount_text(need, lang),
            t(lang, "risk.col.need_change"): i18n.signed(amount_text(change, lang),
                                                          round(change))}


def risks_html(scenario: Scenario, lang: Language = "en") -> str:
    """The ranked risk register and the chart of expected impacts (or why there is none)."""
    from finmodel.views.reporting import frame_html
    from finmodel.views.warning_text import problem_line

    out = [_section(lang, "risks"), _note(t(lang, "risk.intro"))]
    register = register_or_problems(scenario)
    if isinstance(register, list):  # the problems of risks that cannot be applied
        return "\n".join([*out, _note(t(lang, "risk.cannot")),
                          '<ul class="fm">' + "".join(f"<li>{escape(problem_line(lang, p))}</li>"
                                                      for p in register) + "</ul>"])
    if not register.risks:
        return "\n".join([*out, _note(t(lang, "s.no_risks"))])
    out.append(frame_html(_register_frame(register, lang),
                          text_columns={t(lang, "risk.col.description")}, totals=()))
    out.append(_image(expected_impact_spec(register, lang)))
    return "\n".join(out)


def parties_section(projection: Projection, lang: Language = "en") -> None:
    """Display the business case per party in a notebook (:func:`parties_html`): per party
    its texts, a table and its give/get chart, the lab's position and the co-financing
    table; then the one-page agreement (:func:`agreement_html`)."""
    from finmodel.views.reporting import show

    show(parties_html(projection, lang))
    show(agreement_html(projection, lang))


def risks_section(scenario: Scenario, lang: Language = "en") -> None:
    """Display the risk register in a notebook (:func:`risks_html`): the ranked table and
    the chart of expected impacts, or the problems of risks that cannot be applied."""
    from finmodel.views.reporting import show

    show(risks_html(scenario, lang))


def parties_sheet(p: Projection, lang: Language = "en") -> pd.DataFrame:
    """The party statement for budget.xlsx: rows (party, measure), years and NPV, unrounded,
    the measures and headers in words of ``lang``.

    Euros only: the own-use hours are on the workbook's detail sheet. A scenario without
    parties has only the lab's rows (and no own-use rows to drop).
    """
    frame = party_statement(p).table()
    frame = frame.drop(index="own_use_hours", level="measure", errors="ignore")
    lab = set(LAB_MEASURES) - set(MEASURES)
    frame.index = frame.index.set_levels(
        [_measure(lang, f"lab.{m}" if m in lab else m) for m in frame.index.levels[1]],
        level=1, verify_integrity=False).set_names([t(lang, "wb.dl.party"),
                                                    t(lang, "wb.dl.measure")])
    return frame.rename(columns={"npv": t(lang, "wb.col.npv")})


def risks_sheet(scenario: Scenario, lang: Language = "en") -> pd.DataFrame:
    """The ranked register for budget.xlsx: one row per risk, euros unrounded.

    The probability is text (``"20 %"``): the workbook formats every number as euros.
    Risks that cannot be applied give one row per problem instead.
    """
    import pandas as pd

    register = register_or_problems(scenario)
    if isinstance(register, list):  # the problems of risks that cannot be applied
        return pd.DataFrame({t(lang, "wb.col.problem"): [str(p) for p in register]}
                            ).rename_axis("#")
    frame = register.table()
    frame.insert(0, "description", [r.description for r in register.risks])
    frame["probability"] = [f"{r.probability * 100:g} %" for r in register.risks]
    for kpi in ("break_even_year", "years_below_minimum"):  # years, not euros
        frame[f"impact_{kpi}"] = pd.Series([r.impact[kpi] for r in register.risks],
                                           index=frame.index, dtype=object)
    needs = [financing_need(register, r) for r in register.risks]
    frame["financing_need"] = [need for need, _ in needs]
    frame["impact_financing_need"] = [change for _, change in needs]
    frame = frame.rename_axis(t(lang, "wb.dl.risk"))
    return frame.rename(columns={c: t(lang, f"wb.col.{c}") for c in frame.columns
                                 if i18n.has(lang, f"wb.col.{c}")})


def workbook_sheets(p: Projection, lang: Language = "en") -> dict[str, pd.DataFrame]:
    """The ``extra_sheets`` of :func:`~finmodel.views.workbook.write_budget_xlsx`: parties
    and risks (sheet names in ``lang``)."""
    return {t(lang, "xl.sheet.parties"): parties_sheet(p, lang),
            t(lang, "xl.sheet.risks"): risks_sheet(p.scenario, lang)}

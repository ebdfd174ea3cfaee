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
    from finmodel.views.reporting import Table
    from finmodel.views.workbook.values import Sheet

__all__ = ["SECTIONS", "agreement_html", "parties_html", "parties_section", "parties_sheet",
           "parties_table", "risks_html", "risks_section", "risks_sheet", "risks_table",
           "workbook_sheets", "workbook_tables"]

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


def _npv_table(rows: dict[str, list[str]], years: list[int], net: str, npv: float,
               lang: Language, totals: dict[str, float]) -> Table:
    from finmodel.views.reporting import Table, amount_text

    body = [((label,), [*cells, amount_text(totals[label], lang) if label in totals else "",
                        amount_text(npv, lang) if label == net else ""])
            for label, cells in rows.items()]
    return Table([t(lang, "col.eur")],
                 [*(str(y) for y in years), t(lang, "total"), t(lang, "party.npv_col")], body)


def _party_table(statement: PartyStatement, name: str, lang: Language = "en") -> Table:
    from finmodel.views.reporting import amount_text

    case = statement.parties[name]
    rows = {_measure(lang, m): [amount_text(float(v), lang) for v in getattr(case, m)]
            for m in MEASURES}
    totals = {_measure(lang, m): float(getattr(case, m).sum()) for m in MEASURES}
    return _npv_table(rows, statement.years.tolist(), _measure(lang, "net"), case.npv, lang,
                      totals)


def _lab_table(statement: PartyStatement, lang: Language = "en") -> Table:
    from finmodel.views.reporting import amount_text

    rows = {_measure(lang, f"lab.{m}"): [amount_text(float(v), lang) for v in statement.lab[m]]
            for m in LAB_MEASURES}
    totals = {_measure(lang, f"lab.{m}"): float(statement.lab[m].sum()) for m in LAB_MEASURES}
    return _npv_table(rows, statement.years.tolist(), _measure(lang, "lab.net_cash_flow"),
                      statement.lab_npv, lang, totals)


def _records_table(records: list[dict[str, object]], key: str) -> Table:
    """Rows of named values as a table whose row label is the value named ``key`` (as
    ``pandas.DataFrame(records).set_index(key)``); every record has the same names."""
    from finmodel.views.reporting import Table

    columns = [name for name in records[0] if name != key]
    return Table([key], columns, [((str(r[key]),), [str(r[c]) for c in columns])
                                  for r in records])


def _cofinancing_table(statement: PartyStatement, lang: Language = "en") -> Table:
    from finmodel.views.reporting import amount_text

    def c(key: str) -> str:
        return t(lang, f"cof.{key}")

    rows: list[dict[str, object]] = [
        {c("subsidy"): r.subsidy,
         c("paid_in"): f"{r.years[0]}-{r.years[-1]}" if r.years else c("never"),
         c("subsidy_total"): amount_text(r.subsidy_total, lang),
         c("partner_cash"): amount_text(r.partner_cash, lang),
         c("partner_in_kind"): amount_text(r.partner_in_kind, lang),
         c("ratio"): i18n.number(lang, r.ratio, 2) if math.isfinite(r.ratio) else "-",
         c("required"): "-" if r.required is None else i18n.number(lang, r.required, 2),
         c("verdict"): c("no_condition") if r.met is None else
         (c("met") if r.met else c("not_met"))}
        for r in statement.cofinancing]
    return _records_table(rows, c("subsidy"))


def _list_html(title: str, texts: tuple[str, ...], lang: Language) -> str:
    items = "".join(f"<li>{escape(text)}</li>" for text in texts)
    none = escape(t(lang, "agreement.not_stated"))
    body = f"<ul>{items}</ul>" if texts else f'<p class="note">{none}</p>'
    return f'<div class="fm"><p><strong>{escape(title)}</strong></p>{body}</div>'


def parties_html(p: Projection, lang: Language = "en") -> str:
    """Per party its objectives and responsibilities beside its numbers (a table and its
    give/get chart), then the lab's position and co-financing."""
    from finmodel.views.reporting import table_html

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
        out.append(table_html(_party_table(statement, name, lang), totals=totals))
        out.append(_image(give_get_spec(statement, name, lang)))
    if not statement.parties:
        out.append(_note(t(lang, "party.none")))
    out += [_heading(3, t(lang, "party.lab"), "party-lab"), _note(t(lang, "party.lab_note")),
            table_html(_lab_table(statement, lang),
                       totals={_measure(lang, "lab.net_cash_flow")}),
            _heading(3, t(lang, "party.cofinancing"), "cofinancing"),
            _note(t(lang, "party.cofinancing_note"))]
    cof = _cofinancing_table(statement, lang) if statement.cofinancing else None
    out.append(table_html(cof, text_columns={t(lang, "cof.paid_in"), t(lang, "cof.verdict")},
                          totals=()) if cof is not None else _note(t(lang, "party.no_subsidies")))
    return "\n".join(out)


def agreement_html(p: Projection, lang: Language = "en") -> str:
    """The agreement on one page: the common objectives and, per party, its role,
    objectives, responsibilities, what it brings and gets over the horizon and its net
    (NPV). The texts are shown as written in the scenario (escaped)."""
    from finmodel.views.reporting import amount_text, table_html

    statement = party_statement(p)
    s = p.scenario
    out = [_section(lang, "agreement"),
           _note(t(lang, "agreement.intro", first=s.start_year, last=s.end_year)),
           _list_html(t(lang, "agreement.common"), s.partnership.objectives, lang)]
    rows: list[dict[str, object]] = []
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
        table = _records_table(rows, t(lang, "agreement.party"))
        out.append(table_html(table, text_columns={t(lang, "party.role"), t(
            lang, "party.objectives"), t(lang, "party.responsibilities")}, totals=()))
    else:
        out.append(_note(t(lang, "party.none")))
    return '<div class="agreement">' + "\n".join(out) + "</div>"


def _register_table(register: RiskRegister, lang: Language = "en") -> Table:
    from finmodel.views.reporting import amount_text

    def signed(kpi: str, value: float | int | None) -> str:
        if value is None:
            return t(lang, "n/a")
        if kpi in ("break_even_year", "years_below_minimum"):
            return f"{int(value):+d}"
        return i18n.signed(amount_text(value, lang), round(value))

    def name(kpi: str) -> str:
        return i18n.kpi_name(lang, kpi)

    rows: list[dict[str, object]] = [{t(lang, "risk.col.risk"): r.name,
             t(lang, "risk.col.probability"): i18n.percent(lang, r.probability),
             **{t(lang, "risk.col.impact", kpi=name(k)): signed(k, r.impact[k])
                for k in IMPACT_KPIS},
             **{t(lang, "risk.col.expected", kpi=name(k)): signed(k, r.expected_impact[k])
                for k in EXPECTED_KPIS},
             **_need_columns(register, r, lang),
             t(lang, "risk.col.description"): r.description}
            for r in register.risks]
    return _records_table(rows, t(lang, "risk.col.risk"))


def _need_columns(register: RiskRegister, risk: RiskImpact, lang: Language) -> dict[str, str]:
    """The financing need with the risk and its change against the base, as shown."""
    from finmodel.views.reporting import amount_text

    need, change = financing_need(register, risk)
    return {t(lang, "risk.col.need"): amount_text(need, lang),
            t(lang, "risk.col.need_change"): i18n.signed(amount_text(change, lang),
                                                          round(change))}


def risks_html(scenario: Scenario, lang: Language = "en") -> str:
    """The ranked risk register and the chart of expected impacts (or why there is none)."""
    from finmodel.views.reporting import table_html
    from finmodel.views.warning_text import problem_line

    out = [_section(lang, "risks"), _note(t(lang, "risk.intro"))]
    register = register_or_problems(scenario)
    if isinstance(register, list):  # the problems of risks that cannot be applied
        return "\n".join([*out, _note(t(lang, "risk.cannot")),
                          '<ul class="fm">' + "".join(f"<li>{escape(problem_line(lang, p))}</li>"
                                                      for p in register) + "</ul>"])
    if not register.risks:
        return "\n".join([*out, _note(t(lang, "s.no_risks"))])
    out.append(table_html(_register_table(register, lang),
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
    parties has only the lab's rows (and no own-use rows to drop). As a DataFrame:
    :func:`parties_table` is the same without pandas.
    """
    return parties_table(p, lang).frame()


def parties_table(p: Projection, lang: Language = "en") -> Sheet:
    """:func:`parties_sheet` as a :class:`~finmodel.views.workbook.values.Sheet`."""
    from finmodel.analysis.parties import LAB
    from finmodel.analysis.parties import MEASURES as ROWS
    from finmodel.views.workbook.values import Sheet

    statement = party_statement(p)
    lab_only = set(LAB_MEASURES) - set(MEASURES)
    rows: list[tuple[tuple[str, str], list[float]]] = []
    for name, case in statement.parties.items():
        rows += [((name, m), [*getattr(case, m).tolist(), case.npv if m == "net" else math.nan])
                 for m in ROWS]
    rows += [((LAB, m), [*v.tolist(), statement.lab_npv if m == "net_cash_flow" else math.nan])
             for m, v in statement.lab.items()]
    return Sheet([t(lang, "wb.dl.party"), t(lang, "wb.dl.measure")],
                 [*statement.years.tolist(), t(lang, "wb.col.npv")],
                 [((party, _measure(lang, f"lab.{m}" if m in lab_only else m)), values)
                  for (party, m), values in rows if m != "own_use_hours"])


def risks_sheet(scenario: Scenario, lang: Language = "en") -> pd.DataFrame:
    """The ranked register for budget.xlsx: one row per risk, euros unrounded.

    The probability is text (``"20 %"``): the workbook formats every number as euros.
    Risks that cannot be applied give one row per problem instead. As a DataFrame:
    :func:`risks_table` is the same without pandas.
    """
    return risks_table(scenario, lang).frame()


#: Impacts counted in years, not euros: kept as whole numbers (or empty), not floats.
_YEAR_IMPACTS = ("break_even_year", "years_below_minimum")


def risks_table(scenario: Scenario, lang: Language = "en") -> Sheet:
    """:func:`risks_sheet` as a :class:`~finmodel.views.workbook.values.Sheet`."""
    from finmodel.views.workbook.values import Sheet

    register = register_or_problems(scenario)
    if isinstance(register, list):  # the problems of risks that cannot be applied
        return Sheet(["#"], [t(lang, "wb.col.problem")],
                     [((i,), (str(problem),)) for i, problem in enumerate(register)])
    impacts = [*IMPACT_KPIS, *(k for k in _YEAR_IMPACTS if k not in IMPACT_KPIS)]
    columns = ["description", "probability", *(f"impact_{k}" for k in impacts),
               *(f"expected_{k}" for k in EXPECTED_KPIS), "financing_need",
               "impact_financing_need"]

    def number(value: float | int | None) -> float:
        return math.nan if value is None else float(value)

    rows = []
    for r in register.risks:
        need, change = financing_need(register, r)
        rows.append(((r.name,), [
            r.description, f"{r.probability * 100:g} %",
            *(r.impact[k] if k in _YEAR_IMPACTS else number(r.impact[k]) for k in impacts),
            *(number(r.expected_impact[k]) for k in EXPECTED_KPIS), need, change]))
    return Sheet([t(lang, "wb.dl.risk")],
                 [t(lang, f"wb.col.{c}") if i18n.has(lang, f"wb.col.{c}") else c
                  for c in columns], rows)


def workbook_sheets(p: Projection, lang: Language = "en") -> dict[str, pd.DataFrame]:
    """The ``extra_sheets`` of :func:`~finmodel.views.workbook.write_budget_xlsx`: parties
    and risks (sheet names in ``lang``); :func:`workbook_tables` without pandas."""
    return {name: table.frame() for name, table in workbook_tables(p, lang).items()}


def workbook_tables(p: Projection, lang: Language = "en") -> dict[str, Sheet]:
    """:func:`workbook_sheets` as :class:`~finmodel.views.workbook.values.Sheet` tables,
    for a process that need not import pandas (the batch)."""
    return {t(lang, "xl.sheet.parties"): parties_table(p, lang),
            t(lang, "xl.sheet.risks"): risks_table(p.scenario, lang)}

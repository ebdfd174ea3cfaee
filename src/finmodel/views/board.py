"""What a board asks first, in sentences: the verdict, the findings, the top risks and
what changed against the base scenario.

Pure functions of projections returning plain text in the report's language; the summary
page of :mod:`finmodel.views.reporting` puts them on one screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finmodel.views import i18n, summary
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    from finmodel.model.projection import Projection
    from finmodel.model.scenario import Scenario

__all__ = ["changes", "findings", "prognosis", "top_risks", "verdict"]

_CHANGED_KPIS = ("npv", "min_cash", "break_even_year", "financing_need")


def verdict(p: Projection, lang: Language = "en") -> list[str]:
    """Does the lab carry itself after the subsidy, from when, with what buffer; and the
    money it lacks when cash falls below the minimum.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> print("\\n".join(verdict(p)))  # doctest: +NORMALIZE_WHITESPACE
    Verdict: the lab carries itself after the subsidy.
    The lab covers its running costs without subsidy from 2030.
    Its lowest cash is 62,833 EUR in 2026: a buffer of 12,833 EUR above the minimum of
    50,000 EUR.
    """
    need = summary.financing_need(p)
    year = p.kpis["break_even_year"]
    if year is None:
        head = t(lang, "s.verdict_not")
    elif need > 0:
        head = t(lang, "s.verdict_carries_short", year=i18n.year(year))
    else:
        head = t(lang, "s.verdict_carries")
    out = [head, summary.sentences(p, lang)[0]]
    minimum = p.scenario.finance.minimum_cash
    lowest = float(p.kpis["min_cash"] or 0.0)
    low_year = p.kpis["min_cash_year"]
    if need > 0 or low_year is None:
        out.append(summary.sentences(p, lang)[1])
    else:
        out.append(t(lang, "s.buffer", lowest=i18n.money(lang, lowest),
                     year=i18n.year(low_year), buffer=i18n.money(lang, lowest - minimum),
                     minimum=i18n.money(lang, minimum)))
    return out


def findings(p: Projection, lang: Language = "en") -> list[str]:
    """The other findings: the gap after the subsidy, self-sufficiency, the NPV."""
    return summary.sentences(p, lang)[2:]


def prognosis(p: Projection, lang: Language = "en") -> list[str]:
    """With closed years booked (``actuals``): what the prognosis (the actuals, then the
    plan) says against the plan, the lowest cash and the NPV, and the money the lab then
    needs to stay above the minimum. Nothing when the scenario has no closed years.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base_actuals.yaml"))
    >>> print("\\n".join(prognosis(p)))  # doctest: +NORMALIZE_WHITESPACE
    With the actuals of 2026-2027 booked, the prognosis gives a lowest cash of 44,798 EUR
    in 2026 (plan: 62,833 EUR) and a net present value of 109,588 EUR (plan: 134,874 EUR).
    By the prognosis the lab needs 5,202 EUR more, or a loan, to keep cash above 50,000
    EUR in every year.
    """
    if p.scenario.ledger is None:
        return []
    from finmodel.analysis.variance import variance

    v = variance(p.scenario, p)
    years = v.closed_years
    if not years:
        return []
    q = v.prognosis
    closed = i18n.year(years[0]) + ("" if len(years) == 1 else f"-{i18n.year(years[-1])}")
    low_year = q.kpis["min_cash_year"]
    out = [t(lang, "s.prognosis", closed=closed,
             lowest=i18n.money(lang, _kpi(q, "min_cash")),
             year=i18n.year(low_year) if low_year is not None else t(lang, "n/a"),
             plan_lowest=i18n.money(lang, _kpi(p, "min_cash")),
             npv=i18n.money(lang, _kpi(q, "npv")), plan_npv=i18n.money(lang, _kpi(p, "npv")))]
    need = summary.financing_need(q)
    if need > 0:
        out.append(t(lang, "s.prognosis_need", amount=i18n.money(lang, need),
                     minimum=i18n.money(lang, q.scenario.finance.minimum_cash)))
    return out


def top_risks(scenario: Scenario, lang: Language = "en", count: int = 3) -> list[str]:
    """The ``count`` risks with the most harmful expected effect on the NPV, in words
    (none when the scenario lists no risks or they cannot be applied). A risk that raises
    the financing need says by how much (the extra opening cash or loan it calls for)."""
    if not scenario.risks:
        return []
    from finmodel.views.risks import financing_need, register_or_problems

    register = register_or_problems(scenario)
    if isinstance(register, list):  # risks that cannot be applied
        return []
    lines = []
    for r in register.risks[:count]:
        expected = float(r.expected_impact["npv"] or 0.0)
        change = financing_need(register, r)[1]
        # the extra money the risk makes the lab need, only where it needs more
        key, need = ("s.risk_line_need", i18n.money(lang, change)) if round(change) > 0 \
            else ("s.risk_line", "")
        lines.append(t(lang, key, name=r.name, probability=i18n.percent(lang, r.probability),
                       expected=i18n.signed(i18n.money(lang, expected), expected), need=need))
    return lines


def changes(base: Projection, p: Projection, lang: Language = "en", count: int = 5
            ) -> list[str]:
    """What differs from the base scenario: the key figures, then up to ``count`` changed
    assumptions by name."""
    from finmodel.analysis.compare import assumption_diff_rows

    out = []
    for kpi in _CHANGED_KPIS:
        was, now = _kpi(base, kpi), _kpi(p, kpi)
        if was == now:
            continue
        if kpi == "break_even_year" or was is None or now is None:
            difference = t(lang, "n/a") if was is None or now is None else \
                i18n.signed(str(int(now - was)), now - was)
        else:
            difference = i18n.signed(i18n.money(lang, now - was), now - was)
        out.append(t(lang, "s.change_kpi", name=i18n.kpi_name(lang, kpi),
                     base=i18n.kpi_value(lang, kpi, was), other=i18n.kpi_value(lang, kpi, now),
                     difference=difference))
    diff = [row for row in assumption_diff_rows(base.scenario, p.scenario)
            if row[1] not in ("name", "description")]
    if not diff:
        return [*out, t(lang, "s.changes_none")]
    for _, path, change, was_set, now_set in diff[:count]:
        name = i18n.param_name(lang, str(path))
        if _is_item(was_set) or _is_item(now_set):  # a whole item added or removed
            out.append(t(lang, f"s.change_{change}", name=name))
            continue
        year = summary.is_year_path(str(path))
        out.append(t(lang, "s.change_param", name=name, base=_value(was_set, lang, year),
                     other=_value(now_set, lang, year)))
    if len(diff) > count:
        more = len(diff) - count
        out.append(t(lang, "s.more_change_one" if more == 1 else "s.more_changes", n=more))
    return out


def _kpi(p: Projection, kpi: str) -> float | None:
    if kpi == "financing_need":
        return summary.financing_need(p)
    value = p.kpis.get(kpi)
    return None if value is None else float(value)


def _is_item(value: object) -> bool:
    return isinstance(value, dict) and any(isinstance(k, str) for k in value)


def _value(value: object, lang: Language, year: bool = False) -> str:
    if value is None:
        return t(lang, "s.absent")
    text = summary.value_text(value, year=year, lang=lang)
    return text if len(text) <= 80 else text[:79] + "\u2026"

"""What a report says about a projection: key figures, plain sentences, checks, provenance.

Everything here is a pure function of a :class:`~finmodel.model.projection.Projection` (or its
scenario) returning strings or small pandas tables of display strings, so reports, the
Excel workbook and tests all show the same words and numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from finmodel.views import i18n
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Check, Projection
    from finmodel.model.scenario import Scenario

__all__ = ["assumption_rows", "assumption_table_rows", "assumptions_table", "check_columns",
           "check_message", "check_rows", "check_status", "checks_table", "failed_checks",
           "financing_need", "is_year_path", "kpi_rows", "kpi_table", "master_check_text",
           "provenance", "provenance_table", "sentences", "subsidy_end_year", "value_text",
           "year_ranges"]


def year_ranges(years: Any) -> str:
    """Calendar years as runs: ``2029-2031, 2035``.

    Examples
    --------
    >>> year_ranges([2029, 2030, 2031, 2035])
    '2029-2031, 2035'
    >>> year_ranges([2030])
    '2030'
    """
    runs: list[list[int]] = []
    for year in (int(y) for y in years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _euros(value: float, lang: Language = "en") -> str:
    return i18n.money(lang, value)


def _share(value: float, lang: Language = "en") -> str:
    return i18n.percent(lang, value)


def financing_need(p: Projection) -> float:
    """Euros the lab needs more at the start to keep cash at or above the minimum in
    every year: ``max(0, minimum_cash - min_cash)`` (the ``financing_need`` KPI of
    contract v1.1 when the engine gives it).

    Examples
    --------
    >>> import finmodel
    >>> financing_need(finmodel.project(finmodel.load_scenario("scenarios/base.yaml")))
    0.0
    """
    given = p.kpis.get("financing_need")
    if given is not None:
        return float(given)
    lowest = p.kpis["min_cash"]
    return max(0.0, p.scenario.finance.minimum_cash - float(lowest if lowest is not None
                                                              else 0.0))


def subsidy_end_year(p: Projection) -> int | None:
    """The last calendar year with subsidy cash, or None when no subsidy is received."""
    paid = p.years[p.lines["subsidy_cash"] > 0]
    return int(paid[-1]) if paid.size else None


def kpi_table(p: Projection, lang: Language = "en") -> pd.DataFrame:
    """The key figures of the summary as display strings (index: KPI name).

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> kpi_table(p).loc["break_even_year", "value"]
    '2030'
    >>> kpi_table(p, "nl").loc["npv", "value"]
    '€\\xa0134.874'
    """
    import pandas as pd

    frame = pd.DataFrame.from_dict(kpi_rows(p, lang), orient="index",
                                   columns=["key figure", "value"])
    frame.index.name = "kpi"
    return frame


def kpi_rows(p: Projection, lang: Language = "en") -> dict[str, tuple[str, str]]:
    """:func:`kpi_table` without pandas: per KPI its name and value as shown."""
    k, years = p.kpis, p.years
    rate = i18n.percent(lang, p.scenario.finance.discount_rate, 2)
    share = float(p.lines["self_sufficiency"][-1])
    low = k["min_cash_year"]
    rows = {
        "npv": (t(lang, "kpi.npv_at", rate=rate), i18n.kpi_value(lang, "npv", k["npv"])),
        "break_even_year": (t(lang, "kpi.break_even_long"),
                            i18n.kpi_value(lang, "break_even_year", k["break_even_year"])),
        "min_cash": (t(lang, "kpi.min_cash_long"), t(
            lang, "kpi.min_cash_value", amount=i18n.kpi_value(lang, "min_cash", k["min_cash"]),
            year=i18n.year(low) if low is not None else t(lang, "n/a"))),
        "funding_gap_after_subsidy": (t(lang, "kpi.gap_long"), i18n.kpi_value(
            lang, "funding_gap_after_subsidy", k["funding_gap_after_subsidy"])),
        "financing_need": (t(lang, "kpi.financing_need_long"),
                           i18n.money(lang, financing_need(p))),
        "self_sufficiency": (t(lang, "kpi.self_sufficiency_in", year=i18n.year(years[-1])),
                             _share(share, lang)),
    }
    if p.scenario.finance.loans:
        rows["debt_end"] = (t(lang, "kpi.debt_end_long", year=i18n.year(years[-1])),
                            i18n.kpi_value(lang, "debt_end", k["debt_end"]))
        rows["min_debt_service_coverage"] = (t(lang, "kpi.dscr_long"), i18n.kpi_value(
            lang, "min_debt_service_coverage", k["min_debt_service_coverage"]))
    return rows


def sentences(p: Projection, lang: Language = "en") -> list[str]:
    """Plain-language findings, generated from the numbers.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> for sentence in sentences(p)[:2]:
    ...     print(sentence)
    The lab covers its running costs without subsidy from 2030.
    Cash stays above the minimum of 50,000 EUR in every year.
    >>> sentences(p, "nl")[1]
    'De kas blijft in elk jaar boven de minimale kaspositie van €\\xa050.000.'
    """
    loans = [_loan_sentence(p, lang)] if p.scenario.finance.loans else []
    return [_break_even_sentence(p, lang), _cash_sentence(p, lang), *loans,
            _gap_sentence(p, lang), _self_sufficiency_sentence(p, lang), _npv_sentence(p, lang)]


def _break_even_sentence(p: Projection, lang: Language) -> str:
    year = p.kpis["break_even_year"]
    if year is None:
        last = float(p.lines["structural_result"][-1])
        return t(lang, "s.break_even_never", year=i18n.year(p.years[-1]),
                 amount=_euros(last, lang))
    if year == p.years[0]:
        return t(lang, "s.break_even_always")
    return t(lang, "s.break_even_from", year=i18n.year(year))


def _cash_sentence(p: Projection, lang: Language) -> str:
    minimum = p.scenario.finance.minimum_cash
    low = p.years[p.lines["cash_end"] < minimum]
    if not low.size:
        return t(lang, "s.cash_ok", minimum=_euros(minimum, lang))
    text = t(lang, "s.cash_low", minimum=_euros(minimum, lang), years=year_ranges(low),
             lowest=_euros(float(p.kpis["min_cash"] or 0.0), lang),
             year=i18n.year(p.kpis["min_cash_year"] or p.years[0]))
    need = financing_need(p)
    if need > 0:
        text += " " + t(lang, "s.financing_need", minimum=_euros(minimum, lang),
                        amount=_euros(need, lang))
    return text


def _loan_sentence(p: Projection, lang: Language = "en") -> str:
    """With loans: what is owed at the end and how well the years cover the debt service."""
    debt, dscr = float(p.kpis["debt_end"] or 0.0), p.kpis["min_debt_service_coverage"]
    repaid = p.years[p.lines["repayment"] > 0]
    owed = (t(lang, "s.loans_owed", amount=_euros(debt, lang), year=i18n.year(p.years[-1]))
            if round(debt) else t(lang, "s.loans_repaid", year=i18n.year(repaid[-1]))
            if repaid.size else t(lang, "s.loans_nothing"))
    if dscr is None:
        return t(lang, "s.loans_no_service", owed=owed)
    short = next(c.years for c in p.checks if c.name == "debt_service_coverage")
    value = i18n.number(lang, float(dscr), 2)
    cover = (t(lang, "s.loans_cover_short", dscr=value, years=year_ranges(short)) if short
             else t(lang, "s.loans_cover_ok", dscr=value))
    return t(lang, "s.loans", owed=owed, cover=cover)


def _gap_sentence(p: Projection, lang: Language) -> str:
    last = subsidy_end_year(p)
    if last is None:
        return t(lang, "s.no_subsidy")
    gap = p.kpis["funding_gap_after_subsidy"]
    if gap is None:
        return t(lang, "s.subsidy_to_end", year=i18n.year(last))
    if gap == 0:
        return t(lang, "s.no_gap", year=i18n.year(last + 1))
    return t(lang, "s.gap", year=i18n.year(last + 1), amount=_euros(float(gap), lang))


def _self_sufficiency_sentence(p: Projection, lang: Language) -> str:
    share = float(p.lines["self_sufficiency"][-1])
    if math.isnan(share):
        return t(lang, "s.self_sufficiency_undefined", year=i18n.year(p.years[-1]))
    return t(lang, "s.self_sufficiency", year=i18n.year(p.years[-1]),
             share=_share(share, lang))


def _npv_sentence(p: Projection, lang: Language) -> str:
    return t(lang, "s.npv", rate=i18n.percent(lang, p.scenario.finance.discount_rate, 2),
             amount=i18n.kpi_value(lang, "npv", p.kpis["npv"]))


def check_status(check: Check, lang: Language | None = None) -> str:
    """``ok``, ``FAILED`` (an identity: the model's arithmetic) or ``warning`` (a flag);
    in words of ``lang`` when given."""
    key = "ok" if check.passed else ("failed" if check.kind == "identity" else "warning")
    if lang is None:
        return {"ok": "ok", "failed": "FAILED", "warning": "warning"}[key]
    return t(lang, f"status.{key}")


def master_check_text(p: Projection, lang: Language = "en") -> str:
    """The master check as the first line of a report.

    Examples
    --------
    >>> import finmodel
    >>> master_check_text(finmodel.project(finmodel.load_scenario("scenarios/base.yaml")))
    'Master check OK: every identity holds in every year; no warnings.'
    """
    failed = failed_checks(p)
    identities = sum(c.kind == "identity" for c in failed)
    warnings = len(failed) - identities
    head = (t(lang, "master.ok") if p.master_check else
            t(lang, "master.failed_one" if identities == 1 else "master.failed", n=identities))
    tail = (t(lang, "master.no_warnings") if not warnings else
            t(lang, "master.warning_one" if warnings == 1 else "master.warnings", n=warnings))
    return t(lang, "master.line", head=head, tail=tail)


def failed_checks(p: Projection) -> list[Check]:
    """Every check that did not pass: failed identities first, then warnings."""
    return [c for c in p.checks if not c.passed]


def check_message(p: Projection, check: Check, lang: Language) -> str:
    """A check's message in ``lang``, rebuilt from the projection's numbers (the model's
    own message is English and is kept for checks this view does not know)."""
    from finmodel.model.checks import OCCUPANCY_FLAG

    years = year_ranges(check.years)
    state = "ok" if check.passed else "fail"
    base = check.name.split("[", 1)[0]
    if base in ("cash_identity", "balance_identity"):  # with loans, their terms too
        loans = (t(lang, f"checkmsg.loans.{base.split('_')[0]}")
                 if p.scenario.finance.loans else "")
        return t(lang, f"checkmsg.{base}.{state}", years=years, loans=loans)
    if base == "cash_above_minimum":
        return t(lang, f"checkmsg.{base}.{state}", years=years,
                 minimum=_euros(p.scenario.finance.minimum_cash, lang))
    if base == "occupancy_headroom":
        return t(lang, f"checkmsg.{base}.{state}", years=years,
                 limit=i18n.percent(lang, OCCUPANCY_FLAG))
    if base == "debt_service_coverage":
        from finmodel.model.checks import DSCR_FLAG

        return t(lang, f"checkmsg.{base}.{state}", years=years,
                 limit=i18n.number(lang, DSCR_FLAG, 2))
    if base == "debt_at_end":
        repaid = p.years[p.lines["repayment"] > 0]  # the year the last loan is paid off
        return t(lang, f"checkmsg.{base}.{state}",
                 year=i18n.year(repaid[-1] if repaid.size else p.years[-1]),
                 amount=_euros(float(p.lines["debt"][-1]), lang))
    item = check.name[len(base) + 1:-1]
    if base in ("input_warning", "reconciliation"):
        return _file_check_message(check, lang)
    if base == "cofinancing":
        return _cofinancing_message(p, item, lang) or check.message
    if base == "subsidy_cut_off":
        names = [s.name for s in p.scenario.subsidies]
        cut = float(p.evaluation.inputs.subsidy_cut_off[names.index(item)])
        return t(lang, "checkmsg.subsidy_cut_off", amount=_euros(cut, lang), item=item,
                 year=i18n.year(p.years[-1]))
    return check.message


def _file_check_message(check: Check, lang: Language) -> str:
    """An input warning (``FILE:LINE: sentence``) or a reconciliation flag in ``lang``."""
    from finmodel.analysis.variance import Reconciliation
    from finmodel.model.checks import WarningCheck
    from finmodel.views.warning_text import reconciliation_message, warning_message

    if isinstance(check, Reconciliation):
        return reconciliation_message(lang, check)
    w = check.warning if isinstance(check, WarningCheck) else None
    return check.message if w is None else f"{w.file}:{w.line}: {warning_message(lang, w)}"


def _cofinancing_message(p: Projection, item: str, lang: Language) -> str | None:
    from finmodel.analysis.parties import party_statement

    for row in party_statement(p).cofinancing:
        if row.subsidy == item and row.required is not None and not row.subsidy_total:
            return t(lang, "checkmsg.cofinancing_nothing", item=item)
        if row.subsidy == item and row.required is not None:
            matched = row.partner_cash + row.partner_in_kind
            return t(lang, "checkmsg.cofinancing", matched=_euros(matched, lang), item=item,
                     total=_euros(row.subsidy_total, lang),
                     ratio=i18n.number(lang, row.ratio, 2),
                     verdict=t(lang, "checkmsg.meets" if row.met else "checkmsg.below"),
                     required=i18n.number(lang, row.required, 2))
    return None


def checks_table(p: Projection, lang: Language = "en") -> pd.DataFrame:
    """The whole check sheet as display strings, in words of ``lang``."""
    import pandas as pd

    return pd.DataFrame(check_rows(p, lang), columns=check_columns(lang))


def check_columns(lang: Language = "en") -> list[str]:
    """The heads of :func:`checks_table`."""
    return [t(lang, f"col.{k}") for k in ("check", "kind", "status", "message", "years")]


def check_rows(p: Projection, lang: Language = "en") -> list[tuple[str, str, str, str, str]]:
    """:func:`checks_table` without pandas: per check its name, kind, status, message
    and years, as shown."""
    return [(i18n.check_name(lang, c.name), t(lang, f"kind.{c.kind}"), check_status(c, lang),
             check_message(p, c, lang), year_ranges(c.years)) for c in p.checks]


def provenance(scenario: Scenario, now: dt.datetime | None = None,
               lang: Language = "en") -> list[tuple[str, str]]:
    """What a report was made from: files with SHA-256, finmodel version, date and time."""
    from finmodel import __version__

    now = now or dt.datetime.now().astimezone()
    rows = [(t(lang, "prov.scenario_file") if i == 0 else t(lang, "prov.extends", level=i),
             f"{f.path}") for i, f in enumerate(scenario.files)]
    rows = [r for pair in zip(rows, ((t(lang, "prov.sha"), f.sha256) for f in scenario.files),
                              strict=True) for r in pair]
    rows += [(t(lang, "prov.version"), __version__),
             (t(lang, "prov.generated"), now.isoformat(sep=" ", timespec="seconds"))]
    return rows


def provenance_table(scenario: Scenario, now: dt.datetime | None = None,
                     lang: Language = "en") -> pd.DataFrame:
    """:func:`provenance` as a two-column table."""
    import pandas as pd

    return pd.DataFrame(provenance(scenario, now, lang), columns=["item", "value"])


def assumption_rows(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Flatten resolved scenario data into ``(path, value)`` rows, ``[name]`` for items.

    A series given per year and a list of plain values (a ramp-up) stay one value; a
    mapping whose keys are paths (uncertainty, risk overrides) keeps the key quoted.

    Examples
    --------
    >>> data = {"rental": {"segments": [{"name": "A", "tariff": {2026: 1, 2028: 2}}]},
    ...         "uncertainty": {"indexation.cpi": {"normal": [0.02, 0.01]}}}
    >>> list(assumption_rows(data))  # doctest: +NORMALIZE_WHITESPACE
    [('rental.segments[A].tariff', {2026: 1, 2028: 2}),
     ('uncertainty."indexation.cpi".normal', [0.02, 0.01])]
    """
    if isinstance(data, dict) and data and not all(isinstance(k, int) for k in data):
        for key, value in data.items():
            part = f'"{key}"' if any(c in str(key) for c in ".[]") else str(key)
            yield from assumption_rows(value, f"{prefix}.{part}" if prefix else part)
    elif (isinstance(data, list) and data
          and all(isinstance(item, dict) and "name" in item for item in data)):
        for item in data:  # the name is in the path already
            rest = {k: v for k, v in item.items() if k != "name"}
            yield from assumption_rows(rest or item, f"{prefix}[{item['name']}]")
    else:
        yield prefix, data


def assumptions_table(scenario: Scenario, lang: Language = "en") -> pd.DataFrame:
    """The resolved assumptions (after ``extends``): path, its name in words, value, and
    where it was set.

    "set in" is ``FILE:LINE`` with FILE relative to the scenario file's folder (the
    provenance stamp has the full paths).
    """
    import pandas as pd

    return pd.DataFrame(assumption_table_rows(scenario, lang),
                        columns=["path", "name", "value", "set in"])


def assumption_table_rows(scenario: Scenario, lang: Language = "en"
                          ) -> list[tuple[str, str, str, str]]:
    """:func:`assumptions_table` without pandas: per assumption its path, name, value
    and where it was set."""
    home = os.path.dirname(scenario.files[0].path) if scenario.files else "."
    rows = []
    for path, value in assumption_rows(scenario.data):
        origin = scenario.origin(path) if '"' not in path else None
        where = f"{os.path.relpath(origin.file, home)}:{origin.line}" if origin else ""
        year = is_year_path(path)
        rows.append((path, i18n.param_name(lang, path), value_text(value, year=year, lang=lang),
                     where))
    return rows


YEAR_KEYS = {"start_year", "horizon", "year", "from", "until", "start", "seed"}


def is_year_path(path: str) -> bool:
    """Whether the value at ``path`` is a calendar year (or a count shown like one): its
    last key, also inside a quoted path (risk overrides), is one of :data:`YEAR_KEYS`.

    Examples
    --------
    >>> is_year_path('risks[X].overrides."parties[V].contributions[Fee].until"')
    True
    >>> is_year_path("finance.minimum_cash"), is_year_path('a["b[c].from"]')
    (False, True)
    """
    match = re.search(r"([A-Za-z_]+)[\"\]]*$", path)
    return match is not None and match.group(1) in YEAR_KEYS


def value_text(value: Any, year: bool = False, lang: Language = "en") -> str:
    """A resolved assumption as text: series as ``year: value`` pairs, lists in brackets,
    the locale's separators except in years (``year=True``), booleans as YAML writes them.

    Examples
    --------
    >>> value_text({2026: 0.03, 2031: 0.0275}), value_text(1500), value_text([0.5, 1])
    ('2026: 0.03, 2031: 0.0275', '1,500', '[0.5, 1]')
    >>> value_text(2026, year=True), value_text(True), value_text({2026: 12000.5})
    ('2026', 'true', '2026: 12,000.5')
    >>> value_text({2026: 12000.5}, lang="nl")
    '2026: 12.000,5'
    """
    from babel.numbers import format_decimal

    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text(v, lang=lang)}" for k, v in value.items()) or "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(value_text(v, lang=lang) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float) and not year:
        return str(format_decimal(float(f"{value:.10g}"), locale=i18n.LOCALES[lang],
                                  decimal_quantization=False))
    return str(value)

"""What a report says about a projection: key figures, plain sentences, checks, provenance.

Everything here is a pure function of a :class:`~finmodel.model.projection.Projection` (or its
scenario) returning strings or small pandas tables of display strings, so reports, the
Excel workbook and tests all show the same words and numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from finmodel.views.text import format_kpi

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Check, Projection
    from finmodel.model.scenario import Scenario

__all__ = ["assumption_rows", "assumptions_table", "check_status", "checks_table",
           "failed_checks", "kpi_table", "master_check_text", "provenance",
           "provenance_table", "sentences", "subsidy_end_year", "value_text", "year_ranges"]


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


def _euros(value: float) -> str:
    return f"{round(value) or 0:,} EUR"


def _share(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0%}"


def subsidy_end_year(p: Projection) -> int | None:
    """The last calendar year with subsidy cash, or None when no subsidy is received."""
    paid = p.years[p.lines["subsidy_cash"] > 0]
    return int(paid[-1]) if paid.size else None


def kpi_table(p: Projection) -> pd.DataFrame:
    """The key figures of the summary as display strings (index: KPI name).

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> kpi_table(p).loc["break_even_year", "value"]
    '2030'
    """
    import pandas as pd

    k, years = p.kpis, p.years
    rate = p.scenario.finance.discount_rate
    share = float(p.lines["self_sufficiency"][-1])
    rows = {
        "npv": (f"Net present value of the cash flows (at {rate:.2%})",
                format_kpi("npv", k["npv"])),
        "break_even_year": ("Break-even year (structural result >= 0 from then on)",
                            format_kpi("break_even_year", k["break_even_year"])),
        "min_cash": ("Minimum cash, and its year",
                     f"{format_kpi('min_cash', k['min_cash'])} in {k['min_cash_year']}"),
        "funding_gap_after_subsidy": ("Funding gap in the first year after the subsidy",
                                      format_kpi("funding_gap_after_subsidy",
                                                 k["funding_gap_after_subsidy"])),
        "self_sufficiency": (f"Self-sufficiency in {years[-1]}", _share(share)),
        "financing_need": ("Financing need (extra cash at the start to stay above the "
                           "minimum in every year)",
                           format_kpi("financing_need", k["financing_need"])),
    }
    if p.scenario.finance.loans:
        rows["debt_end"] = (f"Loans outstanding at the end of {years[-1]}",
                            format_kpi("debt_end", k["debt_end"]))
        rows["min_debt_service_coverage"] = (
            "Lowest debt service coverage (DSCR: the year's own cash over interest and "
            "repayment)", format_kpi("min_debt_service_coverage", k["min_debt_service_coverage"]))
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["key figure", "value"])
    frame.index.name = "kpi"
    return frame


def sentences(p: Projection) -> list[str]:
    """Plain-language findings, generated from the numbers.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> for sentence in sentences(p)[:2]:
    ...     print(sentence)
    The lab covers its running costs without subsidy from 2030.
    Cash stays above the minimum of 50,000 EUR in every year.
    """
    loans = [_loan_sentence(p)] if p.scenario.finance.loans else []
    return [_break_even_sentence(p), _cash_sentence(p), *loans, _gap_sentence(p),
            _self_sufficiency_sentence(p), _npv_sentence(p)]


def _break_even_sentence(p: Projection) -> str:
    year = p.kpis["break_even_year"]
    if year is None:
        last = float(p.lines["structural_result"][-1])
        return (f"The lab does not cover its running costs without subsidy by "
                f"{p.years[-1]}: the structural result is {_euros(last)} in that year.")
    if year == p.years[0]:
        return "The lab covers its running costs without subsidy in every year."
    return f"The lab covers its running costs without subsidy from {year}."


def _cash_sentence(p: Projection) -> str:
    minimum = p.scenario.finance.minimum_cash
    low = p.years[p.lines["cash_end"] < minimum]
    if not low.size:
        return f"Cash stays above the minimum of {_euros(minimum)} in every year."
    return (f"Cash falls below the minimum of {_euros(minimum)} in {year_ranges(low)} "
            f"(lowest {_euros(float(p.kpis['min_cash'] or 0.0))} in {p.kpis['min_cash_year']}); "
            f"to keep cash above {_euros(minimum)} in every year the lab needs "
            f"{_euros(float(p.kpis['financing_need'] or 0.0))} more at the start, or a loan.")


def _loan_sentence(p: Projection) -> str:
    """With loans: what is owed at the end and how well the years cover the debt service."""
    debt, dscr = float(p.kpis["debt_end"] or 0.0), p.kpis["min_debt_service_coverage"]
    repaid = p.years[p.lines["repayment"] > 0]
    owed = (f"{_euros(debt)} of loans is still to be repaid after {p.years[-1]}"
            if round(debt) else f"the loans are repaid by {repaid[-1]}" if repaid.size else
            "nothing is repaid")
    if dscr is None:
        return f"Loans: {owed}; no interest or repayment falls inside the projection."
    short = next(c.years for c in p.checks if c.name == "debt_service_coverage")
    cover = (f"the lowest debt service coverage is {float(dscr):.2f}"
             + (f", below 1 in {year_ranges(short)} (the year's own cash flow does not "
                "cover interest and repayment)" if short else
                ": every year's own cash flow covers interest and repayment"))
    return f"Loans: {owed}; {cover}."


def _gap_sentence(p: Projection) -> str:
    last = subsidy_end_year(p)
    if last is None:
        return "No subsidy is received in this scenario."
    gap = p.kpis["funding_gap_after_subsidy"]
    if gap is None:
        return (f"Subsidy is received until {last}, the last year of the projection, "
                "so the years after it are not shown.")
    if gap == 0:
        return (f"In {last + 1}, the first year after the subsidy, the structural result "
                "is not negative: there is no funding gap.")
    return (f"In {last + 1}, the first year after the subsidy, a funding gap of "
            f"{_euros(float(gap))} remains.")


def _self_sufficiency_sentence(p: Projection) -> str:
    share = float(p.lines["self_sufficiency"][-1])
    if math.isnan(share):
        return f"Self-sufficiency is not defined in {p.years[-1]}: there are no cash costs."
    return (f"In {p.years[-1]}, rental income and partner cash cover {share:.0%} of the "
            "costs (costs in kind left out).")


def _npv_sentence(p: Projection) -> str:
    return (f"The net present value of the cash flows, discounted at "
            f"{p.scenario.finance.discount_rate:.2%}, is {format_kpi('npv', p.kpis['npv'])}.")


def check_status(check: Check) -> str:
    """``ok``, ``FAILED`` (an identity: the model's arithmetic) or ``warning`` (a flag)."""
    if check.passed:
        return "ok"
    return "FAILED" if check.kind == "identity" else "warning"


def master_check_text(p: Projection) -> str:
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
    head = ("Master check OK: every identity holds in every year" if p.master_check else
            f"Master check FAILED: {identities} identity check(s) fail")
    tail = "no warnings" if not warnings else f"{warnings} warning(s), listed below"
    return f"{head}; {tail}."


def failed_checks(p: Projection) -> list[Check]:
    """Every check that did not pass: failed identities first, then warnings."""
    return [c for c in p.checks if not c.passed]


def checks_table(p: Projection) -> pd.DataFrame:
    """The whole check sheet as display strings."""
    import pandas as pd

    return pd.DataFrame(
        [(c.name, c.kind, check_status(c), c.message, year_ranges(c.years)) for c in p.checks],
        columns=["check", "kind", "status", "message", "years"])


def provenance(scenario: Scenario, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """What a report was made from: files with SHA-256, finmodel version, date and time."""
    from finmodel import __version__

    now = now or dt.datetime.now().astimezone()
    rows = [("scenario file" if i == 0 else f"extends (level {i})", f"{f.path}")
            for i, f in enumerate(scenario.files)]
    rows = [r for pair in zip(rows, (("SHA-256", f.sha256) for f in scenario.files),
                              strict=True) for r in pair]
    rows += [("finmodel version", __version__),
             ("generated", now.isoformat(sep=" ", timespec="seconds"))]
    return rows


def provenance_table(scenario: Scenario, now: dt.datetime | None = None) -> pd.DataFrame:
    """:func:`provenance` as a two-column table."""
    import pandas as pd

    return pd.DataFrame(provenance(scenario, now), columns=["item", "value"])


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


def assumptions_table(scenario: Scenario) -> pd.DataFrame:
    """The resolved assumptions (after ``extends``): path, value, and where it was set.

    "set in" is ``FILE:LINE`` with FILE relative to the scenario file's folder (the
    provenance stamp has the full paths).
    """
    import pandas as pd

    home = os.path.dirname(scenario.files[0].path) if scenario.files else "."
    rows = []
    for path, value in assumption_rows(scenario.data):
        origin = scenario.origin(path) if '"' not in path else None
        where = f"{os.path.relpath(origin.file, home)}:{origin.line}" if origin else ""
        year = path.rsplit(".", 1)[-1] in _YEAR_KEYS
        rows.append((path, value_text(value, year=year), where))
    return pd.DataFrame(rows, columns=["path", "value", "set in"])


_YEAR_KEYS = {"start_year", "horizon", "year", "from", "until", "start", "seed"}


def value_text(value: Any, year: bool = False) -> str:
    """A resolved assumption as text: series as ``year: value`` pairs, lists in brackets,
    thousands separators except in years (``year=True``), booleans as YAML writes them.

    Examples
    --------
    >>> value_text({2026: 0.03, 2031: 0.0275}), value_text(1500), value_text([0.5, 1])
    ('2026: 0.03, 2031: 0.0275', '1,500', '[0.5, 1]')
    >>> value_text(2026, year=True), value_text(True), value_text({2026: 12000.5})
    ('2026', 'true', '2026: 12,000.5')
    """
    if isinstance(value, dict):
        return ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) or "{}"
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float) and not year:
        return f"{value:,.10g}"
    return str(value)

"""Regressions for crashes and wrong output the scenario generator found (issue 9).

Each test is the smallest scenario of its kind, written by hand, with the value it must
give computed in the test.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import finmodel
from finmodel.cli import main
from finmodel.views.partnership_report import parties_html, workbook_sheets

from conftest import MINIMAL


def test_workbook_sheets_without_parties(write: Callable[..., Path]) -> None:
    """No ``parties``: the parties sheet has the lab's rows only (it raised
    ``KeyError: "labels ['own_use_hours'] not found in level"``, so ``finmodel report``
    failed for every such scenario)."""
    projection = finmodel.project(finmodel.load_scenario(write(MINIMAL)))
    sheets = workbook_sheets(projection)
    assert set(sheets["parties"].index.get_level_values("party")) == {"[lab]"}
    assert "Own-use hours (h)" not in set(sheets["parties"].index.get_level_values("measure"))
    assert "The scenario has no parties." in parties_html(projection)


def test_workbook_with_parties_drops_own_use_hours(write: Callable[..., Path]) -> None:
    """With parties the own-use hours rows are still left out (euros only)."""
    text = MINIMAL + "parties:\n  - {name: College, role: public, own_use_hours: 10}\n"
    frame = workbook_sheets(finmodel.project(finmodel.load_scenario(write(text))))["parties"]
    assert ("College", "Own-use hours (h)") not in frame.index  # the measures by name
    assert ("College", "Net (gets - brings)") in frame.index


UNPAID = MINIMAL + """\
subsidies:
  - {name: Fund, type: operating, amounts: {2026: 0}, cofinancing_ratio: 2}
"""


def test_cofinancing_of_a_subsidy_that_pays_nothing(write: Callable[..., Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A subsidy that pays 0: no ratio to show (it showed ``inf`` in the report, the check
    sheet and ``finmodel parties``; fixed on both branches of issue 9, main's wording)."""
    projection = finmodel.project(finmodel.load_scenario(write(UNPAID)))
    html = parties_html(projection)
    assert ">inf<" not in html and "<td>-</td>" in html
    check = next(c for c in projection.checks if c.name == "cofinancing[Fund]")
    assert check.passed
    assert check.message == "Fund pays nothing inside the horizon: nothing to co-finance"
    assert main(["parties", str(write(UNPAID))]) == 0
    out = capsys.readouterr().out
    assert "ratio - (nothing paid)" in out and "inf" not in out


@pytest.mark.parametrize("amount, life", [(120000, 7), (345220.61818973423, 3),
                                          (1234567.89, 6)])
def test_book_value_after_full_depreciation_is_zero(write: Callable[..., Path],
                                                   amount: float, life: int) -> None:
    """A running sum of capex - depreciation leaves float residue (-7.3e-12 for 120,000
    over 7 years); the book value after the last year of life is exactly 0."""
    residue = float(np.cumsum([amount - amount / life] + [-amount / life] * (life - 1))[-1])
    assert residue != 0  # the residue the running sum gave
    text = MINIMAL.replace("horizon: 3", f"horizon: {life + 1}") + (
        f"investments:\n  - {{name: Kit, amount: {amount!r}, year: 2025, life: {life}}}\n")
    projection = finmodel.project(finmodel.load_scenario(write(text)))
    book = projection.lines["book_value"]
    assert book[-1] == 0.0 and book[-2] == 0.0 and projection.kpis["book_value_end"] == 0.0
    assert math.isclose(book[0], amount * (life - 1) / life, rel_tol=1e-15)
    assert projection.master_check


def test_deferred_subsidy_after_full_release_is_zero(write: Callable[..., Path]) -> None:
    """150,000 released over 7 years: the running sum left 2.9e-11 deferred; now 0."""
    text = MINIMAL.replace("horizon: 3", "horizon: 8") + """\
subsidies:
  - {name: Grant, type: investment, amounts: {2025: 150000.0}, release_years: 7}
"""
    projection = finmodel.project(finmodel.load_scenario(write(text)))
    deferred = projection.lines["deferred_subsidy"]
    assert deferred[-1] == 0.0 and deferred[-2] == 0.0
    assert math.isclose(deferred[0], 150000 * 6 / 7, rel_tol=1e-15)
    data = json.loads(projection.to_json())
    assert data["kpis"]["deferred_subsidy_end"] == 0.0


def _tiny_plan(write: Callable[..., Path], amount: float, booked: float) -> Path:
    """One year, one party paying ``amount`` in cash; the ledger books ``booked``."""
    return write(MINIMAL.replace("horizon: 3", "horizon: 1") + f"""\
parties:
  - name: College
    role: public
    contributions:
      - {{name: Fee, type: cash, amount: {amount!r}}}
actuals:
  2025: {{partner_cash: {booked!r}}}
""")


@pytest.mark.parametrize("amount", [1.1125369292536007e-308, 6.893760527753175e-154])
def test_variance_against_a_plan_of_almost_nothing(write: Callable[..., Path], amount: float,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A plan of 1e-308 EUR booked as 665: the ratio overflowed (a RuntimeWarning, ``inf``);
    a plan of 7e-154 gave a ratio Babel could not round (``decimal.InvalidOperation`` in
    the report). The difference is 665; the ratio is null beyond the float range and
    shown capped."""
    from finmodel.analysis.variance import variance
    from finmodel.views import variance_report

    path = _tiny_plan(write, amount, 665.0)
    v = variance(finmodel.load_scenario(path))
    table = v.table("partner_cash")
    assert table["plan"][0] == amount and table["difference"][0] == 665.0 - amount
    ratio = 665.0 / amount
    assert (math.isnan(table["relative"][0]) if math.isinf(ratio)
            else table["relative"][0] == ratio)
    for lang in ("en", "nl"):
        html = variance_report.section_html(v, lang)
        assert ">inf" not in html and ("100,000,000%" in html or "100.000.000%" in html
                                       or math.isinf(ratio))
    assert main(["variance", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out, parse_constant=lambda c: 1 / 0)
    relative = data["variance"]["partner_cash"]["relative"][0]
    assert relative is None if math.isinf(ratio) else relative == ratio
    assert main(["variance", str(path)]) == 0
    assert "inf" not in capsys.readouterr().out


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_costs_of_nearly_nothing_chart_and_words(write: Callable[..., Path], lang: str) -> None:
    """Costs of 3e-168 EUR a year against 1,000 EUR of rent make self-sufficiency about
    3e170: the chart's percent axis and the summary said it through Babel's decimal
    rounding, which raised InvalidOperation. Such numbers are now written as 3E172%."""
    import matplotlib

    matplotlib.use("Agg")
    from finmodel.views import charts, i18n, summary

    path = write(MINIMAL + "operating_costs: [{name: Licences, amount: 3.0e-168}]\n"
                 "rental:\n  segments: [{name: A, tariff: 10, demand_hours: 100}]\n")
    p = finmodel.project(finmodel.load_scenario(path))
    ratio = float(p.lines["self_sufficiency"][0])
    assert ratio == pytest.approx(1000 / 3.0e-168)
    assert i18n.percent(lang, ratio) == ("3,333E172%" if lang == "nl" else "3.333E172%")
    svg = charts.svg(charts.self_sufficiency_chart(p, lang=lang)).decode()
    assert "E172%" in svg or "E171%" in svg or "E173%" in svg
    assert summary.sentences(p, lang)  # the sentences format it too, without raising

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
    assert "own_use_hours" not in set(sheets["parties"].index.get_level_values("measure"))
    assert "The scenario has no parties." in parties_html(projection)


def test_workbook_with_parties_drops_own_use_hours(write: Callable[..., Path]) -> None:
    """With parties the own-use hours rows are still left out (euros only)."""
    text = MINIMAL + "parties:\n  - {name: College, role: public, own_use_hours: 10}\n"
    frame = workbook_sheets(finmodel.project(finmodel.load_scenario(write(text))))["parties"]
    assert ("College", "own_use_hours") not in frame.index
    assert ("College", "net") in frame.index


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

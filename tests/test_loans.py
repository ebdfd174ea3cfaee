"""Loans, interest and the financing need (contract v1.1, section 9), computed by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.analysis.goalseek import goal_seek
from finmodel.model.inputs import numeric_parameters
from finmodel.model.scenario import validate_scenario

from conftest import ROOT

#: No rental, no costs: a partner fee of 1,000 a year and one loan, so every number of
#: section 9 can be written down by hand.
LOAN = """\
name: Loan by hand
start_year: 2025
horizon: 6
facility: {available_hours: 100}
parties:
  - name: P
    role: public
    contributions:
      - {name: Fee, type: cash, amount: 1000}
finance:
  opening_cash: 500
  minimum_cash: 0
  discount_rate: 0
  loans:
    - {name: Bridge, amount: 1200, year: 2026, rate: 0.1, term: 3, grace_years: 1}
"""


def _project(write: Callable[..., Path], text: str = LOAN, name: str = "loan.yaml",
             ) -> finmodel.Projection:
    return finmodel.project(finmodel.load_scenario(write(text, name)))


def _lines(p: finmodel.Projection, *names: str) -> dict[str, list[float]]:
    return {n: p.lines[n].tolist() for n in names}


def test_linear_with_grace_by_hand(write: Callable[..., Path]) -> None:
    p = _project(write)
    # 2026: drawn; a grace year of interest only; then 400 a year over three years
    assert _lines(p, "loan_received", "interest", "repayment", "debt") == {
        "loan_received": [0, 1200, 0, 0, 0, 0],
        "interest": [0, 120, 120, 80, 40, 0],
        "repayment": [0, 0, 400, 400, 400, 0],
        "debt": [0, 1200, 800, 400, 0, 0],
    }
    assert p.lines["total_expenses"].tolist() == [0, 120, 120, 80, 40, 0]
    assert p.lines["result"].tolist() == [1000, 880, 880, 920, 960, 1000]
    assert p.lines["structural_result"].tolist() == [1000, 880, 880, 920, 960, 1000]
    assert p.lines["net_cash_flow"].tolist() == [1000, 2080, 480, 520, 560, 1000]
    assert p.lines["cash_end"].tolist() == [1500, 3580, 4060, 4580, 5140, 6140]
    assert p.lines["equity"].tolist() == [1500, 2380, 3260, 4180, 5140, 6140]
    # self-sufficiency: interest is a cost of its own: 1000 / 120 in 2026
    assert p.lines["self_sufficiency"][1] == pytest.approx(1000 / 120)
    # DSCR: the own cash (the fee, 1000) over interest + repayment, lowest in 2027
    assert p.kpis["min_debt_service_coverage"] == pytest.approx(1000 / 520)
    assert p.kpis["debt_end"] == 0
    assert p.kpis["financing_need"] == 0
    assert p.kpis["npv"] == pytest.approx(1000 + 2080 + 480 + 520 + 560 + 1000)
    checks = {c.name: c for c in p.checks}
    assert p.master_check
    assert checks["debt_service_coverage"].passed
    assert checks["debt_at_end"].passed
    assert checks["debt_at_end"].message == "every loan is repaid within the horizon (by 2030)"


def test_annuity_by_hand(write: Callable[..., Path]) -> None:
    text = LOAN.replace("{name: Bridge, amount: 1200, year: 2026, rate: 0.1, term: 3, "
                        "grace_years: 1}",
                        "{name: Bridge, amount: 1000, year: 2025, rate: 0.1, term: 2, "
                        "repayment: annuity}")
    p = _project(write, text)
    payment = 1000 * 0.1 / (1 - 1.1 ** -2)           # 576.19 a year
    first = payment - 100                            # interest 10 % of 1000
    assert p.lines["interest"][:3] == pytest.approx([100, 0.1 * (1000 - first), 0])
    assert p.lines["repayment"][:3] == pytest.approx([first, 1000 - first, 0])
    assert (p.lines["interest"] + p.lines["repayment"])[:2] == pytest.approx([payment] * 2)
    assert p.lines["debt"].tolist()[1:] == [0.0] * 5   # the last instalment clears it exactly
    assert p.kpis["min_debt_service_coverage"] == pytest.approx(1000 / payment)
    assert p.lines["loan_received"].tolist() == [1000, 0, 0, 0, 0, 0]


def test_annuity_at_a_denormal_rate_scales_with_the_amount(write: Callable[..., Path]) -> None:
    """At a rate of 5e-324 an annuity repays amount / term, for a half amount too
    (``amount * rate`` underflows to 0 for 0.5, so the factor comes first)."""
    for amount in (1.0, 0.5):
        text = LOAN.replace("{name: Bridge, amount: 1200, year: 2026, rate: 0.1, term: 3, "
                            "grace_years: 1}",
                            f"{{name: Bridge, amount: {amount}, year: 2025, rate: 5.0e-324, "
                            "term: 2, repayment: annuity}")
        p = _project(write, text)
        assert p.lines["repayment"][:3].tolist() == [amount / 2, amount / 2, 0.0]


def test_documented_example_annuity(write: Callable[..., Path]) -> None:
    """docs/scenario-format.md section 7.6: 20,000 at 5 %, one grace year, 4 years."""
    text = LOAN.replace("{name: Bridge, amount: 1200, year: 2026, rate: 0.1, term: 3, "
                        "grace_years: 1}",
                        "{name: Bridge, amount: 20000, year: 2026, rate: 0.05, term: 4, "
                        "grace_years: 1, repayment: annuity}")
    p = _project(write, text)
    assert np.round(p.lines["interest"][1:], 2).tolist() == [1000, 1000, 767.99, 524.38,
                                                              268.58]
    assert np.round(p.lines["repayment"][1:], 2).tolist() == [0, 4640.24, 4872.25, 5115.86,
                                                               5371.65]
    assert np.round(p.lines["debt"][1:], 2).tolist() == [20000, 15359.76, 10487.51, 5371.65, 0]


@pytest.mark.parametrize("kind", ["linear", "annuity"])
def test_rate_zero(write: Callable[..., Path], kind: str) -> None:
    text = LOAN.replace("rate: 0.1, term: 3, grace_years: 1}",
                        f"rate: 0, term: 4, repayment: {kind}}}")
    p = _project(write, text)
    assert p.lines["interest"].tolist() == [0] * 6
    assert p.lines["repayment"].tolist() == [0, 300, 300, 300, 300, 0]
    assert p.lines["debt"].tolist() == [0, 900, 600, 300, 0, 0]
    # DSCR in 2026 (drawn and first repayment): (2200 - 1200 - 300 + 300) / 300
    assert p.kpis["min_debt_service_coverage"] == pytest.approx(1000 / 300)


def test_instalments_after_the_horizon_stay_in_debt_end(write: Callable[..., Path]) -> None:
    text = LOAN.replace("horizon: 6", "horizon: 3")    # 2025-2027: two of three instalments
    p = _project(write, text)
    assert p.lines["repayment"].tolist() == [0, 0, 400]
    assert p.lines["debt"].tolist() == [0, 1200, 800]
    assert p.kpis["debt_end"] == 800
    flag = next(c for c in p.checks if c.name == "debt_at_end")
    assert (flag.kind, flag.passed, flag.years) == ("flag", False, (2027,))
    assert flag.message == "800 EUR of loan principal is still to be repaid after 2027"
    assert p.master_check                              # a flag is a warning


def test_dscr_below_one_flag(write: Callable[..., Path]) -> None:
    text = LOAN.replace("amount: 1000}", "amount: 450}")
    p = _project(write, text)
    # own cash 450 against a debt service of 120 (2026), 520, 480, 440
    assert p.kpis["min_debt_service_coverage"] == pytest.approx(450 / 520)
    flag = next(c for c in p.checks if c.name == "debt_service_coverage")
    assert (flag.passed, flag.years) == (False, (2027, 2028))
    assert flag.message == ("debt service not covered by the year's own cash flow "
                            "(DSCR below 1) in 2027, 2028")


def test_no_debt_service_inside_the_horizon(write: Callable[..., Path]) -> None:
    """A loan drawn in the last year still pays that year's interest; without loans null."""
    text = LOAN.replace("year: 2026", "year: 2030")
    p = _project(write, text)
    assert p.lines["interest"].tolist() == [0, 0, 0, 0, 0, 120]
    assert p.kpis["min_debt_service_coverage"] == pytest.approx(1000 / 120)
    assert p.kpis["debt_end"] == 1200
    plain = _project(write, LOAN.split("  loans:")[0], "plain.yaml")
    assert plain.kpis["min_debt_service_coverage"] is None
    assert [c.name for c in plain.checks if "debt" in c.name] == []


def test_financing_need_by_hand(write: Callable[..., Path]) -> None:
    text = LOAN.replace("minimum_cash: 0", "minimum_cash: 5000")
    p = _project(write, text)
    assert p.kpis["min_cash"] == 1500
    assert p.kpis["financing_need"] == 3500
    from finmodel.views.summary import sentences

    assert ("keep cash above 5,000 EUR in every year the lab needs 3,500 EUR more at "
            "the start, or a loan.") in sentences(p)[1]


def test_financing_need_equals_opening_cash_goal_seek() -> None:
    """Opening cash + financing need is the opening cash at which min_cash hits the minimum."""
    base = finmodel.load_scenario(ROOT / "scenarios" / "subsidy_stops_early.yaml")
    p = finmodel.project(base)
    need = p.kpis["financing_need"]
    assert need is not None and need > 0
    seek = goal_seek(base, "finance.opening_cash", "min_cash", base.finance.minimum_cash,
                     (base.finance.opening_cash, base.finance.opening_cash + 10 * need))
    assert seek.value == pytest.approx(base.finance.opening_cash + need, abs=1e-3)


def test_loan_paths_are_numeric_parameters(write: Callable[..., Path]) -> None:
    scenario = finmodel.load_scenario(write(LOAN, "loan.yaml"))
    known = numeric_parameters(scenario)
    for key in ("amount", "rate", "term", "grace_years", "year"):
        assert known[f"finance.loans[Bridge].{key}"] == "number"


def test_drawn_loan_terms_equal_single_projections(write: Callable[..., Path]) -> None:
    scenario = finmodel.load_scenario(write(LOAN, "loan.yaml"))
    draws = {"finance.loans[Bridge].rate": np.array([0.0, 0.05, 0.1]),
             "finance.loans[Bridge].amount": np.array([600.0, 1200.0, 2400.0]),
             "finance.loans[Bridge].term": np.array([1.0, 2.0, 5.0]),
             "finance.loans[Bridge].grace_years": np.array([0.0, 2.0, 1.0]),
             "finance.loans[Bridge].year": np.array([2025.0, 2026.0, 2027.0])}
    batch = finmodel.evaluate(scenario, draws=draws)
    for i in range(3):
        changes: dict[str, Any] = {k: v[i].item() for k, v in draws.items()}
        for key in ("term", "grace_years", "year"):
            changes[f"finance.loans[Bridge].{key}"] = int(changes[f"finance.loans[Bridge].{key}"])
        one = finmodel.project(scenario.with_changes(changes))
        for line in finmodel.LINES:
            np.testing.assert_array_equal(batch.lines[line][i], one.lines[line])
        for kpi in finmodel.KPIS:
            np.testing.assert_array_equal(batch.kpis[kpi][i], one.evaluation.kpis[kpi])


def test_without_loans_the_v1_arithmetic_exactly() -> None:
    """No loans: the loan lines are 0 and every v1 line is the v1 sum, bit for bit."""
    p = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"))
    line = p.lines
    for name in ("interest", "loan_received", "repayment", "debt"):
        assert line[name].tolist() == [0.0] * p.scenario.horizon
    v1_expenses = (line["operating_costs"] + line["variable_costs"] + line["depreciation"]
                   + line["in_kind_costs"])
    v1_cash = (line["rental_income"] + line["partner_cash"] + line["subsidy_cash"]
               - line["operating_costs"] - line["variable_costs"] - line["capex"])
    v1_result = (line["rental_income"] + line["operating_subsidies"]
                 + line["investment_subsidy_release"] + line["partner_cash"]
                 - line["operating_costs"] - line["variable_costs"] - line["depreciation"])
    assert line["total_expenses"].tobytes() == v1_expenses.tobytes()
    assert line["net_cash_flow"].tobytes() == v1_cash.tobytes()
    assert line["result"].tobytes() == v1_result.tobytes()
    assert p.kpis["debt_end"] == 0 and p.kpis["min_debt_service_coverage"] is None


# --- validation --------------------------------------------------------------------------

BAD = [
    ("year: 2026", "year: 2031",
     "finance.loans[Bridge].year: must be within the horizon 2025..2030, got 2031"),
    ("rate: 0.1", "rate: -0.01", "finance.loans[Bridge].rate: must be >= 0, got -0.01"),
    ("term: 3", "term: 0", "finance.loans[Bridge].term: must be >= 1, got 0"),
    ("term: 3", "term: 2.5", "finance.loans[Bridge].term: must be a whole number, got 2.5"),
    ("grace_years: 1}", "grace_years: -1}",
     "finance.loans[Bridge].grace_years: must be >= 0, got -1"),
    ("amount: 1200", "amount: 0", "finance.loans[Bridge].amount: must be > 0, got 0"),
    ("grace_years: 1}", "grace_years: 1, repayment: bullet}",
     "finance.loans[Bridge].repayment: must be one of 'linear' or 'annuity', got 'bullet'"),
    ("rate: 0.1, ", "", "finance.loans[Bridge].rate: required"),
    ("grace_years: 1}", "grace_years: 1, fee: 10}",
     "finance.loans[Bridge].fee: unknown key; allowed: amount, grace_years, name, rate, "
     "repayment, term, year"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_validation_messages(write: Callable[..., Path], old: str, new: str,
                             message: str) -> None:
    path = write(LOAN.replace(old, new), "bad.yaml")
    with pytest.raises(finmodel.ScenarioError) as caught:
        finmodel.load_scenario(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:15: {message}"]


def test_duplicate_loan_names(write: Callable[..., Path]) -> None:
    text = LOAN + "    - {name: Bridge, amount: 100, year: 2025, rate: 0, term: 1}\n"
    with pytest.raises(finmodel.ScenarioError) as caught:
        finmodel.load_scenario(write(text, "dup.yaml"))
    assert "duplicate name 'Bridge'" in str(caught.value)


def test_loans_merge_by_name_through_extends(write: Callable[..., Path]) -> None:
    write(LOAN, "parent.yaml")
    child = write("""\
        extends: parent.yaml
        finance:
          loans:
            - {name: Bridge, rate: 0.05, repayment: annuity}
            - {name: Equipment, amount: 500, year: 2027, rate: 0.04, term: 5}
        """, "child.yaml")
    scenario = finmodel.load_scenario(child)
    bridge, equipment = scenario.finance.loans
    assert (bridge.name, bridge.amount, bridge.rate, bridge.term, bridge.grace_years,
            bridge.repayment) == ("Bridge", 1200, 0.05, 3, 1, "annuity")
    assert (equipment.name, equipment.repayment, equipment.grace_years) == \
        ("Equipment", "linear", 0)
    assert scenario.finance.opening_cash == 500
    removed = write("""\
        extends: parent.yaml
        finance:
          loans:
            - {name: Bridge, remove: true}
        """, "removed.yaml")
    assert finmodel.load_scenario(removed).finance.loans == ()


# --- generated scenarios -----------------------------------------------------------------

@st.composite
def loans(draw: st.DrawFn, start: int, horizon: int) -> list[dict[str, Any]]:
    return [{"name": f"L{i}", "amount": draw(st.floats(1, 1e6)),
             "year": draw(st.integers(start, start + horizon - 1)),
             "rate": draw(st.floats(0, 0.15)), "term": draw(st.integers(1, 12)),
             "grace_years": draw(st.integers(0, 4)),
             "repayment": draw(st.sampled_from(["linear", "annuity"]))}
            for i in range(draw(st.integers(1, 3)))]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 15).flatmap(lambda h: st.tuples(st.just(h), loans(2025, h))),
       st.floats(-1e5, 1e5))
def test_loan_properties(case: tuple[int, list[dict[str, Any]]], opening: float) -> None:
    """Identities hold; debt rolls forward; nothing is repaid that was not drawn."""
    horizon, items = case
    data = {"name": "g", "start_year": 2025, "horizon": horizon,
            "facility": {"available_hours": 100},
            "parties": [{"name": "P", "role": "public", "contributions": [
                {"name": "Fee", "type": "cash", "amount": 5000}]}],
            "finance": {"opening_cash": opening, "minimum_cash": 1000, "loans": items}}
    p = finmodel.project(validate_scenario(data))
    assert p.master_check, [c.message for c in p.checks if not c.passed]
    line = p.lines
    np.testing.assert_allclose(line["debt"], np.cumsum(line["loan_received"] - line["repayment"]),
                               rtol=1e-9, atol=1e-6)
    assert (line["repayment"] >= -1e-9).all() and (line["debt"] >= -1e-6).all()
    assert line["loan_received"].sum() == pytest.approx(sum(
        loan["amount"] for loan in items))
    rates = np.array([loan["rate"] for loan in items])
    assert (line["interest"] <= rates.max() * (line["debt"] + line["repayment"]) + 1e-6).all()
    assert p.kpis["financing_need"] == pytest.approx(max(0.0, 1000 - line["cash_end"].min()))
    for loan in items:
        last = loan["year"] + loan["grace_years"] + loan["term"] - 1
        if last > 2025 + horizon - 1:
            assert p.kpis["debt_end"] > 0
    if all(loan["year"] + loan["grace_years"] + loan["term"] - 1 <= 2024 + horizon
           for loan in items):
        assert p.kpis["debt_end"] == pytest.approx(0, abs=1e-6)


# --- the command line --------------------------------------------------------------------

def _finmodel(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "finmodel", *args], capture_output=True,
                          text=True, cwd=ROOT, check=False)


def test_goal_seek_loan_amount_keeps_cash_above_minimum() -> None:
    scenario = finmodel.load_scenario(ROOT / "scenarios" / "bridge_loan.yaml")
    minimum = scenario.finance.minimum_cash
    done = _finmodel("goal-seek", "bridge_loan", "--param", "finance.loans[Bridge].amount",
                     "--target-kpi", "min_cash", "--target", repr(minimum), "--format", "json")
    assert done.returncode == 0, done.stderr
    value = json.loads(done.stdout)["value"]
    at = finmodel.project(scenario.with_changes({"finance.loans[Bridge].amount": value}))
    assert at.kpis["min_cash"] == pytest.approx(minimum, abs=0.01)
    less = finmodel.project(scenario.with_changes(
        {"finance.loans[Bridge].amount": value - 100}))
    assert less.kpis["min_cash"] < minimum


def test_run_prints_every_loan_line_and_kpi() -> None:
    done = _finmodel("run", "bridge_loan", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data["lines"]) == list(finmodel.LINES)
    assert list(data["kpis"]) == list(finmodel.KPIS)
    assert data["kpis"]["debt_end"] >= 0
    assert isinstance(data["kpis"]["min_debt_service_coverage"], float)
    names = [c["name"] for c in data["checks"]["items"]]
    assert {"debt_service_coverage", "debt_at_end"} <= set(names)
    table = _finmodel("run", "bridge_loan").stdout
    for label in ("Interest on loans", "Loans received", "Loan repayments",
                  "Loans outstanding", "Financing need",
                  "Lowest debt service coverage (DSCR)"):  # names, not keys (issue 11)
        assert label in table


def test_bridge_loan_story() -> None:
    """The bundled bridging loan: without it the reserve is lost in 2026; with it kept."""
    scenario = finmodel.load_scenario(ROOT / "scenarios" / "bridge_loan.yaml")
    p = finmodel.project(scenario)
    without = finmodel.project(scenario.with_changes({"finance.loans": []}))
    assert without.kpis["financing_need"] == pytest.approx(
        scenario.finance.minimum_cash - without.kpis["min_cash"])
    assert without.kpis["financing_need"] > 80_000
    assert p.kpis["financing_need"] == 0 and p.kpis["years_below_minimum"] == 0
    assert p.kpis["debt_end"] == 0
    assert p.years[p.lines["repayment"] > 0].tolist() == list(range(2030, 2036))
    # 4.5 % of 100 k for the four grace years, then of the falling balance
    assert p.lines["interest"].sum() == pytest.approx(
        4500 * 4 + 4500 * (6 + 5 + 4 + 3 + 2 + 1) / 6)
    assert p.master_check


def test_explorer_offers_the_loan_terms() -> None:
    from finmodel.explore.explorer import Explorer

    explorer = Explorer(ROOT / "scenarios" / "bridge_loan.yaml")
    loans = {c.path: c for c in explorer.controls if c.group == "Loans"}
    assert sorted(loans) == [f"finance.loans[Bridge].{k}" for k in
                             ("amount", "grace_years", "rate", "term", "year")]
    assert (loans["finance.loans[Bridge].year"].low,
            loans["finance.loans[Bridge].year"].high) == (2026, 2040)
    explorer.set("finance.loans[Bridge].rate", 0.0)
    assert explorer.projection.lines["interest"].sum() == 0
    explorer.set("finance.loans[Bridge].term", 3)
    assert explorer.projection.lines["repayment"][4:7].tolist() == pytest.approx([100_000 / 3] * 3)


def test_uncertain_loan_terms_are_checked_against_their_range(
        write: Callable[..., Path]) -> None:
    from finmodel.analysis.uncertainty import check_uncertainty

    text = LOAN + """\
uncertainty:
  "finance.loans[Bridge].year": {uniform: [2024, 2027]}
  "finance.loans[Bridge].term": {uniform: [0, 4]}
  "finance.loans[Bridge].rate": {uniform: [0.02, 0.08]}
"""
    path = write(text, "unc.yaml")
    with pytest.raises(finmodel.ScenarioError) as caught:
        check_uncertainty(finmodel.load_scenario(path))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:17: uncertainty.finance.loans[Bridge].year: uniform [2024, 2027] with "
        "apply: replace gives values from 2024 to 2027, but the parameter must be within "
        "the horizon 2025..2030; narrow the distribution or use a bounded one (uniform, "
        "triangular)",
        f"{path}:18: uncertainty.finance.loans[Bridge].term: uniform [0, 4] with apply: "
        "replace gives values from 0 to 4, but the parameter must be >= 1; narrow the "
        "distribution or use a bounded one (uniform, triangular)",
    ]

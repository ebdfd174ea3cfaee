"""The risk register and partner exit (spec section 7, issue 5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel import FinModelError, ScenarioError
from finmodel.analysis.risks import (
    RiskImpact,
    RiskRegister,
    risk_register,
    stressed,
    validate_risks,
)
from finmodel.analysis.what_if import compare, exit_overrides, partner_exit
from finmodel.cli import main
from finmodel.views.risks import expected_impact_chart, register_csv, register_text

from conftest import ROOT, TINY

#: The tiny scenario with three risks: a tariff cut and a series, nothing, a bigger fee.
RISKS = TINY + """\
risks:
  - name: Nothing happens
    probability: 0.9
  - name: Tariff and wages
    probability: 0.5
    description: A cheaper tariff for A and a wage shock in 2027.
    overrides:
      rental.segments[A].tariff: 8
      indexation.cpi: {2025: 0.1, 2027: 0.3}
  - name: Higher fee
    probability: 0.25
    overrides:
      parties[College].contributions[Fee].amount: 300
"""

#: Line numbers below count from the end of TINY.
END = TINY.count("\n")

#: The same stress as "Tariff and wages", written into the file itself.
STRESSED = TINY.replace("tariff: 10,", "tariff: 8,").replace("cpi: 0.10",
                                                             "cpi: {2025: 0.1, 2027: 0.3}")


@pytest.fixture
def risky(write: Callable[..., Path]) -> finmodel.Scenario:
    return finmodel.load_scenario(write(RISKS, "risky.yaml"))


def impacts(register: RiskRegister) -> dict[str, RiskImpact]:
    return {r.name: r for r in register.risks}


def test_risk_without_overrides_has_zero_impact(risky: finmodel.Scenario) -> None:
    """A risk that changes nothing moves no KPI and has no expected impact."""
    nothing = impacts(risk_register(risky))["Nothing happens"]
    assert nothing.impact == {"npv": 0.0, "min_cash": 0.0, "break_even_year": 0,
                              "years_below_minimum": 0}
    assert nothing.expected_impact == {"npv": 0.0, "min_cash": 0.0}


def test_risk_impact_equals_two_projections(risky: finmodel.Scenario,
                                            write: Callable[..., Path]) -> None:
    """Impact = KPIs of the stress written as a file minus KPIs of the base file."""
    base = finmodel.project(finmodel.load_scenario(write(TINY, "base.yaml"))).kpis
    stress = finmodel.project(finmodel.load_scenario(write(STRESSED, "stress.yaml"))).kpis
    risk = impacts(risk_register(risky))["Tariff and wages"]
    assert risk.impact["npv"] == stress["npv"] - base["npv"]
    assert risk.impact["min_cash"] == stress["min_cash"] - base["min_cash"]
    assert risk.impact["years_below_minimum"] == (stress["years_below_minimum"]
                                                  - base["years_below_minimum"])
    assert risk.expected_impact["npv"] == 0.5 * (stress["npv"] - base["npv"])
    assert risk.kpis == stress


def test_risk_impact_by_hand(risky: finmodel.Scenario) -> None:
    """A fee of 300 instead of 100: +200 cash a year, npv +200 x (1 + 1/1.1 + ...)."""
    fee = impacts(risk_register(risky))["Higher fee"]
    gain = 200 * sum(1 / 1.1**t for t in range(4))
    assert fee.impact["npv"] == pytest.approx(gain, abs=1e-9)
    assert fee.impact["min_cash"] == pytest.approx(200, abs=1e-9)   # lowest in 2025
    assert fee.expected_impact["npv"] == pytest.approx(0.25 * gain, abs=1e-9)


def test_risk_register_is_ranked_most_harmful_first(risky: finmodel.Scenario) -> None:
    """Ranked by expected npv impact: the tariff cut, nothing, then the gain."""
    register = risk_register(risky)
    assert [r.name for r in register.risks] == ["Tariff and wages", "Nothing happens",
                                                "Higher fee"]
    assert register.base == finmodel.project(risky).kpis


def test_risk_unknown_paths_are_clear_errors(write: Callable[..., Path]) -> None:
    """Each bad path is reported at its line, under the risk's name, all at once."""
    path = write(TINY + """\
risks:
  - name: Typos
    probability: 0.1
    overrides:
      rental.segments[Nope].tariff: 8
      finance.opening_csh: 5
      finance.discount_rate: -2
""", "typos.yaml")
    scenario = finmodel.load_scenario(path)
    assert [str(p) for p in validate_risks(scenario)] == [
        f"{path}:{END + 5}: risks[Typos].overrides.rental.segments[Nope].tariff: "
        "cannot set: no item named 'Nope'",
        f"{path}:{END + 6}: risks[Typos].overrides.finance.opening_csh: "
        "unknown key; allowed: discount_rate, loans, minimum_cash, opening_cash",
        f"{path}:{END + 7}: risks[Typos].overrides.finance.discount_rate: "
        "must be between -0.99 and 100 (-99 % to +10,000 % a year), got -2",
    ]
    with pytest.raises(ScenarioError) as info:
        risk_register(scenario)
    assert len(info.value.problems) == 3


def test_risk_probability_outside_unit_interval(write: Callable[..., Path]) -> None:
    """Probabilities above 1 or below 0 are schema errors at their line."""
    path = write(TINY + """\
risks:
  - {name: Sure, probability: 1.5}
  - {name: Never, probability: -0.1}
""", "probability.yaml")
    with pytest.raises(ScenarioError) as info:
        finmodel.load_scenario(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:{END + 2}: risks[Sure].probability: must be between 0 and 1, got 1.5",
        f"{path}:{END + 3}: risks[Never].probability: must be between 0 and 1, got -0.1",
    ]


def test_stressed_unknown_risk(risky: finmodel.Scenario) -> None:
    """Asking for a risk the scenario lacks names the ones it has."""
    with pytest.raises(FinModelError, match="no risk named 'Flood'.*risks: 'Nothing happens', "
                                            "'Tariff and wages', 'Higher fee'"):
        stressed(risky, "Flood")
    assert stressed(risky, "Higher fee").parties[0].contributions[0].amount.values == (300.0,)


def test_risks_cli_json_shape(risky: finmodel.Scenario, capsys: pytest.CaptureFixture[str],
                              write: Callable[..., Path]) -> None:
    """`finmodel risks --format json`: base KPIs and ranked risks with the issue's keys."""
    assert main(["risks", str(write(RISKS, "risky.yaml")), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["base"]["npv"] == finmodel.project(risky).kpis["npv"]
    first = data["risks"][0]
    assert (first["name"], first["probability"]) == ("Tariff and wages", 0.5)
    assert set(first["impact"]) >= {"npv", "min_cash", "years_below_minimum"}
    assert set(first["expected_impact"]) == {"npv", "min_cash"}


def test_risks_cli_bad_override_exits_2(capsys: pytest.CaptureFixture[str],
                                        write: Callable[..., Path]) -> None:
    """A bad override: exit code 2 and one FILE:LINE line on stderr, nothing on stdout."""
    path = write(TINY + "risks:\n  - {name: X, probability: 0.1, overrides: {a.b: 1}}\n")
    assert main(["risks", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"{path}:{END + 2}: risks[X].overrides.a.b: cannot set: no key 'a'\n"


def test_register_text_csv_and_chart(risky: finmodel.Scenario) -> None:
    """Table, CSV and chart show the ranked risks."""
    register = risk_register(risky)
    text = register_text(register)
    assert text.index("Tariff and wages") < text.index("Higher fee")
    rows = register_csv(register).splitlines()
    assert rows[0] == ("risk,probability,impact_npv,impact_min_cash,impact_break_even_year,"
                       "impact_years_below_minimum,expected_npv,expected_min_cash,"
                       "financing_need,impact_financing_need")
    assert rows[2] == "Nothing happens,0.9,0.0,0.0,0,0,0.0,0.0,0.0,0.0"
    ax = expected_impact_chart(register)
    assert [t.get_text() for t in ax.get_yticklabels()] == [r.name for r in register.risks]


# --- partner exit ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base() -> finmodel.Scenario:
    return finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")


@pytest.mark.parametrize("year", [2026, 2029, 2040])
def test_exit_removes_exactly_that_partys_flows(base: finmodel.Scenario, year: int) -> None:
    """From the exit year the party's contributions, benefits and own use are 0; nothing else
    changes, and nothing before that year."""
    before = finmodel.evaluate(base)
    after = finmodel.evaluate(partner_exit(base, "CareTech Vendor", year))
    cut = base.years >= year
    x0, x1 = before.inputs, after.inputs
    mine = np.array([p == "CareTech Vendor" for p, _, _ in x0.contributions])
    assert x1.contributions == x0.contributions
    assert (x1.contribution_amounts[mine][:, cut] == 0).all()
    assert (x1.contribution_amounts[mine][:, ~cut] == x0.contribution_amounts[mine][:, ~cut]).all()
    assert (x1.contribution_amounts[~mine] == x0.contribution_amounts[~mine]).all()
    assert (x1.benefit_amounts[:, cut] == 0).all()            # only the vendor has benefits
    assert (x1.benefit_amounts[:, ~cut] == x0.benefit_amounts[:, ~cut]).all()
    vendor = x0.parties.index("CareTech Vendor")
    assert (x1.own_use[vendor, cut] == 0).all()
    assert (x1.own_use[vendor, ~cut] == x0.own_use[vendor, ~cut]).all()
    others = [i for i in range(len(x0.parties)) if i != vendor]
    assert (x1.own_use[others] == x0.own_use[others]).all()
    for line in ("partner_cash", "in_kind_income", "cash_end"):
        assert (after.lines[line][~cut] == before.lines[line][~cut]).all()


def test_exit_overrides_of_windowed_items(write: Callable[..., Path]) -> None:
    """An item ending before the exit stays; one starting at or after it gets amount 0."""
    scenario = finmodel.load_scenario(write("""\
start_year: 2025
horizon: 5
facility: {available_hours: 100}
parties:
  - name: P
    role: other
    own_use_hours: {2025: 10, 2026: 20, 2029: 30}
    contributions:
      - {name: Early, type: cash, amount: 1, until: 2026}
      - {name: Late, type: cash, amount: 1, from: 2028}
      - {name: Always, type: in_kind, amount: 1}
    benefits:
      - {name: Later, amount: 1, from: 2027, until: 2029}
"""))
    assert exit_overrides(scenario, "P", 2027) == {
        "parties[P].contributions[Late].amount": 0.0,
        "parties[P].contributions[Always].until": 2026,
        "parties[P].benefits[Later].amount": 0.0,
        "parties[P].own_use_hours": {2025: 10.0, 2026: 20.0, 2027: 0.0},
    }
    assert exit_overrides(scenario, "P", 2025)["parties[P].own_use_hours"] == {2025: 0.0}


def test_exit_errors_name_what_is_allowed(base: finmodel.Scenario) -> None:
    """An unknown party or a year outside the horizon is a clear error."""
    with pytest.raises(FinModelError, match=r"no party named 'Vendor' in .*; parties: "
                                            r"'Vocational colleges \(mbo/hbo\)', "
                                            r"'Care organisations', 'CareTech Vendor'"):
        partner_exit(base, "Vendor", 2029)
    with pytest.raises(FinModelError, match=r"^exit year must be within the horizon "
                                            r"2026\.\.2040, got 2041$"):
        partner_exit(base, "CareTech Vendor", 2041)


def test_exit_through_a_risk_equals_partner_exit(base: finmodel.Scenario) -> None:
    """A risk listing the exit's overrides has the what-if's impact."""
    changes = exit_overrides(base, "CareTech Vendor", 2029)
    with_risk = base.with_changes({"risks": [{"name": "Vendor leaves", "probability": 0.2,
                                              "overrides": changes}]})
    risk = risk_register(with_risk).risks[0]
    comparison = compare(base, changes)
    assert risk.impact["npv"] == comparison.kpis["npv"]["difference"]
    assert risk.kpis == comparison.what_if.kpis


def test_what_if_cli_exit(capsys: pytest.CaptureFixture[str]) -> None:
    """`finmodel what-if base --exit ... --from 2029`: KPIs side by side, budget differences."""
    assert main(["what-if", "base", "--exit", "CareTech Vendor", "--from", "2029",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"]["parties[CareTech Vendor].contributions[Partner fee].until"] == 2028
    fee = data["lines"]["partner_cash"]["difference"]
    assert fee[:3] == [0.0, 0.0, 0.0] and fee[3] == pytest.approx(-35000 * 1.025**3, abs=1e-6)
    npv = data["kpis"]["npv"]
    assert npv["difference"] == npv["what_if"] - npv["base"]
    assert main(["what-if", "base", "--exit", "CareTech Vendor", "--from", "2029"]) == 0
    text = capsys.readouterr().out
    assert "Budget differences (what-if - base), EUR" in text
    assert "Partner contributions (cash)" in text


def test_what_if_cli_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """--exit without --from, and an unknown party, exit with 2 and one line."""
    assert main(["what-if", "base", "--exit", "CareTech Vendor"]) == 2
    assert capsys.readouterr().err == ("finmodel what-if: error: --exit needs --from YEAR, "
                                       "the first year without the party\n")
    assert main(["what-if", "base", "--exit", "Nobody", "--from", "2029"]) == 2
    assert "no party named 'Nobody'" in capsys.readouterr().err


def test_risks_html_ranked_problems_and_none(risky: finmodel.Scenario,
                                             write: Callable[..., Path]) -> None:
    """The section ranks the risks with a chart; bad risks are listed; no risks said so."""
    from finmodel.views.partnership_report import risks_html, risks_sheet

    html = risks_html(risky)
    assert html.index("<th>Tariff and wages</th>") < html.index("<th>Higher fee</th>")
    assert html.count("data:image/svg+xml;base64,") == 1
    assert risks_sheet(risky).index.tolist() == ["Tariff and wages", "Nothing happens",
                                                 "Higher fee"]
    bad = finmodel.load_scenario(write(TINY + "risks:\n  - {name: X, probability: 0.1, "
                                              "overrides: {a.b: 1}}\n", "bad.yaml"))
    assert "risks[X].overrides.a.b: cannot set: no key &#x27;a&#x27;</li>" in risks_html(bad)
    none = finmodel.load_scenario(write(TINY, "none.yaml"))
    assert "The scenario lists no risks." in risks_html(none)


def test_what_if_cli_risk_and_csv(capsys: pytest.CaptureFixture[str],
                                  write: Callable[..., Path]) -> None:
    """`what-if --risk NAME` applies that risk's overrides; CSV rows base/what_if/difference."""
    path = str(write(RISKS, "risky.yaml"))
    assert main(["what-if", path, "--risk", "Higher fee", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "line,measure,2025,2026,2027,2028"
    assert "partner_cash,difference,200.0,200.0,200.0,200.0" in rows
    assert main(["what-if", path, "--risk", "Flood"]) == 2
    assert capsys.readouterr().err == ("finmodel what-if: error: no risk named 'Flood'; risks: "
                                       "'Nothing happens', 'Tariff and wages', 'Higher fee'\n")


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_bundled_risks_apply(path: Path) -> None:
    """Every bundled scenario's risks (inherited ones included) apply to it."""
    scenario = finmodel.load_scenario(path)
    assert validate_risks(scenario) == []
    # the base case's five, and the bridging loan's own "Interest rises"
    assert len(risk_register(scenario).risks) == (6 if path.stem == "bridge_loan" else 5)


def test_bundled_vendor_exit_risk_is_the_partner_exit(base: finmodel.Scenario) -> None:
    """The base case's vendor-exit risk lists exactly the overrides of partner_exit."""
    risk = next(r for r in base.risks if r.name == "Vendor exits in 2029")
    assert risk.overrides == exit_overrides(base, "CareTech Vendor", 2029)


@settings(max_examples=40, deadline=None)
@given(party=st.sampled_from(["Vocational colleges (mbo/hbo)", "Care organisations",
                              "CareTech Vendor"]),
       year=st.integers(2026, 2040))
def test_exit_property_before_unchanged_after_gone(party: str, year: int) -> None:
    """Any party, any exit year: the years before are untouched, the party brings and gets
    nothing from then on, and the statement still reconciles with the budget."""
    from finmodel.analysis.parties import party_statement

    base = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    before = finmodel.project(base)
    after = finmodel.project(partner_exit(base, party, year))
    cut = base.years >= year
    for line in finmodel.LINES:
        assert np.array_equal(after.lines[line][~cut], before.lines[line][~cut], equal_nan=True)
    case = party_statement(after).parties[party]
    assert not case.brings[cut].any() and not case.gets[cut].any()
    parties = party_statement(after).parties.values()
    assert np.abs(sum(c.brings_cash for c in parties) - after.lines["partner_cash"]).max() < 1e-6

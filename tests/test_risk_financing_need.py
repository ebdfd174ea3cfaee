"""The risk register shows, per risk, the financing need with the risk and its change."""

from __future__ import annotations

import csv
import io
import json

import pytest

import finmodel
from finmodel.analysis.risks import risk_register
from finmodel.views import board, partnership_report
from finmodel.views.risks import financing_need, register_csv, register_text

from conftest import ROOT

CUT = "Operating grant cut by a quarter"


@pytest.fixture(scope="module")
def base() -> finmodel.Scenario:
    return finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")


def test_grant_cut_needs_17167_more(base: finmodel.Scenario) -> None:
    """By hand: base.yaml's lowest cash is 62,833 with a minimum of 50,000 (no need); the
    grant cut takes 10,000 a year in the 3 full years (30,000) off the lowest cash:
    32,833, so the lab needs 50,000 - 32,833 = 17,167 more."""
    register = risk_register(base)
    cut = next(r for r in register.risks if r.name == CUT)
    assert register.base["min_cash"] == 62_833.0 and register.base["financing_need"] == 0.0
    assert cut.impact["min_cash"] == -30_000.0
    assert financing_need(register, cut) == (17_167.0, 17_167.0)

    rows = {r["risk"]: r for r in csv.DictReader(io.StringIO(register_csv(register)))}
    assert (rows[CUT]["financing_need"], rows[CUT]["impact_financing_need"]) == (
        "17167.0", "17167.0")
    line = next(x for x in register_text(register).splitlines() if x.startswith(CUT))
    assert line.split()[-2:] == ["17,167", "+17,167"]
    nl = next(x for x in register_text(register, "nl").splitlines() if x.startswith(CUT))
    assert nl.split()[-2:] == ["17.167", "+17.167"]


def test_every_view_holds_the_identity(base: finmodel.Scenario) -> None:
    """For every risk: need = max(0, minimum cash - stressed lowest cash) and the change is
    need - base need; the HTML register and the workbook sheet show the same numbers."""
    register = risk_register(base)
    minimum = base.data["finance"]["minimum_cash"]
    sheet = partnership_report.risks_sheet(base)
    html = partnership_report.risks_html(base, "nl")
    assert "Financieringsbehoefte met risico" in html
    for r in register.risks:
        need, change = financing_need(register, r)
        assert need == max(0.0, minimum - r.kpis["min_cash"])
        assert change == need - max(0.0, minimum - register.base["min_cash"])
        assert sheet.loc[r.name, "financing need"] == need  # the workbook's words
        assert sheet.loc[r.name, "impact on the financing need"] == change
    assert "<td>17.167</td><td>+17.167</td>" in html  # euros, as every column


def test_base_with_a_financing_need_shows_the_change() -> None:
    """vendor_exits.yaml already needs money; a risk that changes nothing shows the base's
    need and a change of 0."""
    scenario = finmodel.load_scenario(ROOT / "scenarios" / "vendor_exits.yaml")
    register = risk_register(scenario)
    assert register.base["financing_need"] > 0
    same = next(r for r in register.risks if r.impact["min_cash"] == 0)
    assert financing_need(register, same) == (register.base["financing_need"], 0.0)


def test_board_names_the_extra_money_a_risk_needs(base: finmodel.Scenario) -> None:
    lines = board.top_risks(base, "en", count=5)
    cut = next(x for x in lines if x.startswith(CUT))
    assert cut.endswith("the lab needs 17,167 EUR more to keep cash above the minimum.")
    assert not any("needs" in x for x in lines if x.startswith("Wage shock"))
    assert any("€\xa017.167 extra nodig" in x for x in board.top_risks(base, "nl", count=5))


def test_json_keeps_its_keys(base: finmodel.Scenario) -> None:
    """The contract's JSON is unchanged: the need is already among each risk's KPIs."""
    data = json.loads(json.dumps(risk_register(base).to_dict()))
    first = data["risks"][0]
    assert set(first) == {"name", "probability", "description", "overrides", "impact",
                          "expected_impact", "kpis"}
    assert set(first["impact"]) == {"npv", "min_cash", "break_even_year",
                                    "years_below_minimum"}

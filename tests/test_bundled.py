"""The bundled scenarios load, balance and answer their questions."""

from __future__ import annotations

from pathlib import Path

import pytest

import finmodel

from conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_at_least_five_bundled() -> None:
    """The base case and its variants are there."""
    assert {p.stem for p in SCENARIOS} >= {"base", "subsidy_stops_early", "vendor_exits",
                                           "lean_cash", "rental_growth"}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenario_balances(path: Path) -> None:
    """Every bundled scenario has a description and passes the master check."""
    scenario = finmodel.load_scenario(path)
    projection = finmodel.project(scenario)
    assert len(scenario.description) > 80
    assert projection.master_check


@pytest.mark.parametrize("path", [p for p in SCENARIOS if p.stem != "base"], ids=lambda p: p.stem)
def test_variants_extend_the_base(path: Path) -> None:
    """Variants extend the base and state only what differs."""
    scenario = finmodel.load_scenario(path)
    assert [Path(f.path).name for f in scenario.files] == [path.name, "base.yaml"]


def test_base_case_story() -> None:
    """Base: subsidy about a third at the start, structural break-even, cash above reserve."""
    p = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"))
    lines = {name: values[:4].sum() for name, values in p.lines.items()}  # the subsidy years
    share = lines["subsidy_cash"] / (lines["total_expenses"] + lines["capex"])
    assert 0.25 < share < 0.4
    assert p.kpis["break_even_year"] is not None and p.kpis["break_even_year"] <= 2032
    assert p.kpis["years_below_minimum"] == 0
    assert all(c.passed for c in p.checks)

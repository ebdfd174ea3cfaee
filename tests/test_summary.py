"""Summary of a projection: key figures, generated sentences, checks, provenance, assumptions."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

import finmodel
from finmodel.model.paths import get_path
from finmodel.views import summary

#: Structural result -80, -30, 20, 20, 20 (rental 0, 50, 100, 100, 100 against costs of 80);
#: subsidy 100 and 50 in 2025-2026; cash 20, 40, 60, 80, 100 against a minimum of 50.
HAND = """\
name: Hand
start_year: 2025
horizon: 5
facility: {available_hours: 1000}
operating_costs:
  - {name: Coordinator, amount: 80}
rental:
  segments:
    - {name: Schools, tariff: 10, demand_hours: 10, ramp_up: [0, 0.5]}
subsidies:
  - {name: Start grant, type: operating, amounts: {2025: 100, 2026: 50}}
finance: {opening_cash: 0, minimum_cash: 50, discount_rate: 0}
"""


@pytest.fixture
def hand(write: Callable[..., Path]) -> finmodel.Projection:
    return finmodel.project(finmodel.load_scenario(write(HAND, "hand.yaml")))


def test_sentences_hand_made_scenario(hand: finmodel.Projection) -> None:
    """Break-even 2027, cash below the minimum in 2025-2026, no gap, 125 %, NPV 100."""
    assert summary.sentences(hand) == [
        "The lab covers its running costs without subsidy from 2027.",
        "Cash falls below the minimum of 50 EUR in 2025-2026 (lowest 20 EUR in 2025). "
        "To keep cash above 50 EUR in every year the lab needs 30 EUR more at the start, "
        "or a loan.",  # financing need = 50 - 20
        "In 2027, the first year after the subsidy, the structural result is not negative: "
        "there is no funding gap.",
        "In 2029, rental income and partner cash cover 125% of the costs (costs in kind "
        "left out).",
        "The net present value of the cash flows, discounted at 0.00%, is 100 EUR.",
    ]


def test_sentences_never_break_even_and_a_funding_gap(hand: finmodel.Projection) -> None:
    """Costs of 130: structural result -30 from 2027 on; the gap after the subsidy is 30."""
    p = finmodel.project(hand.scenario.with_changes(
        {"operating_costs[Coordinator].amount": 130.0, "finance.minimum_cash": 0.0,
         "finance.opening_cash": 1000.0}))
    first, cash, gap = summary.sentences(p)[:3]
    assert first == ("The lab does not cover its running costs without subsidy by 2029: "
                     "the structural result is -30 EUR in that year.")
    assert cash == "Cash stays above the minimum of 0 EUR in every year."
    assert gap == "In 2027, the first year after the subsidy, a funding gap of 30 EUR remains."


def test_sentences_without_subsidy_and_break_even_from_the_start(
        hand: finmodel.Projection) -> None:
    """No subsidy and tariffs high enough from the first year."""
    p = finmodel.project(hand.scenario.with_changes(
        {"subsidies": [], "rental.segments[Schools].ramp_up": [], "finance.opening_cash": 60.0}))
    assert summary.sentences(p)[:3] == [
        "The lab covers its running costs without subsidy in every year.",
        "Cash stays above the minimum of 50 EUR in every year.",
        "No subsidy is received in this scenario.",
    ]


def test_sentence_subsidy_until_the_last_year(hand: finmodel.Projection) -> None:
    """A subsidy paid in the last year: the years after it are not in the projection."""
    p = finmodel.project(hand.scenario.with_changes(
        {"subsidies[Start grant].amounts": {2025: 100, 2029: 10}}))
    assert summary.sentences(p)[2] == ("Subsidy is received until 2029, the last year of the "
                                       "projection, so the years after it are not shown.")


def test_kpi_table_hand_made_scenario(hand: finmodel.Projection) -> None:
    """The six key figures as a controller reads them (financing need: 50 - 20)."""
    assert summary.kpi_table(hand)["value"].to_dict() == {
        "npv": "100 EUR", "break_even_year": "2027", "min_cash": "20 EUR in 2025",
        "funding_gap_after_subsidy": "0 EUR", "financing_need": "30 EUR",  # 50 - 20
        "self_sufficiency": "125%"}


def test_failed_checks_and_master_check_text(hand: finmodel.Projection) -> None:
    """Cash below the minimum is a warning; the identities still hold."""
    assert [c.name for c in summary.failed_checks(hand)] == ["cash_above_minimum"]
    assert summary.master_check_text(hand) == (
        "Master check OK: every identity holds in every year; 1 warning, listed below.")
    table = summary.checks_table(hand).set_index("Check")  # human names, not identifiers
    assert table.loc["Cash above the minimum", "Status"] == "warning"
    assert table.loc["Cash above the minimum", "Years"] == "2025-2026"
    assert table.loc["Cash above the minimum", "Message"] == (
        "Cash is below the minimum of 50 EUR in 2025-2026.")
    assert table.loc["Cash flow adds up", "Status"] == "ok"
    dutch = summary.checks_table(hand, "nl").set_index("Controle")
    assert dutch.loc["Kas boven de minimale kaspositie", "Status"] == "waarschuwing"


def test_year_ranges_runs_and_single_years() -> None:
    """Consecutive years collapse into a run."""
    assert summary.year_ranges([2025, 2026, 2027, 2030, 2032, 2033]) == "2025-2027, 2030, 2032-2033"
    assert summary.year_ranges([]) == ""


def test_provenance_lists_the_file_and_its_parents_with_hashes(
        write: Callable[..., Path]) -> None:
    """A child that extends a parent: both files with their SHA-256, version, fixed time."""
    parent = write(HAND, "parent.yaml")
    child = write("extends: parent.yaml\nname: Child\n", "child.yaml")
    scenario = finmodel.load_scenario(child)
    now = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    rows = summary.provenance(scenario, now)
    assert [item for item, _ in rows] == ["scenario file", "SHA-256", "extends (level 1)",
                                          "SHA-256", "finmodel version", "generated"]
    assert Path(rows[0][1]).name == "child.yaml" and Path(rows[2][1]).name == "parent.yaml"
    assert rows[1][1] == hashlib.sha256(child.read_bytes()).hexdigest()
    assert rows[3][1] == hashlib.sha256(parent.read_bytes()).hexdigest()
    assert rows[4:] == [("finmodel version", finmodel.__version__),
                        ("generated", "2026-03-01 09:30:00+00:00")]


def test_assumption_rows_paths_address_their_values() -> None:
    """Every flattened path of the bundled scenarios reads back its value with get_path."""
    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "scenarios").glob("*.yaml")):
        data = finmodel.load_scenario(path).data
        rows = list(summary.assumption_rows(data))
        assert rows, path
        for key, value in rows:
            if '"' not in key:
                assert get_path(data, key) == value, (path.name, key)


def test_assumptions_table_shows_where_each_value_was_set(
        write: Callable[..., Path]) -> None:
    """A child's override is attributed to the child's line, the rest to the parent."""
    write(HAND, "parent.yaml")
    child = write("extends: parent.yaml\nname: Child\nfinance: {minimum_cash: 75}\n",
                  "child.yaml")
    table = summary.assumptions_table(finmodel.load_scenario(child)).set_index("path")
    assert table.loc["finance.minimum_cash", "value"] == "75"
    assert table.loc["finance.minimum_cash", "set in"].endswith("child.yaml:3")
    assert table.loc["subsidies[Start grant].amounts", "value"] == "2025: 100, 2026: 50"
    assert table.loc["subsidies[Start grant].amounts", "set in"].endswith("parent.yaml:11")
    assert table.loc["rental.segments[Schools].ramp_up", "value"] == "[0, 0.5]"

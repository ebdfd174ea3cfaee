"""The uncertainty commands: simulate, sensitivity, table and goal-seek."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from finmodel.cli import main

from conftest import TINY

UNCERTAIN = TINY + """\
uncertainty:
  "rental.segments[A].tariff": {uniform: [8, 12]}
  "indexation.cpi": {triangular: [0.05, 0.1, 0.12]}
seed: 11
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_json_keys(capsys: pytest.CaptureFixture[str],
                            write: Callable[..., Path]) -> None:
    """simulate --format json prints the issue's shape with the draws and seed asked for."""
    code, out, err = run(capsys, "simulate", str(write(UNCERTAIN)), "--draws", "300",
                         "--seed", "2", "--format", "json")
    data = json.loads(out)
    assert (code, err, data["draws"], data["seed"]) == (0, "", 300, 2)
    assert {"draws", "seed", "years", "percentiles", "kpis", "probabilities"} <= set(data)
    assert set(data["probabilities"]) >= {"cash_above_minimum_all_years", "break_even_by"}


def test_simulate_table_states_probability(capsys: pytest.CaptureFixture[str],
                                           write: Callable[..., Path]) -> None:
    """The table names the probability of staying above the minimum in words."""
    code, out, _ = run(capsys, "simulate", str(write(UNCERTAIN)), "--draws", "100")
    assert code == 0
    assert "of 100 draws cash stays above the minimum (500 EUR) in every year." in out


def test_sensitivity_json_ranked(capsys: pytest.CaptureFixture[str],
                                 write: Callable[..., Path]) -> None:
    """sensitivity ranks the rows by swing, largest first."""
    code, out, _ = run(capsys, "sensitivity", str(write(UNCERTAIN)), "--kpi",
                       "total_result", "--format", "json")
    data = json.loads(out)
    swings = [row["swing"] for row in data["rows"]]
    assert (code, data["kpi"], len(swings)) == (0, "total_result", 2)
    assert swings == sorted(swings, reverse=True)
    assert set(data["rows"][0]) >= {"param", "low", "high", "kpi_low", "kpi_high", "swing"}


def test_table_json_cells(capsys: pytest.CaptureFixture[str],
                          write: Callable[..., Path]) -> None:
    """table: cells[i][j] at y.values[i], x.values[j]."""
    code, out, _ = run(capsys, "table", str(write(TINY)), "--x",
                       "rental.segments[A].tariff=8:12:3", "--y", "finance.opening_cash=0:1000:2",
                       "--kpi", "min_cash", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["x"] == {"param": "rental.segments[A].tariff", "values": [8.0, 10.0, 12.0]}
    assert data["cells"][1][0] - data["cells"][0][0] == 1000.0


def test_table_bad_grid_is_one_line(capsys: pytest.CaptureFixture[str],
                                    write: Callable[..., Path]) -> None:
    """A malformed --x is a usage error (exit 2) with one line."""
    code, out, err = run(capsys, "table", str(write(TINY)), "--x", "indexation.cpi=0:1",
                         "--y", "finance.opening_cash=0:1:2")
    assert (code, out) == (2, "")
    assert err == ("finmodel table: error: expected PATH=A:B:N (N >= 1 values from A to B), "
                   "got 'indexation.cpi=0:1'\n")


def test_goal_seek_json_and_unreachable_exit_1(capsys: pytest.CaptureFixture[str],
                                               write: Callable[..., Path]) -> None:
    """goal-seek prints the value; an unreachable target exits 1 with a message."""
    path = str(write(TINY))
    code, out, _ = run(capsys, "goal-seek", path, "--param", "finance.opening_cash",
                       "--target-kpi", "min_cash", "--target", "3500", "--range", "0:5000",
                       "--format", "json")
    data = json.loads(out)
    assert (code, data["param"], data["kpi"], data["target"]) == (
        0, "finance.opening_cash", "min_cash", 3500.0)
    # min_cash = opening cash + 3,000 (TINY's lowest cash is its first year)
    assert abs(data["value"] - 500.0) < 1e-6 and abs(data["achieved"] - 3500.0) < 1e-6
    code, out, err = run(capsys, "goal-seek", path, "--param", "finance.opening_cash",
                         "--target-kpi", "min_cash", "--target", "1e9", "--range", "0:5000")
    assert (code, out) == (1, "")
    assert err.startswith("finmodel goal-seek: no value of finance.opening_cash in 0..5000")


def test_goal_seek_probability_json(capsys: pytest.CaptureFixture[str],
                                    write: Callable[..., Path]) -> None:
    """With --probability the answer carries the probability reached."""
    code, out, _ = run(capsys, "goal-seek", str(write(UNCERTAIN)), "--param",
                       "finance.opening_cash", "--target-kpi", "min_cash", "--target", "500",
                       "--probability", "0.8", "--range=-10000:10000", "--draws", "1000",
                       "--format", "json")
    data = json.loads(out)
    assert (code, data["probability"], data["draws"], data["seed"]) == (0, 0.8, 1000, 11)
    assert data["achieved"] >= 0.8


def test_table_text_reads_in_a_terminal(capsys: pytest.CaptureFixture[str],
                                        write: Callable[..., Path]) -> None:
    """x values across, y values down, thousands separators; min_cash is the 2025 cash,
    opening cash + 300 h x tariff (the rest of 2025's cash flow nets to zero in TINY)."""
    code, out, _ = run(capsys, "table", str(write(TINY)), "--x",
                       "rental.segments[A].tariff=8:12:3", "--y", "finance.opening_cash=0:1000:2",
                       "--kpi", "min_cash")
    assert code == 0
    assert out == ("Lowest cash at year end by Opening cash (down) and A: tariff "
                   "(across)\n\n" + " " * 13 + "8     10     12\n0        2,400  3,000  3,600\n"
                   "1,000    3,400  4,000  4,600\n")

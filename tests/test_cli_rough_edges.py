"""The CLI's rough edges of issue 9, item 7: each as the user met it, and what it says now."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from finmodel.cli import main

from conftest import MINIMAL

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_goal_seek_default_range_of_available_hours_is_searchable(cli: Run) -> None:
    """Available hours must be > 0: the default range starts just above 0 (it started at
    0 and was refused as 'cannot be searched')."""
    code, out, err = cli("goal-seek", "base", "--param", "facility.available_hours",
                         "--target-kpi", "npv", "--target", "0", "--format", "json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["range"][0] > 0 and result["range"][1] == 3 * 1800
    assert 0 < result["value"] < 1800 and abs(result["achieved"]) < 1e-3


def test_goal_seek_kpi_that_does_not_depend_on_the_parameter(cli: Run) -> None:
    """npv does not move with the minimum cash: say so, not 'try a wider --range'."""
    code, out, err = cli("goal-seek", "base", "--param", "finance.minimum_cash",
                         "--target-kpi", "npv", "--target", "0")
    assert (code, out) == (1, "")
    assert err.startswith("finmodel goal-seek: npv does not depend on finance.minimum_cash: "
                          "it is 134,874 for every value in -150000..150000")
    assert "wider" not in err


def test_goal_seek_out_of_reach_still_suggests_a_wider_range(cli: Run) -> None:
    code, _, err = cli("goal-seek", "base", "--param", "finance.opening_cash",
                       "--target-kpi", "min_cash", "--target", "1e9")
    assert code == 1 and "try a wider --range" in err and "does not depend" not in err


def test_table_marks_cells_that_are_not_valid(cli: Run) -> None:
    """Own use above the available hours is not a valid scenario: marked ``*`` in the
    table, ``invalid`` in JSON. base: own use 650 h in 2026, 960 h from 2027 (800 + 100
    + 60), of which the care organisations' 100 h are replaced by the table's value."""
    args = ("table", "base", "--x", "facility.available_hours=500:1100:3",
            "--y", "parties[Care organisations].own_use_hours=0:300:2")
    code, out, _ = cli(*args, "--format", "json")
    own_use_of_others = 800 + 60
    expected = [[own_use_of_others + y > x for x in (500, 800, 1100)] for y in (0, 300)]
    assert code == 0 and json.loads(out)["invalid"] == expected == [[True, True, False],
                                                                     [True, True, True]]
    code, out, _ = cli(*args)
    rows = out.splitlines()
    assert code == 0 and rows[3].count("*") == 2 and rows[4].count("*") == 3
    assert rows[-1].startswith("* not a valid scenario: the parties' own use is above")


def test_simulate_without_uncertainty_says_so(cli: Run, write: Callable[..., Path]) -> None:
    """No uncertainty block: exit 2 with why, instead of identical draws."""
    path = write(MINIMAL)
    code, out, err = cli("simulate", str(path), "--draws", "10")
    assert (code, out) == (2, "")
    assert err == (f"finmodel simulate: error: {path} has no uncertainty block, so every "
                   "draw would be the same; add one (see docs/scenario-format.md, "
                   "'uncertainty'), or use --with-risks on a scenario with risks\n")


def test_simulate_with_risks_only_runs(cli: Run, write: Callable[..., Path]) -> None:
    """Risks alone vary the draws: --with-risks runs without an uncertainty block."""
    path = write(MINIMAL + "finance: {opening_cash: 10}\nrisks:\n"
                 "  - {name: Loss, probability: 0.5, overrides: {finance.opening_cash: 0}}\n")
    code, out, _ = cli("simulate", str(path), "--draws", "200", "--with-risks",
                       "--format", "json")
    assert code == 0 and 0 < json.loads(out)["risks"]["Loss"] < 1


def test_simulate_table_columns_never_run_together(cli: Run) -> None:
    """Every row of the key figures is as wide as the header; values are separated
    (``2036over 99 %`` was one cell)."""
    code, out, _ = cli("simulate", "base", "--draws", "300")
    lines = out.splitlines()
    block = lines[2:lines.index("Probabilities") - 1]
    assert code == 0 and len({len(line) for line in block}) == 1
    assert not re.search(r"\d(over|under) ", out)
    for line in block[1:]:
        assert re.fullmatch(r"  \S(.*\S)?( {2,}\S+){4} {2,}(\S+|over 99 %|under 1 %)", line), line


def test_run_detail_needs_json(cli: Run) -> None:
    code, out, err = cli("run", "base", "--detail")
    assert (code, out) == (2, "")
    assert err == ("finmodel run: error: --detail adds per-item detail to the JSON output; "
                   "use it with --format json (not with --format table)\n")


def test_no_internal_argument_names_in_messages(cli: Run) -> None:
    code, _, err = cli("simulate", "base", "--draws", "0")
    assert code == 2
    assert err == "finmodel simulate: error: the number of draws must be at least 1, got 0\n"


@pytest.mark.parametrize("spec, message", [
    ("nosuch.yaml", "nosuch.yaml:1: (file): no such scenario file\n"),
    ("nosuch", "nosuch:1: (file): no such scenario file (nor scenarios/nosuch.yaml)\n"),
    ("dir/nosuch", "dir/nosuch:1: (file): no such scenario file\n"),
])
def test_missing_scenario_file(cli: Run, spec: str, message: str) -> None:
    """Only a bare name is looked up in scenarios/ (not ``scenarios/nosuch.yaml.yaml``)."""
    assert cli("run", spec) == (2, "", message)

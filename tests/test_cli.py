"""The finmodel command line: run, formats, errors, help and version."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import finmodel
from finmodel.cli import main

from conftest import ROOT, TINY


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_json_is_the_contract(capsys: pytest.CaptureFixture[str],
                                  write: Callable[..., Path]) -> None:
    """--format json prints the spec's object: scenario, start_year, years, lines, kpis."""
    code, out, err = run(capsys, "run", str(write(TINY)), "--format", "json")
    data = json.loads(out)
    assert (code, err) == (0, "")
    assert set(data) == {"scenario", "start_year", "years", "lines", "kpis", "checks"}
    assert (data["scenario"], data["start_year"], data["years"]) == ("Tiny", 2025,
                                                                     [2025, 2026, 2027, 2028])
    assert list(data["lines"]) == list(finmodel.LINES)
    assert all(len(v) == 4 for v in data["lines"].values())
    assert set(data["kpis"]) == set(finmodel.KPIS)
    assert data["lines"]["cash_end"] == [4000, 13250, 21945, 29379.5]
    assert data["kpis"]["break_even_year"] == 2025
    assert data["checks"]["master"] is True
    assert [c["name"] for c in data["checks"]["items"]][:2] == ["cash_identity",
                                                                "balance_identity"]


def test_run_json_detail(capsys: pytest.CaptureFixture[str], write: Callable[..., Path]) -> None:
    """--detail adds the per-item detail, which adds up to the lines."""
    code, out, _ = run(capsys, "run", str(write(TINY)), "--format", "json", "--detail")
    data = json.loads(out)
    segments = data["detail"]["segments"]
    assert segments["B"]["rental_income"] == [0, 6000, 6000, 6000]
    purchases = data["detail"]["purchases"]
    assert [(p["investment"], p["year"], p["cost"]) for p in purchases] == [
        ("Kit", 2025, 1200), ("Kit", 2028, 1200)]
    assert data["detail"]["subsidies"]["Inv"]["deferred"] == [600, 300, 0, 0]


def test_run_csv(capsys: pytest.CaptureFixture[str], write: Callable[..., Path]) -> None:
    """--format csv is the lines table, years as columns, floats unrounded."""
    code, out, _ = run(capsys, "run", str(write(TINY)), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["line", "2025", "2026", "2027", "2028"]
    by_line = {r[0]: r[1:] for r in rows[1:]}
    assert list(by_line) == list(finmodel.LINES)
    assert [float(v) for v in by_line["operating_costs"]] == pytest.approx([500, 550, 605, 665.5],
                                                                           abs=1e-9)
    assert by_line["self_sufficiency"][0] == repr(3100 / 1200)


def test_run_table(capsys: pytest.CaptureFixture[str], write: Callable[..., Path]) -> None:
    """The table shows years as columns, thousands separators, KPIs and checks."""
    code, out, _ = run(capsys, "run", str(write(TINY)))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Tiny (2025-2028), amounts in EUR"
    assert lines[2].split() == ["2025", "2026", "2027", "2028", "Total"]
    cash = next(line for line in lines if line.startswith("Cash at year end"))
    assert cash.split()[-4:] == ["4,000", "13,250", "21,945", "29,380"]
    assert any(line.startswith("  Net present value of the cash flows")
               and line.endswith("  24,181 EUR") for line in lines)
    assert "Checks: master check OK" in lines
    assert any(line.startswith("  [warn] Room for more use") for line in lines)


def test_run_bad_scenario_exit_2(capsys: pytest.CaptureFixture[str],
                                 write: Callable[..., Path]) -> None:
    """Bad input: one line per problem on stderr, nothing on stdout, exit 2."""
    path = write(TINY.replace("discount: 0.25", "discount: 1.5").replace("life: 3", "life: 0"))
    code, out, err = run(capsys, "run", str(path), "--format", "json")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{path}:9: investments[Kit].life: must be >= 1, got 0",
        f"{path}:16: rental.segments[B].discount: must be between 0 and 1, got 1.5"]


def test_run_checks_uncertainty_and_risks(capsys: pytest.CaptureFixture[str],
                                          write: Callable[..., Path]) -> None:
    """`run` reports a bad uncertainty path and a bad risk override together, exit 2."""
    path = write(TINY + """\
uncertainty:
  finance.opening_csh: {normal: [0, 1]}
risks:
  - {name: Typo, probability: 0.5, overrides: {finance.discount_rate: -2}}
""")
    code, out, err = run(capsys, "run", str(path))
    assert (code, out) == (2, "")
    assert [line.split(": ")[1] for line in err.splitlines()] == [
        "uncertainty.finance.opening_csh", "risks[Typo].overrides.finance.discount_rate"]
    assert err.splitlines()[1] == (f"{path}:31: risks[Typo].overrides.finance.discount_rate: "
                                   "must be between -0.99 and 100 "
        "(-99 % to +10,000 % a year), got -2")


def test_run_scenario_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    """A bare name is looked up in scenarios/."""
    code, out, _ = run(capsys, "run", "base", "--format", "json")
    assert code == 0 and json.loads(out)["start_year"] == 2026


def test_run_missing_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    """A name that matches no file is a usage error."""
    code, out, err = run(capsys, "run", "no_such_thing")
    assert (code, out) == (2, "")
    assert err == ("no_such_thing:1: (file): no such scenario file "
                   "(nor scenarios/no_such_thing.yaml)\n")


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a command, finmodel prints its help and exits 2."""
    code, out, err = run(capsys)
    assert code == 2 and "usage: finmodel" in err


def test_help_and_version_as_processes() -> None:
    """The installed console script answers --help and --version."""
    exe = Path(sys.executable).with_name("finmodel")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout == f"finmodel {finmodel.__version__}\n"
    helped = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True)
    assert "run" in helped.stdout and "usage: finmodel" in helped.stdout


def test_json_command_does_not_import_pandas() -> None:
    """`finmodel run --format json` stays light: pandas and matplotlib are not imported."""
    code = ("import sys; from finmodel.cli import main; main(['run', 'base', '--format', 'json']);"
            "sys.stderr.write(' '.join(m for m in ('pandas', 'matplotlib') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stderr == ""

"""Likely typing mistakes are warned about, everywhere, and never change a number (issue 9)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.cli import main
from finmodel.model.engine import LINES

from conftest import MINIMAL, TINY


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


#: TINY with three mistakes: CPI written as a percentage, a Dutch thousands separator in
#: an amount, and a tariff of 25,000 EUR an hour.
MISTAKES = (TINY.replace("cpi: 0.10", "cpi: 2.5")
            .replace("{name: Staff, amount: 500,", "{name: Staff, amount: 58.000,")
            .replace("{name: A, tariff: 10,", "{name: A, tariff: 25000,"))


def expected(path: Path) -> list[str]:
    return [
        f"{path}:5: indexation.cpi: warning: 2.5 means 250 % a year; write 0.025 for 2.5 %",
        f"{path}:11: operating_costs[Staff].amount: warning: 58.000 is read as 58 (YAML has "
        "no thousands separator); write 58000 for 58 thousand, or 58.0 for 58",
        f"{path}:15: rental.segments[A].tariff: warning: 25,000.00 EUR per hour is unusually "
        "large for tariff (expected 0 or 1 to 1,000 EUR per hour)",
    ]


def test_warnings_of_a_scenario(write: Callable[..., Path]) -> None:
    path = write(MISTAKES)
    scenario = finmodel.load_scenario(path)
    assert [str(w) for w in scenario.warnings] == expected(path)


def test_bundled_scenarios_have_no_warnings() -> None:
    for path in sorted(Path("scenarios").glob("*.yaml")):
        assert finmodel.load_scenario(path).warnings == (), path


@pytest.mark.parametrize(("text", "message"), [
    ("finance: {discount_rate: 0.3}\n",
     "4: finance.discount_rate: warning: 0.3 means 30 % a year; write 0.003 for 0.3 %"),
    ("indexation: {cpi: {2025: 0.02, 2027: 3}}\n",
     "4: indexation.cpi.2027: warning: 3 means 300 % a year; write 0.03 for 3 %"),
    ("finance: {opening_cash: 100.500}\n",
     "4: finance.opening_cash: warning: 100.500 is read as 100.5 (YAML has no thousands "
     "separator); write 100500 for 100.5 thousand, or 100.5 for 100.5"),
    ("operating_costs: [{name: X, amount: 200000000}]\n",
     "4: operating_costs[X].amount: warning: 200,000,000.00 EUR is unusually large for "
     "amount (expected 0 or 10 to 100,000,000 EUR)"),
    ("operating_costs: [{name: X, amount: 2.5}]\n",
     "4: operating_costs[X].amount: warning: 2.50 EUR is unusually small for amount "
     "(expected 0 or 10 to 100,000,000 EUR)"),
    ("rental: {variable_cost_per_hour: 0.5}\n",
     "4: rental.variable_cost_per_hour: warning: 0.50 EUR per hour is unusually small for "
     "variable_cost_per_hour (expected 0 or 1 to 1,000 EUR per hour)"),
    ("subsidies: [{name: S, type: operating, amounts: {2026: 12.500}}]\n",
     "4: subsidies[S].amounts.2026: warning: 12.500 is read as 12.5 (YAML has no thousands "
     "separator); write 12500 for 12.5 thousand, or 12.5 for 12.5"),
])
def test_each_kind_of_warning(write: Callable[..., Path], text: str, message: str) -> None:
    path = write(MINIMAL + text)
    assert [str(w) for w in finmodel.load_scenario(path).warnings] == [f"{path}:{message}"]


@pytest.mark.parametrize("text", [
    "indexation: {cpi: 0.025}\n",                       # three decimals in a rate
    "rental: {segments: [{name: S, tariff: 12.5, discount: 0.125, demand_hours: 10}]}\n",
    "finance: {opening_cash: 0.000}\n",                 # a leading 0 is not a thousands mark
    "finance: {opening_cash: '58.000'}\n",              # quoted: an error, not a warning
    "operating_costs: [{name: X, amount: 0}]\n",        # 0 is fine
    "finance: {opening_cash: -58000}\n",
])
def test_no_warning(write: Callable[..., Path], text: str) -> None:
    path = write(MINIMAL + text)
    try:
        scenario = finmodel.load_scenario(path)
    except finmodel.ScenarioError:
        assert "'58.000'" in text
        return
    assert scenario.warnings == ()


def test_warnings_on_stderr_for_every_command(write: Callable[..., Path],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = write(MISTAKES)
    lines = "".join(f"{w}\n" for w in expected(path))
    for command in (["run"], ["parties"], ["risks"], ["sensitivity"],
                    ["what-if", "--exit", "College", "--from", "2026"]):
        code, out, err = run(capsys, command[0], str(path), *command[1:])
        assert (code, err) == (0, lines), command
        assert out


def test_strict_makes_warnings_errors(write: Callable[..., Path],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = write(MISTAKES)
    code, out, err = run(capsys, "--strict", "run", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == expected(path)
    code, out, err = run(capsys, "--strict", "run", "base")
    assert (code, err) == (0, "")


def test_warnings_in_the_check_sheet(write: Callable[..., Path]) -> None:
    """Each warning is a failed flag named ``input_warning[PATH]``; the master check holds."""
    path = write(MISTAKES)
    p = finmodel.project(finmodel.load_scenario(path))
    flags = [c for c in p.checks if c.name.startswith("input_warning")]
    assert [(c.name, c.kind, c.passed) for c in flags] == [
        ("input_warning[indexation.cpi]", "flag", False),
        ("input_warning[operating_costs[Staff].amount]", "flag", False),
        ("input_warning[rental.segments[A].tariff]", "flag", False)]
    assert flags[0].message == (f"{path}:5: 2.5 means 250 % a year; write 0.025 for 2.5 %")
    assert p.master_check
    assert "input_warning[indexation.cpi]" in p.to_json()


def test_warnings_in_the_explorer_and_workbook(write: Callable[..., Path],
                                               tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from finmodel.explore.explorer import Explorer
    from finmodel.views.workbook import write_budget_xlsx

    path = write(MISTAKES)
    explorer = Explorer(str(path))
    assert "input_warning[indexation.cpi]" in [c.name for c in explorer.checks]
    target = write_budget_xlsx(explorer.projection, tmp_path / "b.xlsx")
    names = [row[1].value for row in openpyxl.load_workbook(target)["checks"].iter_rows()]
    assert "input_warning[rental.segments[A].tariff]" in names


@settings(max_examples=40, deadline=None)
@given(thousands=st.integers(1, 999), rest=st.integers(0, 999),
       rate=st.integers(26, 900))
def test_warnings_never_change_numbers(tmp_path_factory: pytest.TempPathFactory,
                                       thousands: int, rest: int, rate: int) -> None:
    """The same values written so that they warn (``58.000``, an index of 2.6) and written
    plainly (``58.0``, ``2.6``) give the same projection, bit for bit."""
    folder = tmp_path_factory.mktemp("w")
    amount = f"{thousands}.{rest:03d}"
    cpi = rate / 10
    text = TINY.replace("cpi: 0.10", f"cpi: {cpi}")
    warned = text.replace("{name: Staff, amount: 500,", f"{{name: Staff, amount: {amount},")
    plain = text.replace("{name: Staff, amount: 500,", f"{{name: Staff, amount: {amount}0,")
    (folder / "warned.yaml").write_text(warned)
    (folder / "plain.yaml").write_text(plain)
    a = finmodel.load_scenario(folder / "warned.yaml")
    b = finmodel.load_scenario(folder / "plain.yaml")
    dotted = [[w.path for w in s.warnings if "is read as" in w.message] for s in (a, b)]
    assert dotted == [["operating_costs[Staff].amount"], []]
    assert "indexation.cpi" in [w.path for w in b.warnings]
    assert a.operating_costs[0].amount.values == (float(amount),)
    pa, pb = finmodel.project(a), finmodel.project(b)
    for name in LINES:
        np.testing.assert_array_equal(pa.lines[name], pb.lines[name], err_msg=name)
    assert pa.kpis == pb.kpis


def test_values_set_by_a_program_are_not_warned_about(tiny: finmodel.Scenario) -> None:
    """The explorer's and the risks' changes were not typed: no typing-mistake warning."""
    changed = tiny.with_changes({"indexation.cpi": 2.5, "finance.opening_cash": 2.0})
    assert changed.warnings == ()
    assert changed.indexation["cpi"].values == (2.5,)

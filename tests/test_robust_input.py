"""Bad and extreme input gets a clear answer, never a traceback; names stay text (issue 9)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import finmodel
from finmodel import ScenarioError
from finmodel.analysis.risks import risk_register, stressed
from finmodel.analysis.what_if import partner_exit
from finmodel.cli import main
from finmodel.model import files

from conftest import MINIMAL, TINY


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        finmodel.load_scenario(path)
    return [str(p) for p in info.value.problems]


# --- values that would overflow -------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("start_year: 100000000000000000000\nhorizon: 3\nfacility: {available_hours: 100}\n",
     "1: start_year: must be a calendar year 1900..2200, got 100000000000000000000"),
    ("start_year: 2025\nhorizon: 1000\nfacility: {available_hours: 100}\n",
     "2: horizon: must be <= 50, got 1000"),
    (MINIMAL + "finance: {opening_cash: 1.0e+308}\n",
     "4: finance.opening_cash: must be at most 1e12 (a million million) in size, got 1e+308"),
    (MINIMAL + "finance: {discount_rate: -0.9999999}\n",
     "4: finance.discount_rate: must be between -0.99 and 100 (-99 % to +10,000 % a year), "
     "got -1"),
    (MINIMAL + "indexation: {cpi: {2025: 0.02, 2030: 700}}\n",
     "4: indexation.cpi: must be between -0.99 and 100 (-99 % to +10,000 % a year), got 700 "
     "(in 2030)"),
    (MINIMAL + "operating_costs:\n  - {name: X, amount: 1, from: 100000000000000000000}\n",
     "5: operating_costs[X].from: must be a calendar year 1900..2200, got "
     "100000000000000000000"),
    (MINIMAL + "operating_costs:\n  - {name: X, amount: {100000000000000000000: 5}}\n",
     "5: operating_costs[X].amount: keys must be calendar years 1900..2200, "
     "got 100000000000000000000"),
    (MINIMAL + "investments:\n  - {name: K, amount: 5, year: 2025, life: 100000000000}\n",
     "5: investments[K].life: must be <= 1000, got 100000000000"),
    (MINIMAL.replace("100}", ".inf}"),
     "3: facility.available_hours: must be a finite number, got inf"),
])
def test_extreme_values_are_refused_with_bounds(write: Callable[..., Path], text: str,
                                                expected: str) -> None:
    """Values whose products over 50 years could overflow: an error naming the bounds."""
    path = write(text)
    assert problems(path) == [f"{path}:{expected}"]


def test_largest_allowed_values_give_finite_numbers(write: Callable[..., Path]) -> None:
    """At the bounds (1e12 amounts, rates -0.99 and 100, 50 years) every number is finite."""
    path = write("""\
        start_year: 1900
        horizon: 50
        indexation: {up: 100}
        facility: {available_hours: 1000000000000}
        operating_costs: [{name: C, amount: 1000000000000, indexation: up}]
        rental:
          segments: [{name: S, tariff: 1000000000000, demand_hours: 1000000000000,
                      indexation: up}]
        finance: {opening_cash: -1000000000000, discount_rate: -0.99}
        """)
    p = finmodel.project(finmodel.load_scenario(path))
    assert all(np.isfinite(v).all() for v in p.lines.values() if v.dtype.kind == "f"
               and not np.isnan(v).all())
    assert all(v is None or math.isfinite(v) for v in p.kpis.values())
    assert "inf" not in p.to_json() and "NaN" not in p.to_json()


def test_yaml_12_floats(write: Callable[..., Path]) -> None:
    """``1e3`` is the number 1000 (YAML 1.2), as are ``1.5e3`` and ``1E3``; ``2.5e-2`` a rate."""
    path = write("""\
        start_year: 2025
        horizon: 2
        indexation: {cpi: 2.5e-2}
        facility: {available_hours: 1e3}
        operating_costs:
          - {name: A, amount: 1.5e3}
          - {name: B, amount: 1E3}
        """)
    scenario = finmodel.load_scenario(path)
    assert scenario.facility.available_hours.at(scenario.years).tolist() == [1000.0, 1000.0]
    assert [c.amount.at(scenario.years)[0] for c in scenario.operating_costs] == [1500.0, 1000.0]
    assert scenario.indexation["cpi"].at(scenario.years)[0] == 0.025
    quoted = write(MINIMAL + 'finance: {opening_cash: "1e3"}\n', "quoted.yaml")
    assert problems(quoted) == [f"{quoted}:4: finance.opening_cash: must be a number, got '1e3'"]


# --- hostile YAML ---------------------------------------------------------------------------

def test_deep_nesting_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Nested lists: a message, not a RecursionError or a crash (libyaml itself stops at
    a thousand levels, finmodel at MAX_DEPTH)."""
    path = tmp_path / "deep.yaml"
    path.write_text("start_year: " + "[" * 50 + "]" * 50 + "\n")
    code, out, err = run(capsys, "run", str(path))
    assert (code, out) == (2, "")
    assert err == (f"{path}:1: (yaml): nested more than {files.MAX_DEPTH} levels deep; "
                   "a scenario needs far fewer\n")
    path.write_text("start_year: " + "[" * 100_000 + "]" * 100_000 + "\n")
    code, out, err = run(capsys, "run", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"{path}:1: (yaml): ")
    assert "nesting depth" in err or "levels deep" in err


def test_billion_laughs_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Nine levels of ten aliases (10^9 values once expanded) stop at the value limit."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    code, _, err = run(capsys, "check", str(path))
    assert code == 2
    assert err.startswith(f"{path}:")
    assert err.endswith(f"(yaml): more than {files.MAX_VALUES:,} values (after expanding "
                        "aliases); a scenario needs far fewer\n")


def test_many_aliases_are_refused(write: Callable[..., Path]) -> None:
    """More than MAX_ALIASES aliases: refused at the first one too many."""
    text = MINIMAL + "x: &v 1\nys:\n" + "".join("  - *v\n" for _ in range(files.MAX_ALIASES + 1))
    path = write(text)
    line = 6 + files.MAX_ALIASES  # aliases from line 6 on
    assert problems(path) == [
        f"{path}:{line}: (yaml): more than {files.MAX_ALIASES} aliases (*name); write the "
        "values out"]


def test_huge_file_of_junk_keys_is_refused(tmp_path: Path) -> None:
    """Megabytes of junk keys: refused by size before parsing."""
    path = tmp_path / "junk.yaml"
    path.write_text("".join(f"junk_key_{i}: {i}\n" for i in range(300_000)))
    size = path.stat().st_size
    assert problems(path) == [
        f"{path}:1: (file): is {size:,} bytes; a scenario file may be at most "
        f"{files.MAX_FILE_BYTES:,} bytes"]


def test_many_junk_keys_are_refused_at_once(write: Callable[..., Path]) -> None:
    """Up to MAX_KEYS keys, every unknown key is named; beyond, one message."""
    path = write(MINIMAL + "".join(f"junk{i}: 1\n" for i in range(900)))
    found = problems(path)
    assert len(found) == 900
    assert found[0].startswith(f"{path}:4: junk0: unknown key; allowed: actuals, description, ")
    path = write(MINIMAL + "".join(f"junk{i}: 1\n" for i in range(40_000)))
    assert problems(path) == [f"{path}:{files.MAX_KEYS + 1}: (yaml): more than "
                              f"{files.MAX_KEYS:,} keys or items in one mapping or list"]


def test_many_values_are_refused(write: Callable[..., Path]) -> None:
    text = MINIMAL + "".join(f"m{j}:\n" + "".join(f"  k{i}: 1\n" for i in range(900))
                             for j in range(7))
    path = write(text)
    (found,) = problems(path)
    assert found.endswith(f": (yaml): more than {files.MAX_VALUES:,} values; a scenario needs "
                          "far fewer")


def test_libyaml_keeps_line_numbers(write: Callable[..., Path]) -> None:
    """The C loader still gives every value its line."""
    scenario = finmodel.load_scenario(write(TINY))
    assert files._BaseLoader is getattr(__import__("yaml"), "CSafeLoader", files._BaseLoader)
    assert scenario.origin("finance.discount_rate").line == 27
    assert scenario.origin("rental.segments[B].discount").line == 16


# --- seeds, names, overrides of left-out blocks -----------------------------------------------

def test_negative_seed(write: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A negative seed is refused, in the file and on the command line."""
    path = write(MINIMAL + "seed: -1\n")
    assert problems(path) == [f"{path}:4: seed: must be >= 0, got -1"]
    from finmodel.analysis.simulation import simulate

    with pytest.raises(finmodel.FinModelError, match=r"^seed: must be a whole number >= 0, "
                                                     r"got -1$"):
        simulate(finmodel.load_scenario("scenarios/base.yaml"), draws=10, seed=-1)
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "base", "--seed", "-1"])
    assert exit_info.value.code == 2
    assert "argument --seed: must be a whole number >= 0, got -1" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["a]b", "[x", "two\nlines", "tab\there"])
def test_names_that_would_break_paths_are_refused(write: Callable[..., Path],
                                                  name: str) -> None:
    """Brackets and line breaks in a name: a clear message at the item."""
    path = write(MINIMAL + f"parties:\n  - {{name: {name!r}, role: public}}\n"
                 .replace("'", '"').replace("\n\"", "\n"))
    (found,) = problems(path)
    assert found.startswith(f"{path}:5: parties")
    assert found.endswith(f".name: must not contain [ or ] or line breaks (names are used in "
                          f"paths such as parties[NAME]), got {name!r}")


def test_index_names_with_dots_are_refused(write: Callable[..., Path]) -> None:
    path = write(MINIMAL + "indexation: {c.p.i: 0.02}\n")
    assert problems(path) == [
        f"{path}:4: indexation.c.p.i: index names must be non-empty, without . [ ] or line "
        "breaks (they are used in paths such as indexation.cpi), got 'c.p.i'"]


def test_names_with_dots_work_in_paths_what_if_and_risks(write: Callable[..., Path]) -> None:
    """A party named ``St. Jan v.o.f.``: paths, partner exit and risk overrides all work."""
    text = TINY.replace("College", "St. Jan v.o.f.") + """\
risks:
  - name: Fewer hours
    probability: 0.5
    overrides: {"parties[St. Jan v.o.f.].own_use_hours": 100}
"""
    scenario = finmodel.load_scenario(write(text))
    assert stressed(scenario, "Fewer hours").parties[0].own_use_hours.at(
        scenario.years).tolist() == [100.0] * 4
    exit_ = finmodel.project(partner_exit(scenario, "St. Jan v.o.f.", 2027))
    assert exit_.lines["partner_cash"].tolist() == [100.0, 100.0, 0.0, 0.0]
    assert risk_register(scenario).risks[0].name == "Fewer hours"


def test_override_of_a_left_out_block(write: Callable[..., Path],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """``finance.opening_cash`` in a risk of a file without ``finance:``: the defaults
    hold, the override applies on top of them."""
    path = write(MINIMAL + """\
risks:
  - name: Cash
    probability: 0.5
    overrides: {finance.opening_cash: -500, rental.variable_cost_per_hour: 2}
""")
    scenario = finmodel.load_scenario(path)
    risky = stressed(scenario, "Cash")
    assert (risky.finance.opening_cash, risky.finance.discount_rate) == (-500.0, 0.04)
    assert risk_register(scenario).risks[0].impact["min_cash"] == -500.0
    code, _, err = run(capsys, "risks", str(path))
    assert (code, err) == (0, "")


def test_override_of_an_unknown_block_is_still_an_error(write: Callable[..., Path]) -> None:
    path = write(MINIMAL + """\
risks:
  - {name: X, probability: 0.5, overrides: {financing.opening_cash: 1}}
""")
    from finmodel.analysis.risks import validate_risks

    assert [str(p) for p in validate_risks(finmodel.load_scenario(path))] == [
        f"{path}:5: risks[X].overrides.financing.opening_cash: cannot set: no key 'financing'"]


def test_capacity_tolerates_float_rounding(write: Callable[..., Path]) -> None:
    """800.2 + 520.1 = 1320.3 hours is at capacity (1320.3000000000002 in floats)."""
    assert 800.2 + 520.1 > 1320.3  # the rounding this test is about
    scenario = finmodel.load_scenario(write("""\
        start_year: 2025
        horizon: 2
        facility: {available_hours: 1320.3}
        parties:
          - {name: A, role: public, own_use_hours: 800.2}
          - {name: B, role: public, own_use_hours: 520.1}
        rental:
          segments: [{name: S, tariff: 10, demand_hours: 100}]
        """))
    p = finmodel.project(scenario)
    assert p.lines["rented_hours"].tolist() == [0.0, 0.0]
    assert p.lines["rental_income"].tolist() == [0.0, 0.0]
    over = write(MINIMAL.replace("100}", "1320.3}") + """\
parties:
  - {name: A, role: public, own_use_hours: 800.2}
  - {name: B, role: public, own_use_hours: 520.2}
""", "over.yaml")
    assert problems(over) == [
        f"{over}:4: parties: own use of all parties (1,320.4 h) is above "
        "facility.available_hours (1,320.3 h) in 2025, 2026, 2027"]


def test_cofinancing_of_a_subsidy_that_pays_nothing(write: Callable[..., Path]) -> None:
    """A co-financing condition on a subsidy without cash in the horizon: no 'inf' ratio."""
    p = finmodel.project(finmodel.load_scenario(write(MINIMAL + """\
subsidies:
  - {name: Zero, type: operating, amounts: {2025: 0}, cofinancing_ratio: 2}
""")))
    (check,) = [c for c in p.checks if c.name == "cofinancing[Zero]"]
    assert (check.passed, check.message) == (
        True, "Zero pays nothing inside the horizon: nothing to co-finance")


# --- names are text -------------------------------------------------------------------------

FORMULA_NAMES = ("=1+1", "+31 6 123", "-lab", "@SUM(A1)")


def _formula_scenario(write: Callable[..., Path]) -> Path:
    text = TINY.replace("name: College", "name: '=1+1'").replace("{name: A,", "{name: '-lab',")
    text = text.replace("{name: Fee,", "{name: '@SUM(A1)',").replace("{name: Kit,",
                                                                      "{name: '+31 6 123',")
    return write(text + """\
risks:
  - {name: "=HYPERLINK(\\"x\\")", probability: 0.1, overrides: {finance.opening_cash: 0}}
""")


def test_workbook_names_are_strings(write: Callable[..., Path], tmp_path: Path) -> None:
    """A party named ``=1+1`` is the text ``=1+1`` in every sheet, never a formula."""
    openpyxl = pytest.importorskip("openpyxl")
    from finmodel.views.workbook import write_budget_xlsx

    p = finmodel.project(finmodel.load_scenario(_formula_scenario(write)))
    target = write_budget_xlsx(p, tmp_path / "budget.xlsx")
    book = openpyxl.load_workbook(target)
    names = {"=1+1", "-lab", "+31 6 123", "@SUM(A1)"}
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value in names]
    assert {c.value for c in cells} == names
    assert {c.data_type for c in cells} == {"s"}
    # the live workbook's own formulas (calculation, budget, ...) never hold a name
    formulas = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row
                if cell.data_type == "f"]
    assert formulas and not [f for f in formulas for name in names if name in f]
    (party,) = [c for c in cells if c.value == "=1+1" and c.parent.title == "detail"][:1]
    assert (party.data_type, party.value) == ("s", "=1+1")


@pytest.mark.parametrize("command", [["parties"], ["risks"], ["run"],
                                     ["what-if", "--exit", "=1+1", "--from", "2026"]])
def test_csv_cells_never_start_a_formula(write: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str],
                                         command: list[str]) -> None:
    """Every text cell of every CSV output starting with = + - @ is quoted with ``'``."""
    path = _formula_scenario(write)
    code, out, _ = run(capsys, command[0], str(path), *command[1:], "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    for row in rows:
        for cell in row:
            if cell.startswith(("=", "+", "-", "@")):
                float(cell)  # only numbers may start with a sign
    if command[0] == "parties":
        assert rows[1][:2] == ["'=1+1", "own_use_hours"]
    if command[0] == "risks":
        assert rows[1][:2] == ["'=HYPERLINK(\"x\")", "0.1"]


def test_csv_cell_rule() -> None:
    from finmodel.views.text import csv_cell

    assert [csv_cell(v) for v in (*FORMULA_NAMES, "-1.5e3", "12", "Lab", 3.0)] == [
        "'=1+1", "'+31 6 123", "'-lab", "'@SUM(A1)", "-1.5e3", "12", "Lab", 3.0]


def test_no_inf_or_nan_in_any_output_of_a_subsidy_paying_nothing(
        write: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Co-financing of nothing: every command and the report section show no inf/nan."""
    from finmodel.views.partnership_report import parties_html

    path = write(MINIMAL + """\
subsidies:
  - {name: Zero, type: operating, amounts: {2025: 0}, cofinancing_ratio: 2}
parties:
  - {name: P, role: public}
""")
    texts = []
    for command in ("run", "parties", "risks"):
        for fmt in ("table", "json", "csv"):
            code, out, err = run(capsys, command, str(path), "--format", fmt)
            assert (code, err) == (0, "")
            texts.append(out)
    texts.append(parties_html(finmodel.project(finmodel.load_scenario(path))))
    for text in texts:
        assert not {"inf", "nan", "NaN", "Infinity"} & set(
            text.replace(",", " ").replace(":", " ").split()), text
    assert "ratio - (nothing paid): meets the required 2" in texts[3]

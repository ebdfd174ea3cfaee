"""Every valid scenario works in every command, report section, sheet and the explorer.

Scenario files come from :mod:`scenarios_strategy` (the whole format, ``extends`` chains
included). Each property runs the real code in-process and checks what must hold for any
scenario: exit codes as documented (0, or 1 where a command says a goal is unreachable),
no exception, JSON without NaN or infinity, the contract's identities in every year.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.cli import main
from scenarios_strategy import GeneratedScenario, scenario_files, write_files

#: A cell or text that shows a float that is not a number.
NOT_A_NUMBER = re.compile(r"[>\s(](-?nan|-?inf|NaN|-?Infinity)[\s<)%]")

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextlib.contextmanager
def written(*generated: GeneratedScenario) -> Iterator[list[Path]]:
    """The generated files in a fresh folder each; the paths of the main files."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, item in enumerate(generated):
            sub = Path(folder) / str(i)
            sub.mkdir()
            paths.append(write_files(sub, item))
        yield paths


def cli(*args: str) -> tuple[int, str, str]:
    """``finmodel ARGS`` in-process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _no_constant(name: str) -> Any:
    raise AssertionError(f"{name} in JSON")


def strict_json(text: str) -> Any:
    """Parse JSON that must not hold NaN or Infinity (null is fine where allowed)."""
    return json.loads(text, parse_constant=_no_constant)


def ok(*args: str, codes: tuple[int, ...] = (0,)) -> str:
    code, out, err = cli(*args)
    assert code in codes, (args, code, err)
    assert "Traceback" not in err, err
    return out


def assert_identities(data: dict[str, Any]) -> None:
    """The contract's identities in every year of ``finmodel run --format json``."""
    lines = {k: np.array([np.nan if v is None else v for v in vs], dtype=float)
             for k, vs in data["lines"].items()}
    for name, values in lines.items():
        if name != "self_sufficiency":
            assert np.isfinite(values).all(), name
    scale = 1e-6 + 1e-9 * max(float(np.abs(v[np.isfinite(v)]).max(initial=0))
                              for v in lines.values())
    cash = (lines["result"] + lines["depreciation"] - lines["capex"] + lines["subsidy_cash"]
            - lines["operating_subsidies"] - lines["investment_subsidy_release"]
            + lines["loan_received"] - lines["repayment"])  # contract v1.1, with loans
    assert np.allclose(lines["net_cash_flow"], cash, rtol=0, atol=scale * 10)
    balance = (lines["cash_end"] + lines["book_value"] - lines["deferred_subsidy"]
               - lines["debt"])
    assert np.allclose(balance, lines["equity"], rtol=0, atol=scale * 10)
    income = sum(lines[k] for k in ("rental_income", "operating_subsidies",
                                    "investment_subsidy_release", "partner_cash",
                                    "in_kind_income"))
    assert np.allclose(lines["total_income"], income, rtol=0, atol=scale * 10)
    assert np.array_equal(lines["in_kind_income"], lines["in_kind_costs"])
    assert ((lines["occupancy"] >= 0) & (lines["occupancy"] <= 1 + 1e-12)).all()
    assert data["checks"]["master"] is True, data["checks"]
    assert data["kpis"]["book_value_end"] >= 0 and data["kpis"]["deferred_subsidy_end"] >= 0


def numeric_path(scenario: finmodel.Scenario) -> str:
    from finmodel.model.inputs import numeric_parameters

    params = numeric_parameters(scenario)
    return next((p for p in params if p.endswith(".tariff")), "finance.opening_cash")


def exercise_commands(path: Path) -> None:
    """Every command on one scenario file, every format."""
    p = str(path)
    for fmt in ("table", "csv"):
        assert ok("run", p, "--format", fmt)
    data = strict_json(ok("run", p, "--format", "json"))
    assert_identities(data)
    detail = strict_json(ok("run", p, "--format", "json", "--detail"))
    assert detail["lines"] == data["lines"] and "detail" in detail
    scenario = finmodel.load_scenario(path)
    for command in ("parties", "risks"):
        for fmt in ("table", "csv"):
            assert ok(command, p, "--format", fmt)
        strict_json(ok(command, p, "--format", "json"))
    if scenario.parties:
        party = scenario.parties[-1].name
        for year in (scenario.start_year, scenario.end_year):
            strict_json(ok("what-if", p, "--exit", party, "--from", str(year),
                           "--format", "json"))
        code, _, err = cli("what-if", p, "--exit", party, "--from", str(scenario.end_year + 1))
        assert code == 2 and "exit year must be within the horizon" in err
        assert ok("what-if", p, "--exit", party, "--from", str(scenario.start_year))
    for risk in scenario.risks:
        strict_json(ok("what-if", p, "--risk", risk.name, "--format", "json"))
    if scenario.uncertainty:
        strict_json(ok("simulate", p, "--draws", "40", "--format", "json"))
        assert ok("simulate", p, "--draws", "40", "--with-risks")
        strict_json(ok("sensitivity", p, "--format", "json"))
        assert ok("sensitivity", p, "--kpi", f"cash_end@{scenario.end_year}")
    else:
        code, _, err = cli("simulate", p, "--draws", "40")
        assert code == 2 and "has no uncertainty block" in err
    if scenario.risks:
        strict_json(ok("simulate", p, "--draws", "40", "--with-risks", "--format", "json"))
    if scenario.ledger is not None and scenario.ledger.years:
        for fmt in ("table", "csv"):
            assert ok("variance", p, "--format", fmt)
        variance = strict_json(ok("variance", p, "--format", "json"))
        assert variance["closed_years"] == list(scenario.ledger.years)
    else:
        code, _, err = cli("variance", p)
        assert code == 2 and "Traceback" not in err
    param = numeric_path(scenario)
    strict_json(ok("table", p, "--x", f"{param}=0:100:3", "--y", "finance.minimum_cash=0:1:2",
                   "--kpi", "min_cash", "--format", "json"))
    assert ok("table", p, "--x", f"{param}=0:100:3", "--y", "finance.minimum_cash=0:1:2")
    out = ok("goal-seek", p, "--param", param, "--target-kpi", "npv", "--target", "0",
             "--format", "json", codes=(0, 1))
    if out:
        strict_json(out)


@SETTINGS
@given(scenario_files())
def test_every_command_on_generated_scenarios(generated: GeneratedScenario) -> None:
    with written(generated) as (path,):
        exercise_commands(path)


@SETTINGS
@given(scenario_files())
def test_extends_chain_resolves_to_its_data(generated: GeneratedScenario) -> None:
    """A chain of files loads to the same scenario as one flat file of the same data."""
    ledgers = {n: text for n, text in generated.files.items() if n.endswith(".csv")}
    flat = GeneratedScenario({**ledgers, "flat.yaml": yaml.safe_dump(generated.data)},
                             "flat.yaml", generated.data)
    with written(generated, flat) as (chain_path, flat_path):
        chain, single = finmodel.load_scenario(chain_path), finmodel.load_scenario(flat_path)
        drop = ("name",)
        assert ({k: v for k, v in chain.data.items() if k not in drop}
                == {k: v for k, v in single.data.items() if k not in drop})
        a, b = finmodel.project(chain), finmodel.project(single)
        for line in finmodel.LINES:
            assert np.array_equal(a.lines[line], b.lines[line], equal_nan=True), line
        assert_same_actuals(chain, single, generated.data.get("actuals"))


def assert_same_actuals(chain: finmodel.Scenario, single: finmodel.Scenario,
                        table: Any) -> None:
    """The chain and the flat file read the same ledger; inline amounts as written (a CSV
    export to the cent)."""
    if table is None:
        assert chain.ledger is None and single.ledger is None
        return
    assert chain.ledger is not None and single.ledger is not None
    assert chain.ledger.years == single.ledger.years
    assert np.array_equal(chain.ledger.values, single.ledger.values, equal_nan=True)
    if isinstance(table, dict):
        from finmodel.model.actuals import ACTUAL_LINES

        assert list(chain.ledger.years) == sorted(table)
        for j, year in enumerate(chain.ledger.years):
            for i, line in enumerate(ACTUAL_LINES):
                expected = table[year].get(line, np.nan)
                assert np.array_equal(chain.ledger.values[i, j], expected, equal_nan=True)


@settings(SETTINGS, max_examples=10)
@given(scenario_files("base"), scenario_files("other"))
def test_compare_two_generated_scenarios(base: GeneratedScenario,
                                         other: GeneratedScenario) -> None:
    """compare: exit 0, or 1 with a message when the bridge cannot be built."""
    with written(base, other) as (a, b):
        code, out, err = cli("compare", str(a), str(b), "--format", "json",
                             "--permutations", "10")
        assert code in (0, 1) and "Traceback" not in err, err
        data = strict_json(out)
        if code == 0:
            bridge = data["bridge"]
            parts = sum(item["value"] for item in bridge["parts"])
            assert math.isclose(parts, bridge["total"], rel_tol=1e-9, abs_tol=1e-6)
        else:
            # input warnings (stderr) may come first
            assert data["bridge"] is None and "\nfinmodel compare: error: " in "\n" + err
        code, _, err = cli("compare", str(a), str(b), "--permutations", "10")
        assert code in (0, 1) and "Traceback" not in err


def report_sections(projection: finmodel.Projection) -> list[str]:
    """Every section of the scenario report, as the notebook builds it."""
    from finmodel.analysis.variance import variance
    from finmodel.views import (
        partnership_report,
        reporting,
        uncertainty_charts,
        variance_report,
    )

    actuals = ([variance_report.section_html(variance(projection.scenario, projection), lang)
                for lang in ("en", "nl")] if projection.scenario.ledger is not None else [])
    return [reporting.summary_html(projection, "en", None, reporting.contents(projection)),
            reporting.budget_html(projection), *actuals,
            reporting.charts_html(projection), reporting.detail_html(projection),
            partnership_report.parties_html(projection),
            partnership_report.agreement_html(projection),
            partnership_report.agreement_html(projection, "nl"),
            partnership_report.risks_html(projection.scenario),
            uncertainty_charts.section_html(projection.scenario, draws=50),
            reporting.checks_html(projection), reporting.assumptions_html(projection)]


@settings(SETTINGS, max_examples=8)
@given(scenario_files())
def test_every_report_section_on_generated_scenarios(generated: GeneratedScenario) -> None:
    from finmodel.views import summary

    with written(generated) as (path,):
        projection = finmodel.project(finmodel.load_scenario(path))
        for html in report_sections(projection):
            assert not NOT_A_NUMBER.search(html), NOT_A_NUMBER.search(html)
            assert "<script>" not in html  # the agreement's texts are escaped
        assert summary.sentences(projection)
        for frame in (summary.kpi_table(projection), summary.checks_table(projection),
                      summary.assumptions_table(projection.scenario)):
            assert len(frame.columns)


@settings(SETTINGS, max_examples=6)
@given(scenario_files("base"), scenario_files("other"))
def test_compare_report_on_generated_scenarios(base: GeneratedScenario,
                                               other: GeneratedScenario) -> None:
    from finmodel.views import compare_report

    with written(base, other) as (a, b):
        first, projections = compare_report.load([str(a), str(b)], str(a))
        assert compare_report.kpis_html(projections)
        assert compare_report.overlays_html(projections)
        assert compare_report.versus_html(first, projections[-1])


@settings(SETTINGS, max_examples=15)
@given(scenario_files())
def test_every_workbook_sheet_on_generated_scenarios(generated: GeneratedScenario) -> None:
    """budget.xlsx with the partnership sheets, read back: every number finite."""
    import openpyxl

    from finmodel.analysis.variance import variance
    from finmodel.views import variance_report
    from finmodel.views.partnership_report import workbook_sheets
    from finmodel.views.workbook import write_budget_xlsx

    with written(generated) as (path,):
        projection = finmodel.project(finmodel.load_scenario(path))
        target = path.parent / "budget.xlsx"
        sheets = workbook_sheets(projection)
        if projection.scenario.ledger is not None:
            sheets.update(variance_report.workbook_sheets(variance(projection.scenario,
                                                                   projection)))
        write_budget_xlsx(projection, target, extra_sheets=sheets)
        book = openpyxl.load_workbook(target)
        assert {"parties", "risks"} <= set(book.sheetnames)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, float):
                        assert math.isfinite(value), sheet.title
                    if isinstance(value, str):
                        assert value.lower() not in ("nan", "inf", "-inf"), sheet.title


@settings(SETTINGS, max_examples=15)
@given(scenario_files(), st.data())
def test_explorer_every_control_at_its_ends(generated: GeneratedScenario,
                                            data: st.DataObject) -> None:
    """Each control at its low and high end: projected, identities hold, KPIs finite."""
    from finmodel.explore.explorer import Explorer

    with written(generated) as (path,):
        explorer = Explorer(path)
        for control in explorer.controls:
            for value in (control.low, control.high):
                explorer.set(control.path, value)
                assert all(c.passed for c in explorer.checks if c.kind == "identity")
                for kpi, number in explorer.kpis.items():
                    assert number is None or math.isfinite(number), kpi
                assert explorer.chart_data()
            explorer.set(control.path, control.base)
        assert explorer.overrides() == {}
        if explorer.controls:
            control = data.draw(st.sampled_from(explorer.controls))
            explorer.set(control.path, control.high)
            saved = explorer.save_as("explored", path.parent)
            finmodel.project(finmodel.load_scenario(saved))


@pytest.mark.slow
def test_report_command_on_generated_scenarios(tmp_path: Path) -> None:
    """The real ``finmodel report`` (papermill, every format) on a handful of generated
    files: exit 0 and every report written."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    mains: list[str] = []

    @settings(max_examples=4, deadline=None, derandomize=True, database=None)
    @given(scenario_files("genfile"))
    def collect(generated: GeneratedScenario) -> None:
        stem = f"gen{len(mains)}"
        files = {name.replace("genfile", stem): text.replace("genfile-", f"{stem}-")
                 for name, text in generated.files.items()}
        write_files(folder, GeneratedScenario(files, f"{stem}.yaml", generated.data))
        mains.append(str(folder / f"{stem}.yaml"))

    collect()
    code, out, err = cli("report", *mains, "--out", str(tmp_path / "out"), "--jobs", "2")
    assert code == 0, err
    for main_file in mains:
        stem = Path(main_file).stem
        assert {p.name for p in (tmp_path / "out" / stem).iterdir()} == {
            "report.html", "budget.xlsx", "report.ipynb"}

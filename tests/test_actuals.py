"""Actuals, the prognosis and the variance (spec section 10)."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import finmodel
from finmodel.analysis.variance import variance
from finmodel.cli import main
from finmodel.model.actuals import ACTUAL_FLOWS, ACTUAL_LINES, parse_number
from finmodel.model.engine import KPIS, LINES
from finmodel.model.scenario import validate_scenario
from test_properties import FAST, scenarios

#: Three years, no indexation: every line of plan and prognosis follows by hand.
#: Plan per year: rental 1,000 (100 h x 10), staff 500, depreciation 300 (900 / 3),
#: in 2025 the kit (900) and an operating subsidy of 300.
HAND = """\
name: Hand
start_year: 2025
horizon: 3
facility: {available_hours: 1000}
investments:
  - {name: Kit, amount: 900, year: 2025, life: 3}
operating_costs:
  - {name: Staff, amount: 500}
rental:
  segments:
    - {name: A, tariff: 10, demand_hours: 100}
subsidies:
  - {name: Op, type: operating, amounts: {2025: 300}}
finance: {opening_cash: 1000, minimum_cash: 0, discount_rate: 0}
"""

#: 2025: rental 200 behind, the kit 90 dearer, 80 rented hours; a cash control 200 off.
#: 2026: rental 50 behind, capex not given (plan kept); the cash control reconciles
#: (within a cent).
HAND_ACTUALS = """\
actuals:
  2025: {rental_income: 800, capex: 990, rented_hours: 80, cash_end: 810}
  2026: {rental_income: 950, cash_end: 1060.005}
"""
HAND_CSV_SEMICOLON = """\
line;2025;2026
rental_income;800;950
capex;990;
rented_hours;80;
cash_end;810;1.060,005
"""
HAND_CSV_COMMA = """\
line,2025,2026
rental_income,800.00,950
capex,990,
rented_hours,80,
cash_end,810,1060.005
"""


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hand(write: Callable[..., Path]) -> finmodel.Scenario:
    return finmodel.load_scenario(write(HAND + HAND_ACTUALS, "hand.yaml"))


def test_hand_prognosis_lines(hand: finmodel.Scenario) -> None:
    v = variance(hand)
    p = v.prognosis.lines
    # flows: actual in the closed years where given, the plan's otherwise
    assert p["rental_income"].tolist() == [800, 950, 1000]
    assert p["capex"].tolist() == [990, 0, 0]
    assert p["depreciation"].tolist() == [300, 300, 300]
    assert p["rented_hours"].tolist() == [80, 100, 100]
    # result 800 + 300 - 500 - 300 = 300; 950 - 800 = 150; plan 200
    assert p["result"].tolist() == [300, 150, 200]
    assert p["structural_result"].tolist() == [0, 150, 200]
    # cash flow 800 + 300 - 500 - 990 = -390; 950 - 500 = 450; 500
    assert p["net_cash_flow"].tolist() == [-390, 450, 500]
    assert p["cash_end"].tolist() == [610, 1060, 1560]
    assert p["book_value"].tolist() == [690, 390, 90]          # 990 - 300, then -300 a year
    assert p["equity"].tolist() == [1300, 1450, 1650]
    np.testing.assert_allclose(p["occupancy"], [0.08, 0.1, 0.1])
    np.testing.assert_allclose(p["self_sufficiency"], [1.0, 950 / 800, 1.25])
    assert v.prognosis.master_check
    # the plan is untouched by the actuals
    assert v.plan.lines["cash_end"].tolist() == [900, 1400, 1900]
    assert finmodel.project(hand).lines["rental_income"].tolist() == [1000, 1000, 1000]


def test_hand_variance_and_kpis(hand: finmodel.Scenario) -> None:
    d = variance(hand).to_dict()
    assert d["closed_years"] == [2025, 2026]
    assert d["variance"]["rental_income"] == {
        "plan": [1000, 1000], "actual": [800, 950], "difference": [-200, -50],
        "relative": [-0.2, -0.05], "from_plan": [False, False]}
    assert d["variance"]["capex"] == {
        "plan": [900, 0], "actual": [990, 0], "difference": [90, 0],
        "relative": [pytest.approx(0.1), None], "from_plan": [False, True]}
    assert d["variance"]["operating_costs"]["from_plan"] == [True, True]
    assert d["variance"]["result"]["difference"] == [-200, -50]
    kpis = d["kpis"]
    assert kpis["total_result"] == {"plan": 900, "prognosis": 650, "difference": -250}
    assert kpis["npv"] == {"plan": 900, "prognosis": 560, "difference": -340}
    assert kpis["min_cash"] == {"plan": 900, "prognosis": 610, "difference": -290}
    assert kpis["book_value_end"] == {"plan": 0, "prognosis": 90, "difference": 90}
    assert d["prognosis"]["kpis"]["total_result"] == 650


def test_hand_reconciliation_flag(hand: finmodel.Scenario) -> None:
    items = {c["name"]: c for c in variance(hand).to_dict()["checks"]["items"]}
    flag = items["reconciliation[cash_end]"]
    assert flag["kind"] == "flag" and flag["passed"] is False
    assert flag["years"] == [2025]                       # 2026 is within a cent
    assert flag["differences"] == [pytest.approx(200.0)]   # 810 booked - 610 rolled forward
    assert "2025: +200.00 EUR" in flag["message"]
    assert items["cash_identity"]["passed"] and items["balance_identity"]["passed"]


@pytest.mark.parametrize("table", [HAND_CSV_SEMICOLON, HAND_CSV_COMMA])
def test_csv_and_inline_give_the_same(write: Callable[..., Path], hand: finmodel.Scenario,
                                      table: str, tmp_path: Path) -> None:
    # the CSV resolves relative to the file that names it (here a parent in another folder)
    (tmp_path / "books").mkdir()
    write(table, "books/ledger.csv")
    write("extends: ../hand.yaml\nactuals: ledger.csv\n", "books/parent.yaml")
    from_csv = finmodel.load_scenario(write("extends: books/parent.yaml\n", "child.yaml"))
    assert from_csv.ledger is not None and hand.ledger is not None
    assert from_csv.ledger.years == hand.ledger.years
    np.testing.assert_array_equal(from_csv.ledger.values, hand.ledger.values)
    a, b = variance(hand).to_dict(), variance(from_csv).to_dict()
    a.pop("scenario"), b.pop("scenario")
    assert a == b


def test_inline_actuals_merge_through_extends(write: Callable[..., Path]) -> None:
    """A yearly file extends the plan with one year closed and adds the next."""
    write(HAND + "actuals:\n  2025: {rental_income: 800}\n", "hand.yaml")
    path = write("extends: hand.yaml\nactuals:\n  2026: {rental_income: 950}\n"
                 "  2025: {capex: 990}\n", "hand_2026.yaml")
    ledger = finmodel.load_scenario(path).ledger
    assert ledger is not None and ledger.years == (2025, 2026)
    assert ledger.line("rental_income").tolist() == [800, 950]
    assert ledger.line("capex")[0] == 990 and math.isnan(ledger.line("capex")[1])


def _problems(write: Callable[..., Path], text: str, csv: str | None = None) -> list[str]:
    if csv is not None:
        write(csv, "ledger.csv")
    with pytest.raises(finmodel.ScenarioError) as caught:
        finmodel.load_scenario(write(HAND + text, "bad.yaml"))
    return [str(p).replace(str(Path(caught.value.problems[0].file).parent) + "/", "")
            for p in caught.value.problems]


def test_bad_actuals_gap(write: Callable[..., Path]) -> None:
    text = "actuals:\n  2025: {capex: 1}\n  2027: {capex: 1}\n"
    assert _problems(write, text) == [
        "bad.yaml:17: actuals.2027: closed years must be consecutive from 2025: 2026 has no "
        "amounts"]


def test_bad_actuals_first_year_missing(write: Callable[..., Path]) -> None:
    assert _problems(write, "actuals:\n  2026: {capex: 1}\n") == [
        "bad.yaml:16: actuals.2026: closed years must be consecutive from 2025: 2025 has no "
        "amounts"]


def test_bad_actuals_unknown_line(write: Callable[..., Path]) -> None:
    text = "actuals:\n  2025:\n    capex: 1\n    rental_incme: 800\n"
    assert _problems(write, text) == [
        "bad.yaml:18: actuals.2025.rental_incme: unknown line; allowed: "
        + ", ".join(ACTUAL_LINES)]


def test_bad_actuals_outside_horizon(write: Callable[..., Path]) -> None:
    text = "actuals:\n  2025: {capex: 1}\n  2026: {capex: 1}\n  2027: {capex: 1}\n" \
           "  2028: {capex: 1}\n"
    assert _problems(write, text) == [
        "bad.yaml:19: actuals.2028: year outside the horizon 2025..2027"]


def test_bad_actuals_text_in_a_number_cell(write: Callable[..., Path]) -> None:
    csv = "line;2025;2026\nrental_income;800;950\ncapex;990;abc\n"
    assert _problems(write, "actuals: ledger.csv\n", csv) == [
        "ledger.csv:3: row 'capex', column 2026: not a number: 'abc'"]


def test_bad_actuals_all_problems_at_once(write: Callable[..., Path]) -> None:
    csv = "line,2025,2026\nrental_income,800,x\nfoo,1,2\n"
    problems = _problems(write, "actuals: ledger.csv\nseed: -1\n", csv)
    assert problems == ["bad.yaml:16: seed: must be >= 0, got -1",
                        "ledger.csv:2: row 'rental_income', column 2026: not a number: 'x'",
                        "ledger.csv:3: row 'foo': unknown line; allowed: "
                        + ", ".join(ACTUAL_LINES)]


def test_missing_csv(write: Callable[..., Path]) -> None:
    problems = _problems(write, "actuals: nowhere.csv\n")
    assert len(problems) == 1 and problems[0].startswith(
        "bad.yaml:15: actuals: cannot read ")


def test_empty_year_column_is_not_closed(write: Callable[..., Path]) -> None:
    """A year column without amounts (a template for the next year) is not closed."""
    write("line;2025;2026;2027\nrental_income;800;;\n", "ledger.csv")
    ledger = finmodel.load_scenario(write(HAND + "actuals: ledger.csv\n", "s.yaml")).ledger
    assert ledger is not None and ledger.years == (2025,)
    assert [w.path for w in ledger.warnings] == ["column 2026", "column 2027"]
    assert "not counted as a closed year" in ledger.warnings[0].message


def test_dutch_numbers() -> None:
    assert parse_number("1.234,56", ";") == (1234.56, False)
    assert parse_number("-12.345.678,9", ";") == (-12345678.9, False)
    assert parse_number("\u20ac 1.234,56", ";") == (1234.56, False)
    assert parse_number("1.234", ";") == (1234.0, True)       # thousands, flagged
    assert parse_number("1.5", ";") == (1.5, False)           # no group of three: a point
    assert parse_number("1234,5", ",") == (None, False)       # `,` files: decimal point only
    assert parse_number("1,234.5", ";") == (None, False)
    assert parse_number("nan", ",") == (None, False)
    assert parse_number("1e3", ";") == (None, False)


def test_ambiguous_point_warns(write: Callable[..., Path]) -> None:
    write("line;2025\ncapex;1.234\nrental_income;2.000\n", "ledger.csv")
    ledger = finmodel.load_scenario(write(HAND + "actuals: ledger.csv\n", "s.yaml")).ledger
    assert ledger is not None and ledger.line("capex")[0] == 1234
    assert len(ledger.warnings) == 1 and ledger.warnings[0].line == 2


# --- identities on generated scenarios ------------------------------------------------------

@st.composite
def with_actuals(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    data = draw(scenarios())
    closed = draw(st.integers(0, data["horizon"]))
    amounts = st.floats(0, 1e6, allow_nan=False)
    actuals: dict[int, dict[str, float]] = {}
    for year in range(data["start_year"], data["start_year"] + closed):
        lines = draw(st.lists(st.sampled_from(ACTUAL_FLOWS), min_size=1, unique=True))
        actuals[year] = {name: draw(amounts) for name in lines}
    if actuals:
        data["actuals"] = actuals
    return data, closed


@FAST
@given(with_actuals())
def test_prognosis_identities(case: tuple[dict[str, Any], int]) -> None:
    """Both identities hold in the prognosis; flows are the actuals where given and the
    plan's elsewhere; the prognosis's KPIs are the engine's on its lines."""
    data, closed = case
    scenario = validate_scenario(data)
    v = variance(scenario)
    assert v.prognosis.master_check, [c.message for c in v.checks if not c.passed]
    given_ = data.get("actuals", {})
    for name in ACTUAL_FLOWS:
        plan = v.plan.lines[name] if name in v.plan.lines else np.zeros(data["horizon"])
        expected = plan.copy()
        for j, year in enumerate(sorted(given_)):
            if name in given_[year]:
                expected[j] = given_[year][name]
        np.testing.assert_array_equal(v.all_lines[name], expected)
    p = v.prognosis.lines
    np.testing.assert_allclose(p["book_value"], np.cumsum(p["capex"] - p["depreciation"]),
                               atol=1e-6)
    np.testing.assert_allclose(p["equity"], data["finance"]["opening_cash"]
                               + np.cumsum(p["result"]), atol=1e-6, rtol=1e-12)
    if closed < data["horizon"]:   # open years: the plan's flows and results
        for name in ("result", "net_cash_flow", "total_income", "total_expenses"):
            np.testing.assert_allclose(p[name][closed:], v.plan.lines[name][closed:],
                                       rtol=1e-12, atol=1e-6)
    assert set(v.prognosis.kpis) == set(KPIS)


@FAST
@given(scenarios())
def test_no_actuals_prognosis_is_the_plan(data: dict[str, Any]) -> None:
    v = variance(validate_scenario(data))
    assert v.closed_years == ()
    for name in LINES:
        np.testing.assert_allclose(v.prognosis.lines[name], v.plan.lines[name],
                                   rtol=1e-9, atol=1e-6, equal_nan=True)


def test_generated_csv_equals_inline(write: Callable[..., Path]) -> None:
    """Random amounts written as a Dutch CSV read back as the inline amounts."""
    rng = np.random.default_rng(7)
    values = np.round(rng.uniform(-2e6, 2e6, size=(len(ACTUAL_FLOWS), 3)), 2)
    rows = ["line;2025;2026;2027"]
    for name, row in zip(ACTUAL_FLOWS, values, strict=True):
        cells = [f"{v:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
                 for v in row]
        rows.append(";".join([name, *cells]))
    write("\n".join(rows) + "\n", "ledger.csv")
    ledger = finmodel.load_scenario(write(HAND + "actuals: ledger.csv\n", "s.yaml")).ledger
    assert ledger is not None
    np.testing.assert_array_equal(ledger.values[: len(ACTUAL_FLOWS)], values)


# --- the command ----------------------------------------------------------------------------

def test_variance_json_shape(capsys: pytest.CaptureFixture[str],
                             write: Callable[..., Path]) -> None:
    path = write(HAND + HAND_ACTUALS, "hand.yaml")
    code, out, _ = _run(capsys, "variance", str(path), "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert list(d) == ["scenario", "years", "closed_years", "variance", "prognosis", "kpis",
                       "checks"]
    assert d["scenario"] == "Hand" and d["years"] == [2025, 2026, 2027]
    assert set(d["variance"]) >= set(LINES) | set(ACTUAL_FLOWS)
    for entry in d["variance"].values():
        assert list(entry) == ["plan", "actual", "difference", "relative", "from_plan"]
        assert all(len(v) == 2 for v in entry.values())
    assert list(d["prognosis"]) == ["lines", "kpis"]
    assert all(len(v) == 3 for v in d["prognosis"]["lines"].values())
    assert d["prognosis"]["lines"]["cash_end"] == [610, 1060, 1560]
    assert set(d["kpis"]) == set(KPIS)
    assert all(list(k) == ["plan", "prognosis", "difference"] for k in d["kpis"].values())
    assert d["checks"]["master"] is True
    assert {"name", "kind", "passed", "message", "years"} <= set(d["checks"]["items"][0])
    # `run` still prints the plan
    code, out, _ = _run(capsys, "run", str(path), "--format", "json")
    assert json.loads(out)["lines"]["cash_end"] == [900, 1400, 1900]


def test_variance_table_and_csv(capsys: pytest.CaptureFixture[str],
                                write: Callable[..., Path]) -> None:
    path = str(write(HAND + HAND_ACTUALS, "hand.yaml"))
    code, out, _ = _run(capsys, "variance", path)
    assert code == 0 and "Rental income" in out and "-20.0%" in out
    assert ("Reconciliation of Cash at year end: Cash at year end in the actuals differs"
            in out) and "cash_end" not in out
    code, out, _ = _run(capsys, "variance", path, "--format", "csv")
    rows = out.splitlines()
    assert rows[0] == "line,year,plan,actual,difference,relative,from_plan"
    assert "rental_income,2025,1000.0,800.0,-200.0,-0.2,false" in rows
    assert "capex,2026,0.0,0.0,0.0,,true" in rows


def test_variance_without_actuals_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "variance", "base")
    assert code == 2 and not out
    assert err.startswith("scenarios/base.yaml:1: actuals: the scenario has no actuals")


def test_variance_bad_actuals_exit_2(capsys: pytest.CaptureFixture[str],
                                     write: Callable[..., Path]) -> None:
    path = write(HAND + "actuals:\n  2025: {rental_incme: 1}\n", "bad.yaml")
    code, out, err = _run(capsys, "variance", str(path))
    assert code == 2 and not out and "Traceback" not in err
    assert err.startswith(f"{path}:16: actuals.2025.rental_incme: unknown line; allowed: ")


def test_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    """The ledger of the bundled example: rental behind plan, a dearer purchase, the
    controls reconcile, no warnings."""
    scenario = finmodel.load_scenario("scenarios/base_actuals.yaml")
    assert scenario.ledger is not None and scenario.ledger.warnings == ()
    v = variance(scenario)
    assert v.closed_years == (2026, 2027)
    assert (v.table("rental_income")["difference"] < 0).all()
    assert v.table("capex")["difference"][0] > 0
    assert [c.passed for c in v.reconciliation] == [True, True]
    assert v.prognosis.master_check
    base = copy.deepcopy(finmodel.project(finmodel.load_scenario("scenarios/base.yaml")).lines)
    np.testing.assert_array_equal(v.plan.lines["cash_end"], base["cash_end"])


# --- report and workbook --------------------------------------------------------------------

def test_report_section_shows_the_variance(hand: finmodel.Scenario) -> None:
    from finmodel.views.variance_report import HEADING, section_html
    from test_reporting import parse

    v = variance(hand)
    parsed = parse(section_html(v))
    assert parsed.headings[0] == HEADING and len(parsed.images) == 1
    rows = {r[0]: r[1:] for r in parsed.rows if r}
    # plan, actual, difference, % for 2025, then for 2026
    assert rows["Rental income"] == ["1,000", "800", "-200", "-20.0%",
                                     "1,000", "950", "-50", "-5.0%"]
    assert rows["Investments paid"][4:] == ["0", "0*", "0", "n/a"]
    from finmodel.views import i18n

    assert rows[i18n.kpi_name("en", "npv")] == ["900 EUR", "560 EUR", "-340 EUR"]
    assert rows["Reconciliation of Cash at year end"][0] == "warning"
    plan_only = finmodel.load_scenario("scenarios/base.yaml")
    assert section_html(variance(plan_only)) == ""


def test_workbook_sheets(hand: finmodel.Scenario, tmp_path: Path) -> None:
    import openpyxl

    from finmodel.views.variance_report import workbook_sheets
    from finmodel.views.workbook import write_budget_xlsx

    v = variance(hand)
    target = write_budget_xlsx(v.plan, tmp_path / "budget.xlsx", workbook_sheets(v))
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[-4:] == ["actuals", "variance", "prognosis", "prognosis checks"]
    actuals = {r[1]: r[2:] for r in book["actuals"].iter_rows(values_only=True)}
    assert actuals["rental_income"] == (800, 950) and actuals["capex"] == (990, None)
    prognosis = {r[1]: r[2:] for r in book["prognosis"].iter_rows(values_only=True)}
    assert prognosis["cash_end"] == (610, 1060, 1560)
    checks = {r[1]: r[2:] for r in book["prognosis checks"].iter_rows(values_only=True)}
    assert checks["reconciliation[cash_end]"][1] == "warning"


@pytest.mark.slow
def test_bundled_example_in_finmodel_report(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    """`finmodel report` on the bundled example: the notebook runs, the report has the
    Budget vs actuals section with the engine's numbers, the workbook the actuals sheets."""
    import openpyxl

    from test_reporting import parse

    code = main(["report", "scenarios/base_actuals.yaml", "--out", str(tmp_path), "--jobs", "1"])
    capsys.readouterr()
    assert code == 0
    folder = tmp_path / "base_actuals"
    html = (folder / "report.html").read_text(encoding="utf-8")
    parsed = parse(html)
    assert "Budget vs actuals" in parsed.headings
    assert parsed.headings.index("Budget") < parsed.headings.index("Budget vs actuals")
    v = variance(finmodel.load_scenario("scenarios/base_actuals.yaml"))
    rental = v.table("rental_income")
    row = next(r for r in parsed.rows if r and r[0] == "Rental income" and len(r) == 9)
    assert row[1:3] == [f"{round(rental['plan'][0]):,}", f"{round(rental['actual'][0]):,}"]
    assert "Rental income in 2027" in html and "Cash position: plan and prognosis" in html
    assert "Traceback" not in html
    book = openpyxl.load_workbook(folder / "budget.xlsx")
    assert {"actuals", "variance", "prognosis", "prognosis checks"} <= set(book.sheetnames)


def test_docs_worked_example(write: Callable[..., Path]) -> None:
    """docs/scenario-format.md 7.7: the worked example with the inline actuals of 4.10."""
    import re

    docs = (Path("docs") / "scenario-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", docs, flags=re.S)
    lab = next(b for b in blocks if b.startswith("name: Skills lab"))
    actuals = next(b for b in blocks if b.startswith("actuals:\n  2026:"))
    d = variance(finmodel.load_scenario(write(lab + actuals, "lab.yaml"))).to_dict()
    assert d["variance"]["rental_income"]["difference"] == [-3000]
    assert d["variance"]["operating_costs"]["relative"] == [0.0375]
    assert d["variance"]["rented_hours"]["relative"] == [pytest.approx(-0.1)]
    lines = d["prognosis"]["lines"]
    assert lines["result"][0] == pytest.approx(23000)
    assert lines["net_cash_flow"][0] == pytest.approx(-34000)
    assert lines["cash_end"][:2] == [pytest.approx(16000), pytest.approx(79270)]
    assert lines["occupancy"][0] == pytest.approx(1030 / 1500)
    flag = next(c for c in d["checks"]["items"] if c["name"] == "reconciliation[cash_end]")
    assert (flag["passed"], flag["years"], flag["differences"]) == (False, [2026],
                                                                    [pytest.approx(-1000)])


def test_explorer_shows_the_prognosis() -> None:
    """The explorer's prognosis: the closed years as booked, the explored plan after."""
    from finmodel.explore.explorer import Explorer
    from finmodel.explore.widgets import kpi_table

    ex = Explorer("scenarios/base_actuals.yaml")
    v = variance(ex.scenario)
    assert ex.prognosis_kpis == v.prognosis.kpis
    ex.set("finance.opening_cash", ex.value("finance.opening_cash") + 1000)
    assert ex.prognosis_kpis is not None
    assert ex.prognosis_kpis["min_cash"] == pytest.approx(v.prognosis.kpis["min_cash"] + 1000)
    assert "prognosis (actuals, then explored)" in kpi_table(ex)
    assert Explorer("scenarios/base.yaml").prognosis_kpis is None


def test_variance_prints_warnings_on_stderr(capsys: pytest.CaptureFixture[str],
                                            write: Callable[..., Path]) -> None:
    write("line;2025;2026\nrental_income;800;\ncapex;1.234;\n", "ledger.csv")
    path = write(HAND + "actuals: ledger.csv\n", "s.yaml")
    code, out, err = _run(capsys, "variance", str(path), "--format", "json")
    assert code == 0 and json.loads(out)["closed_years"] == [2025]
    ledger = str(path.parent / "ledger.csv")
    assert err.splitlines() == [
        f"{ledger}:3: row 'capex', column 2025: warning: '1.234' read as 1,234 (the point as "
        "a thousands separator, as a Dutch export writes it); write the decimal comma to be "
        "unambiguous",
        f"{ledger}:1: column 2026: warning: no amounts given: not counted as a closed year"]


def test_ledger_warnings_are_input_warnings(capsys: pytest.CaptureFixture[str],
                                            write: Callable[..., Path]) -> None:
    """They join the scenario's warnings: `finmodel --strict` refuses them (exit 2)."""
    write("line;2025;2026\nrental_income;800;\n", "ledger.csv")
    path = write(HAND + "actuals: ledger.csv\n", "s.yaml")
    assert [w.path for w in finmodel.load_scenario(path).warnings] == ["column 2026"]
    code, out, err = _run(capsys, "--strict", "variance", str(path))
    assert code == 2 and not out
    assert err.endswith("column 2026: warning: no amounts given: not counted as a closed "
                        "year\n")


def test_inline_dotted_thousands_warns(write: Callable[..., Path]) -> None:
    scenario = finmodel.load_scenario(write(HAND + "actuals:\n  2025: {capex: 263.418}\n",
                                            "s.yaml"))
    assert scenario.ledger is not None and scenario.ledger.line("capex")[0] == 263.418
    assert [str(w).split(": ", 1)[1] for w in scenario.warnings] == [
        "actuals.2025.capex: warning: 263.418 is read as 263.418 (YAML has no thousands "
        "separator); write 263418 for 263.418 thousand"]


# --- loans (section 9) in actuals and the prognosis -----------------------------------------

#: HAND with a bank loan of 1,000 at 5 %, linear over 2 years: plan interest 50 and 25,
#: repayments 500 and 500, debt 500 then 0.
LOAN = HAND.replace(
    "finance: {opening_cash: 1000, minimum_cash: 0, discount_rate: 0}\n",
    "finance:\n  opening_cash: 1000\n  minimum_cash: 0\n  discount_rate: 0\n"
    "  loans:\n    - {name: Bank, amount: 1000, year: 2025, rate: 0.05, term: 2}\n")
#: Booked: interest 60 and 30; in 2026 only 400 repaid; the debt control reconciles in
#: 2025 (500) and not in 2026 (0 booked against 100 rolled forward).
LOAN_ACTUALS = """\
actuals:
  2025: {rental_income: 800, capex: 990, rented_hours: 80, interest: 60, debt: 500}
  2026: {rental_income: 950, interest: 30, repayment: 400, debt: 0}
"""


def test_loans_in_actuals_and_the_prognosis(write: Callable[..., Path]) -> None:
    v = variance(finmodel.load_scenario(write(LOAN + LOAN_ACTUALS, "loan.yaml")))
    assert v.plan.lines["interest"].tolist() == [50, 25, 0]
    p = v.prognosis.lines
    assert p["interest"].tolist() == [60, 30, 0]
    assert p["loan_received"].tolist() == [1000, 0, 0]          # plan kept
    assert p["repayment"].tolist() == [500, 400, 0]
    assert p["debt"].tolist() == [500, 100, 100]                  # rolled forward
    # result: 300 - 60, 150 - 30, 200 (as without the loan, less the interest)
    assert p["result"].tolist() == [240, 120, 200]
    assert p["total_expenses"].tolist() == [860, 830, 800]
    # cash flow: -390 + 1000 - 60 - 500 = 50; 450 - 30 - 400 = 20; 500
    assert p["net_cash_flow"].tolist() == [50, 20, 500]
    assert p["cash_end"].tolist() == [1050, 1070, 1570]
    assert p["equity"].tolist() == [1240, 1360, 1560]
    assert v.prognosis.master_check
    kpis = v.kpi_table()
    assert kpis["debt_end"] == {"plan": 0, "prognosis": 100, "difference": 100}
    # DSCR 2025: (50 - 1000 + 560) / 560; 2026: (20 + 430) / 430
    assert kpis["min_debt_service_coverage"]["prognosis"] == pytest.approx(-390 / 560)
    table = v.table("interest")
    assert table["difference"].tolist() == [10, 5]
    assert table["relative"].tolist() == [pytest.approx(0.2), pytest.approx(0.2)]
    assert v.from_plan("loan_received").tolist() == [True, True]
    (flag,) = v.reconciliation
    assert (flag.name, flag.passed, flag.years, flag.differences) == (
        "reconciliation[debt]", False, (2026,), (-100.0,))


def test_actual_interest_without_a_planned_loan(write: Callable[..., Path]) -> None:
    """A flow the plan lacks (no loan planned) counts from its plan value 0."""
    text = HAND + "actuals:\n  2025: {interest: 20, loan_received: 300, repayment: 100}\n"
    v = variance(finmodel.load_scenario(write(text, "s.yaml")))
    assert v.table("interest")["plan"].tolist() == [0]
    assert math.isnan(v.table("interest")["relative"][0])   # null: the plan is 0
    p = v.prognosis.lines
    assert p["result"].tolist() == [480, 200, 200]
    assert p["debt"].tolist() == [200, 200, 200]
    assert p["cash_end"].tolist() == [900 + 300 - 20 - 100, 1580, 2080]
    assert v.prognosis.master_check
    # DSCR 2025: (net cash flow 80 - loan 300 + service 120) / 120
    assert v.prognosis.kpis["min_debt_service_coverage"] == pytest.approx(-100 / 120)


def test_negative_flow_warns_once_per_line(write: Callable[..., Path]) -> None:
    """A ledger exporting costs as negatives: a warning at the first negative amount of
    each flow; a negative cash control is fine."""
    write("line;2025;2026\noperating_costs;-500;-510\nrental_income;800;-1\n"
          "cash_end;-5;\n", "ledger.csv")
    scenario = finmodel.load_scenario(write(HAND + "actuals: ledger.csv\n", "s.yaml"))
    assert [(w.line, w.path) for w in scenario.warnings] == [
        (2, "row 'operating_costs', column 2025"), (3, "row 'rental_income', column 2026")]
    assert scenario.warnings[0].message.startswith("-500.00 is negative: ")


def test_report_section_and_table_in_dutch(hand: finmodel.Scenario,
                                           capsys: pytest.CaptureFixture[str],
                                           write: Callable[..., Path]) -> None:
    from finmodel.views.variance_report import section_html
    from test_reporting import parse

    parsed = parse(section_html(variance(hand), "nl"))
    assert parsed.headings[0] == "Begroting en realisatie"
    rows = {r[0]: r[1:] for r in parsed.rows if r}
    assert rows["Verhuuropbrengsten"][:4] == ["1.000", "800", "-200", "-20,0%"]
    path = write(HAND + HAND_ACTUALS, "hand.yaml")
    code, out, _ = _run(capsys, "variance", str(path), "--lang", "nl")
    assert code == 0 and "begroting en realisatie" in out and "Grootste verschillen" in out


def test_board_summary_says_the_prognosis(hand: finmodel.Scenario,
                                          write: Callable[..., Path]) -> None:
    """The summary page gives the plan's verdict, then what the booked years make of it:
    lowest cash 610 in 2025 (plan 900), NPV 560 (plan 900); with a minimum of 700 the lab
    needs 700 - 610 = 90 more by the prognosis. Without actuals there is no such line."""
    from finmodel.views import reporting

    page = reporting.summary_html(finmodel.project(hand), "en")
    assert ("With the actuals of 2025-2026 booked, the prognosis gives a lowest cash of "
            "610 EUR in 2025 (plan: 900 EUR) and a net present value of 560 EUR "
            "(plan: 900 EUR).") in page
    assert "By the prognosis" not in page  # 610 is above the minimum of 0
    short = finmodel.load_scenario(write(HAND.replace("minimum_cash: 0", "minimum_cash: 700")
                                         + HAND_ACTUALS, "short.yaml"))
    page = reporting.summary_html(finmodel.project(short), "nl")
    assert ("Met de realisatie over 2025-2026 geboekt geeft de prognose een laagste kasstand "
            "van €\u00a0610 in 2025 (begroting: €\u00a0900)") in page
    assert ("Volgens de prognose heeft het lab €\u00a090 meer nodig, of een lening, om de kas "
            "in elk jaar boven €\u00a0700 te houden.") in page
    plain = finmodel.load_scenario(write(HAND, "plain.yaml"))
    assert "prognosis" not in reporting.summary_html(finmodel.project(plain), "en")


def test_index_shows_the_prognosis_under_the_plan(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """index.html gives, for a scenario with closed years, the prognosis's lowest cash,
    its year, NPV and financing need under the plan's (the figures of the bundled example:
    44,798 in 2026 against 62,833; NPV 109,588; need 50,000 - 44,798 = 5,202), and nothing
    extra for a scenario without actuals."""
    from html import unescape

    root = Path(__file__).resolve().parents[1] / "scenarios"
    out = tmp_path / "out"
    code, _, _ = _run(capsys, "report", str(root / "base_actuals.yaml"), str(root / "base.yaml"),
                      "--formats", "xlsx", "--out", str(out), "--jobs", "1", "--lang", "nl")
    assert code == 0
    rows = unescape((out / "index.html").read_text(encoding="utf-8")).split("<tr")
    actuals = next(r for r in rows if "2026 and 2027 closed" in r)
    plain = next(r for r in rows if "care-tech practice lab" in r)
    for text in ("€\u00a062.833", "prognose: €\u00a044.798", "prognose: 2026",
                 "prognose: €\u00a0109.588", "prognose: €\u00a05.202",
                 'title="realisatie t/m 2027, daarna begroting"'):
        assert text in actuals, text
    assert "prognose" not in plain

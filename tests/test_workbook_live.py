"""budget.xlsx as a live model, recalculated by a real spreadsheet program (LibreOffice).

Every workbook below is written by finmodel, opened in LibreOffice with "recalculate on
load" and saved again: the recalculated lines and key figures must equal the engine's to
the cent, also after input rows were changed in the workbook (then against the engine
run on the scenario with the same change). All workbooks go through ONE soffice call.
The tests that need no spreadsheet program (structure, styles, texts) run everywhere.
"""

from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from openpyxl.formula.translate import Translator

import finmodel
import finmodel.model.schema
from finmodel.model.inputs import numeric_parameters
from finmodel.model.scenario import validate_scenario
from finmodel.views.workbook import write_budget_xlsx
from libreoffice import SOFFICE, convert
from test_properties import scenarios as random_scenarios

from conftest import MINIMAL, ROOT, TINY

BUNDLED = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))

#: Hand-made extremes: no parties, one year, capacity scaling, replacements, step phase-out.
EXTREMES = {
    "tiny": TINY,
    "minimal": MINIMAL,
    "no_parties": """\
        start_year: 2030
        horizon: 6
        indexation: {cpi: {2030: 0.02, 2033: 0.05}}
        facility: {available_hours: {2030: 500, 2032: 800}}
        operating_costs:
          - {name: Rent, amount: {2030: 1000, 2031: 1500}, indexation: cpi, from: 2031, until: 2034}
        rental:
          variable_cost_per_hour: {2030: 2, 2033: 3}
          variable_cost_indexation: cpi
          segments:
            - {name: Only, tariff: 50, indexation: cpi, demand_hours: 300, ramp_up: [0, 0.5],
               until: 2034}
        finance: {opening_cash: -500, minimum_cash: 100, discount_rate: 0.0}
        """,
    "one_year": """\
        start_year: 2026
        horizon: 1
        indexation: {cpi: 0.5}
        facility: {available_hours: 100}
        investments:
          - {name: Kit, amount: 1000, year: 2026, life: 4, replace: true, indexation: cpi}
        rental:
          segments: [{name: S, tariff: 10, demand_hours: 50, ramp_up: [0.5, 0.7]}]
        subsidies:
          - {name: Grant, type: investment, amounts: {2026: 800}, release_years: 3}
          - {name: Op, type: operating, amount: 100, phase_out: {full_years: 3}}
        parties:
          - name: P
            role: other
            own_use_hours: 20
            contributions: [{name: Time, type: in_kind, amount: 30}]
        """,
    "capacity_and_replacements": """\
        start_year: 2025
        horizon: 12
        indexation: {cpi: 0.03, wages: {2025: 0.04, 2028: 0.02}}
        facility: {available_hours: {2025: 1000, 2029: 700}}
        investments:
          - {name: Tablets, amount: 900, year: 2026, life: 3, replace: true, indexation: cpi}
          - {name: Room, amount: 5000, year: 2025, life: 20}
          - {name: Robot, amount: 2000, year: 2030, life: 2}
        operating_costs:
          - {name: Coordinator, category: staff, amount: 3000, indexation: wages, from: 2027}
        rental:
          segments:
            - {name: A, tariff: 40, indexation: cpi, demand_hours: 600, ramp_up: [0.2, 0.4,
               0.6, 0.8, 0.9, 0.95, 1, 1, 1, 1, 1, 1, 1, 1, 1], from: 2023}
            - {name: B, tariff: {2025: 30, 2030: 35}, discount: 0.2, demand_hours: 500,
               from: 2027, until: 2033}
        subsidies:
          - {name: Step, type: operating, amount: 2000,
             phase_out: {start: 2027, full_years: 3, shape: step}}
          - {name: Taper, type: operating, amount: 900,
             phase_out: {start: 2033, full_years: 1, taper_years: 5}}
          - {name: Build, type: investment, amounts: {2025: 3000, 2030: 600}, release_years: 4}
        parties:
          - name: College
            role: public
            own_use_hours: {2025: 300, 2028: 500}
            contributions:
              - {name: Fee, type: cash, amount: 1000, indexation: cpi, until: 2030}
              - {name: Teachers, type: in_kind, amount: 700, indexation: wages, from: 2026}
          - name: Vendor
            role: commercial
            contributions:
              - {name: Fee, type: cash, amount: 400, from: 2029}
            benefits:
              - {name: Demo, amount: 100}
        finance: {opening_cash: 100, minimum_cash: 2000, discount_rate: 0.05}
        """,
}

#: Loans (contract v1.1) once the engine has them: annuity with grace, linear past the end.
LOANS = """\
    start_year: 2026
    horizon: 8
    facility: {available_hours: 1000}
    operating_costs: [{name: Staff, amount: 30000}]
    rental:
      segments: [{name: S, tariff: 80, demand_hours: 400, ramp_up: [0.5]}]
    finance:
      opening_cash: 1000
      minimum_cash: 5000
      loans:
        - {name: Annuity, amount: 50000, year: 2026, rate: 0.05, term: 4, grace_years: 1,
           repayment: annuity}
        - {name: Long, amount: 20000, year: 2028, rate: 0.03, term: 10}
        - {name: Free, amount: 6000, year: 2027, rate: 0, term: 3, repayment: annuity}
    """
if "loans" in finmodel.model.schema.Finance.model_fields:
    EXTREMES["loans"] = LOANS

#: Input rows changed in the base case's workbook, and the same change to the scenario.
EDITS: dict[str, dict[str, Any]] = {
    "tariff": {"rental.segments[Schools].tariff": 130.0},
    "cost_amount": {"operating_costs[Lab coordinator].amount": 90000.0},
    "available_hours": {"facility.available_hours": 1300.0},  # scales rental pro rata
    "structure_values": {
        "finance.discount_rate": 0.06, "indexation.cpi": 0.04,
        "investments[ICT and care-technology equipment].life": 4,
        "subsidies[RIF operating grant].phase_out.taper_years": 3,
        "operating_costs[Project lead and curriculum development].until": 2031,
        "rental.segments[Schools].discount": 0.4,
        "parties[CareTech Vendor].contributions[Partner fee].until": 2028},
}
if "loans" in EXTREMES:
    EDITS["loan_terms"] = {"finance.loans[Bridge].rate": 0.07, "finance.loans[Bridge].term": 4,
                           "finance.loans[Bridge].grace_years": 2}


#: Actuals (contract v1.1) once the engine has them: a booked amount changed in 2026.
ACTUALS = importlib.util.find_spec("finmodel.analysis.variance") is not None
BOOKED_EDIT = (2026, "rental_income", 9000.0)
if ACTUALS:
    EDITS["booked_amount"] = {}


def _edited_base(name: str) -> str:
    """The scenario whose workbook an edit changes: the loan edit needs a loan."""
    return {"loan_terms": "bridge_loan", "booked_amount": "base_actuals"}.get(name, "base")

_SHARES = {"occupancy", "self_sufficiency"}
_FORBIDDEN = re.compile(r"\b(OFFSET|INDIRECT|NOW|TODAY|RAND|RANDBETWEEN|CELL|INFO|NPV|"
                        r"FILTER|XLOOKUP|SEQUENCE|UNIQUE|SORT|SORTBY|LET|LAMBDA|_xlfn)\b")


def _generated(count: int) -> list[dict[str, Any]]:
    """``count`` random scenarios of the engine's property tests, the same every run."""
    from hypothesis import HealthCheck, Phase, given, seed, settings

    found: list[dict[str, Any]] = []

    @seed(12)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(random_scenarios())
    def collect(data: dict[str, Any]) -> None:
        found.append(data)

    collect()
    return [_no_subnormals(data) for data in found]


def _no_subnormals(data: Any) -> Any:
    """Hypothesis likes 1e-309; LibreOffice reads such subnormal numbers as 0, so do we."""
    if isinstance(data, dict):
        return {k: _no_subnormals(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_no_subnormals(v) for v in data]
    if isinstance(data, float) and abs(data) < 1e-300:
        return 0.0
    return data


GENERATED = 4


def _scenario(name: str, folder: Path) -> finmodel.Scenario:
    if name.startswith("generated_"):
        return validate_scenario(_generated(GENERATED)[int(name.removeprefix("generated_"))])
    if name in EXTREMES:
        path = folder / f"{name}.yaml"
        path.write_text(textwrap.dedent(EXTREMES[name]), encoding="utf-8")
        return finmodel.load_scenario(path)
    return finmodel.load_scenario(ROOT / "scenarios" / f"{name}.yaml")


SCENARIOS = [*BUNDLED, *EXTREMES, *(f"generated_{i}" for i in range(GENERATED))]


def _edit_inputs(path: Path, changes: dict[str, Any], target: Path) -> None:
    """Type new values into the inputs sheet (every year of a series), keep the formulas."""
    book = openpyxl.load_workbook(path)
    sheet = book["inputs"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=5) if row[0].value}
    years = [c.value for c in sheet[4]][5:]
    for param, value in changes.items():
        row = rows[param]
        series = any(isinstance(c.value, int | float) for c in row[5:5 + len(years)])
        for cell in (row[5:5 + len(years)] if series else (row[3],)):
            cell.value = value
    book.save(target)


def _booked(scenario: finmodel.Scenario, year: int, line: str,
            value: float) -> finmodel.Scenario:
    """The scenario with its ledger inline and one booked amount changed."""
    from finmodel.model.actuals import ACTUAL_LINES

    ledger = scenario.ledger
    assert ledger is not None
    table = {int(y): {name: float(ledger.values[i, j]) for i, name in enumerate(ACTUAL_LINES)
                      if not np.isnan(ledger.values[i, j])}
             for j, y in enumerate(ledger.years)}
    table[year][line] = value
    return scenario.with_changes({"actuals": table})


def _edit_booked(path: Path, year: int, line: str, value: float, target: Path) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["inputs"]
    column = [c.value for c in sheet[4]].index(year)
    row = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == f"actuals.{line}")
    row[column].value = value
    book.save(target)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path, Path]]:
    """name -> (engine projection, workbook as written, workbook recalculated by LibreOffice)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    folder = tmp_path_factory.mktemp("live")
    written: dict[str, tuple[Any, Path]] = {}
    for name in SCENARIOS:
        p = finmodel.project(_scenario(name, folder))
        written[name] = (p, write_budget_xlsx(p, folder / f"{name}.xlsx"))
    for name, changes in EDITS.items():
        original, path = written[_edited_base(name)]
        if name == "booked_amount":
            p = finmodel.project(_booked(original.scenario, *BOOKED_EDIT))
            _edit_booked(path, *BOOKED_EDIT, folder / f"edit_{name}.xlsx")
        else:
            p = finmodel.project(original.scenario.with_changes(changes))
            _edit_inputs(path, changes, folder / f"edit_{name}.xlsx")
        written[f"edit_{name}"] = (p, folder / f"edit_{name}.xlsx")
    recalculated = convert([path for _, path in written.values()], folder / "recalculated")
    return {name: (p, path, out)
            for (name, (p, path)), out in zip(written.items(), recalculated, strict=True)}


def _lines(book: Any) -> dict[str, list[Any]]:
    """Contract key (column B) -> values per year, from budget, cash flow and balance."""
    out: dict[str, list[Any]] = {}
    for sheet, sign in (("budget", 1), ("cash flow", -1), ("balance", 1)):
        for row in book[sheet].iter_rows(min_row=4, values_only=True):
            key = row[1]
            if key and key not in out:
                flip = sign if key in ("capex", "repayment") else 1
                out[key] = [flip * v if isinstance(v, int | float) else v for v in row[2:]]
    return out


def _null(value: Any) -> bool:
    return value is None or value == ""


@pytest.mark.parametrize("name", [*SCENARIOS, *(f"edit_{e}" for e in EDITS)])
def test_recalculated_lines_and_kpis_equal_the_engine(cases: Any, name: str) -> None:
    """After LibreOffice recalculates, every line and KPI equals the engine to the cent."""
    p, _, recalculated = cases[name]
    book = openpyxl.load_workbook(recalculated, data_only=True)
    lines = _lines(book)
    assert set(p.lines) <= set(lines), set(p.lines) - set(lines)
    for key, expected in p.lines.items():
        got = lines[key]
        for year, value, want in zip(p.years.tolist(), got, expected.tolist(), strict=True):
            if np.isnan(want):
                assert _null(value), (key, year, value)
                continue
            tolerance = 1e-9 if key in _SHARES else 0.005  # shares; euros and hours
            assert isinstance(value, int | float), (key, year, value)
            assert value == pytest.approx(want, rel=1e-12, abs=tolerance), (key, year, want)
    figures = {r[1]: r[2] for r in book["key figures"].iter_rows(min_row=4, max_row=3 + len(
        p.kpis), values_only=True)}
    for kpi, want in p.kpis.items():
        if want is None:
            assert _null(figures[kpi]), (kpi, figures[kpi])
        else:
            assert figures[kpi] == pytest.approx(want, abs=0.005), kpi
    checks = book["checks"]
    assert checks["C4"].value is True
    identities = [r for r in checks.iter_rows(min_row=6, max_row=9, values_only=True)
                  if r[1] in ("cash_identity", "balance_identity")]
    assert len(identities) == 2 and all(
        v is True for r in identities for v in r[2:2 + len(p.years)])


@pytest.mark.skipif(not ACTUALS, reason="the engine has no actuals (contract v1.1) yet")
@pytest.mark.parametrize("name", ["base_actuals", "edit_booked_amount"])
def test_recalculated_prognosis_equals_the_engine(cases: Any, name: str) -> None:
    """Booked amounts where given, the plan elsewhere: every prognosis line to the cent."""
    from finmodel.analysis.variance import prognosis_lines

    p, _, recalculated = cases[name]
    expected = prognosis_lines(p.evaluation, p.scenario.ledger)
    sheet = openpyxl.load_workbook(recalculated, data_only=True)["prognosis (formulas)"]
    rows = {r[1]: r[2:2 + len(p.years)] for r in sheet.iter_rows(min_row=4, values_only=True)
            if r[1]}
    assert len(rows) >= 25
    for key, got in rows.items():
        want = expected[key]
        for value, w in zip(got, want.tolist(), strict=True):
            if np.isnan(w):
                assert _null(value), key
            else:
                assert value == pytest.approx(w, rel=1e-12, abs=0.005), (key, value, w)
    if name == "edit_booked_amount":
        assert rows["rental_income"][0] == pytest.approx(BOOKED_EDIT[2])


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_cached_result_is_what_the_formula_computes(cases: Any, name: str) -> None:
    """Viewers that do not recalculate show the same numbers as LibreOffice computes."""
    _, written, recalculated = cases[name]
    cached = openpyxl.load_workbook(written, data_only=True)
    formulas = openpyxl.load_workbook(written)
    fresh = openpyxl.load_workbook(recalculated, data_only=True)
    compared = 0
    for sheet in formulas.sheetnames:
        for row in formulas[sheet].iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                old, new = cached[sheet][cell.coordinate].value, fresh[sheet][cell.coordinate].value
                compared += 1
                if _null(old) or isinstance(old, bool):
                    assert old == new or (_null(old) and _null(new)), (sheet, cell.coordinate)
                else:
                    assert new == pytest.approx(old, rel=1e-9, abs=1e-4), (sheet, cell.coordinate)
    assert compared > 50


def test_edited_workbook_differs_from_the_unedited_one(cases: Any) -> None:
    """The edits reach the outputs (LibreOffice recalculated, not kept the cached values)."""
    before = _lines(openpyxl.load_workbook(cases["base"][2], data_only=True))
    after = _lines(openpyxl.load_workbook(cases["edit_available_hours"][2], data_only=True))
    assert before["rented_hours"] != after["rented_hours"]
    assert max(after["occupancy"]) == pytest.approx(1.0)  # over capacity: scaled to fill


# --- structure, without a spreadsheet program ------------------------------------------------

@pytest.fixture(scope="module")
def base_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    p = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"))
    return p, openpyxl.load_workbook(write_budget_xlsx(p, tmp_path_factory.mktemp("wb") / "b.xlsx"))


def test_inputs_sheet_lists_every_parameter_as_styled_inputs(base_book: Any) -> None:
    """Column A holds every numeric parameter path; year headers are numbers; no formulas."""
    p, book = base_book
    sheet = book["inputs"]
    assert [c.value for c in sheet[4]][5:] == p.years.tolist()
    paths = {row[0].value for row in sheet.iter_rows(min_row=5)}
    assert set(numeric_parameters(p.scenario)) <= paths
    assert {"rental.segments[Schools].ramp_up", "investments[Lab fit-out and furniture].year",
            "subsidies[RIF operating grant].phase_out.full_years"} <= paths
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=5)}
    tariff = rows["rental.segments[Schools].tariff"][5]
    rate = rows["finance.discount_rate"][3]
    for cell in (tariff, rate):
        assert cell.font.color.rgb.endswith("0000FF") and cell.fill.fgColor.rgb.endswith("FFF2CC")
    assert (tariff.value, rate.value) == (112.5, 0.0425)
    wages = [c.value for c in rows["indexation.wages"][5:]]
    assert wages[:5] == [0.03] * 5 and wages[5:] == [0.0275] * 10  # the series in force


def test_formulas_are_consistent_along_each_row_and_use_no_risky_functions(
        base_book: Any) -> None:
    """Each timeline row is one formula copied along the years; no OFFSET, NPV(), volatiles."""
    _, book = base_book
    rows = 0
    for name in ("calculation", "budget", "cash flow", "balance", "key figures", "checks"):
        for row in book[name].iter_rows(min_row=4):
            cells = [c for c in row if c.data_type == "f"]
            for cell in cells:
                assert not _FORBIDDEN.search(cell.value), (name, cell.coordinate, cell.value)
            if len(cells) < 2:
                continue
            first = cells[0]
            for cell in cells[1:]:
                moved = Translator(first.value, origin=first.coordinate).translate_formula(
                    cell.coordinate)
                assert moved == cell.value, (name, cell.coordinate)
            rows += 1
    assert rows > 100


def test_names_that_look_like_formulas_stay_text(write: Any, tmp_path: Path) -> None:
    """A cost called ``=1+1`` is a name on every sheet, never a formula."""
    scenario = finmodel.load_scenario(write("""\
        start_year: 2025
        horizon: 2
        facility: {available_hours: 100}
        operating_costs: [{name: "=1+1", amount: 10}]
        parties: [{name: "@SUM(A1)", role: other,
                   contributions: [{name: "+2", type: cash, amount: 5}]}]
        """))
    book = openpyxl.load_workbook(write_budget_xlsx(finmodel.project(scenario),
                                                    tmp_path / "t.xlsx"))
    texts = [c for s in book for row in s.iter_rows() for c in row
             if isinstance(c.value, str) and ("=1+1" in c.value or "@SUM" in c.value)]
    assert texts and all(c.data_type == "s" for c in texts)
    assert "operating_costs[=1+1].amount" in {c.value for c in texts}


def test_export_command_writes_one_workbook_and_never_overwrites_silently(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`finmodel export` writes the live workbook; an existing file needs --force."""
    from finmodel.cli.main import main

    out = tmp_path / "base.xlsx"
    assert main(["export", "base", "--out", str(out)]) == 0
    assert "master check OK" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-2:] == ["parties", "risks"]
    assert book["budget"]["C4"].value.startswith("=calculation!F$")
    out.write_bytes(b"mine")
    assert main(["export", "base", "--out", str(out)]) == 2
    assert "exists already; add --force" in capsys.readouterr().err
    assert out.read_bytes() == b"mine"
    assert main(["export", "base", "--out", str(out), "--force"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "budget"
    actuals = tmp_path / "actuals.xlsx"
    assert main(["export", "base_actuals", "--out", str(actuals)]) == 0
    assert {"prognosis (formulas)", "variance"} <= set(openpyxl.load_workbook(
        actuals).sheetnames)
    actuals.unlink()
    assert main(["export", "no-such-scenario", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.xlsx"]


def test_the_readme_trace_of_rental_income_holds(base_book: Any) -> None:
    """README.md follows budget rental income back to the inputs: the cells it names."""
    _, book = base_book
    calc, inputs = book["calculation"], book["inputs"]
    readme = (ROOT / "README.md").read_text("utf-8")
    assert book["budget"]["C4"].value == "=calculation!F$54"
    trace = {"F54": "=SUM(F$50:F$53)", "F51": "=F$40*F$47",
             "F47": "=inputs!F$73*F$14*(1-inputs!$D$75)",
             "F14": "=F$8+(1-F$8)*E$14*(1+inputs!F$13)", "F40": "=F$34*F$38",
             "F34": "=inputs!F$76*F$30", "F38": "=IF(F$37>F$22,F$22/F$37,1)"}
    for cell, formula in trace.items():
        assert calc[cell].value == formula, cell
        assert f"`{formula}`" in readme, formula
    assert (calc["A51"].value, inputs["A73"].value, inputs["A75"].value) == (
        "rental_income[Schools]", "rental.segments[Schools].tariff",
        "rental.segments[Schools].discount")

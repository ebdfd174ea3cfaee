"""The budget workbook, read back with openpyxl: cached values, formats, frozen panes,
atomicity. (tests/test_workbook_live.py recalculates the formulas with LibreOffice.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

import finmodel
from finmodel.views.workbook import EURO_FORMAT, write_budget_xlsx

from conftest import ROOT


@pytest.fixture(scope="module")
def base() -> finmodel.Projection:
    return finmodel.project(finmodel.load_scenario(ROOT / "scenarios/base.yaml"))


@pytest.fixture(scope="module")
def workbook(base: finmodel.Projection, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = write_budget_xlsx(base, tmp_path_factory.mktemp("xlsx") / "budget.xlsx")
    return openpyxl.load_workbook(path, data_only=True)  # the cached results


def _rows(sheet: Any) -> dict[str, list[Any]]:
    """Key column (B) -> the cells of the year columns."""
    return {row[1].value: list(row[2:]) for row in sheet.iter_rows(min_row=4) if row[1].value}


def test_budget_sheet_equals_the_projection_to_the_cent(
        base: finmodel.Projection, workbook: Any) -> None:
    """Every line of the budget sheet equals projection.budget, year by year, to the cent."""
    sheet = workbook["budget"]
    assert [c.value for c in sheet[3]][2:] == base.years.tolist()
    rows = _rows(sheet)
    for line in ("rental_income", "total_income", "total_expenses", "result",
                 "structural_result", "depreciation", "in_kind_costs"):
        values = np.array([c.value for c in rows[line]], dtype=float)
        np.testing.assert_allclose(values, base.budget.loc[line].to_numpy(), rtol=0, atol=0.005)
    assert len(rows) == 17       # 14 budget lines (interest included), 3 of the use


def test_budget_sheet_euro_formats_and_frozen_panes(workbook: Any) -> None:
    """Amounts carry the euro format, shares a percent format; headers and labels frozen."""
    rows = _rows(workbook["budget"])
    assert {c.number_format for c in rows["result"]} == {EURO_FORMAT}
    assert "€" in EURO_FORMAT
    assert {c.number_format for c in rows["occupancy"]} == {"0.0%"}
    assert workbook["budget"].freeze_panes == "C4"
    assert workbook["cash flow"].freeze_panes == "C4"
    assert workbook["balance"].freeze_panes == "C4"
    assert workbook["detail"].freeze_panes == "E4"


def test_cash_flow_sheet_adds_up(base: finmodel.Projection, workbook: Any) -> None:
    """Payments shown negative: the rows add to net cash flow; start + net = end of year."""
    rows = {k: np.array([c.value for c in v], dtype=float)
            for k, v in _rows(workbook["cash flow"]).items()}
    parts = ("rental_income", "partner_cash", "subsidy_cash", "loan_received",
             "operating_costs", "variable_costs", "interest", "capex", "repayment")
    np.testing.assert_allclose(sum(rows[k] for k in parts), rows["net_cash_flow"], atol=1e-6)
    np.testing.assert_allclose(rows["cash_start"] + rows["net_cash_flow"], rows["cash_end"],
                               atol=1e-6)
    assert rows["cash_start"][0] == base.scenario.finance.opening_cash
    assert set(rows["minimum_cash"]) == {50000.0}


def test_balance_and_detail_sheets(base: finmodel.Projection, workbook: Any) -> None:
    """Balance lines equal the engine's; the detail lists each purchase, replacements too."""
    rows = _rows(workbook["balance"])
    np.testing.assert_allclose([c.value for c in rows["equity"]], base.lines["equity"],
                               atol=0.005)
    detail = workbook["detail"]
    purchases = {(r[1].value, r[2].value) for r in detail.iter_rows(min_row=4)
                 if r[3].value == "purchase"}
    assert purchases == {("Lab fit-out and furniture", "2026"),
                         ("ICT and care-technology equipment", "2026"),
                         ("ICT and care-technology equipment", "2031"),
                         ("ICT and care-technology equipment", "2036")}


def test_checks_assumptions_and_key_figures_sheets(
        base: finmodel.Projection, workbook: Any) -> None:
    """The check sheet lists every check, assumptions hold numbers, KPIs are the engine's."""
    checks = workbook["checks"]
    assert (checks["B4"].value, checks["C4"].value) == ("master_check", True)
    keys = [r[1].value for r in checks.iter_rows(min_row=12)]
    assert keys == ["key", *(c.name for c in base.checks)]
    names = [r[0].value for r in checks.iter_rows(min_row=13)]
    assert names[:2] == ["Cash flow adds up", "Balance sheet balances"]
    assumptions = {r[0].value: r[1].value for r in workbook["assumptions"].iter_rows(min_row=4)}
    assert assumptions["finance.minimum_cash"] == 50000
    assert assumptions["indexation.wages"] == "2026: 0.03, 2031: 0.0275"
    figures = workbook["key figures"].iter_rows(min_row=4, max_row=12)
    kpis = {r[1].value: r[2].value for r in figures}
    assert kpis["break_even_year"] == 2030
    assert kpis["npv"] == pytest.approx(base.kpis["npv"], abs=0.005)


def test_extra_sheets_are_added_after_the_standard_ones(
        base: finmodel.Projection, tmp_path: Path) -> None:
    """A later module adds a sheet: index as labels, floats in euros, ints as numbers."""
    frame = pd.DataFrame({"npv": [1234.5, -10.0], "rank": [1, 2]},
                         index=pd.Index(["College", "Vendor"], name="party"))
    path = write_budget_xlsx(base, tmp_path / "b.xlsx", extra_sheets={"parties": frame})
    sheet = openpyxl.load_workbook(path)["parties"]
    assert openpyxl.load_workbook(path).sheetnames[-1] == "parties"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["party", "npv", "rank"], ["College", 1234.5, 1], ["Vendor", -10, 2]]
    assert sheet["B2"].number_format == EURO_FORMAT and sheet.freeze_panes == "B2"


def test_extra_sheet_with_a_bad_name_is_refused(base: finmodel.Projection,
                                                tmp_path: Path) -> None:
    """Excel's sheet-name rules are checked before anything is written."""
    with pytest.raises(ValueError, match=r"extra sheet name 'a/b': must be 1-31 characters"):
        write_budget_xlsx(base, tmp_path / "b.xlsx", extra_sheets={"a/b": pd.DataFrame()})
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_neither_the_file_nor_a_temporary(
        base: finmodel.Projection, tmp_path: Path) -> None:
    """An error while writing keeps the previous workbook and removes the temporary file."""
    target = tmp_path / "budget.xlsx"
    target.write_bytes(b"previous")

    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("cannot render")

    bad = pd.DataFrame({"x": [Broken()]})
    with pytest.raises(RuntimeError, match="cannot render"):
        write_budget_xlsx(base, target, extra_sheets={"broken": bad})
    assert [p.name for p in tmp_path.iterdir()] == ["budget.xlsx"]
    assert target.read_bytes() == b"previous"


def test_undefined_self_sufficiency_is_a_blank_cell(write: Any, tmp_path: Path) -> None:
    """Without costs self-sufficiency is null: an empty cell, never NaN or an error value."""
    from conftest import MINIMAL

    p = finmodel.project(finmodel.load_scenario(write(MINIMAL, "minimal.yaml")))
    path = write_budget_xlsx(p, tmp_path / "m.xlsx")
    rows = _rows(openpyxl.load_workbook(path, data_only=True)["budget"])
    assert [c.value or None for c in rows["self_sufficiency"]] == [None, None, None]
    assert [c.value for c in rows["result"]] == [0, 0, 0]


def test_a_long_horizon_prints_on_pages_side_by_side_with_its_labels(tmp_path: Path) -> None:
    """Up to 20 years a sheet prints one A4 page wide; 50 years print three pages wide,
    each page with the row labels again (shrunk to one page, no figure could be read)."""
    base = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    pages = {}
    for horizon in (15, 20, 21, 50):
        path = tmp_path / f"h{horizon}.xlsx"
        write_budget_xlsx(finmodel.project(base.with_changes({"horizon": horizon})), path)
        book = openpyxl.load_workbook(path)
        pages[horizon] = {name: (book[name].page_setup.fitToWidth or 1,  # 1: not written
                                 book[name].print_title_cols)
                          for name in ("inputs", "calculation", "budget", "key figures",
                                       "detail")}
        for sheet in book.worksheets:  # all landscape A4, as long as needed
            assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == (
                "landscape", 9), sheet.title
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
            assert sheet.page_setup.fitToHeight == 0, sheet.title
    one = {"inputs": (1, None), "calculation": (1, None), "budget": (1, None),
           "key figures": (1, None), "detail": (1, None)}
    assert pages[15] == pages[20] == one
    assert pages[21] == {"inputs": (2, "$A:$B"), "calculation": (2, "$A:$B"),
                         "budget": (2, "$A:$B"), "key figures": (2, "$A:$B"),
                         "detail": (2, "$A:$D")}
    assert {name: wide for name, (wide, _) in pages[50].items()} == dict.fromkeys(one, 3)

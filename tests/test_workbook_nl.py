"""budget.xlsx in Dutch: the same live model as the English one, in the report's words.

The Dutch workbooks are recalculated by LibreOffice (one ``soffice`` call) and must give
the engine's numbers to the cent, as the English ones do (tests/test_workbook_live.py);
no sheet name, header or label may be an English catalogue text or an internal
identifier; and both languages must have the same sheets in the same order and the same
formulas but for the sheet names they name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

import finmodel
from finmodel.views.i18n import Language
from finmodel.views.messages_en import MESSAGES as EN
from finmodel.views.messages_nl import MESSAGES as NL
from finmodel.views.partnership_report import workbook_sheets
from finmodel.views.workbook import sheet_names, write_budget_xlsx
from finmodel.views.workbook._grid import ref
from libreoffice import SOFFICE, convert
from test_workbook_live import _null, _scenario

NAMES = sheet_names("nl")
#: Bundled scenarios (loans, actuals), hand-made extremes and one generated scenario.
SCENARIOS = ["base", "base_actuals", "bridge_loan", "capacity_and_replacements", "loans",
             "one_year", "generated_0"]
_SHARES = {"occupancy", "self_sufficiency"}
#: Columns of machine-read keys, paths and values as written in the scenario file: not
#: words of the workbook (their header is checked, the cells below it are not).
_DATA_HEADERS = {"sleutel", "pad in het scenariobestand", "vastgelegd in", "waarde"}


def _extra(p: finmodel.Projection, lang: Language) -> dict[str, Any]:
    """The extra sheets as the report batch and `finmodel export` add them."""
    extra = workbook_sheets(p, lang)
    if p.scenario.ledger is not None:
        from finmodel.analysis.variance import variance
        from finmodel.views.variance_report import workbook_sheets as variance_sheets

        extra.update(variance_sheets(variance(p.scenario, p), lang))
    return extra


def _write(p: finmodel.Projection, folder: Path, name: str, lang: Language) -> Path:
    return write_budget_xlsx(p, folder / f"{name}_{lang}.xlsx", _extra(p, lang), lang=lang)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path, Path]]:
    """name -> (projection, English workbook, Dutch workbook), not recalculated."""
    folder = tmp_path_factory.mktemp("nl")
    out = {}
    for name in SCENARIOS:
        p = finmodel.project(_scenario(name, folder))
        out[name] = (p, _write(p, folder, name, "en"), _write(p, folder, name, "nl"))
    return out


@pytest.fixture(scope="module")
def recalculated(books: dict[str, tuple[Any, Path, Path]],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> the Dutch workbook as LibreOffice recalculated and saved it."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    folder = tmp_path_factory.mktemp("nl-recalculated")
    edited = _edit_tariff(books["base"][2], folder / "edit_tariff_nl.xlsx")
    paths = [nl for _, _, nl in books.values()] + [edited]
    done = convert(paths, folder / "out")
    return dict(zip([*books, "edit_tariff"], done, strict=True))


def _edit_tariff(path: Path, target: Path) -> Path:
    """Type a new Schools tariff into every year of the Dutch inputs sheet."""
    book = openpyxl.load_workbook(path)
    sheet = book[NAMES["inputs"]]
    row = next(r for r in sheet.iter_rows(min_row=5)
               if r[0].value == "rental.segments[Schools].tariff")
    for cell in row[5:]:
        if isinstance(cell.value, int | float):
            cell.value = 130.0
    book.save(target)
    return target


def _lines(book: Any) -> dict[str, list[Any]]:
    """Key (column B) -> values per year, from the Dutch budget, cash flow and balance."""
    out: dict[str, list[Any]] = {}
    for sheet, sign in (("budget", 1), ("cash flow", -1), ("balance", 1)):
        for row in book[NAMES[sheet]].iter_rows(min_row=4, values_only=True):
            key = row[1]
            if key and key not in out:
                flip = sign if key in ("capex", "repayment") else 1
                out[key] = [flip * v if isinstance(v, int | float) else v for v in row[2:]]
    return out


@pytest.mark.parametrize("name", [*SCENARIOS, "edit_tariff"])
def test_dutch_workbook_recalculated_gives_the_engines_numbers(
        books: Any, recalculated: dict[str, Path], name: str) -> None:
    """LibreOffice recalculates the Dutch workbook: every line, key figure and identity
    equals the engine's to the cent (an edited tariff: the engine on the edited scenario)."""
    p = books["base" if name == "edit_tariff" else name][0]
    if name == "edit_tariff":
        p = finmodel.project(p.scenario.with_changes({"rental.segments[Schools].tariff": 130.0}))
    book = openpyxl.load_workbook(recalculated[name], data_only=True)
    lines = _lines(book)
    assert set(p.lines) <= set(lines), set(p.lines) - set(lines)
    for key, expected in p.lines.items():
        for value, want in zip(lines[key], expected.tolist(), strict=True):
            if np.isnan(want):
                assert _null(value), (key, value)
            else:
                tolerance = 1e-9 if key in _SHARES else 0.005
                assert value == pytest.approx(want, rel=1e-12, abs=tolerance), (key, want)
    figures = {r[1]: r[2] for r in book[NAMES["key figures"]].iter_rows(
        min_row=4, max_row=3 + len(p.kpis), values_only=True)}
    for kpi, want in p.kpis.items():
        if want is None:
            assert _null(figures[kpi]), kpi
        else:
            assert figures[kpi] == pytest.approx(want, abs=0.005), kpi
    checks = book[NAMES["checks"]]
    assert (checks["B4"].value, checks["C4"].value) == ("master_check", True)
    if p.scenario.ledger is not None:
        from finmodel.analysis.variance import prognosis_lines

        expected = prognosis_lines(p.evaluation, p.scenario.ledger)
        sheet = book[NAMES["prognosis (formulas)"]]
        rows = {r[1]: r[2:2 + len(p.years)] for r in sheet.iter_rows(min_row=4,
                                                                      values_only=True) if r[1]}
        assert len(rows) >= 25
        for key, got in rows.items():
            for value, w in zip(got, expected[key].tolist(), strict=True):
                assert _null(value) if np.isnan(w) else value == pytest.approx(w, abs=0.005)


def test_a_changed_dutch_input_reaches_the_outputs(books: Any,
                                                   recalculated: dict[str, Path]) -> None:
    """LibreOffice recalculated the Dutch formulas (not kept the cached values)."""
    before = _lines(openpyxl.load_workbook(recalculated["base"], data_only=True))
    after = _lines(openpyxl.load_workbook(recalculated["edit_tariff"], data_only=True))
    assert sum(after["rental_income"]) > sum(before["rental_income"]) + 1000


# --- words, without a spreadsheet program ----------------------------------------------------

def _english_texts() -> re.Pattern[str]:
    """Every English catalogue text that Dutch writes differently, as one pattern (a
    ``{placeholder}`` matches any text), so that "Schools: tariff" is caught too."""
    patterns = []
    dutch = set(NL.values())
    for text in EN.values():
        if text in dutch:
            continue  # a word of both languages (EUR, factor, Subsidies, status, ...)
        literal = re.sub(r"\{[a-z_]+\}", "", text)
        if len(re.sub(r"[^A-Za-z]", "", literal)) < 3:
            continue  # a placeholder with punctuation would match any text
        parts = re.split(r"\{[a-z_]+\}", text)
        patterns.append(".+".join(re.escape(p) for p in parts))
    return re.compile("|".join(f"(?:{p})" for p in sorted(set(patterns))))


ENGLISH = _english_texts()
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # snake_case: total_result


def _label_cells(book: Any) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of every text a reader reads as the workbook's own words.

    Left out: the cells of a column of keys, paths or values as written in the scenario
    file (headed by one of ``_DATA_HEADERS``; its header, title, note and section titles are
    kept), and
    on the value sheets the user's own texts (risk descriptions, party names): there only
    the headers and the columns of our words (line, measure, check, kind, status) count.
    """
    standard = set(NAMES.values())
    ours = {"post", "grootheid", "controle", "soort", "status"}
    found = []
    for sheet in book:
        texts = [c for row in sheet.iter_rows() for c in row
                 if isinstance(c.value, str) and c.data_type != "f"]
        headers = {c.column: c.value for c in texts if c.value in _DATA_HEADERS | ours}
        for cell in texts:
            kind = headers.get(cell.column)
            heading = cell.value == kind or cell.row <= 2 or (cell.font.sz or 11) >= 12
            if sheet.title in standard:
                keep = kind not in _DATA_HEADERS or heading
            else:
                keep = cell.row == 1 or kind in ours
            if keep:
                found.append((sheet.title, cell.coordinate, cell.value))
    return found


@pytest.mark.parametrize("name", ["base_actuals", "bridge_loan", "capacity_and_replacements"])
def test_no_english_words_or_identifiers_in_the_dutch_workbook(books: Any, name: str) -> None:
    """Sheet names, headers, labels, units, notes and check messages are Dutch."""
    book = openpyxl.load_workbook(books[name][2])
    scenario = books[name][0].scenario.name  # the user's words, in the titles
    cells = [(s, c, x.replace(scenario, "…")) for s, c, x in _label_cells(book)]
    assert len(cells) > 300
    shown = [(s, "sheet name", s) for s in book.sheetnames] + cells
    english = [c for c in shown if ENGLISH.fullmatch(c[2])]
    assert not english, english[:20]
    identifiers = [c for c in shown if IDENTIFIER.search(c[2])]
    assert not identifiers, identifiers[:20]
    assert "Verhuuropbrengsten" in {c[2] for c in cells}
    assert "hoofdcontrole" in {c[2] for c in cells}


def test_the_english_workbook_fails_the_dutch_word_test(books: Any) -> None:
    """The word test finds English: the English workbook is full of it."""
    book = openpyxl.load_workbook(books["bridge_loan"][1])
    texts = [c.value for s in book for r in s.iter_rows() for c in r
             if isinstance(c.value, str) and c.data_type != "f"] + book.sheetnames
    assert sum(bool(ENGLISH.fullmatch(x)) for x in texts) > 200
    assert ENGLISH.fullmatch("Schools: tariff") and ENGLISH.fullmatch("cash flow")
    assert IDENTIFIER.search("cash_above_minimum") and IDENTIFIER.search("total_result")


def _rename(formula: str, names: dict[str, str]) -> str:
    """A Dutch formula with each sheet it names as the English workbook names it."""
    for nl in sorted(names, key=len, reverse=True):
        formula = formula.replace(f"{ref(nl)}!", f"{ref(names[nl])}!")
    return formula


@pytest.mark.parametrize("name", SCENARIOS)
def test_both_languages_have_the_same_sheets_cells_and_formulas(books: Any, name: str) -> None:
    """Same sheets in the same order, every number and formula in the same cell; the
    formulas differ only in the sheet names they name."""
    _, en_path, nl_path = books[name]
    en, nl = openpyxl.load_workbook(en_path), openpyxl.load_workbook(nl_path)
    assert len(en.sheetnames) == len(nl.sheetnames)
    names = dict(zip(nl.sheetnames, en.sheetnames, strict=True))
    assert [names[NAMES[s]] for s in ("budget", "cash flow", "inputs")] == [
        "budget", "cash flow", "inputs"]
    formulas = 0
    for nl_sheet, en_sheet in names.items():
        a, b = en[en_sheet], nl[nl_sheet]
        assert (a.max_row, a.max_column) == (b.max_row, b.max_column), nl_sheet
        assert a.freeze_panes == b.freeze_panes
        for row_a, row_b in zip(a.iter_rows(), b.iter_rows(), strict=True):
            for x, y in zip(row_a, row_b, strict=True):
                assert x.data_type == y.data_type, (nl_sheet, y.coordinate)
                if x.data_type == "f":
                    formulas += 1
                    assert _rename(y.value, names) == x.value, (nl_sheet, y.coordinate)
                elif x.data_type == "n":
                    assert x.value == y.value, (nl_sheet, y.coordinate)
                    assert x.number_format == y.number_format
    assert formulas > 50
    dutch_refs = {m for f in (c.value for s in nl for r in s.iter_rows() for c in r
                              if c.data_type == "f") for m in re.findall(r"([a-z]+)!", f)}
    assert dutch_refs <= {"begroting", "kasstroom", "balans", "invoer", "berekening"}


def test_export_and_report_write_the_dutch_workbook(tmp_path: Path, write: Any,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """`finmodel export --lang nl`, a scenario's `language: nl` and `finmodel report --lang
    nl --formats xlsx` write the Dutch workbook; without either it stays English."""
    from finmodel.cli.main import main

    assert main(["export", "bridge_loan", "--out", str(tmp_path / "nl.xlsx"), "--lang", "nl"]) == 0
    assert openpyxl.load_workbook(tmp_path / "nl.xlsx").sheetnames[:3] == [
        "begroting", "kasstroom", "balans"]
    text = (Path(finmodel.__file__).parents[2] / "scenarios" / "base.yaml").read_text("utf-8")
    dutch = write(text.replace("\nstart_year:", "\nlanguage: nl\nstart_year:", 1), "nl.yaml")
    assert main(["export", str(dutch), "--out", str(tmp_path / "scenario.xlsx")]) == 0
    book = openpyxl.load_workbook(tmp_path / "scenario.xlsx")
    assert book.sheetnames[-2:] == ["partijen", "risicoregister"]
    assert main(["export", str(dutch), "--out", str(tmp_path / "en.xlsx"), "--lang", "en"]) == 0
    assert openpyxl.load_workbook(tmp_path / "en.xlsx").sheetnames[0] == "budget"
    assert main(["report", "base_actuals", "--out", str(tmp_path / "r"), "--lang", "nl",
                 "--formats", "xlsx", "--jobs", "1"]) == 0
    capsys.readouterr()
    book = openpyxl.load_workbook(tmp_path / "r" / "base_actuals" / "budget.xlsx")
    assert {"begroting", "prognose (formules)", "realisatie", "verschillen",
            "controles prognose"} <= set(book.sheetnames)
    assert book["begroting"]["A4"].value == "Verhuuropbrengsten"
    prognosis = {r[1].value: r[2] for r in book["prognose"].iter_rows(min_row=2)}
    assert prognosis["occupancy"].number_format == "0.0%"  # a share, not euros
    assert prognosis["rented_hours"].number_format == "#,##0.0"

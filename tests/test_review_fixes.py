"""Defects found by looking at finmodel's outputs as a controller would (leftovers2)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

import finmodel
from finmodel.views.i18n import line_name, t
from finmodel.views.reporting import periods_html

from conftest import ROOT


def _rows(page: str) -> dict[str, list[float]]:
    """The rows of the period table: line name -> its two amounts (English numbers)."""
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page.split("<tbody>")[1], re.DOTALL):
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
        if len(cells) == 3:
            out[cells[0]] = [float(c.replace(",", "")) for c in cells[1:]]
    return out


def test_period_table_with_loans_shows_the_interest_and_adds_up() -> None:
    """With loans the budget by period (with and after the subsidy) lists the interest,
    as the yearly budget does; its expense lines add up to the total expenses (the
    interest was left out, so the column did not add up by the interest)."""
    p = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "bridge_loan.yaml"))
    rows = _rows(periods_html(p, "en"))
    interest = line_name("en", "interest")
    during = p.years <= 2029
    assert rows[interest] == [round(float(p.lines["interest"][during].sum())),
                              round(float(p.lines["interest"][~during].sum()))]
    assert rows[interest][0] > 0
    expenses = ("operating_costs", "variable_costs", "depreciation", "interest",
                "in_kind_costs")
    for column in (0, 1):
        total = sum(rows[line_name("en", line)][column] for line in expenses)
        assert abs(total - rows[line_name("en", "total_expenses")][column]) <= len(expenses)
    plain = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"))
    assert line_name("en", "interest") not in _rows(periods_html(plain, "en"))


def test_master_check_line_says_one_and_many() -> None:
    """"2 waarschuwing(en)" was the master check's line in every report; now one and many
    are said properly, in both languages."""
    from finmodel.views.summary import master_check_text

    p = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "bridge_loan.yaml"))
    warned = sum(not c.passed for c in p.checks)
    assert warned == 1
    assert master_check_text(p, "nl").endswith("; 1 waarschuwing, hieronder.")
    assert master_check_text(p, "en").endswith("; 1 warning, listed below.")
    two = finmodel.project(p.scenario.with_changes({"finance.minimum_cash": 1e7}))
    assert sum(not c.passed for c in two.checks) == 2
    assert master_check_text(two, "nl").endswith("; 2 waarschuwingen, hieronder.")
    assert master_check_text(two, "en").endswith("; 2 warnings, listed below.")


def test_budget_vs_actuals_chart_speaks_dutch() -> None:
    """The cash chart of "Begroting en realisatie" wrote its euro axis in English
    (``−10,000,000``, "EUR" label from the English catalogue) in a Dutch report."""
    from finmodel.analysis.variance import variance
    from finmodel.views.variance_report import cash_chart

    v = variance(finmodel.load_scenario(ROOT / "scenarios" / "base_actuals.yaml"))
    ax = cash_chart(v, "nl")
    assert ax.yaxis.get_major_formatter()(-1234567.8) in ("-1.234.568", "\u22121.234.568")
    assert ax.get_ylabel() == t("nl", "chart.eur")
    english = cash_chart(v, "en")
    assert english.yaxis.get_major_formatter()(-1234567.8) == "\u22121,234,568"


def test_what_if_table_keeps_whole_names_and_separate_columns() -> None:
    """The what-if KPI table cut names at 25 characters ("Netto contante waarde (NC")
    and ran two "n.v.t. (geen rente of aflossing)" cells together; the line table cut
    "Structureel resultaat (zonder sub"."""
    from finmodel.analysis.what_if import compare, exit_overrides
    from finmodel.views.i18n import kpi_name
    from finmodel.views.what_if import comparison_text

    base = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    comparison = compare(base, exit_overrides(base, "Care organisations", 2026))
    for lang in ("nl", "en"):
        text = comparison_text(comparison, lang)
        lines = text.splitlines()
        for name in comparison.kpis:
            row = next(x for x in lines if x.startswith(f"  {kpi_name(lang, name)}  "))
            cells = [c for c in re.split(r"\s{2,}", row.strip()) if c]
            assert len(cells) == 4, row  # name, base, what-if, difference
        assert f"  {line_name(lang, 'structural_result')}  " in text
    dscr = next(x for x in comparison_text(comparison, "nl").splitlines()
                if "DSCR" in x)
    assert dscr.count("n.v.t. (geen rente of aflossing)") == 2
    assert ")n.v.t." not in dscr


def test_risk_register_keeps_long_names_and_separate_columns(tmp_path: Path) -> None:
    """A long risk name was cut at 33 characters, and an amount of 11 characters or more
    touched its neighbour; now every cell is whole, two spaces apart."""
    from finmodel.analysis.risks import risk_register
    from finmodel.views.risks import register_text

    name = "Partner stopt halverwege en de gemeente trekt haar lening terug"
    path = tmp_path / "risky.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'base.yaml'}\nrisks:\n"
                    f"  - name: {name}\n    probability: 0.1\n    overrides:\n"
                    "      finance.opening_cash: -90000000\n", encoding="utf-8")
    register = risk_register(finmodel.load_scenario(path))
    for lang in ("nl", "en"):
        lines = register_text(register, lang).splitlines()
        row = next(x for x in lines if x.startswith(name + "  "))
        head = lines[lines.index(row) - 1]
        cells = re.split(r"\s{2,}", row)
        assert len(cells) == 10 and len(re.split(r"\s{2,}", head)) == 10, (head, row)
        assert len(head) == len(row)  # the headers stand over their columns
    assert "-90.150.000" in register_text(register, "nl")  # the impact on the lowest cash


def test_index_page_counts_one_and_many() -> None:
    """index.html said "2 scenario('s)" and "1 scenario('s)"."""
    from finmodel.reports._html import IndexRow, index_html

    def row(name: str) -> IndexRow:
        return IndexRow(name, name, {}, None, None, (), ())

    assert "1 scenario, 0 mislukt." in index_html([row("a")], None, "", "nl")
    assert "2 scenario&#x27;s, 0 mislukt." in index_html([row("a"), row("b")], None, "", "nl")
    assert "2 scenarios, 0 failed." in index_html([row("a"), row("b")], None, "", "en")
    assert "1 scenario, 0 failed." in index_html([row("a")], None, "", "en")


#: A folder in which no file can be made, whoever runs the tests (root included).
UNWRITABLE = Path("/proc")


@pytest.mark.skipif(not (UNWRITABLE / "self").is_dir(), reason="needs Linux's /proc")
def test_files_that_cannot_be_written_are_clear_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """export to a folder, or where no file can be made, and report or new where no
    folder or file can be made: a message in the run's language and exit 2 (export and
    report ended in a traceback, new said the system's English words); nothing left."""
    from finmodel.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    folder = tmp_path / "d.xlsx"
    folder.mkdir()
    base = str(ROOT / "scenarios" / "base.yaml")
    assert run("export", base, "--out", str(folder), "--force", "--lang", "nl") == (
        2, "", f"finmodel export: fout: --out {folder}: is een map; geef een bestandsnaam die "
               "eindigt op .xlsx\n")
    code, out, err = run("export", base, "--out", str(UNWRITABLE / "x.xlsx"), "--lang", "nl")
    assert (code, out) == (2, "") and err.startswith(
        f"finmodel export: fout: --out {UNWRITABLE / 'x.xlsx'}: kan niet schrijven: "), err
    code, _, err = run("export", base, "--out", str(UNWRITABLE / "x.xlsx"))
    assert code == 2 and err.startswith("finmodel export: error: --out /proc/x.xlsx: cannot "
                                        "write: ")
    code, out, err = run("report", base, "--out", str(UNWRITABLE / "rep"), "--formats", "html",
                         "--lang", "nl")
    assert (code, out) == (2, "") and err.startswith(
        "finmodel report: fout: /proc/rep: kan de uitvoermap niet maken: "), err
    code, out, err = run("new", str(UNWRITABLE / "lab.yaml"), "--lang", "nl")
    assert (code, out) == (2, "") and err == (
        "finmodel new: fout: /proc/lab.yaml: kan niet schrijven: het bestand bestaat niet\n")
    assert list(tmp_path.iterdir()) == [folder] and not list(folder.iterdir())

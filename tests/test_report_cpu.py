"""What keeps a report's CPU down (issue 16) without changing what it shows: the report's
tables and the batch's workbook are made without pandas, so neither the kernel nor the
batch process imports it (about 0.3 s of CPU each), and the pandas-free tables hold
exactly what the DataFrames held."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import finmodel
from finmodel.views import partnership_report
from finmodel.views.workbook import write_budget_xlsx

from conftest import ROOT

#: The report notebook's cells after its parameters, run as the kernel runs them (the
#: display function replaced: no kernel here); then whether pandas was imported.
_CELLS = """
import json, sys
import IPython.display
IPython.display.display = lambda *objects, **options: None
cells = json.load(open(sys.argv[1], encoding="utf-8"))["cells"]
for scenario in sys.argv[2:]:
    names = {"scenario_path": scenario, "lang": "", "base_path": sys.argv[2]}
    for cell in cells[1:]:
        exec("".join(cell["source"]), names)
print(json.dumps(sorted(m for m in ("pandas",) if m in sys.modules)))
"""

#: A batch writing budget.xlsx only (no notebook runs), then whether pandas was imported.
_BATCH = """
import json, sys
from pathlib import Path
from finmodel.reports import find_scenario_files, plan_scenarios, run_reports
planned = plan_scenarios(find_scenario_files([sys.argv[1]]))
result = run_reports(planned, Path(sys.argv[2]), Path(sys.argv[3]), ("xlsx",))
assert result.failed == 0, result.messages
print(json.dumps(sorted(m for m in ("pandas",) if m in sys.modules)))
"""


def _run(code: str, *args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, cwd=ROOT, check=True, timeout=600)
    result: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
def test_report_notebook_code_runs_without_pandas() -> None:
    """Every section of the bundled report, for a scenario with parties, risks and
    uncertainty and for one with actuals and loans, in a fresh interpreter: pandas is
    never imported."""
    scenarios = [str(ROOT / "scenarios" / name) for name in ("base.yaml", "base_actuals.yaml",
                                                            "bridge_loan.yaml")]
    assert _run(_CELLS, str(ROOT / "notebooks" / "scenario_report.ipynb"), *scenarios) == []


@pytest.mark.slow
def test_batch_writes_the_workbook_without_pandas(tmp_path: Path) -> None:
    """budget.xlsx of a scenario without actuals is written by a batch process that never
    imports pandas."""
    assert _run(_BATCH, str(ROOT / "scenarios" / "base.yaml"), str(tmp_path / "out"),
                str(ROOT / "notebooks" / "scenario_report.ipynb")) == []
    assert (tmp_path / "out" / "base" / "budget.xlsx").is_file()


@pytest.mark.parametrize("name", ["base", "vendor_exits"])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_sheets_without_pandas_hold_what_the_dataframes_hold(
        tmp_path: Path, name: str, lang: str) -> None:
    """The parties and risks sheets written from the pandas-free tables have the same
    cells (values, number formats, types) as those written from the DataFrames."""
    p = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
    tables = partnership_report.workbook_tables(p, lang)  # type: ignore[arg-type]
    frames = partnership_report.workbook_sheets(p, lang)  # type: ignore[arg-type]
    assert list(tables) == list(frames)
    books = [openpyxl.load_workbook(write_budget_xlsx(p, tmp_path / f"{i}.xlsx",
                                                      extra_sheets=sheets))
             for i, sheets in enumerate((tables, frames))]
    for sheet in tables:
        cells = [[[(c.value, c.number_format, c.data_type) for c in row]
                  for row in book[sheet].iter_rows()] for book in books]
        assert cells[0] == cells[1]
        assert len(cells[0]) == 1 + len(tables[sheet].rows)  # the header, then a row each


def test_parties_table_rows_are_the_statement(tmp_path: Path) -> None:
    """The parties table holds each party's measures but own-use hours, per year and the
    NPV on the net row only; the lab's rows after them (hand-checked on base.yaml)."""
    from finmodel.analysis.parties import LAB, party_statement

    p = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"))
    statement = party_statement(p)
    table = partnership_report.parties_table(p)
    parties = list(statement.parties)
    assert [labels[0] for labels, _ in table.rows] == \
        [name for name in parties for _ in range(7)] + [LAB] * len(statement.lab)
    net = dict(table.rows)[(parties[0], "Net (gets - brings)")]
    case = statement.parties[parties[0]]
    assert net == [*case.net.tolist(), case.npv]
    brings = dict(table.rows)[(parties[0], "Brings, total")]
    assert brings[:-1] == case.brings.tolist() and brings[-1] != brings[-1]  # NaN: no NPV


@pytest.mark.slow
def test_batch_kernel_is_a_stock_kernel_without_its_debugger(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch kernel starts without debugpy (about 0.1 s of CPU) and otherwise as
    ``python -m ipykernel_launcher`` starts it: the same sys.argv[0] and sys.path."""
    from finmodel.reports import _job, _kernel
    from test_batch import write_notebook

    notebook = str(write_notebook(tmp_path, [
        'scenario_path = ""',
        "import json, sys\n"
        "print(json.dumps([sys.argv[0], sys.path, sys.modules.get('debugpy') is not None]))"]))
    monkeypatch.setenv("FINMODEL_REPORTS_PER_KERNEL", "1")  # a fresh kernel for each run

    def seen() -> list[object]:
        nb = _job.execute({"scenario_path": "x"}, notebook, 120)
        result: list[object] = json.loads(nb.cells[-1].outputs[0].text)
        return result

    try:
        ours = seen()
        monkeypatch.setattr(_kernel, "without_debugger", lambda cmd: cmd)
        stock = seen()
    finally:
        _kernel.shutdown_kernels()
    assert ours[:2] == stock[:2] and str(ours[0]).endswith("ipykernel_launcher.py")
    assert (ours[2], stock[2]) == (False, True)

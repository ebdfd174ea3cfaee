"""The batch report runner (finmodel.reports): planning, safe writes, isolation, index."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

import finmodel
from finmodel.reports import (
    BatchResult,
    _io,
    find_scenario_files,
    folder_names,
    parse_formats,
    plan_scenarios,
    run_reports,
    safe_name,
)
from finmodel.reports._html import IndexRow, index_html
from finmodel.reports._plan import UsageError, base_folder

from conftest import MINIMAL, TINY

#: A report notebook small enough for fast tests: parameters, an escaped title, a figure.
CELLS = [
    'scenario_path = ""',
    "import html, time\nimport finmodel\n"
    "from IPython.display import HTML, display\n"
    "p = finmodel.project(finmodel.load_scenario(scenario_path))\n"
    "if 'boom' in p.scenario.name:\n    raise ValueError('boom in the notebook')\n"
    "time.sleep(float(p.scenario.description or 0) if (p.scenario.description or '')"
    ".replace('.', '').isdigit() else 0)\n"
    "display(HTML(f'<h1>{html.escape(p.scenario.name)}</h1>'\n"
    "             f'<p>{html.escape(p.scenario.description or \"\")}</p>'\n"
    "             f'<p id=\"npv\">{p.kpis[\"npv\"]!r}</p>'))",
    "import matplotlib\nmatplotlib.use('module://matplotlib_inline.backend_inline')\n"
    "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(4, 2))\n"
    "ax.plot(p.years, p.lines['cash_end'])\nplt.show()",
]


def write_notebook(folder: Path, cells: list[str] = CELLS) -> Path:
    """A notebook whose first cell is tagged ``parameters``; stored without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.cells[0].metadata["tags"] = ["parameters"]
    path = folder / "mini.ipynb"
    nbformat.write(nb, path)
    return path


def scenario_text(name: str, description: str = "", base: str = TINY) -> str:
    text = base.replace("name: Tiny\n", "")
    return f"name: {json.dumps(name)}\ndescription: {json.dumps(description)}\n{text}"


def batch(tmp_path: Path, files: dict[str, str], jobs: int = 1,
          formats: tuple[str, ...] = ("html", "ipynb")) -> BatchResult:
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    planned = plan_scenarios(find_scenario_files([str(folder)]))
    return run_reports(planned, tmp_path / "out", write_notebook(tmp_path), formats,
                       jobs=jobs, timeout=120)


class _Text(HTMLParser):
    """Visible text of a page, plus the tags seen (stdlib parser, no dependencies)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text("utf-8"))
    return parser


def test_safe_name_keeps_letters_digits_dash_underscore() -> None:
    """Folder names lose separators, dots at the ends and markup; never empty."""
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("a b<c>") == "a_b_c"
    assert safe_name(".hidden.") == "hidden"
    assert safe_name("") == "scenario"
    assert safe_name("x" * 200) == "x" * 80


def test_folder_names_are_distinct_ignoring_case() -> None:
    """Stems that reduce to the same folder get -2, -3 (case-insensitive file systems)."""
    assert folder_names(["a b", "a_b", "A_B", "a?b"]) == ["a_b", "a_b-2", "A_B-3", "a_b-4"]


def test_parse_formats_rejects_unknown_and_empty() -> None:
    """--formats accepts html, pdf, xlsx, ipynb in any order; anything else is a usage
    error."""
    assert parse_formats("ipynb,html,html") == ("html", "ipynb")
    assert parse_formats("pdf,html") == ("html", "pdf")
    with pytest.raises(UsageError, match="unknown format 'docx'"):
        parse_formats("html,docx")
    with pytest.raises(UsageError, match="empty"):
        parse_formats(" , ")


def test_find_scenario_files_folders_files_and_missing(tmp_path: Path) -> None:
    """A folder gives its *.yaml/*.yml sorted; a file once; an empty folder is an error."""
    (tmp_path / "b.yaml").write_text(MINIMAL)
    (tmp_path / "a.yml").write_text(MINIMAL)
    (tmp_path / "notes.txt").write_text("x")
    found = find_scenario_files([str(tmp_path), str(tmp_path / "b.yaml")])
    assert [p.name for p in found] == ["a.yml", "b.yaml"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no scenario files"):
        find_scenario_files([str(tmp_path / "empty")])
    with pytest.raises(UsageError, match="nope.yaml: no such scenario"):
        find_scenario_files([str(tmp_path / "nope.yaml")])


def test_plan_validates_every_scenario_before_running(tmp_path: Path) -> None:
    """Invalid files are planned with their problems (file and line), valid ones with the
    scenario; the comparison base is the stem 'base', else the first valid one."""
    (tmp_path / "a.yaml").write_text(MINIMAL + "horizon2: 1\n")
    (tmp_path / "base.yaml").write_text(MINIMAL)
    (tmp_path / "c.yaml").write_text(MINIMAL)
    planned = plan_scenarios(find_scenario_files([str(tmp_path)]))
    assert [(p.folder, p.valid) for p in planned] == [("a", False), ("base", True),
                                                      ("c", True)]
    assert str(planned[0].problems[0]).startswith(f"{tmp_path / 'a.yaml'}:4: horizon2:")
    assert base_folder(planned) == "base"
    assert base_folder(planned[2:]) == "c"


def test_atomic_write_leaves_nothing_when_interrupted(tmp_path: Path) -> None:
    """An exception (or Ctrl-C) while writing leaves neither the file nor a temporary."""
    (tmp_path / "report.html").write_text("old")
    with pytest.raises(KeyboardInterrupt), _io.atomic_path(tmp_path / "report.html") as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert (tmp_path / "report.html").read_text() == "old"


def test_sweep_removes_temporaries_of_a_killed_run(tmp_path: Path) -> None:
    """Temporary files (.tmp-*) left by a killed run are removed, real files are kept."""
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / ".tmp-1a2b3c4d-report.html").write_text("half")
    (tmp_path / "base" / "report.html").write_text("whole")
    assert _io.sweep_partial_files(tmp_path) == 1
    assert [p.name for p in (tmp_path / "base").iterdir()] == ["report.html"]


def test_index_escapes_scenario_text() -> None:
    """Names and error messages from scenario files are escaped in index.html."""
    rows = [IndexRow("x", "<script>alert(1)</script>", {"npv": 1234.5}, 0.5, True, (),
                     (("report", "x/report.html"),)),
            IndexRow("y", "y", {}, None, None, (), (), error="y.yaml:2: a: <img src=x>")]
    page = index_html(rows, "compare.html", "")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x>" not in page and "&lt;img src=x&gt;" in page
    assert "<td>1,234 EUR</td>" in page or "<td>1,235 EUR</td>" in page
    dutch = index_html(rows, "compare.html", "", "nl")
    assert "<td>€\xa01.234</td>" in dutch or "<td>€\xa01.235</td>" in dutch
    assert "<td>50%</td>" in dutch and ">rapport</a>" in dutch


@pytest.mark.slow
def test_batch_isolates_a_failing_scenario(tmp_path: Path) -> None:
    """A bad file and a failing notebook get error rows; the good report is written."""
    result = batch(tmp_path, {"good.yaml": scenario_text("Good"),
                              "bad.yaml": MINIMAL + "facility: {available_hours: -1}\n",
                              "worse.yaml": scenario_text("boom")}, jobs=2)
    out = tmp_path / "out"
    assert (result.succeeded, result.failed) == (1, 2)
    assert sorted(p.name for p in (out / "good").iterdir()) == ["report.html", "report.ipynb"]
    assert not (out / "worse").exists() and not (out / "bad").exists()
    assert any("bad.yaml:" in m for m in result.messages)
    assert any("worse.yaml: report failed: notebook cell" in m and "boom in the notebook" in m
               for m in result.messages)
    text = " ".join(parse(out / "index.html").text)
    assert "boom in the notebook" in text and "bad.yaml:" in text
    assert [row.error is None for row in result.rows] == [False, True, False]


@pytest.mark.slow
def test_batch_report_html_is_escaped_self_contained_without_code(tmp_path: Path) -> None:
    """report.html: description escaped, no code cells or prompts, the figure embedded,
    and the NPV printed in the page equals the engine's."""
    text = scenario_text("Tiny <b>", "<script>alert('x')</script>")
    result = batch(tmp_path, {"tiny.yaml": text})
    assert result.failed == 0
    page = (tmp_path / "out" / "tiny" / "report.html").read_text("utf-8")
    parsed = parse(tmp_path / "out" / "tiny" / "report.html")
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert "import finmodel" not in page and "In&nbsp;[" not in page and "input_area" not in page
    images = [attrs for tag, attrs in parsed.tags if tag == "img"]
    assert len(images) == 1 and (images[0]["src"] or "").startswith("data:image/png;base64,")
    assert not [a for tag, a in parsed.tags if tag in ("link", "script") or
                (tag == "img" and not (a["src"] or "").startswith("data:"))]
    engine = finmodel.project(finmodel.load_scenario(tmp_path / "scenarios" / "tiny.yaml"))
    npv = page.split('<p id="npv">')[1].split("</p>")[0]
    assert float(npv) == engine.kpis["npv"]


@pytest.mark.slow
def test_batch_interrupted_mid_write_leaves_no_partial_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C at the moment a report is renamed into place leaves no report.html and no
    temporary file behind."""
    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_io.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch(tmp_path, {"tiny.yaml": scenario_text("Tiny")})
    left = [p.relative_to(tmp_path / "out").as_posix()
            for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert left == []


def test_batch_xlsx_only_needs_no_notebook(tmp_path: Path) -> None:
    """--formats xlsx writes budget.xlsx alone (no kernel), with its figures in the index."""
    result = batch(tmp_path, {"tiny.yaml": scenario_text("Tiny")}, formats=("xlsx",))
    assert (result.succeeded, result.failed) == (1, 0)
    assert [p.name for p in (tmp_path / "out" / "tiny").iterdir()] == ["budget.xlsx"]
    assert result.rows[0].links == (("Excel", "tiny/budget.xlsx"),)
    assert result.rows[0].kpis["min_cash"] == 4000


def test_batch_without_kernel_when_no_notebook_format(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only invalid scenarios: no job runs, index.html and compare.html are still written."""
    result = batch(tmp_path, {"bad.yaml": "horizon: [\n"})
    assert (result.succeeded, result.failed) == (0, 1)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["compare.html",
                                                                    "index.html"]


@pytest.mark.slow
def test_batch_watchdog_ends_a_hung_notebook(tmp_path: Path) -> None:
    """A notebook that runs past --timeout is ended: an error row, no report files, and
    its kernel does not outlive the batch."""
    import os

    import psutil

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "slow.yaml").write_text(scenario_text("Slow"))
    notebook = write_notebook(tmp_path, ['scenario_path = ""', "import time\ntime.sleep(60)"])
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    result = run_reports(plan_scenarios(find_scenario_files([str(folder)])), tmp_path / "out",
                         notebook, ("html",), jobs=1, timeout=4)
    assert result.rows[0].error == "timed out after 4 s (wall clock); see --timeout"
    assert not (tmp_path / "out" / "slow").exists()
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert [p for p in left if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert kernels_running(f"/fm-{os.getpid()}-") == []


def kernels_running(marker: str) -> list[int]:
    """Process ids of running kernels whose command line names ``marker`` (a part of the
    path of a batch's kernel folder, ``/fm-PID-``): also kernels whose parent ended."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        line = " ".join(process.info["cmdline"] or ())
        if "ipykernel" in line and marker in line and \
                process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process.pid)
    return found


@pytest.mark.slow
def test_batch_compare_notebook_gets_paths_and_base(tmp_path: Path) -> None:
    """With a compare notebook, compare.html is its export: all valid scenario paths
    (absolute) in order, and the base (stem 'base')."""
    compare_dir = tmp_path / "nb"
    compare_dir.mkdir()
    compare = write_notebook(compare_dir, [
        'scenario_paths = []\nbase = ""',
        "from pathlib import Path\n"
        "print('|'.join(Path(p).name for p in scenario_paths), Path(base).name,"
        " all(Path(p).is_absolute() for p in scenario_paths))"])
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("a", "base", "c"):
        (folder / f"{name}.yaml").write_text(scenario_text(name.upper()))
    (folder / "b.yaml").write_text("horizon: x\n")
    result = run_reports(plan_scenarios(find_scenario_files([str(folder)])), tmp_path / "out",
                         write_notebook(tmp_path), ("ipynb",), jobs=2, timeout=120,
                         compare_notebook=compare)
    assert (result.failed, result.compare_error) == (1, None)
    text = " ".join(parse(tmp_path / "out" / "compare.html").text)
    assert "a.yaml|base.yaml|c.yaml base.yaml True" in text


class _Tables(HTMLParser):
    """Rows of every table as lists of cell texts, keyed by the section (h2) above them."""

    def __init__(self) -> None:
        super().__init__()
        self.section = ""
        self.rows: dict[str, list[list[str]]] = {}
        self._in: str | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._in, self.section = "h2", ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._in = "cell"
            self._row.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows.setdefault(self.section, []).append(self._row)
            self._row = None
        if tag in ("h2", "td", "th"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "h2":
            self.section += data
        elif self._in == "cell" and self._row is not None:
            self._row[-1] += data.strip()


def _euros(text: str) -> float:
    return float(text.replace(",", "").replace("EUR", "").strip())


@pytest.mark.slow
def test_batch_real_report_numbers_equal_the_engine(tmp_path: Path) -> None:
    """The bundled report notebook on base.yaml: every budget and balance line in
    report.html is the engine's to the euro, budget.xlsx the engine's to Excel's 15 digits,
    and report.ipynb ran without an error."""
    import openpyxl

    from finmodel.views.text import LABELS

    from conftest import ROOT

    notebook = ROOT / "notebooks" / "scenario_report.ipynb"
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "base.yaml").write_text((ROOT / "scenarios" / "base.yaml").read_text())
    result = run_reports(plan_scenarios(find_scenario_files([str(folder)])), tmp_path / "out",
                         notebook, ("html", "xlsx", "ipynb"), jobs=1, timeout=300)
    assert result.messages == ()
    engine = finmodel.project(finmodel.load_scenario(folder / "base.yaml"))
    lines = {LABELS[name]: name for name in finmodel.LINES}
    tables = _Tables()
    tables.feed((tmp_path / "out" / "base" / "report.html").read_text("utf-8"))
    checked = 0
    for section in ("Budget", "Balance"):
        for label, *cells in tables.rows[section]:
            if (label in lines and len(cells) >= len(engine.years) and cells[0]
                    and cells[0][-1].isdigit()):  # not the budget by period
                values = engine.lines[lines[label]]
                shown = [_euros(c) for c in cells[:len(values)]]
                assert shown == pytest.approx(values, abs=0.5), label
                if section == "Budget":  # the total column: the sum over the horizon
                    assert _euros(cells[-1]) == pytest.approx(values.sum(), abs=0.5), label
                checked += 1
    assert checked >= 16
    npv = [row[-1] for row in tables.rows["Summary"] if row[0].startswith("Net present value")]
    assert abs(_euros(npv[0]) - engine.kpis["npv"]) <= 0.5
    book = openpyxl.load_workbook(tmp_path / "out" / "base" / "budget.xlsx", data_only=True)
    sheet = book["budget"]  # the live workbook: formulas with the engine's values cached
    rows = {row[1]: row[2:] for row in sheet.iter_rows(min_row=4, values_only=True)}
    for name in ("total_income", "total_expenses", "result", "structural_result"):
        # Excel keeps 15 significant digits: the engine's value to a millionth of a cent
        assert list(rows[name]) == pytest.approx(engine.lines[name].tolist(), abs=1e-8)
    executed = nbformat.read(tmp_path / "out" / "base" / "report.ipynb", as_version=4)
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]


def test_execute_retries_a_kernel_start_error_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel-start error (RuntimeError, DeadKernelError, ZMQError) is retried once; a
    second one, or any other error, is not."""
    import zmq

    from finmodel.reports import _job

    calls: list[int] = []

    def flaky(errors: list[BaseException]) -> Callable[..., str]:
        def run(*args: object) -> str:
            calls.append(1)
            if errors:
                raise errors.pop(0)
            return "executed"
        return run

    notebook = _job.Notebook("nb.ipynb", None)  # read already: the runs are stand-ins
    monkeypatch.setattr(_job, "_execute_once", flaky([zmq.ZMQError()]))
    assert _job.execute({}, notebook, 5) == "executed" and len(calls) == 2
    calls.clear()
    monkeypatch.setattr(_job, "_execute_once", flaky([RuntimeError("a"), RuntimeError("b")]))
    with pytest.raises(RuntimeError, match="b"):
        _job.execute({}, notebook, 5)
    assert len(calls) == 2
    calls.clear()
    monkeypatch.setattr(_job, "_execute_once", flaky([ValueError("cell")]))
    with pytest.raises(ValueError, match="cell"):
        _job.execute({}, notebook, 5)
    assert len(calls) == 1


def test_a_job_reads_its_notebook_once_and_names_its_kernel_as_papermill(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One report reads the notebook file once (for its parameters, its kernel and the
    run); a notebook naming no kernel fails with papermill's own message."""
    import papermill.iorw

    from finmodel.reports import _job

    notebook = write_notebook(tmp_path)
    reads: list[str] = []
    read = papermill.iorw.papermill_io.read

    def counted(path: str, *args: object) -> object:
        reads.append(str(path))
        return read(path, *args)

    monkeypatch.setattr(papermill.iorw.papermill_io, "read", counted)
    (tmp_path / "s.yaml").write_text(scenario_text("Once"), encoding="utf-8")
    job = _job.ReportJob(str(tmp_path / "s.yaml"), str(tmp_path / "out"), str(notebook),
                         ("html", "ipynb"), 120)
    try:
        outcome = _job.run_report(job)
    finally:
        from finmodel.reports._kernel import shutdown_kernels

        shutdown_kernels()
    assert outcome.error is None and reads == [str(notebook)]
    executed = nbformat.read(tmp_path / "out" / "report.ipynb", as_version=4)
    parameters = f'# Parameters\nscenario_path = "{tmp_path / "s.yaml"}"\n'
    assert executed.cells[1].source == parameters
    nameless = nbformat.read(notebook, as_version=4)
    del nameless.metadata["kernelspec"]
    nbformat.write(nameless, notebook)
    failed = _job.run_report(job)
    assert failed.error == ("ValueError: No kernel name found in notebook and no override "
                            "provided.")
    assert not (tmp_path / "out" / "report.html").exists()

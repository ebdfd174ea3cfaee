"""One warm kernel per worker: reused across reports, reset between them, fresh after a
failure, bounded, and shut down when the batch ends (finmodel.reports._kernel)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from finmodel.reports import _kernel, find_scenario_files, plan_scenarios, run_reports
from finmodel.reports._job import JobTimeout, execute
from test_batch import CELLS, kernels_running, scenario_text, write_notebook

from conftest import ROOT

#: A notebook that changes everything a report could leave behind.
DIRTY = [
    'scenario_path = ""',
    "import os, sys, warnings\nimport numpy as np\nimport pandas as pd\n"
    "import matplotlib\nimport matplotlib.pyplot as plt\n"
    "secret = 42\nmatplotlib.rcParams['lines.linewidth'] = 7\n"
    "matplotlib.rcParams['axes.prop_cycle'] = matplotlib.cycler(color=['red'])\n"
    "fig = plt.figure()\nplt.ioff()\nos.chdir(os.path.dirname(scenario_path) or '/')\n"
    "os.environ['FM_LEFT_BEHIND'] = 'yes'\nsys.path.append('/nowhere')\n"
    "warnings.simplefilter('error')\npd.set_option('display.max_rows', 3)\n"
    "np.set_printoptions(precision=2)\nnp.seterr(all='raise')\nsecret",
]

#: A notebook that prints what it finds: the same on a reused kernel as on a fresh one
#: (after its first figure: a fresh kernel turns matplotlib's interactive mode on when
#: pyplot makes its first figure, a reused one has it on from the start).
PROBE = [
    'scenario_path = ""',
    "import json, os, sys, warnings\nimport numpy as np\nimport pandas as pd\n"
    "import matplotlib\nimport matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots(figsize=(2, 1))\nax.plot([1, 2])\nplt.show()",
    "print(json.dumps({\n"
    "    'names': sorted(k for k in globals() if not k.startswith('_')),\n"
    "    'figures': plt.get_fignums(), 'interactive': matplotlib.is_interactive(),\n"
    "    'linewidth': matplotlib.rcParams['lines.linewidth'],\n"
    "    'rc': {k: repr(v) for k, v in matplotlib.rcParams.items()},\n"
    "    'cwd': os.getcwd(), 'left': os.environ.get('FM_LEFT_BEHIND'),\n"
    "    'path': sys.path, 'filters': repr(warnings.filters),\n"
    "    'max_rows': pd.get_option('display.max_rows'),\n"
    "    'numpy': repr(np.get_printoptions()), 'errors': np.geterr(),\n"
    "    'history': len(In)}))",
    "1 + 1",
]


class _Counting(_kernel.IPCKernelManager):
    """The kernel manager, counting the kernels started."""

    started: list[int] = []

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _Counting.started.append(id(self))


@pytest.fixture
def kernels(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The kernels this test starts (one entry each); none kept after it."""
    _kernel.shutdown_kernels()
    _Counting.started = []
    monkeypatch.setattr(_kernel, "IPCKernelManager", _Counting)
    monkeypatch.delenv("FINMODEL_REPORTS_PER_KERNEL", raising=False)
    yield _Counting.started
    _kernel.shutdown_kernels()


def _outputs(nb: Any) -> list[tuple[Any, Any]]:
    return [(cell.execution_count, cell.outputs) for cell in nb.cells
            if cell.cell_type == "code"]


def _stamp_free(text: str) -> str:
    """``text`` without what differs between any two runs: the time the report was made
    (the assumptions table's last row) and the id papermill gives the parameters cell it
    injects (random)."""
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00", "(time)", text)
    return re.sub(r"cell-id=[0-9a-f-]+", "cell-id=(id)", text)


def _probe(nb: Any) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(nb.cells[3].outputs[0].text)  # after the injected cell
    return found


@pytest.mark.slow
def test_reused_kernel_shows_nothing_of_the_previous_notebook(
        tmp_path: Path, kernels: list[int]) -> None:
    """A notebook sets a global, changes rcParams, leaves a figure open, moves the working
    directory...; the next notebook on the same kernel sees none of it, and its executed
    notebook (outputs, execution counts 1, 2, ...) equals the one of a fresh kernel."""
    (tmp_path / "dirty").mkdir()
    dirty = write_notebook(tmp_path / "dirty", DIRTY)
    probe = str(write_notebook(tmp_path, PROBE))
    cwd = os.getcwd()
    ran = execute({"scenario_path": str(tmp_path / "x.yaml")}, str(dirty), 60)
    assert ran.cells[-1].outputs[0].data["text/plain"] == "42"
    reused = execute({"scenario_path": "p"}, probe, 60)
    assert len(kernels) == 1  # the same kernel ran both
    _kernel.shutdown_kernels()
    fresh = execute({"scenario_path": "p"}, probe, 60)
    assert len(kernels) == 2
    assert _outputs(reused) == _outputs(fresh)
    assert [count for count, _ in _outputs(reused)] == [1, 2, 3, 4, 5]
    seen = _probe(reused)
    assert "secret" not in seen["names"] and seen["figures"] == []
    assert seen["linewidth"] == 1.5 and seen["interactive"] is True  # matplotlib's default
    assert seen["cwd"] == cwd and seen["left"] is None and "/nowhere" not in seen["path"]
    assert seen["max_rows"] == 60 and seen["history"] == 5  # '', In[1] to In[4]
    assert seen["errors"]["divide"] == "warn" and "'precision': 8" in seen["numpy"]
    assert "'error'" not in seen["filters"].split(",")[0]  # not simplefilter('error')
    images = [o for o in reused.cells[2].outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the figure of this notebook, not the one left open


@pytest.mark.slow
def test_second_report_of_a_batch_equals_a_fresh_kernel_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernels: list[int]) -> None:
    """The bundled report notebook: the second scenario's report.ipynb (cells, outputs,
    execution counts) and report.html from the reused kernel equal those of a batch that
    starts a fresh kernel for every report."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(ROOT / "scenarios" / "base.yaml", folder / "base.yaml")
    (folder / "child.yaml").write_text("extends: base.yaml\nname: Child\n", encoding="utf-8")
    planned = plan_scenarios(find_scenario_files([str(folder)]))
    notebook = ROOT / "notebooks" / "scenario_report.ipynb"
    result = run_reports(planned, tmp_path / "reused", notebook, ("html", "ipynb"), jobs=1)
    assert result.failed == 0 and len(kernels) == 1
    monkeypatch.setenv("FINMODEL_REPORTS_PER_KERNEL", "1")
    run_reports(planned, tmp_path / "fresh", notebook, ("html", "ipynb"), jobs=1)
    assert len(kernels) == 3
    for name in ("base", "child"):
        reused = nbformat.read(tmp_path / "reused" / name / "report.ipynb", as_version=4)
        fresh = nbformat.read(tmp_path / "fresh" / name / "report.ipynb", as_version=4)
        assert _stamp_free(json.dumps(_outputs(reused))) == \
            _stamp_free(json.dumps(_outputs(fresh)))
        assert [count for count, _ in _outputs(reused)] == list(range(1, len(reused.cells) + 1))
        html = [_stamp_free((tmp_path / run / name / "report.html").read_text("utf-8"))
                for run in ("reused", "fresh")]
        assert html[0] == html[1] and "(time)" in html[0]


@pytest.mark.slow
def test_failing_notebook_message_unchanged_and_next_report_on_a_fresh_kernel(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernels: list[int]) -> None:
    """A notebook that raises on a reused kernel names the same cell as on a fresh one;
    the report after it starts a fresh kernel."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.yaml").write_text(scenario_text("boom" if name == "b" else name))
    planned = plan_scenarios(find_scenario_files([str(folder)]))
    notebook = write_notebook(tmp_path)
    reused = run_reports(planned, tmp_path / "reused", notebook, ("html",), jobs=1)
    assert len(kernels) == 2  # a and b on the first, c on a fresh one
    monkeypatch.setenv("FINMODEL_REPORTS_PER_KERNEL", "1")
    fresh = run_reports(planned, tmp_path / "fresh", notebook, ("html",), jobs=1)
    assert [row.error for row in reused.rows] == [row.error for row in fresh.rows]
    assert reused.rows[1].error == "notebook cell 3 raised ValueError: boom in the notebook"
    assert reused.failed == 1 and (tmp_path / "reused" / "c" / "report.html").is_file()


@pytest.mark.slow
def test_reuse_is_bounded_by_reports_and_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernels: list[int]) -> None:
    """FINMODEL_REPORTS_PER_KERNEL=2: three runs need two kernels; a kernel beyond
    MEMORY_LIMIT after its reset is replaced; a bad setting is a clear error."""
    notebook = str(write_notebook(tmp_path, ['scenario_path = ""', "scenario_path"]))
    monkeypatch.setenv("FINMODEL_REPORTS_PER_KERNEL", "2")
    for i in range(3):
        assert execute({"scenario_path": str(i)}, notebook, 60).cells[-1].outputs[0].data[
            "text/plain"] == repr(str(i))
    assert len(kernels) == 2
    _kernel.shutdown_kernels()
    monkeypatch.delenv("FINMODEL_REPORTS_PER_KERNEL")
    monkeypatch.setattr(_kernel, "MEMORY_LIMIT", 0)  # every kernel holds more
    execute({"scenario_path": "a"}, notebook, 60)
    execute({"scenario_path": "b"}, notebook, 60)
    assert len(kernels) == 4
    monkeypatch.setenv("FINMODEL_REPORTS_PER_KERNEL", "0")
    with pytest.raises(ValueError, match="FINMODEL_REPORTS_PER_KERNEL must be a whole"):
        execute({"scenario_path": "c"}, notebook, 60)


@pytest.mark.slow
def test_a_kernel_that_died_between_reports_is_replaced(
        tmp_path: Path, kernels: list[int]) -> None:
    """The kept kernel is killed while idle: the next run starts a fresh one and works."""
    notebook = str(write_notebook(tmp_path, ['scenario_path = ""', "scenario_path"]))
    execute({"scenario_path": "a"}, notebook, 60)
    os.kill(_kernel._THREAD.warm.manager.provisioner.process.pid, signal.SIGKILL)
    nb = execute({"scenario_path": "b"}, notebook, 60)
    assert nb.cells[-1].outputs[0].data["text/plain"] == "'b'" and len(kernels) == 2


@pytest.mark.slow
def test_after_a_timeout_the_next_run_gets_a_fresh_kernel(
        tmp_path: Path, kernels: list[int]) -> None:
    """The watchdog ends a run (its kernel killed); the next run on the same thread starts
    a fresh kernel, and only that one is left, kept for a next run."""
    notebook = str(write_notebook(tmp_path, [
        'scenario_path = ""', "import os, time\nif scenario_path == 'slow':\n"
        "    time.sleep(60)\nos.getpid()"]))
    execute({"scenario_path": "warm"}, notebook, 120)
    timed_out = _kernel._THREAD.warm.manager.provisioner.process
    with pytest.raises(JobTimeout, match="timed out after 5 s"):
        execute({"scenario_path": "slow"}, notebook, 5)
    assert timed_out.poll() is not None and not hasattr(_kernel._THREAD, "warm")
    nb = execute({"scenario_path": "swift"}, notebook, 120)
    assert len(kernels) == 2 and nb.cells[-1].outputs[0].data["text/plain"] != str(timed_out.pid)
    assert kernels_running(f"/{os.path.basename(_kernel.runtime_dir())}/") == [
        _kernel._THREAD.warm.manager.provisioner.process.pid]


@pytest.mark.slow
def test_each_thread_keeps_its_own_kernel(tmp_path: Path, kernels: list[int]) -> None:
    """As on a Dask worker: runs on one thread share its kernel (and its event loop);
    another thread has its own; shutdown_kernels ends them all."""
    notebook = str(write_notebook(tmp_path, ['scenario_path = ""', "scenario_path"]))
    answers: list[str] = []

    def run(tag: str) -> None:
        from jupyter_core.utils import ensure_event_loop

        try:
            for i in range(2):
                nb = execute({"scenario_path": f"{tag}{i}"}, notebook, 60)
                answers.append(nb.cells[-1].outputs[0].data["text/plain"])
        finally:  # the event loop the client made for this thread (a worker keeps its own)
            ensure_event_loop().close()

    threads = [threading.Thread(target=run, args=(tag,)) for tag in "xy"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert sorted(answers) == ["'x0'", "'x1'", "'y0'", "'y1'"] and len(kernels) == 2
    assert _kernel.shutdown_kernels() == 2 and _kernel.shutdown_kernels() == 0


@pytest.mark.slow
def test_pool_workers_reuse_their_kernel_and_leave_none(tmp_path: Path) -> None:
    """Two worker processes, four reports: at most two kernels ran them (each report's
    notebook prints its kernel's process id), and none runs after the batch."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for i in range(4):
        (folder / f"s{i}.yaml").write_text(scenario_text(f"S{i}"))
    notebook = write_notebook(tmp_path, [*CELLS[:2], "import os\nprint(os.getpid())"])
    result = run_reports(plan_scenarios(find_scenario_files([str(folder)])), tmp_path / "out",
                         notebook, ("ipynb",), jobs=2)
    assert result.failed == 0
    pids = {nbformat.read(tmp_path / "out" / f"s{i}" / "report.ipynb", as_version=4)
            .cells[-1].outputs[0].text for i in range(4)}
    assert len(pids) <= 2  # 4 reports on 2 workers: without reuse, 4 kernels
    assert kernels_running(f"/fm-{os.getpid()}-") == []

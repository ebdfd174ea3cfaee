"""Batch reports and Monte Carlo on a real Dask cluster: ``dask scheduler`` and two
``dask worker`` processes started from this environment on 127.0.0.1, compared with the
local run, then stopped."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import finmodel
from finmodel.analysis.simulation import simulate
from finmodel.reports import find_scenario_files, plan_scenarios, run_reports
from test_batch import CELLS, scenario_text, write_notebook
from test_report_cli import interrupted_report

from conftest import ROOT

DASK = Path(sys.executable).with_name("dask")
FINMODEL = Path(sys.executable).with_name("finmodel")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DASK.is_file(), reason=f"no dask command at {DASK}"),
]


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([str(DASK), *args], stdout=out, stderr=subprocess.STDOUT,
                                cwd=log.parent, start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # the worker's nanny and its process
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and two single-threaded workers on free ports of 127.0.0.1."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("cluster")
    info = folder / "scheduler.json"
    processes = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0",
                         "--dashboard-address", "127.0.0.1:0", "--scheduler-file",
                         str(info)], folder / "scheduler.log")]
    try:
        deadline = time.monotonic() + 60
        while not info.is_file() and time.monotonic() < deadline:
            assert processes[0].poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.2)
        where = json.loads(info.read_text())["address"]
        for i in range(2):
            processes.append(_start(["worker", where, "--nthreads", "1", "--host",
                                     "127.0.0.1", "--dashboard-address", "127.0.0.1:0",
                                     "--name", f"w{i}"], folder / f"worker{i}.log"))
        with Client(where, timeout=30) as client:
            client.wait_for_workers(2, timeout=120)
        yield where
    finally:
        for process in reversed(processes):
            _stop(process)


def test_simulate_on_the_cluster_equals_the_local_run(address: str) -> None:
    """Every KPI of every draw, the line percentiles and the risk frequencies equal the
    local run with the same seed; chunks of 1,500 draws cross the workers."""
    from distributed import Client

    base = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    local = simulate(base, draws=5_000, seed=11, with_risks=True)
    with Client(address, timeout=30) as client:
        remote = simulate(base, draws=5_000, seed=11, with_risks=True, chunk=1_500,
                          client=client)
    for name, values in local.kpis.items():
        np.testing.assert_array_equal(remote.kpis[name], values)
    for name, values in local.percentiles.items():
        np.testing.assert_array_equal(remote.percentiles[name], values)
    assert remote.to_json() == local.to_json()
    assert min(remote.risks.values()) > 0 and max(remote.risks.values()) < 1
    # and so does the local run in forked processes (Linux), the default for many draws
    forked = simulate(base, draws=5_000, seed=11, with_risks=True, chunk=1_500, threads=2,
                      processes=True)
    assert forked.to_json() == local.to_json()


def test_simulate_command_with_cluster_prints_the_local_json(address: str) -> None:
    command = [str(FINMODEL), "simulate", "base", "--draws", "3000", "--seed", "5",
               "--format", "json"]
    here = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    there = subprocess.run([*command, "--cluster", address], capture_output=True, text=True,
                           cwd=ROOT, check=True)
    assert there.stdout == here.stdout and json.loads(there.stdout)["draws"] == 3000


def _stamp_free(path: Path) -> str:
    """A page without its generation time and the random id of papermill's injected
    cell, which differ between two runs."""
    text = re.sub(r"cell-id=[0-9a-f-]+", "cell-id", path.read_text("utf-8"))
    return re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?( UTC)?", "TIME", text)


def _cells(sheet: object) -> list[list[object]]:
    """A sheet's values, the generation time left out."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]  # type: ignore[attr-defined]
    return [row for row in rows if row[:1] != ["generated"]]


def test_report_batch_on_the_cluster_equals_the_local_batch(address: str,
                                                             tmp_path: Path) -> None:
    """Two real reports (HTML, Excel): the same files, pages and workbook values, and the
    same index rows as the local batch."""
    import openpyxl
    from distributed import Client

    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(ROOT / "scenarios" / "base.yaml", folder / "base.yaml")
    (folder / "child.yaml").write_text("extends: base.yaml\nname: Child\n"
                                       "finance: {opening_cash: 50000}\n")
    planned = plan_scenarios(find_scenario_files([str(folder)]))
    notebook = ROOT / "notebooks" / "scenario_report.ipynb"
    local = run_reports(planned, tmp_path / "local", notebook, ("html", "xlsx"), jobs=1)
    with Client(address, timeout=30) as client:
        remote = run_reports(planned, tmp_path / "remote", notebook, ("html", "xlsx"),
                             client=client)
    assert (local.failed, remote.failed) == (0, 0), remote.messages
    assert [r.kpis for r in remote.rows] == [r.kpis for r in local.rows]
    assert remote.rows[0].kpis != remote.rows[1].kpis  # the child's opening cash differs
    for name in ("base", "child"):
        assert sorted(p.name for p in (tmp_path / "remote" / name).iterdir()) == [
            "budget.xlsx", "report.html"]
        assert (_stamp_free(tmp_path / "remote" / name / "report.html")
                == _stamp_free(tmp_path / "local" / name / "report.html"))
        books = [openpyxl.load_workbook(tmp_path / run / name / "budget.xlsx")
                 for run in ("local", "remote")]
        assert books[0].sheetnames == books[1].sheetnames
        for sheet in books[0].sheetnames:
            assert _cells(books[1][sheet]) == _cells(books[0][sheet])
    assert (tmp_path / "remote" / "index.html").is_file()


def test_report_cluster_isolates_a_failing_scenario(address: str, tmp_path: Path) -> None:
    """A notebook that fails for one scenario: an error row, its old report removed, the
    other report written, exit code 1 from the command."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "good.yaml").write_text(scenario_text("Good"))
    (folder / "worse.yaml").write_text(scenario_text("boom"))
    stale = tmp_path / "out" / "worse" / "report.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("an old report")
    notebook = write_notebook(tmp_path, CELLS)
    done = subprocess.run([str(FINMODEL), "report", str(folder), "--out",
                           str(tmp_path / "out"), "--formats", "html", "--notebook",
                           str(notebook), "--cluster", address],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "worse.yaml: report failed: notebook cell" in done.stderr
    assert "boom in the notebook" in done.stderr
    assert not stale.exists()
    good = (tmp_path / "out" / "good" / "report.html").read_text("utf-8")
    assert "<h1>Good</h1>" in good
    assert "boom in the notebook" in (tmp_path / "out" / "index.html").read_text("utf-8")
    assert "1 report in" in done.stdout and "1 failed" in done.stdout


def test_watchdog_off_the_main_thread_ends_the_run(tmp_path: Path) -> None:
    """On a worker thread (as a Dask worker runs tasks) the watchdog still ends a run
    that hangs: JobTimeout, and the kernel it started is gone."""
    import threading

    import psutil

    from finmodel.reports._job import JobTimeout, execute

    notebook = write_notebook(tmp_path, ['scenario_path = ""', "import time\ntime.sleep(60)"])
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    caught: list[BaseException] = []

    def run() -> None:
        try:
            execute({"scenario_path": "x"}, str(notebook), 6)
        except BaseException as exc:
            caught.append(exc)
        finally:  # the event loop the client made for this thread (a worker keeps its own)
            from jupyter_core.utils import ensure_event_loop

            ensure_event_loop().close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert [type(e) for e in caught] == [JobTimeout]
    assert str(caught[0]) == "timed out after 6 s (wall clock); see --timeout"
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert [p for p in left if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []


def _json_of(command: list[str], cwd: Path) -> tuple[str, dict[str, object]]:
    done = subprocess.run([str(FINMODEL), *command, "--format", "json"], capture_output=True,
                          text=True, cwd=cwd, check=True)
    return done.stdout, json.loads(done.stdout)


def test_table_on_the_cluster_equals_the_local_table(address: str) -> None:
    """A 37 x 23 grid (851 cells, blocks of 426 on the two workers): the same JSON as
    the local table; one cell checked by hand (opening cash adds one for one to the
    lowest cash when the other axis is fixed)."""
    command = ["table", "base", "--x", "finance.opening_cash=0:360000:37",
               "--y", "finance.discount_rate=-0.02:0.1:23", "--kpi", "min_cash"]
    here, table = _json_of(command, ROOT)
    there, _ = _json_of([*command, "--cluster", address], ROOT)
    assert there == here
    cells = table["cells"]
    assert isinstance(cells, list) and (len(cells), len(cells[0])) == (23, 37)
    assert cells[5][3] - cells[5][2] == pytest.approx(10_000, abs=1e-6)


def test_table_api_on_the_cluster_in_small_blocks(address: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 7 cells (not whole rows), a line KPI: cells and invalid flags equal."""
    from distributed import Client

    from finmodel.analysis import sensitivity

    base = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    x = ("rental.segments[Schools].tariff", np.linspace(40, 200, 9))
    y = ("facility.available_hours", np.linspace(500, 6000, 6))
    local = sensitivity.data_table(base, x, y, "structural_result@2030")
    monkeypatch.setattr(sensitivity, "CELLS", 7)
    with Client(address, timeout=30) as client:
        remote = sensitivity.data_table(base, x, y, "structural_result@2030", client=client)
    np.testing.assert_array_equal(remote.cells, local.cells)
    np.testing.assert_array_equal(remote.invalid_cells, local.invalid_cells)
    assert local.invalid_cells.any() and not local.invalid_cells.all()
    assert remote.to_dict() == local.to_dict()


def test_probabilistic_goal_seek_on_the_cluster_equals_the_local_run(address: str) -> None:
    """5,001 draws in pieces on two workers: the same value, probability and JSON; the
    answer reaches the probability (at least 90 % of the draws)."""
    command = ["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi",
               "min_cash", "--target", "50000", "--probability", "0.9", "--range",
               "0:1000000", "--draws", "5001", "--seed", "4"]
    here, local = _json_of(command, ROOT)
    there, _ = _json_of([*command, "--cluster", address], ROOT)
    assert there == here
    assert local["draws"] == 5001 and local["seed"] == 4
    assert isinstance(local["achieved"], float) and local["achieved"] >= 0.9


def test_goal_seek_pieces_of_draws_equal_the_local_draws(address: str,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """Pieces of 333 draws (the last one short), the event 'at most': the same answer."""
    from distributed import Client

    from finmodel.analysis import goalseek

    base = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    args = (base, "rental.segments[Schools].tariff", "years_below_minimum", 0.0, 0.75)
    local = goalseek.probabilistic_goal_seek(*args, draws=2_000, seed=9, at_most=True)
    monkeypatch.setattr(goalseek, "DRAWS_PER_TASK", 333)
    with Client(address, timeout=30) as client:
        remote = goalseek.probabilistic_goal_seek(*args, draws=2_000, seed=9, at_most=True,
                                                  client=client)
    assert remote == local and local.achieved >= 0.75


#: Nine segments whose demand exceeds the rentable hours in OTHER: the pro-rata scale
#: couples them all, so the sampled bridge has a spread and uses every order.
RING = """name: {name}
start_year: 2025
horizon: 3
facility: {{available_hours: 1000}}
operating_costs: [{{name: Staff, amount: 1000}}]
rental:
  segments:
{segments}
finance: {{discount_rate: 0.0}}
"""


def _ring(folder: Path, name: str, demand: list[float]) -> Path:
    segments = "\n".join(f"    - {{name: S{i}, tariff: {100 + 10 * i}, demand_hours: {d}}}"
                         for i, d in enumerate(demand))
    path = folder / f"{name.lower()}.yaml"
    path.write_text(RING.format(name=name, segments=segments), encoding="utf-8")
    return path


def test_sampled_bridge_on_the_cluster_equals_the_local_bridge(address: str,
                                                              tmp_path: Path) -> None:
    """Nine coupled items, 40 orders (20 tasks): the same parts, standard errors, orders
    and projections in the JSON of `finmodel compare`."""
    base = _ring(tmp_path, "Base", [50.0] * 9)
    other = _ring(tmp_path, "Other", [200.0 + 20 * i for i in range(9)])
    command = ["compare", str(base), str(other), "--permutations", "40", "--seed", "1"]
    here, local = _json_of(command, tmp_path)
    there, _ = _json_of([*command, "--cluster", address], tmp_path)
    assert there == here
    bridged = local["bridge"]
    assert isinstance(bridged, dict)
    assert (bridged["method"], bridged["permutations"]) == ("sampled", 40)
    assert max(p["standard_error"] for p in bridged["parts"]) > 0


def test_sampled_bridge_stopping_early_on_the_cluster(address: str, tmp_path: Path) -> None:
    """Additive items stop the sampling after 10 pairs of the 100 asked for: the cluster
    run stops at the same order and counts the same projections."""
    from distributed import Client

    from finmodel.analysis.compare import bridge

    base = finmodel.load_scenario(_ring(tmp_path, "Base", [50.0] * 10))
    other = finmodel.load_scenario(_ring(tmp_path, "Other", [60.0 + i for i in range(10)]))
    local = bridge(base, other, permutations=200, seed=2)
    with Client(address, timeout=30) as client:
        remote = bridge(base, other, permutations=200, seed=2, client=client)
    assert (local.method, local.permutations) == ("sampled", 20)
    assert remote == local
    # each segment's own effect: 3 years x its extra hours (10 + 3) x its tariff
    assert dict(local.parts)["rental.segments[S3]"] == pytest.approx(3 * 13 * 130, abs=1e-9)


def test_commands_without_cluster_do_not_import_dask() -> None:
    """table, goal-seek and compare without --cluster: distributed is never imported."""
    code = ("import sys; from finmodel.cli import main; "
            "main(['table', 'base', '--x', 'finance.opening_cash=0:1:2', '--y', "
            "'finance.discount_rate=0:0.1:2', '--format', 'json']); "
            "main(['goal-seek', 'base', '--param', 'finance.opening_cash', '--target-kpi', "
            "'min_cash', '--target', '0', '--probability', '0.5', '--draws', '50', "
            "'--format', 'json']); "
            "main(['compare', 'base', 'subsidy_stops_early', '--format', 'json']); "
            "sys.stderr.write(' '.join(m for m in sys.modules if m.startswith(('dask', "
            "'distributed'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stderr == ""


def test_cluster_not_used_where_it_does_not_pay() -> None:
    """A deterministic goal seek warns and an exact bridge (one item) stays silent; both
    run here without reaching for the scheduler (none listens on port 9) and print what
    they print without --cluster."""
    nowhere = ["--cluster", "tcp://127.0.0.1:9", "--format", "json"]
    seek = ["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi",
            "min_cash", "--target", "50000", "--range", "0:1000000"]
    compare = ["compare", "base", "subsidy_stops_early"]
    for command, warning in ((seek, "finmodel goal-seek: warning: --cluster is used with "
                                    "--probability only; this goal seek runs here\n"),
                             (compare, "")):
        here = subprocess.run([str(FINMODEL), *command, "--format", "json"],
                              capture_output=True, text=True, cwd=ROOT, check=True)
        there = subprocess.run([str(FINMODEL), *command, *nowhere], capture_output=True,
                               text=True, cwd=ROOT, check=True)
        assert there.stdout == here.stdout and there.stderr == here.stderr + warning


def test_report_cluster_workers_reuse_their_kernel_and_keep_none(address: str,
                                                                 tmp_path: Path) -> None:
    """Four reports on two single-threaded workers: at most two kernels ran them (each
    notebook prints its kernel's process id), and no worker keeps one after the batch."""
    from distributed import Client

    folder = tmp_path / "scenarios"
    folder.mkdir()
    for i in range(4):
        (folder / f"s{i}.yaml").write_text(scenario_text(f"S{i}"))
    notebook = write_notebook(tmp_path, [*CELLS[:2], "import os\nprint(os.getpid())"])
    with Client(address, timeout=30) as client:
        result = run_reports(plan_scenarios(find_scenario_files([str(folder)])),
                             tmp_path / "out", notebook, ("ipynb",), client=client)
        assert result.failed == 0, result.messages
        assert not any(_kernels(client).values()), _kernels(client)
    pids = {json.loads((tmp_path / "out" / f"s{i}" / "report.ipynb").read_text())
            ["cells"][-1]["outputs"][0]["text"][0] for i in range(4)}
    assert len(pids) <= 2  # 4 reports on 2 workers: without reuse, 4 kernels


def _report_tasks(client: object) -> list[str]:
    """The keys of report tasks the scheduler still knows."""
    def keys(dask_scheduler: object) -> list[str]:
        return [str(k) for k in dask_scheduler.tasks  # type: ignore[attr-defined]
                if "run_report_remote" in str(k)]

    found: list[str] = client.run_on_scheduler(keys)  # type: ignore[attr-defined]
    return found


def _report_transitions(client: object) -> list[tuple[str, str, str, str]]:
    """``(key, from, to, stimulus)`` of every report task the scheduler's log holds."""
    def log(dask_scheduler: object) -> list[tuple[str, str, str, str]]:
        return [(str(t[0]), t[1], t[2], t[4])
                for t in dask_scheduler.transition_log  # type: ignore[attr-defined]
                if "run_report_remote" in str(t[0])]

    found: list[tuple[str, str, str, str]] = client.run_on_scheduler(log)  # type: ignore[attr-defined]
    return found


def _kernels(client: object) -> dict[str, list[int]]:
    """The kernel processes each worker has started and not yet stopped."""
    def children() -> list[int]:
        import psutil

        def kernel(process: psutil.Process) -> bool:
            try:  # one that has exited (a zombie, or gone) is no kernel left
                return "ipykernel" in " ".join(process.cmdline())
            except psutil.Error:
                return False

        return [p.pid for p in psutil.Process().children(recursive=True) if kernel(p)]

    found: dict[str, list[int]] = client.run(children)  # type: ignore[attr-defined]
    return found


SLOW = 9  # scenarios of 20 s each behind the quick one; 2 single-threaded workers


def test_report_ctrl_c_on_the_cluster(address: str, tmp_path: Path) -> None:
    """Ctrl-C after the first report is written: exit 130, only whole files; the scheduler
    saw every other report task cancelled (released on the batch's cancel, never
    finished), none is left, no kernel process is left on the workers, and the same two
    workers run the next batch.

    Nine reports of 20 s each on two workers: at Ctrl-C (a few seconds in) at most four
    have started and none can have finished, so a batch that waited for its tasks, or
    left them to finish, fails here."""
    from distributed import Client

    folder = tmp_path / "scenarios"
    folder.mkdir()
    for i in range(1 + SLOW):
        (folder / f"s{i}.yaml").write_text(scenario_text(f"S{i}", "20" if i else "0"))
    notebook = write_notebook(tmp_path)
    with Client(address, timeout=30) as client:
        workers = client.run(os.getpid)
        before = {key for key, *_ in _report_transitions(client)}
        code, err, _ = interrupted_report(tmp_path, str(folder), "--formats", "html",
                                       "--notebook", str(notebook), "--cluster", address)
        assert code == 130 and "finmodel: interrupted\n" in err, err
        files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
        assert [p.relative_to(tmp_path / "out").as_posix() for p in files] == [
            "s0/report.html"]
        assert files[0].read_text("utf-8").endswith("</html>\n")
        deadline = time.monotonic() + 120  # a report running at Ctrl-C ends on its worker
        while (_report_tasks(client) or any(client.processing().values())
               or any(_kernels(client).values())) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _report_tasks(client) == [] and not any(client.processing().values())
        assert not any(_kernels(client).values()), _kernels(client)
        log = [t for t in _report_transitions(client) if t[0] not in before]
        keys = {key for key, *_ in log}
        finished = {key for key, _, to, _ in log if to in ("memory", "erred")}
        cancelled = {key for key, _, to, why in log
                     if to in ("released", "forgotten") and why.startswith("cancel-key-")}
        assert len(keys) == 1 + SLOW and len(finished) == 1, log  # only s0 ran to its end
        assert cancelled == keys - finished, log
        assert client.run(os.getpid) == workers  # the same worker processes, alive
    done = subprocess.run([str(FINMODEL), "report", str(folder / "s0.yaml"), "--out",
                           "again", "--formats", "html", "--notebook", str(notebook),
                           "--cluster", address], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "<h1>S0</h1>" in (tmp_path / "again" / "s0" / "report.html").read_text("utf-8")


def test_cluster_option_errors_are_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    """A word that is no address, and an address where no scheduler listens: a message
    naming what to do, no traceback."""
    from finmodel.cli import _cluster
    from finmodel.model.errors import FinModelError

    with pytest.raises(FinModelError, match="neither 'local' nor a scheduler address"), \
            _cluster.connect("nonsense"):
        pass
    monkeypatch.setattr(_cluster, "CONNECT_TIMEOUT", 2)
    with pytest.raises(FinModelError, match=r"cannot reach a Dask scheduler at "
                       r"tcp://127.0.0.1:9 within 2 s.*dask scheduler"), \
            _cluster.connect("tcp://127.0.0.1:9"):
        pass

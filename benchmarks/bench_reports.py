"""Batch report speed (issues 3, 16): reports per minute and CPU per report with 1 and
2 jobs, with 1 and 2 Dask workers, and the floor.

Each configuration runs in a fresh Python process, as ``finmodel report`` would, on 4
copies of scenarios/base.yaml (the Dask figures too) with the bundled report notebook
and the command's default formats (HTML + Excel + executed notebook). CPU per report is
the CPU time of that process and everything it started (kernels, workers) over the
reports: on a shared machine it varies far less than the wall time. The floor is what
any report costs at least: executing an empty notebook (one parameters cell) with the
same kernel settings and converting it to HTML, on a fresh kernel each time (as every
report had before kernels were reused); then on one reused kernel.

Each worker keeps one kernel for its reports (finmodel.reports._kernel): the first
report of a worker pays the kernel start and the imports, the next ones a reset. The
1-job batch is also run with ``FINMODEL_REPORTS_PER_KERNEL=1`` (a fresh kernel for every
report) for the saving, and the wall time of its first report is shown apart from the
next ones.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

SCENARIOS = 4
FORMATS = "html,xlsx,ipynb"  # finmodel report's default
#: The cluster figures: two rounds on two workers, enough for the ratio (`make bench`
#: stays under 5 minutes).
CLUSTER_SCENARIOS = 4
NOTEBOOK = Path("notebooks/scenario_report.ipynb")

#: Until the report notebook exists: parameters, the budget table and two charts.
_STAND_IN = [
    'scenario_path = ""',
    "import finmodel\nimport matplotlib.pyplot as plt\n"
    "p = finmodel.project(finmodel.load_scenario(scenario_path))\np.budget",
    "fig, ax = plt.subplots()\nax.plot(p.years, p.lines['cash_end'])\nplt.show()",
    "fig, ax = plt.subplots()\nax.bar(p.years, p.lines['structural_result'])\nplt.show()",
]

_BATCH = """
import json, resource, sys, time
from pathlib import Path
from finmodel.reports import find_scenario_files, plan_scenarios, run_reports
from finmodel.reports._batch import skip_slow_imports
skip_slow_imports()  # as finmodel report does
folder, out, notebook, jobs, formats = sys.argv[1:6]
marks = []  # when each report ended (the first mark: the start)
start = time.perf_counter()
result = run_reports(plan_scenarios(find_scenario_files([folder])), Path(out),
                     Path(notebook), tuple(formats.split(",")), jobs=int(jobs),
                     progress=lambda done, total: marks.append(time.perf_counter()))
own, kernels = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                    resource.RUSAGE_CHILDREN))
print(json.dumps({"seconds": time.perf_counter() - start, "failed": result.failed,
                  "messages": list(result.messages),
                  "each": [b - a for a, b in zip(marks, marks[1:])],
                  "own_cpu": own.ru_utime + own.ru_stime,
                  "kernels_cpu": kernels.ru_utime + kernels.ru_stime}))
"""

#: The batch on a LocalCluster of N single-threaded worker processes, started (and
#: warmed up with one report) before the clock starts, as a running cluster would be.
_CLUSTER = """
import json, logging, sys, time
from pathlib import Path
from distributed import Client, LocalCluster
from finmodel.reports import find_scenario_files, plan_scenarios, run_reports
from finmodel.reports._batch import skip_slow_imports
skip_slow_imports()
def main():
    folder, out, notebook, workers, formats, count = sys.argv[1:7]
    planned = plan_scenarios(find_scenario_files([folder]))[:int(count)]
    with LocalCluster(n_workers=int(workers), threads_per_worker=1,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        run_reports(planned[:1], Path(out + "-warm"), Path(notebook),
                    tuple(formats.split(",")), client=client)
        start = time.perf_counter()
        result = run_reports(planned, Path(out), Path(notebook),
                             tuple(formats.split(",")), client=client)
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "failed": result.failed,
                      "messages": list(result.messages)}))
if __name__ == "__main__":
    main()
"""

_FLOOR = """
import json, statistics, sys, time
from finmodel.reports._batch import _environment, _kernel_folder, skip_slow_imports
skip_slow_imports()
import nbformat
from finmodel.reports._job import execute, to_html
nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                             "language": "python"}
nb.cells = [nbformat.v4.new_code_cell('scenario_path = ""', metadata={"tags": ["parameters"]})]
path = sys.argv[1]
nbformat.write(nb, path)
times = []
with _kernel_folder() as folder, _environment(FINMODEL_KERNEL_DIR=folder,
                                              JUPYTER_RUNTIME_DIR=folder):
    for _ in range(4):
        start = time.perf_counter()
        to_html(execute({"scenario_path": "x"}, path, 60), "floor")
        times.append(time.perf_counter() - start)
print(json.dumps({"seconds": statistics.median(times[1:])}))
"""


def _python(code: str, *args: str, fresh_kernels: bool = False) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; its JSON answer plus ``cpu``: the CPU seconds
    of that process and everything it started (kernels, workers), load-independent.
    ``fresh_kernels``: a fresh kernel for every notebook (no reuse)."""
    env = {**os.environ, **({"FINMODEL_REPORTS_PER_KERNEL": "1"} if fresh_kernels else {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                         capture_output=True, text=True, check=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def _stand_in(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in _STAND_IN]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, path)
    print(f"(no {NOTEBOOK} yet: a stand-in with a table and two charts)")
    return path


def _cluster(folder: Path, work: Path, notebook: Path, formats: str) -> None:
    """The first reports of the batch on a LocalCluster of 1 and of 2 worker processes."""
    timings: dict[int, float] = {}
    for workers in (1, 2):
        result = _python(_CLUSTER, str(folder), str(work / f"cluster{workers}"),
                         str(notebook), str(workers), formats, str(CLUSTER_SCENARIOS))
        if result["failed"]:
            print(f"   {workers} worker(s): {result['failed']} failed: {result['messages']}")
        timings[workers] = result["seconds"]
        print(f"{CLUSTER_SCENARIOS} reports on a LocalCluster, {workers} worker(s): "
              f"{result['seconds']:6.1f} s = "
              f"{60 * CLUSTER_SCENARIOS / result['seconds']:5.1f} "
              "reports per minute")
    print(f"speed-up 2 cluster workers / 1:     {timings[1] / timings[2]:5.2f}x")


def _reuse(folder: Path, work: Path, notebook: Path, formats: str, cpu: float,
           each: list[float]) -> None:
    """The 1-job batch again with a fresh kernel for every report: what reuse saves; and
    the first report (kernel start, imports) against the next ones (a reset)."""
    fresh = _python(_BATCH, str(folder), str(work / "fresh"), str(notebook), "1", formats,
                    fresh_kernels=True)
    print(f"CPU per report, 1 job, a fresh kernel per report (as before): "
          f"{fresh['cpu'] / SCENARIOS:5.2f} s   (reuse: {cpu / fresh['cpu']:4.2f}x)")
    if len(each) == SCENARIOS:
        print(f"wall time of the first report (kernel start, imports): {each[0]:5.2f} s; "
              f"of the next ones: {sum(each[1:]) / (SCENARIOS - 1):5.2f} s each")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        folder = work / "scenarios"
        folder.mkdir()
        for i in range(SCENARIOS):
            shutil.copy("scenarios/base.yaml", folder / f"s{i}.yaml")
        notebook = NOTEBOOK if NOTEBOOK.is_file() else _stand_in(work / "stand_in.ipynb")
        formats = FORMATS
        timings: dict[int, float] = {}
        cpu: dict[int, float] = {}
        each_report: list[float] = []
        split = (0.0, 0.0)
        for jobs in (1, 2):
            result = _python(_BATCH, str(folder), str(work / f"out{jobs}"), str(notebook),
                             str(jobs), formats)
            if result["failed"]:
                print(f"   {jobs} job(s): {result['failed']} failed: {result['messages']}")
            timings[jobs] = result["seconds"]
            cpu[jobs] = result["cpu"]
            if jobs == 1:
                each_report = result["each"]
                split = (result["own_cpu"], result["kernels_cpu"])
            print(f"{SCENARIOS} reports ({formats}), {jobs} job(s): {result['seconds']:6.1f} s"
                  f"  = {60 * SCENARIOS / result['seconds']:5.1f} reports per minute"
                  f"   (CPU {result['cpu'] / SCENARIOS:.2f} s per report)")
        print(f"speed-up 2 jobs / 1 job:            {timings[1] / timings[2]:5.2f}x"
              f"   (target >= 1.7x; CPU per report 2 jobs / 1: {cpu[2] / cpu[1]:4.2f}x)")
        print(f"CPU per report, 1 job:              {cpu[1] / SCENARIOS:5.2f} s   (target < 2 s)")
        print(f"   of which the batch process {split[0] / SCENARIOS:4.2f} s (its imports "
              f"included), its kernels {split[1] / SCENARIOS:4.2f} s")
        _reuse(folder, work, notebook, formats, cpu[1], each_report)
        _cluster(folder, work, notebook, formats)
        floor = _python(_FLOOR, str(work / "empty.ipynb"), fresh_kernels=True)
        each = timings[1] / SCENARIOS
        floor_cpu = floor["cpu"] / 4  # four runs, each starting a kernel
        print(f"floor (empty notebook + HTML):      {floor['seconds']:5.2f} s"
              f"   (CPU {floor_cpu:.2f} s, incl. one interpreter start per 4 runs)")
        warm = _python(_FLOOR, str(work / "empty2.ipynb"))
        print(f"floor on a reused kernel:           {warm['seconds']:5.2f} s"
              f"   (CPU {warm['cpu'] / 4:.2f} s, the same 4 runs on one kernel)")
        print(f"time per report, 1 job:             {each:5.2f} s = "
              f"{each / floor['seconds']:4.2f}x the floor   (target < 2x); CPU "
              f"{cpu[1] / SCENARIOS / floor_cpu:4.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

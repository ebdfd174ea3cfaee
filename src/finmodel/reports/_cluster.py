"""The batch on a Dask cluster: one task per scenario, files written here.

Each task is :func:`~finmodel.reports._job.run_report_remote`: the job function of the
process pool, run in a worker process on a private copy of the files it needs (the
scenario, its ``extends`` parents, the notebook), with its kernels started inside the
worker (IPC transport, the watchdog, one retry; each worker thread keeps its kernel for
its next report until the batch ends). The reports come back as bytes and are
written here, whole or not at all, so workers need no shared disk. On Ctrl-C the tasks
not yet finished are cancelled and nothing more is written. A worker that dies is
replaced by the scheduler and its task run again; a task that keeps killing workers is
reported as that scenario's error.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from finmodel.reports import _io
from finmodel.reports._job import (
    CompareJob,
    ReportJob,
    ReportOutcome,
    _remove_outputs,
    run_compare_remote,
    run_report_remote,
)

__all__ = ["run_on_cluster"]


def run_on_cluster(client: Any, report_jobs: list[ReportJob], compare: CompareJob | None,
                   progress: Callable[[int, int], None] | None
                   ) -> tuple[dict[str, ReportOutcome], str | None]:
    """Run the jobs on the client's cluster; outcomes by folder, and compare's error."""
    from distributed import as_completed

    notebooks = {job.notebook for job in report_jobs} | (
        {compare.notebook} if compare else set())
    contents = {path: Path(path).read_bytes() for path in notebooks}
    futures: dict[Any, Any] = {}
    for job in report_jobs:
        files = {job.notebook: contents[job.notebook], **_scenario_files(job.scenario_path),
                 **(_scenario_files(job.base_path) if job.base_path else {})}
        futures[client.submit(run_report_remote, job, files, pure=False, retries=0)] = job
    if compare is not None:
        files = {compare.notebook: contents[compare.notebook]}
        for path in compare.scenario_paths:
            files.update(_scenario_files(path))
        futures[client.submit(run_compare_remote, compare, files, pure=False)] = compare
    total = len(futures)
    if progress:
        progress(0, total)
    outcomes: dict[str, ReportOutcome] = {}
    compare_error: str | None = None
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            job = futures[future]
            if isinstance(job, ReportJob):
                outcomes[job.folder] = _write_report(job, future)
            else:
                compare_error = _write_compare(job, future)
            future.release()
            if progress:
                progress(done, total)
    except BaseException:  # Ctrl-C: the rest is cancelled; what was written is whole
        client.cancel(list(futures), force=True)
        raise
    finally:
        _shutdown_worker_kernels(client)
    return outcomes, compare_error


def _shutdown_worker_kernels(client: Any) -> None:
    """The batch ended: every worker shuts down the kernels it kept for a next report
    (one still running a report, after it: a task cancelled by Ctrl-C runs to its end)."""
    from finmodel.reports._kernel import shutdown_kernels

    with contextlib.suppress(Exception):  # a worker gone meanwhile has no kernels left
        client.run(shutdown_kernels)


def _scenario_files(path: str) -> dict[str, bytes]:
    """The scenario file and the files it ``extends``, by absolute path."""
    from finmodel.model.errors import ScenarioError
    from finmodel.model.files import read_scenario_data

    try:
        sources = [source.path for source in read_scenario_data(path)[2]]
    except ScenarioError:  # the job reports it; ship what there is
        sources = [path]
    found = {}
    for source in sources:
        with contextlib.suppress(OSError):
            found[os.path.abspath(source)] = Path(source).read_bytes()
    return found


def _write_report(job: ReportJob, future: Any) -> ReportOutcome:
    folder = Path(job.folder)
    try:
        outcome: ReportOutcome
        contents: dict[str, bytes]
        outcome, contents = future.result()
    except Exception as exc:  # the task itself failed (e.g. it kept killing workers)
        outcome, contents = ReportOutcome(job.folder, error=_task_error(exc)), {}
    if outcome.error is not None:
        _remove_outputs(folder)
        return outcome
    for name, data in contents.items():
        _io.write_bytes(folder / name, data)
    return outcome


def _write_compare(job: CompareJob, future: Any) -> str | None:
    try:
        error: str | None
        page: bytes | None
        error, page = future.result()
    except Exception as exc:
        return _task_error(exc)
    if error is None and page is not None:
        _io.write_bytes(Path(job.target), page)
    return error


def _task_error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"the cluster task failed: {type(exc).__name__}{': ' + text if text else ''}"

"""The batch on a Dask cluster: one task per scenario, files written here.

Each task is :func:`~finmodel.reports._job.run_report_remote`: the job function of the
process pool, run in a worker process on a private copy of the files it needs (the
scenario, its ``extends`` parents, the notebook), with its kernels started inside the
worker (IPC transport, the watchdog, one retry; each worker thread keeps its kernel for
its next report). The reports come back as bytes and are written here, whole or not at
all, so workers need no shared disk. A worker that dies is replaced by the scheduler and
its task run again; a task that keeps killing workers is reported as that scenario's
error.

Several batches (clients) may share the workers, and with them the kept kernels: each
batch has an id, registered on every worker when it starts and ended there when it
ends; a worker shuts its kept kernels down when the last batch it knows has ended, so a
batch that ends never takes away the kernel another batch is about to reuse. On Ctrl-C
the batch is like the local one: the tasks not yet started are cancelled, and the
kernels running its reports are killed at once (those of this batch only), so nothing of
it runs on; nothing more is written.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
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

    notebooks = {job.notebook for job in report_jobs} | (
        {compare.notebook} if compare else set())
    contents = {path: Path(path).read_bytes() for path in notebooks}
    batch = uuid.uuid4().hex
    client.run(begin_batch, batch, client.id)
    futures: dict[Any, Any] = {}
    interrupted = False
    try:
        for job in report_jobs:
            files = {job.notebook: contents[job.notebook],
                     **_scenario_files(job.scenario_path),
                     **(_scenario_files(job.base_path) if job.base_path else {})}
            futures[client.submit(batch_task, batch, run_report_remote, job, files,
                                  key=f"run_report_remote-{batch}-{len(futures)}",
                                  retries=0)] = job
        if compare is not None:
            files = {compare.notebook: contents[compare.notebook]}
            for path in compare.scenario_paths:
                files.update(_scenario_files(path))
            futures[client.submit(batch_task, batch, run_compare_remote, compare, files,
                                  key=f"run_compare_remote-{batch}")] = compare
        return _collect(futures, progress)
    except BaseException:  # Ctrl-C: the rest is cancelled; what was written is whole
        interrupted = True
        client.cancel(list(futures), force=True)
        raise
    finally:
        _end_batch_on_workers(client, batch, interrupted)


def _collect(futures: dict[Any, Any], progress: Callable[[int, int], None] | None
             ) -> tuple[dict[str, ReportOutcome], str | None]:
    """Write each task's result as it comes in; outcomes by folder, compare's error."""
    from distributed import as_completed

    total = len(futures)
    if progress:
        progress(0, total)
    outcomes: dict[str, ReportOutcome] = {}
    compare_error: str | None = None
    for done, future in enumerate(as_completed(futures), start=1):
        job = futures[future]
        if isinstance(job, ReportJob):
            outcomes[job.folder] = _write_report(job, future)
        else:
            compare_error = _write_compare(job, future)
        future.release()
        if progress:
            progress(done, total)
    return outcomes, compare_error


def _end_batch_on_workers(client: Any, batch: str, interrupted: bool) -> None:
    """Tell every worker the batch ended (see :func:`end_batch`); the clients still
    connected go along, so that a batch whose client is gone without ending it does not
    keep the kernels up for ever."""
    with contextlib.suppress(Exception):  # a worker gone meanwhile has no kernels left
        clients = client.run_on_scheduler(_clients)
        client.run(end_batch, batch, interrupted, clients)


def _clients(dask_scheduler: Any) -> list[str]:
    """On the scheduler: the ids of the clients connected."""
    return [str(name) for name in dask_scheduler.clients]


# --- on the workers ----------------------------------------------------------------------

_LOCK = threading.Lock()
#: The batches begun and not ended on this worker process, with their client's id.
_ACTIVE: dict[str, str] = {}
#: The batches that ended here (a task of one that still starts does not run).
_ENDED: set[str] = set()
#: The thread running each task of a batch here: thread ident -> batch.
_RUNNING: dict[int, str] = {}


def begin_batch(batch: str, client_id: str) -> None:
    """On a worker: the batch ``batch`` of client ``client_id`` starts."""
    with _LOCK:
        if batch not in _ENDED:
            _ACTIVE[batch] = client_id


def batch_task(batch: str, function: Callable[..., Any], job: Any,
               files: dict[str, bytes]) -> Any:
    """On a worker: ``function(job, files)`` (a report or compare job) as a task of
    ``batch``, noted as running on this thread while it runs; a task of a batch that
    ended (Ctrl-C came before the cancel reached it) does not start."""
    thread = threading.get_ident()
    with _LOCK:
        ended = batch in _ENDED
        if not ended:
            _RUNNING[thread] = batch
    if ended:
        message = "the batch was interrupted before this report started"
        if isinstance(job, ReportJob):
            return ReportOutcome(job.folder, error=message), {}
        return message, None
    try:
        return function(job, files)
    finally:
        with _LOCK:
            _RUNNING.pop(thread, None)


def end_batch(batch: str, interrupted: bool = False,
              clients: list[str] | None = None) -> int:
    """On a worker: ``batch`` ended; how many kept kernels were shut down.

    ``interrupted`` (Ctrl-C): the kernels running the batch's reports here are killed at
    once, and again until those tasks end (the job retries a kernel that died once), as
    the local batch stops its running reports. The kept kernels are shut down when no
    other batch is active here (``clients``: the clients still connected; a batch of
    another client is active while its client is).
    """
    from finmodel.reports._kernel import shutdown_kernels

    with _LOCK:
        _ACTIVE.pop(batch, None)
        _ENDED.add(batch)
        if clients is not None:
            for gone in [b for b, c in _ACTIVE.items() if c not in clients]:
                del _ACTIVE[gone]
        threads = [thread for thread, b in _RUNNING.items() if b == batch]
        last = not _ACTIVE
    if interrupted and threads:
        threading.Thread(target=_stop_threads, args=(batch, threads), daemon=True,
                         name=f"finmodel-stop-{batch[:8]}").start()
    return shutdown_kernels() if last else 0


#: Seconds between the kills of an interrupted batch's kernels, and the longest it tries.
_STOP_EVERY, _STOP_FOR = 0.1, 120.0


def _stop_threads(batch: str, threads: list[int]) -> None:
    """Kill the kernels the ``threads`` started while they run a task of ``batch``."""
    from finmodel.reports._kernel import kill_live_kernels

    deadline = time.monotonic() + _STOP_FOR
    while time.monotonic() < deadline:
        with _LOCK:
            left = [thread for thread in threads if _RUNNING.get(thread) == batch]
        if not left:
            return
        for thread in left:
            kill_live_kernels(cleanup=False, thread=thread)
        time.sleep(_STOP_EVERY)


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

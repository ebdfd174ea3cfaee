"""The batch: run every planned scenario's report in parallel processes, then the index.

:func:`run_reports` is the one orchestrating function. Workers are spawned processes
(no inherited threads or sockets), ignore Ctrl-C (the parent decides: pending jobs are
cancelled, running ones finish and write their files whole) and start their kernels in
a private folder of the run that is removed at the end. Each worker keeps its kernel for
its next report (:func:`finmodel.reports._kernel.warm_kernel`) and shuts it down when it
ends: at the end of the batch, on Ctrl-C, and when it is stopped.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from finmodel.reports import _io
from finmodel.reports._html import IndexRow, compare_table_html, index_html
from finmodel.reports._job import CompareJob, ReportJob, ReportOutcome, run_compare, run_report
from finmodel.reports._kernel import (
    REPORTS_PER_KERNEL,
    reports_per_kernel,
    shutdown_kernels,
    skip_slow_imports,
)
from finmodel.reports._plan import PlannedScenario, base_folder
from finmodel.views.i18n import Language

__all__ = ["BatchResult", "batch_language", "check_reports_per_kernel", "run_reports",
           "skip_slow_imports"]

_LINKS = {"report.html": "report", "report.pdf": "PDF", "budget.xlsx": "Excel",
          "report.ipynb": "notebook"}


@dataclass(frozen=True)
class BatchResult:
    """What a batch produced: one index row per scenario and the problems to print."""

    out: Path
    rows: tuple[IndexRow, ...]
    messages: tuple[str, ...]
    compare_error: str | None
    seconds: float
    incomplete: bool = False  # a format could not be made (the PDF without Chromium)

    @property
    def failed(self) -> int:
        return sum(row.error is not None for row in self.rows)

    @property
    def succeeded(self) -> int:
        return len(self.rows) - self.failed


def run_reports(planned: Sequence[PlannedScenario], out: Path, notebook: Path,
                formats: tuple[str, ...], jobs: int = 1, timeout: float = 600.0,
                compare_notebook: Path | None = None,
                progress: Callable[[int, int], None] | None = None,
                client: Any = None, lang: str | None = None) -> BatchResult:
    """Write ``OUT/<folder>/`` for every valid scenario, then compare.html and index.html.

    Scenarios that failed validation are not run; a scenario whose notebook fails does
    not stop the others. ``progress(done, total)`` is called as each task ends. With a
    ``distributed.Client`` the jobs run on its cluster's workers, one task per scenario
    (``jobs`` is then not used): the files a job needs go with it and its reports come
    back as bytes, written here, so the workers need no shared disk. ``lang``
    (en, nl) for every report; None: each scenario's ``language``, else English (index
    and compare.html: the base scenario's). Without Chromium, ``pdf`` is dropped with a
    message and the other formats are written. A bad ``FINMODEL_REPORTS_PER_KERNEL``
    stops the batch before anything is written (:class:`~finmodel.reports.UsageError`).

    Raises
    ------
    FinModelError
        ``out`` cannot be made (``OUT: cannot make the output folder: reason``, in the
        batch's language): raised before any report runs, nothing written.
    """
    from finmodel.reports._pdf import find_chromium, missing_message
    from finmodel.views.i18n import t

    start = time.perf_counter()
    page_lang = batch_language(planned, lang)
    check_reports_per_kernel(page_lang)  # a usage error first: nothing made yet
    _io.make_folder(out, page_lang)  # or a clear error, nothing half made
    out = out.resolve()
    _io.sweep_partial_files(out)
    early: list[str] = []
    if "pdf" in formats and find_chromium() is None:
        formats = tuple(f for f in formats if f != "pdf")
        early.append(missing_message(page_lang))
    base = base_folder(planned)
    base_item = next((p for p in planned if p.folder == base), None)
    base_path = str(base_item.path.resolve()) if base_item is not None else ""
    report_jobs = [ReportJob(str(p.path.resolve()), str(out / p.folder),
                             str(notebook.resolve()), formats, timeout, lang=lang or "",
                             base_path=base_path if p.folder != base else "")
                   for p in planned if p.valid]
    compare = None
    if compare_notebook is not None and compare_notebook.is_file() and base is not None:
        valid = [p for p in planned if p.valid]
        compare = CompareJob(str(compare_notebook.resolve()),
                             tuple(str(p.path.resolve()) for p in valid),
                             str(next(p.path for p in valid if p.folder == base).resolve()),
                             str(out / "compare.html"), timeout, page_lang)
    try:
        if client is not None:
            from finmodel.reports._cluster import run_on_cluster

            outcomes, compare_error = run_on_cluster(client, report_jobs, compare, progress)
        else:
            outcomes, compare_error = _run_all(report_jobs, compare, jobs, progress)
    finally:
        _io.sweep_partial_files(out)
    rows, messages = _rows(planned, outcomes, page_lang)
    messages = early + messages
    generated = _stamp(page_lang)
    if compare is None or compare_error is not None:
        page_ = compare_table_html(rows, base or "", generated, page_lang)
        if compare_error is not None:
            messages.append(t(page_lang, "cli.report.compare_failed", error=compare_error))
        _io.write_text(out / "compare.html", page_)
    _io.write_text(out / "index.html", index_html(rows, "compare.html", generated, page_lang))
    return BatchResult(out, tuple(rows), tuple(messages), compare_error,
                       time.perf_counter() - start, bool(early) or any(
                           o.problems for o in outcomes.values()))


def batch_language(planned: Sequence[PlannedScenario], lang: str | None,
                   default: str | None = None) -> Language:
    """The language of index.html, compare.html and the batch's messages: ``lang``
    (``--lang``), else the base scenario's ``language``, else ``default`` (the CLI's
    lines: ``FINMODEL_LANG``), else English."""
    from finmodel.views.i18n import language

    base = base_folder(planned)
    item = next((p for p in planned if p.folder == base), None)
    return language(lang or (item.scenario.language if item and item.scenario else None)
                    or default)


def check_reports_per_kernel(lang: Language = "en") -> None:
    """Stop with a :class:`~finmodel.reports.UsageError` when ``FINMODEL_REPORTS_PER_KERNEL``
    is set to anything but a whole number of at least 1: noticed once, before any report
    runs, instead of as the same failure of every report."""
    from finmodel.reports._plan import UsageError
    from finmodel.views.i18n import t

    try:
        reports_per_kernel()
    except ValueError:
        value = os.environ.get("FINMODEL_REPORTS_PER_KERNEL", "").strip()
        raise UsageError(t(lang, "cli.report.per_kernel", value=repr(value),
                           default=REPORTS_PER_KERNEL)) from None


def _run_all(report_jobs: list[ReportJob], compare: CompareJob | None, jobs: int,
             progress: Callable[[int, int], None] | None
             ) -> tuple[dict[str, ReportOutcome], str | None]:
    tasks: list[tuple[Callable[[Any], Any], Any]] = [(run_report, job) for job in report_jobs]
    if compare is not None:
        tasks.append((run_compare, compare))
    results: dict[int, Any] = {}
    if progress:
        progress(0, len(tasks))
    with _kernel_folder() as folder:
        if jobs <= 1 or len(tasks) <= 1:
            with _environment(FINMODEL_KERNEL_DIR=folder, JUPYTER_RUNTIME_DIR=folder):
                try:
                    for i, (function, job) in enumerate(tasks):
                        results[i] = function(job)
                        if progress:
                            progress(i + 1, len(tasks))
                finally:  # the kernel kept for a next report: no next one
                    shutdown_kernels()
        else:
            results = _run_pool(tasks, min(jobs, len(tasks)), folder, progress)
    outcomes = {job.folder: results[i] for i, job in enumerate(report_jobs)}
    return outcomes, (results[len(report_jobs)] if compare is not None else None)


def _run_pool(tasks: list[tuple[Callable[[Any], Any], Any]], workers: int, folder: str,
              progress: Callable[[int, int], None] | None) -> dict[int, Any]:
    context = multiprocessing.get_context("spawn")
    results: dict[int, Any] = {}
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                   initializer=_init_worker, initargs=(folder,))
    try:
        futures: dict[Future[Any], int] = {executor.submit(_in_worker, function, job): i
                                           for i, (function, job) in enumerate(tasks)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if progress:
                progress(len(results), len(tasks))
    except BaseException:  # Ctrl-C: stop the workers now; they clean up after themselves
        for process in list(getattr(executor, "_processes", {}).values()):
            with contextlib.suppress(OSError, ValueError):
                process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return results


class _Stopped(BaseException):
    """SIGTERM from the parent during a job: unwind (kernels killed, temporaries removed)."""


_IN_JOB = False


def _on_terminate(signum: int, frame: object) -> None:
    if _IN_JOB:
        raise _Stopped
    shutdown_kernels(everything=True)  # os._exit runs no finalizers
    os._exit(0)


def _in_worker(function: Callable[[Any], Any], job: Any) -> Any:
    """Run one job in a worker; on SIGTERM unwind its cleanup, then end the worker."""
    global _IN_JOB
    _IN_JOB = True
    try:
        return function(job)
    except _Stopped:
        shutdown_kernels(everything=True)  # also one kept while Excel was being written
        os._exit(1)
    finally:
        _IN_JOB = False


def _init_worker(folder: str) -> None:
    """Worker start: Ctrl-C is the parent's to handle (it sends SIGTERM), kernels in a
    folder of the worker's own."""
    skip_slow_imports()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_terminate)
    own = tempfile.mkdtemp(prefix="w", dir=folder)
    os.environ["FINMODEL_KERNEL_DIR"] = own
    os.environ["JUPYTER_RUNTIME_DIR"] = own


@contextlib.contextmanager
def _kernel_folder() -> Iterator[str]:
    """A short private folder for this run's connection files and IPC sockets, named
    after this process, so that folders of runs that were killed can be removed."""
    parent = Path("/tmp") if os.path.isdir("/tmp") else Path(tempfile.gettempdir())
    _remove_orphaned_folders(parent)
    folder = tempfile.mkdtemp(prefix=f"fm-{os.getpid()}-", dir=parent)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_orphaned_folders(parent: Path) -> None:
    for folder in parent.glob("fm-*-*"):
        pid = folder.name.split("-")[1]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # another user's process: alive
            pass


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _rows(planned: Sequence[PlannedScenario], outcomes: dict[str, ReportOutcome],
          lang: Language = "en") -> tuple[list[IndexRow], list[str]]:
    from finmodel.views.i18n import t
    from finmodel.views.warning_text import problem_line

    rows, messages = [], []
    out_folders = {Path(folder).name: outcome for folder, outcome in outcomes.items()}
    for item in planned:
        if not item.valid:
            lines = [problem_line(lang, problem) for problem in item.problems]
            rows.append(IndexRow(item.folder, item.title, {}, None, None, (), (),
                                 "\n".join(lines)))
            messages += lines
            continue
        outcome = out_folders[item.folder]
        if outcome.error is not None:
            messages.append(t(lang, "cli.report.failed", path=item.path, error=outcome.error))
        messages += [f"{item.path}: {problem}" for problem in outcome.problems]
        links = tuple((_LINKS[name], f"{item.folder}/{name}") for name in outcome.files)
        rows.append(IndexRow(item.folder, item.title, outcome.kpis,
                             outcome.self_sufficiency_end, outcome.master_check,
                             outcome.warnings, links, outcome.error, outcome.prognosis))
    return rows, messages


def _stamp(lang: Language = "en") -> str:
    from finmodel import __version__
    from finmodel.views.i18n import t

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return t(lang, "idx.generated", version=__version__, when=now)

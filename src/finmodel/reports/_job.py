"""One job of a batch, as a worker process runs it: execute a notebook, export, write.

Functions here take and return plain, picklable values so that a process pool (or
``distributed.Client.map``) can run them. Each worker process keeps one HTML exporter
(building it costs about 0.2 s, reusing it 10-20 ms) and one kernel, reused for its next
notebook after a reset (:func:`finmodel.reports._kernel.warm_kernel`). A wall-clock
watchdog bounds each notebook run, because a hung kernel start is not caught by the
start timeout, and a kernel-start error is retried once (on a fresh kernel).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finmodel.reports import _io
from finmodel.reports._html import page
from finmodel.reports._kernel import kill_live_kernels

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.analysis.variance import Variance
    from finmodel.model.projection import Projection
    from finmodel.views.i18n import Language

__all__ = ["CompareJob", "JobTimeout", "ReportJob", "ReportOutcome", "run_compare",
           "run_compare_remote", "run_report", "run_report_remote"]

_LOCAL = threading.local()  # one HTML exporter per thread (a Dask worker may run several)
_START_TIMEOUT = 60
_RETRY = 0.5  # seconds between the watchdog's attempts to stop the client


_FORMAT_OF = {"report.html": "html", "report.pdf": "pdf", "budget.xlsx": "xlsx",
              "report.ipynb": "ipynb"}


class JobTimeout(BaseException):
    """The watchdog ended a notebook run (a BaseException, so no ``except Exception``
    inside the execution machinery swallows it)."""


@dataclass(frozen=True)
class ReportJob:
    """Produce the reports of one scenario in ``folder`` (absolute paths throughout)."""

    scenario_path: str
    folder: str
    notebook: str
    formats: tuple[str, ...]
    timeout: float
    #: A folder the scenario files were copied under (on a cluster worker): left out of
    #: the file names the reports show.
    display_root: str = ""
    lang: str = ""          # en or nl; empty: the scenario's `language`, else en
    base_path: str = ""     # the base scenario of the batch, for "what changed"


@dataclass(frozen=True)
class CompareJob:
    """Produce compare.html from the compare notebook."""

    notebook: str
    scenario_paths: tuple[str, ...]
    base: str
    target: str
    timeout: float
    lang: str = "en"


@dataclass(frozen=True)
class ReportOutcome:
    """What a job produced: files written, figures for index.html, or an error message."""

    folder: str
    files: tuple[str, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    kpis: dict[str, float | int | None] = field(default_factory=dict)
    self_sufficiency_end: float | None = None
    master_check: bool | None = None
    warnings: tuple[str, ...] = ()
    lang: str = "en"
    problems: tuple[str, ...] = ()  # a format that could not be made (the PDF)
    #: With closed years booked: the prognosis's key figures (with ``financing_need``)
    #: and ``closed_until``, the last closed year; empty otherwise.
    prognosis: dict[str, float | int | None] = field(default_factory=dict)


def run_report(job: ReportJob) -> ReportOutcome:
    """Run one scenario's report; errors come back in the outcome, never raised."""
    start = time.perf_counter()
    folder = Path(job.folder)
    try:
        outcome = _produce(job, folder)
    except Exception as exc:
        _remove_outputs(folder)
        return ReportOutcome(job.folder, error=_message(exc),
                             seconds=time.perf_counter() - start)
    except JobTimeout as exc:
        _remove_outputs(folder)
        return ReportOutcome(job.folder, error=str(exc), seconds=time.perf_counter() - start)
    return ReportOutcome(**{**outcome.__dict__, "seconds": time.perf_counter() - start})


def run_compare(job: CompareJob) -> str | None:
    """Write compare.html from the compare notebook; the error message, or None."""
    try:
        from finmodel.views.i18n import language, t

        lang = language(job.lang)
        notebook = load_notebook(job.notebook)
        nb = execute(declared(notebook, {"scenario_paths": list(job.scenario_paths),
                                         "base": job.base, "lang": lang}),
                     notebook, job.timeout)
        _io.write_text(Path(job.target), to_html(nb, t(lang, "cmp.title"), lang))
    except Exception as exc:
        return _message(exc)
    except JobTimeout as exc:
        return str(exc)
    return None


def _produce(job: ReportJob, folder: Path) -> ReportOutcome:
    from finmodel.model.projection import project
    from finmodel.model.scenario import load_scenario
    from finmodel.views.i18n import check_name, language
    from finmodel.views.summary import check_message, financing_need

    scenario = load_scenario(job.scenario_path)
    if job.display_root:
        scenario = _relabel(scenario, job.display_root)
    projection = project(scenario)
    booked = _variance(projection)  # with closed years: for the workbook and index.html
    lang = language(job.lang or projection.scenario.language)
    contents: dict[str, bytes] = {}
    if {"html", "ipynb", "pdf"} & set(job.formats):
        import nbformat

        notebook = load_notebook(job.notebook)
        wanted = {"scenario_path": job.scenario_path, "lang": lang,
                  "base_path": job.base_path}
        nb = execute(declared(notebook, wanted), notebook, job.timeout)
        if "html" in job.formats or "pdf" in job.formats:
            contents["report.html"] = to_html(nb, projection.scenario.name, lang).encode()
        if "ipynb" in job.formats:  # as nbformat.writes, without validating it once more
            contents["report.ipynb"] = nbformat.v4.writes(nb).encode("utf-8")  # type: ignore[no-untyped-call]
    for name, data in contents.items():
        _io.write_bytes(folder / name, data)
    if "xlsx" in job.formats:
        from finmodel.views.partnership_report import workbook_tables
        from finmodel.views.workbook import write_budget_xlsx

        folder.mkdir(parents=True, exist_ok=True)
        # parties and risks without pandas: the batch process imports it only for a
        # scenario with actuals
        write_budget_xlsx(projection, folder / "budget.xlsx",  # atomic, .tmp- names too
                          extra_sheets={**workbook_tables(projection, lang),
                                        **_actuals_sheets(booked, lang)}, lang=lang)
    problems: tuple[str, ...] = ()
    if "pdf" in job.formats:
        from finmodel.reports._pdf import PdfError, print_pdf

        try:
            print_pdf(folder / "report.html", folder / "report.pdf", lang=lang)
        except PdfError as exc:  # the other formats stand; the batch reports the problem
            problems = (str(exc),)
        finally:
            if "html" not in job.formats:
                _io.remove_quietly(folder / "report.html")
    files = tuple(name for name in ("report.html", "report.pdf", "budget.xlsx", "report.ipynb")
                  if _FORMAT_OF[name] in job.formats and (folder / name).is_file())
    share = float(projection.lines["self_sufficiency"][-1])
    kpis: dict[str, float | int | None] = dict(projection.kpis)
    kpis.setdefault("financing_need", financing_need(projection))
    return ReportOutcome(
        job.folder, files, kpis=kpis,
        self_sufficiency_end=None if share != share else share,
        master_check=projection.master_check,
        warnings=tuple(f"{check_name(lang, c.name)}: {check_message(projection, c, lang)}"
                       for c in projection.checks if c.kind == "flag" and not c.passed),
        lang=lang, problems=problems, prognosis=_prognosis(booked))


def _variance(projection: Projection) -> Variance | None:
    """Plan against actuals and the prognosis, when the scenario has actuals."""
    if projection.scenario.ledger is None:
        return None
    from finmodel.analysis.variance import variance

    return variance(projection.scenario, projection)


def _prognosis(v: Variance | None) -> dict[str, float | int | None]:
    """The prognosis's key figures for index.html, when the scenario has closed years."""
    if v is None or not v.closed_years:
        return {}
    from finmodel.views.summary import financing_need

    out: dict[str, float | int | None] = dict(v.prognosis.kpis)
    out.setdefault("financing_need", financing_need(v.prognosis))
    out["closed_until"] = v.closed_years[-1]
    return out


@dataclass(frozen=True)
class Notebook:
    """A notebook read once for a job: its path and its cells as papermill loads them
    (:func:`papermill.iorw.load_notebook_node`; each run works on a copy)."""

    path: str
    node: Any

    @property
    def kernel_name(self) -> str:
        """The kernel the notebook asks for (papermill's rule); ``ValueError`` with
        papermill's message when it names none."""
        from papermill.utils import nb_kernel_name

        return str(nb_kernel_name(self.node))


def load_notebook(path: str) -> Notebook:
    """Read the notebook at ``path`` (JSON parsed and validated once, as papermill does)."""
    from papermill.iorw import load_notebook_node

    return Notebook(path, load_notebook_node(path))


def declared(notebook: Notebook, parameters: dict[str, Any]) -> dict[str, Any]:
    """The ``parameters`` the notebook's parameters cell sets, so that papermill does not
    warn about the others (``lang``, ``base_path``) in a notebook of one's own."""
    source = "".join(str(c.get("source", "")) for c in notebook.node.cells
                     if "parameters" in c.get("metadata", {}).get("tags", ()))
    required = ("scenario_path", "scenario_paths", "base")
    return {k: v for k, v in parameters.items()
            if k in required or re.search(rf"^{k}\s*=", source, re.MULTILINE)}


def _actuals_sheets(v: Variance | None, lang: Language) -> dict[str, pd.DataFrame]:
    """The actuals, variance and prognosis sheets, when the scenario has actuals."""
    if v is None:
        return {}
    from finmodel.views.variance_report import workbook_sheets

    return workbook_sheets(v, lang)


def _relabel(scenario: Any, root: str) -> Any:
    """The scenario with the files it was read from named without ``root`` (in its
    provenance and in where each value was written)."""
    from finmodel.model.files import Origin, SourceFile

    files = tuple(SourceFile(f.path.removeprefix(root), f.sha256) for f in scenario.files)
    origins = {path: Origin(o.file.removeprefix(root), o.line)
               for path, o in scenario._origins.items()}
    object.__setattr__(scenario, "_files", files)  # private attributes: names only
    object.__setattr__(scenario, "_origins", origins)
    return scenario


def execute(parameters: dict[str, Any], notebook: str | Notebook, timeout: float) -> Any:
    """Execute ``notebook`` (a path, or one :func:`load_notebook` read) with
    ``parameters`` on this thread's IPC kernel (a reused one after its reset, or a fresh
    one); the executed notebook.

    Retried once after a kernel-start error; ended by the watchdog after ``timeout``
    seconds of wall-clock time (cells time out after ``timeout`` too).
    """
    import zmq
    from nbclient.exceptions import DeadKernelError

    if isinstance(notebook, str):
        notebook = load_notebook(notebook)
    try:
        with watchdog(timeout):
            return _execute_once(parameters, notebook, timeout)
    except (RuntimeError, DeadKernelError, zmq.ZMQError):
        with watchdog(timeout):
            return _execute_once(parameters, notebook, timeout)


def _execute_once(parameters: dict[str, Any], notebook: Notebook, timeout: float) -> Any:
    """One run on this thread's warm kernel (reused when its previous notebook ran to
    the end; a fresh one otherwise and after any error here)."""
    from finmodel.reports._kernel import release_kernel, warm_kernel

    ok = False
    try:
        manager = warm_kernel(notebook.kernel_name, _START_TIMEOUT)
        nb = _papermill(notebook, parameters, timeout, manager)
        ok = True
        return nb
    except BaseException:
        kill_live_kernels(thread=threading.get_ident())  # only this job's: threads share
        raise
    finally:
        release_kernel(ok)


def _papermill(notebook: Notebook, parameters: dict[str, Any], timeout: float,
               manager: Any) -> Any:
    """What :func:`papermill.execute_notebook` does for a notebook already read and no
    output file (``request_save_on_cell_execute=False``), step by step, without its last
    step: serializing (and validating) the executed notebook for a file it then does
    not write."""
    import copy

    from papermill.engines import papermill_engines
    from papermill.execute import (
        prepare_notebook_metadata,
        raise_for_execution_errors,
        remove_error_markers,
    )
    from papermill.parameterize import parameterize_notebook

    nb = copy.deepcopy(notebook.node)
    if parameters:
        nb = parameterize_notebook(nb, parameters, False)
    nb = remove_error_markers(prepare_notebook_metadata(nb, notebook.path, None))
    nb = papermill_engines.execute_notebook_with_engine(
        None, nb, input_path=notebook.path, output_path=None,
        kernel_name=notebook.kernel_name, progress_bar=False, log_output=False,
        start_timeout=_START_TIMEOUT, stdout_file=None, stderr_file=None,
        execution_timeout=timeout, km=manager)
    raise_for_execution_errors(nb, None)
    return nb


@contextlib.contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """End the notebook run in this block after ``seconds`` of wall-clock time.

    When the time is up the kernels are killed and :class:`JobTimeout` is raised, then
    raised again every ``_RETRY`` seconds until it reaches this block: a signal handler
    raises wherever the main thread happens to be, which may be one of the client's
    background tasks, where the exception would go unnoticed. Outside the main thread,
    where signals are not delivered (a Dask worker runs its tasks on threads), a timer
    thread kills the kernels this thread started, which ends the run with an error that
    is then reported as the time-out.
    """
    message = f"timed out after {seconds:g} s (wall clock); see --timeout"
    if threading.current_thread() is not threading.main_thread():
        with _thread_watchdog(seconds, message):
            yield
        return
    fired = False

    def fire(signum: int, frame: object) -> None:
        nonlocal fired
        if not fired:
            fired = True
            kill_live_kernels(cleanup=False)
            _quiet_lost_timeouts()
            signal.setitimer(signal.ITIMER_REAL, _RETRY, _RETRY)
        raise JobTimeout(message)

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except BaseException as exc:
        if fired:
            raise JobTimeout(message) from exc
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:
        raise JobTimeout(message)


@contextlib.contextmanager
def _thread_watchdog(seconds: float, message: str) -> Iterator[None]:
    fired = threading.Event()
    owner = threading.get_ident()

    def fire() -> None:
        fired.set()
        kill_live_kernels(cleanup=False, thread=owner)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except BaseException as exc:
        if fired.is_set():
            raise JobTimeout(message) from exc
        raise
    finally:
        timer.cancel()
    if fired.is_set():
        raise JobTimeout(message)


def _quiet_lost_timeouts() -> None:
    """Do not log the :class:`JobTimeout` that landed in a client task nobody awaits."""
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()

    def handler(loop: Any, context: dict[str, Any]) -> None:
        if not isinstance(context.get("exception"), JobTimeout):
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def to_html(nb: Any, title: str, lang: str = "en") -> str:
    """The executed notebook as one self-contained page without code or prompts."""
    exporter = getattr(_LOCAL, "exporter", None)
    if exporter is None:
        exporter = _LOCAL.exporter = _exporter()
    from finmodel.views.i18n import language

    body, _ = exporter.from_notebook_node(nb)
    return page(title, body, lang=language(lang))


_MISSING_ALT = re.compile(r"<img(?![^>]*\balt=)")
_OUTPUT_DIV = re.compile(r'(<div class="[^"]*\bjp-OutputArea-output\b[^"]*")')


def _exporter() -> Any:
    """nbconvert's HTML exporter without its last pass, which parses the whole page with
    BeautifulSoup (a fifth of the batch process's CPU per report) only to add alt text to
    images that lack it and ``tabindex`` to outputs: done here on the text instead.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", outputs=[
    ...     nbformat.v4.new_output("display_data", {"text/html": '<img src="x">'})])])
    >>> html, _ = _exporter().from_notebook_node(nb)
    >>> 'alt="No description has been provided for this image"' in html
    True
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class Exporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None,
                               **kw: Any) -> Any:
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass
            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name", None))
            highlight = self.filters.get("highlight_code") or Highlight2HTML(  # type: ignore[no-untyped-call]
                pygments_lexer=lexer, parent=self)
            self.register_filter("highlight_code", highlight)  # type: ignore[no-untyped-call]
            resources = self._init_resources(resources)  # type: ignore[no-untyped-call]
            data_types = WidgetsDataTypeFilter(  # type: ignore[no-untyped-call]
                notebook_metadata=self._nb_metadata, parent=self, resources=resources)
            self.register_filter("filter_data_type", data_types)  # type: ignore[no-untyped-call]
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            html = _MISSING_ALT.sub(
                '<img alt="No description has been provided for this image"', html)
            return _OUTPUT_DIV.sub(r'\1 tabindex="0"', html), resources

    # optimistic_validation: the notebook is validated once after its preprocessors
    # rather than after each of the dozen (a validation costs about 2 ms of CPU)
    return Exporter(  # type: ignore[no-untyped-call]
        template_name="basic", exclude_input=True, exclude_input_prompt=True,
        exclude_output_prompt=True, optimistic_validation=True)


def _remove_outputs(folder: Path) -> None:
    """Remove a failed scenario's previous reports, so none is mistaken for current."""
    for name in ("report.html", "report.pdf", "budget.xlsx", "report.ipynb"):
        _io.remove_quietly(folder / name)
    with contextlib.suppress(OSError):  # only when empty
        folder.rmdir()


def _message(exc: BaseException) -> str:
    from finmodel.model.errors import ScenarioError

    if isinstance(exc, ScenarioError):
        return str(exc)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename is not None:  # papermill: a cell raised
        cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", "?")
        return f"notebook cell {cell} raised {ename}: {evalue}"
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return last.splitlines()[0] if last else type(exc).__name__


# --- on a cluster worker: no shared disk --------------------------------------------------

def run_report_remote(job: ReportJob, files: dict[str, bytes]
                      ) -> tuple[ReportOutcome, dict[str, bytes]]:
    """:func:`run_report` on a machine that has none of the batch's files.

    ``files`` maps the absolute paths the job names (scenario, its ``extends`` parents,
    notebook) to their contents; they are written under a private folder, the job runs
    there, and the reports come back as ``(outcome, {file name: contents})`` for the
    client to write. Paths in messages are those of the client.
    """
    with _private_copy(files) as root:
        local = replace(job, scenario_path=root + job.scenario_path,
                        notebook=root + job.notebook, folder=os.path.join(root, "out"),
                        display_root=root,
                        base_path=root + job.base_path if job.base_path else "")
        outcome = run_report(local)
        contents = {name: (Path(local.folder) / name).read_bytes() for name in outcome.files}
        for name in ("report.html", "report.ipynb"):  # the paths the notebook printed
            if name in contents:
                contents[name] = contents[name].replace(root.encode(), b"")
    error = None if outcome.error is None else outcome.error.replace(root, "")
    return replace(outcome, folder=job.folder, error=error), contents


def run_compare_remote(job: CompareJob, files: dict[str, bytes]
                       ) -> tuple[str | None, bytes | None]:
    """:func:`run_compare` on a machine without the batch's files: ``(error, page)``."""
    with _private_copy(files) as root:
        local = replace(job, notebook=root + job.notebook, base=root + job.base,
                        scenario_paths=tuple(root + p for p in job.scenario_paths),
                        target=os.path.join(root, "compare.html"))
        error = run_compare(local)
        target = Path(local.target)
        page_ = (target.read_bytes().replace(root.encode(), b"")
                 if error is None and target.is_file() else None)
    return (None if error is None else error.replace(root, "")), page_


@contextlib.contextmanager
def _private_copy(files: dict[str, bytes]) -> Iterator[str]:
    """A temporary folder holding ``files`` at their absolute paths below it."""
    from finmodel.reports._kernel import runtime_dir, skip_slow_imports

    skip_slow_imports()
    root = tempfile.mkdtemp(prefix="fm-job-", dir=runtime_dir())
    try:
        for path, data in files.items():
            target = Path(root + path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)

"""Kernels for parallel runs: IPC transport in a short private folder, no TCP ports.

Parallel papermill runs over TCP race for ports (nteract/papermill#511,
jupyter/jupyter_client#487): a port is chosen, released, then bound by the kernel, and
another process may take it in between. Unix-domain sockets named after a per-kernel
connection file in a private folder cannot clash, so every kernel started here uses
them. Socket paths are limited to about 100 bytes, hence a short folder under /tmp.

Each thread that runs reports (the one thread of a worker process, each thread of a Dask
worker) keeps one kernel warm for its next report (:func:`warm_kernel`), so that the
kernel start and the imports of the report (about 1.5 s of CPU) are paid once per worker
instead of once per report. Before a reused kernel runs a notebook it is brought back to
what a fresh kernel is (:mod:`finmodel.reports._fresh`): names, execution count, figures,
matplotlib, numpy and pandas settings, working directory, environment. A kernel whose
notebook failed or timed out is never reused, nor one that ran :data:`REPORTS_PER_KERNEL`
notebooks or grew beyond :data:`MEMORY_LIMIT`: the next report gets a fresh kernel. The
kernels are shut down at the end of a batch and when their process ends.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import inspect
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from typing import Any

from jupyter_client.manager import AsyncKernelManager, KernelManager
from traitlets import default

__all__ = ["MEMORY_LIMIT", "REPORTS_PER_KERNEL", "IPCKernelManager", "kill_live_kernels",
           "release_kernel", "runtime_dir", "shutdown_kernels", "skip_slow_imports",
           "warm_kernel", "without_debugger"]

_LIVE: weakref.WeakSet[IPCKernelManager] = weakref.WeakSet()


def runtime_dir() -> str:
    """This process's folder for connection files and sockets (``JUPYTER_RUNTIME_DIR``).

    :func:`finmodel.reports.run_reports` sets it for each run (and removes it after);
    otherwise one is created on first use under /tmp (short, for socket paths) and
    removed when the process exits.
    """
    path = os.environ.get("FINMODEL_KERNEL_DIR")
    if not path or not os.path.isdir(path):
        path = tempfile.mkdtemp(prefix="fm-", dir="/tmp" if os.path.isdir("/tmp") else None)
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        os.environ["FINMODEL_KERNEL_DIR"] = path
        os.environ["JUPYTER_RUNTIME_DIR"] = path
    return path


class IPCKernelManager(AsyncKernelManager):
    """A KernelManager on IPC transport with an absolute connection file of its own.

    Asynchronous, so that the executing client keeps checking that its kernel lives:
    when the watchdog of a job on a thread (a Dask worker) kills the kernel, the run
    ends at once (a blocking client would wait for the dead kernel's output forever).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not self.connection_file:
            name = f"k-{uuid.uuid4().hex[:12]}.json"
            self.connection_file = os.path.join(runtime_dir(), name)
        self.owner = threading.get_ident()  # the thread whose job started it
        self.clients: list[Any] = []
        _LIVE.add(self)

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel's command line; an IPython kernel's without its debugger."""
        return without_debugger(super().format_kernel_cmd(extra_arguments))

    def client(self, **kwargs: Any) -> Any:
        """A client, noted so that :meth:`close_clients` can close its sockets (nbclient
        leaves them open when the kernel manager is not its own)."""
        client = super().client(**kwargs)
        self.clients.append(client)
        return client

    def close_clients(self) -> None:
        """Close the sockets of every client made so far."""
        for client in self.clients:
            with contextlib.suppress(Exception):  # best effort: a dead kernel's client
                client.stop_channels()
        self.clients.clear()


#: Run instead of ``-m ipykernel_launcher``: what that module does (``sys.argv[0]`` as
#: ``-m`` sets it, the working folder out of ``sys.path`` while ipykernel loads), but
#: debugpy, which the kernel imports to offer Jupyter's debugger (about 0.1 s of CPU per
#: kernel start), is never imported: nobody steps through a batch report.
_NO_DEBUGGER = """\
import sys
from importlib.util import find_spec
sys.modules["debugpy"] = None
sys.argv[0] = find_spec("ipykernel_launcher").origin
del sys.path[0]
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""


def without_debugger(cmd: list[str]) -> list[str]:
    """``cmd`` (a kernel's command line) starting ipykernel without its debugger; other
    commands as they are.

    Examples
    --------
    >>> cmd = without_debugger(["python", "-m", "ipykernel_launcher", "-f", "k.json"])
    >>> cmd[:2], cmd[3:], "debugpy" in cmd[2]
    (['python', '-c'], ['-f', 'k.json'], True)
    >>> without_debugger(["R", "--slave", "-f", "k.json"])
    ['R', '--slave', '-f', 'k.json']
    """
    for i in range(len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == "ipykernel_launcher":
            return [*cmd[:i], "-c", _NO_DEBUGGER, *cmd[i + 2:]]
    return cmd


def kill_live_kernels(cleanup: bool = True, thread: int | None = None) -> None:
    """SIGKILL every kernel this process started that may still run (the watchdog's job),
    or only those started by the thread with ident ``thread``; with ``cleanup``, also
    remove their connection files and sockets."""
    for manager in list(_LIVE):
        if thread is not None and getattr(manager, "owner", None) != thread:
            continue
        process = getattr(manager.provisioner, "process", None)
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it may have ended meanwhile
                os.kill(process.pid, signal.SIGKILL)
        if cleanup:
            with contextlib.suppress(Exception):  # best effort after a kill
                KernelManager.cleanup_resources(manager)  # the blocking variant


def skip_slow_imports() -> None:
    """Keep jsonschema (imported by nbformat) from importing ``rfc3987_syntax``.

    When installed, that package builds a grammar at import time: about 1 s of CPU in
    every process, for IRI format checks that notebook validation never uses. Call it
    only in processes of the batch (the command and its workers): it turns those checks
    off for the whole process.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


# --- one warm kernel per thread --------------------------------------------------------

#: A fresh kernel after this many notebooks. The reset brings back every setting a report
#: can change, but not what libraries keep inside their modules or the memory the
#: allocator holds on to: a new kernel now and then keeps both bounded, for about 0.1 s
#: of CPU per report at 20. ``FINMODEL_REPORTS_PER_KERNEL`` overrides it (1: a fresh
#: kernel for every notebook, as before kernels were reused).
REPORTS_PER_KERNEL = 20

#: A fresh kernel when the reused one, after its reset, holds more resident memory than
#: this (bytes; a kernel that ran a report holds about 250 MB). Read from /proc: on
#: systems without it only :data:`REPORTS_PER_KERNEL` applies.
MEMORY_LIMIT = 1 << 30

_START_TIMEOUT = 60  # seconds for a kernel to start and answer (nbclient's default)


@dataclass(eq=False)
class _Warm:
    """A kernel kept for the next notebook of the thread that started it."""

    manager: IPCKernelManager
    kernel_name: str
    runs: int = 0          # notebooks it ran to the end
    busy: bool = True      # running a notebook (or being prepared for one)
    retired: bool = False  # shut down after its notebook (the batch ended meanwhile)


_THREAD = threading.local()
_WARM: set[_Warm] = set()
_WARM_LOCK = threading.Lock()
_FINALIZED_IN: int | None = None  # the process whose exit shuts the kernels down


def warm_kernel(kernel_name: str, timeout: float = _START_TIMEOUT) -> IPCKernelManager:
    """This thread's kernel, in the state of a fresh one, for a notebook to run on.

    The kernel of the thread's previous notebook when it may be reused (it ran to the
    end, fewer than :data:`REPORTS_PER_KERNEL` notebooks, same kernel name), after
    :func:`finmodel.reports._fresh.restore`; otherwise a new one. A reused kernel that
    does not answer, or exceeds :data:`MEMORY_LIMIT`, is replaced by a new one. Call
    :func:`release_kernel` when the notebook ended. Raises what starting a kernel
    raises (``RuntimeError`` when it does not answer within ``timeout`` seconds).
    """
    warm: _Warm | None = getattr(_THREAD, "warm", None)
    if warm is not None:
        with _WARM_LOCK:
            reuse = _reusable(warm, kernel_name)
            warm.busy = reuse
        if reuse and _restored(warm.manager, timeout):
            return warm.manager
        _discard(warm)
    from jupyter_core.utils import run_sync

    warm = _Warm(IPCKernelManager(kernel_name=kernel_name), kernel_name)
    with _WARM_LOCK:
        _WARM.add(warm)
    _THREAD.warm = warm
    _shutdown_at_exit()
    # as nbclient starts its kernels: IPython's history in memory, not in a file
    run_sync(warm.manager.start_kernel)(
        extra_arguments=["--HistoryManager.hist_file=:memory:"])
    _run_quietly(warm.manager, _kernel_code("remember"), timeout)
    return warm.manager


def release_kernel(ok: bool) -> None:
    """The notebook on this thread's kernel ended: keep the kernel for the next one when
    it ran to the end (``ok``) and may run more, else shut it down."""
    warm: _Warm | None = getattr(_THREAD, "warm", None)
    if warm is None:
        return
    warm.manager.close_clients()
    with _WARM_LOCK:
        warm.busy = False
        warm.runs += ok
        keep = ok and not warm.retired and warm.runs < reports_per_kernel()
    if not keep:
        _discard(warm)


def shutdown_kernels(everything: bool = False) -> int:
    """Shut down the kept kernels of this process; how many.

    A kernel running a notebook (on another thread) is shut down when that notebook
    ends, unless ``everything`` (the process is ending: nothing runs any more).
    """
    with _WARM_LOCK:
        ending = [warm for warm in _WARM if everything or not warm.busy]
        for warm in _WARM:
            warm.retired = True
        _WARM.difference_update(ending)
    for warm in ending:
        _stop(warm.manager)
    return len(ending)


def reports_per_kernel() -> int:
    """:data:`REPORTS_PER_KERNEL`, or ``FINMODEL_REPORTS_PER_KERNEL`` when set.

    Examples
    --------
    >>> import os
    >>> os.environ["FINMODEL_REPORTS_PER_KERNEL"] = "1"
    >>> reports_per_kernel()
    1
    >>> del os.environ["FINMODEL_REPORTS_PER_KERNEL"]
    >>> reports_per_kernel() == REPORTS_PER_KERNEL
    True
    """
    text = os.environ.get("FINMODEL_REPORTS_PER_KERNEL", "").strip()
    if not text:
        return REPORTS_PER_KERNEL
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"FINMODEL_REPORTS_PER_KERNEL must be a whole number of at least "
                         f"1 (reports per kernel), not {text!r}")
    return int(text)


def _reusable(warm: _Warm, kernel_name: str) -> bool:
    process = getattr(warm.manager.provisioner, "process", None)
    return (not warm.retired and warm.kernel_name == kernel_name
            and warm.runs < reports_per_kernel()
            and process is not None and process.poll() is None)


def _restored(manager: IPCKernelManager, timeout: float) -> bool:
    """Whether the kernel is back in its fresh state and within :data:`MEMORY_LIMIT`."""
    try:
        _run_quietly(manager, _kernel_code("restore"), timeout)
    except Exception:  # dead or unresponsive: the caller starts a new one
        return False
    return _resident_bytes(manager) <= MEMORY_LIMIT


def _discard(warm: _Warm) -> None:
    with _WARM_LOCK:
        _WARM.discard(warm)
    if getattr(_THREAD, "warm", None) is warm:
        del _THREAD.warm
    _stop(warm.manager)


def _stop(manager: IPCKernelManager) -> None:
    """End the kernel at once (as ``shutdown_kernel(now=True)`` does: nothing of it is
    worth a graceful end), wait for its process, remove its files."""
    process = getattr(manager.provisioner, "process", None)
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
    if process is not None:
        with contextlib.suppress(Exception):
            process.wait(timeout=10)
    manager.close_clients()
    with contextlib.suppress(Exception):  # best effort after a kill
        KernelManager.cleanup_resources(manager)  # the blocking variant


def _shutdown_at_exit() -> None:
    """Shut the kernels down when this process ends: also in a worker process of a
    process pool or of a Dask nanny, where ``atexit`` does not run but multiprocessing's
    finalizers do (they run at a normal exit of the main process too)."""
    global _FINALIZED_IN
    if os.getpid() != _FINALIZED_IN:
        from multiprocessing.util import Finalize

        Finalize(None, shutdown_kernels, kwargs={"everything": True}, exitpriority=20)
        _FINALIZED_IN = os.getpid()


def _resident_bytes(manager: IPCKernelManager) -> int:
    """The kernel's resident memory in bytes; 0 where /proc does not tell."""
    process = getattr(manager.provisioner, "process", None)
    try:
        with open(f"/proc/{process.pid}/statm") as statm:  # type: ignore[union-attr]
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError, IndexError):
        return 0


@functools.cache
def _kernel_code(action: str) -> str:
    """Code that runs :mod:`finmodel.reports._fresh`'s ``action`` in the kernel, in a
    namespace of its own (the kernel need not import finmodel for it)."""
    from finmodel.reports import _fresh

    source = inspect.getsource(_fresh) + f"\n{action}()\n"
    return f"__import__('builtins').exec({source!r}, {{'__name__': '_finmodel_fresh'}})"


def _run_quietly(manager: IPCKernelManager, code: str, timeout: float) -> None:
    """Run ``code`` in the kernel outside the notebook: no output, no history, no
    execution count. Raises ``RuntimeError`` when it fails or gets no answer."""
    from jupyter_core.utils import run_sync

    run_sync(_async_run_quietly)(manager, code, timeout)


async def _async_run_quietly(manager: IPCKernelManager, code: str, timeout: float) -> None:
    """Without ``wait_for_ready``, which waits 0.2 s for nothing after every answer: the
    request waits in the socket until a starting kernel listens, and the kernel's process
    is watched meanwhile."""
    import queue

    client = manager.client()
    client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
    try:
        msg_id = client.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            if not await manager.is_alive():
                raise RuntimeError("the kernel died before it answered")
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"the kernel did not answer within {timeout:g} s")
            try:
                reply = await client.get_shell_msg(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
    finally:
        client.stop_channels()
        with contextlib.suppress(ValueError):  # the watchdog's kill closed them all
            manager.clients.remove(client)
    content = reply["content"]
    if content["status"] != "ok":
        raise RuntimeError(f"preparing the kernel failed: {content.get('ename')}: "
                           f"{content.get('evalue')}")

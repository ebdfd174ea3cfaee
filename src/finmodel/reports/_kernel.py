"""Kernels for parallel runs: IPC transport in a short private folder, no TCP ports.

Parallel papermill runs over TCP race for ports (nteract/papermill#511,
jupyter/jupyter_client#487): a port is chosen, released, then bound by the kernel, and
another process may take it in between. Unix-domain sockets named after a per-kernel
connection file in a private folder cannot clash, so every kernel started here uses
them. Socket paths are limited to about 100 bytes, hence a short folder under /tmp.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import uuid
import weakref
from typing import Any

from jupyter_client.manager import AsyncKernelManager, KernelManager
from traitlets import default

__all__ = ["IPCKernelManager", "kill_live_kernels", "runtime_dir", "skip_slow_imports"]

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
        _LIVE.add(self)

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"


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

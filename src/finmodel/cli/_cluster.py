"""``--cluster ADDRESS|local``: run a command's batch on a Dask cluster.

``local`` starts a ``LocalCluster`` on this machine (one single-threaded worker process
per core the process may use) and stops it afterwards; an address such as
``tcp://host:8786`` connects to a running scheduler, whose workers must have finmodel
installed (README, "On a cluster"). Without the option nothing changes: ``distributed``
is not even imported.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from finmodel.model.errors import FinModelError

__all__ = ["add_cluster_argument", "connect"]

#: Seconds to wait for a scheduler given by address.
CONNECT_TIMEOUT = 20


def add_cluster_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--cluster", metavar="ADDRESS|local", default=None,
                        help=f"run {what} on a Dask cluster: 'local' starts one on this "
                             "machine, an address (tcp://host:8786) connects to a running "
                             "scheduler (default: no cluster)")


def cores() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover


@contextlib.contextmanager
def connect(spec: str | None) -> Iterator[Any]:
    """A ``distributed.Client`` for ``spec`` (closed afterwards), or None without one."""
    if spec is None:
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a runtime dependency
        raise FinModelError(f"--cluster needs the 'distributed' package: {exc}") from exc
    if spec == "local":
        with LocalCluster(n_workers=cores(), threads_per_worker=1, processes=True,
                          dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            yield client
        return
    if "://" not in spec and ":" not in spec:
        raise FinModelError(f"--cluster: {spec!r} is neither 'local' nor a scheduler "
                            "address such as tcp://host:8786")
    try:
        client = Client(spec, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise FinModelError(
            f"--cluster: cannot reach a Dask scheduler at {spec} within "
            f"{CONNECT_TIMEOUT} s ({type(exc).__name__}); start one with 'dask scheduler' "
            "and workers with 'dask worker ADDRESS', or use --cluster local") from None
    with client:
        yield client

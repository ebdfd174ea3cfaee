"""Freed memory kept for reuse, so that Monte Carlo chunks do not fault their pages in
again and again (glibc on Linux; elsewhere nothing changes).

Why: each chunk of draws allocates and frees a few dozen arrays of 0.1 to 2 MB. glibc
serves blocks above its (adaptive) ``mmap`` threshold with fresh pages from the kernel
and gives them back on ``free``, and it trims the top of its heap when more than a
threshold is free there; every new page then costs a page fault and the kernel zeroing
it. Measured on the 2-core machine the benchmarks run on: 100,000 draws of the base
scenario took 170,000 page faults and 0.4 s of system time out of 1.4 s, none of either
with the settings below. The settings apply to the whole process (there is one C
allocator); the numbers computed do not depend on them.
"""

from __future__ import annotations

import ctypes
import mmap
import sys
import threading

import numpy as np
from numpy.typing import NDArray

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory", "untouched"]

#: Blocks up to this size come from the heap and are reused after ``free`` (glibc's
#: largest allowed value on 64-bit; its default adapts between 128 KiB and this).
MMAP_THRESHOLD = 32 * 2**20
#: Free memory at the top of the heap beyond this is given back to the system (the
#: default is 128 KiB, adapting upwards): a simulation's line store (about 300 MB for
#: 100,000 draws) is still given back when it is freed.
TRIM_THRESHOLD = 64 * 2**20

_M_TRIM_THRESHOLD = -1   # <malloc.h>
_M_MMAP_THRESHOLD = -3
_lock = threading.Lock()
_applied: bool | None = None


def keep_freed_memory() -> bool:
    """Set glibc's ``mmap`` and trim thresholds once per process; whether they are set.

    Examples
    --------
    >>> keep_freed_memory() in (True, False)
    True
    """
    global _applied
    with _lock:
        if _applied is None:
            _applied = _set_thresholds()
        return _applied


def _set_thresholds() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)            # the C library this process runs on
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
        return False                        # not glibc (e.g. musl): leave it alone
    mallopt = libc.mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def untouched(shape: tuple[int, int]) -> NDArray[np.float64]:
    """An array of ``shape`` whose memory is taken from the system only where it is
    written, in ordinary 4 KiB pages, and given back when the array is freed.

    ``np.empty`` asks for transparent huge pages for arrays of 4 MiB and more; on a busy
    machine the kernel may first compact memory to find them, which stalled the first
    simulation of a process for up to a second in our measurements (a store of 324 MB
    took 0.9 s of CPU instead of 0.15 s). The values are unspecified until written.

    Examples
    --------
    >>> store = untouched((2, 3))
    >>> store[:] = 1.5
    >>> store.sum(), store.flags.c_contiguous
    (np.float64(9.0), True)
    """
    rows, columns = shape
    if not hasattr(mmap, "MAP_ANONYMOUS"):  # Windows: numpy's allocation
        return np.empty(shape)
    buffer = mmap.mmap(-1, max(1, rows * columns) * 8,
                       flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(buffer, dtype=np.float64, count=rows * columns).reshape(shape)

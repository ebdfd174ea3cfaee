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
import sys
import threading
import weakref
from typing import Any

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
    """An array of ``shape`` whose memory is used only where it is written, in ordinary
    4 KiB pages, and reused by the next one (the values are unspecified until written).

    ``np.empty`` asks for transparent huge pages for arrays of 4 MiB and more; on a busy
    machine the kernel may first compact memory to find them, which in our measurements
    stalled the first simulation of a process for up to a second (a store of 324 MB
    took 0.9 s of CPU instead of 0.15 s). With glibc (:func:`keep_freed_memory` set) the
    array is taken from the C heap, as numpy's smaller arrays are, so a second
    simulation in the same process reuses the pages the first one faulted in; elsewhere
    it is numpy's.

    Examples
    --------
    >>> store = untouched((2, 3))
    >>> store[:] = 1.5
    >>> float(store.sum()), store.flags.c_contiguous, store.flags.writeable
    (9.0, True, True)
    """
    rows, columns = shape
    size = max(1, rows * columns) * 8
    malloc = _heap() if keep_freed_memory() else None
    if malloc is None:
        return np.empty(shape)
    allocate, release = malloc
    address = allocate(size)
    if not address:
        raise MemoryError(f"cannot allocate {size:,} bytes")
    buffer = (ctypes.c_char * size).from_address(address)
    weakref.finalize(buffer, release, address)  # freed with the last view of it
    flat: NDArray[np.float64] = np.frombuffer(memoryview(buffer), dtype=np.float64,
                                              count=rows * columns)
    return flat.reshape(shape)


_malloc: tuple[Any, Any] | None = None


def _heap() -> tuple[Any, Any] | None:
    """The C library's ``malloc`` and ``free`` (glibc), set up once."""
    global _malloc
    with _lock:
        if _malloc is None:
            libc = ctypes.CDLL(None)
            allocate, release = libc.malloc, libc.free
            allocate.argtypes, allocate.restype = [ctypes.c_size_t], ctypes.c_void_p
            release.argtypes, release.restype = [ctypes.c_void_p], None
            _malloc = (allocate, release)
        return _malloc

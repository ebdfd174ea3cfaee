"""Work split over forked copies of this process, sharing memory made before the fork
(Linux; elsewhere the callers use threads).

Why processes: the Monte Carlo engine runs many small numpy operations per chunk of
draws, and between them it holds Python's GIL, so two threads evaluate chunks at about
the speed of one. A forked copy starts in a millisecond or two with numpy and the
scenario already loaded (no imports, no pickling of the scenario), and writes its
results straight into memory both processes see (:func:`shared`).

:func:`in_processes` runs a task in each process and returns the results here in
process order. Each process computes exactly what the same code computes in a single
process; only where it runs differs, so the numbers do not depend on it.

Ctrl-C, a failure in any process or the end of this process stop the others: the
copies ignore Ctrl-C (this process stops them), are killed when this process ends
(``PR_SET_PDEATHSIG``) and leave with ``os._exit`` (no ``atexit`` handlers, no second
flush of this process's output). The shared memory is anonymous (``mmap`` with no
file): it is gone when the last process holding it is, and leaves nothing in
``/dev/shm``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import mmap
import os
import pickle
import signal
import sys
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["Counter", "can_fork", "in_processes", "in_two_steps", "shared"]

T = TypeVar("T")
U = TypeVar("U")

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def can_fork() -> bool:
    """Whether work can go to forked processes here (Linux: fork is cheap and safe for
    what the copies do; macOS and Windows start processes by spawning them).

    Examples
    --------
    >>> can_fork() == sys.platform.startswith("linux")
    True
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def shared(shape: tuple[int, ...]) -> NDArray[np.float64]:
    """A float array in memory shared with processes forked after this call (zeros;
    the pages are only used where written).

    Examples
    --------
    >>> values = shared((2, 3))
    >>> values[1] = 2.5
    >>> float(values.sum()), values.flags.writeable
    (7.5, True)
    """
    count = math.prod(shape)
    buffer = mmap.mmap(-1, max(1, count) * 8)  # anonymous and MAP_SHARED
    array: NDArray[np.float64] = np.frombuffer(buffer, dtype=np.float64, count=count)
    return array.reshape(shape)


class Counter:
    """A count shared by this process and the copies forked after it is made, taken
    one at a time under a lock: each of ``0 .. stop - 1`` goes to exactly one taker,
    in increasing order for each (so processes can share a queue of chunks)."""

    def __init__(self) -> None:
        self._lock = _PipeLock()
        self._next = np.frombuffer(mmap.mmap(-1, 8), dtype=np.int64, count=1)

    def take(self, stop: int) -> Iterator[int]:
        """The next numbers below ``stop`` not taken by any process, until none is left."""
        while True:
            with self._lock:
                number = int(self._next[0])
                self._next[0] = number + 1
            if number >= stop:
                return
            yield number

    def close(self, stop: int) -> None:
        """Leave nothing more to take (after a failure: the others stop soon)."""
        with self._lock:
            self._next[0] = max(int(self._next[0]), stop)


class _PipeLock:
    """A lock shared with the copies forked after it is made: a pipe holding one byte,
    taken by reading it and given back by writing it (no semaphore, no name in
    ``/dev/shm``, nothing to import: ``multiprocessing`` costs a few milliseconds in a
    fresh process). The pipe is closed when the lock is garbage."""

    def __init__(self) -> None:
        self._reader, self._writer = os.pipe()
        os.write(self._writer, b"\0")
        weakref.finalize(self, _close, self._reader, self._writer)

    def __enter__(self) -> None:
        os.read(self._reader, 1)  # waits while another process holds the byte

    def __exit__(self, *_: object) -> None:
        os.write(self._writer, b"\0")


def _close(*ends: int) -> None:
    for end in ends:
        with contextlib.suppress(OSError):
            os.close(end)


def in_processes(count: int, task: Callable[[int], T]) -> list[T]:
    """``[task(0), .., task(count - 1)]``, ``task(i)`` run in process ``i`` (0 is this
    process; the others are forked copies of it, started first). Where the system
    refuses another process (a limit on processes or memory), the list is shorter: the
    tasks must share their work through something like a :class:`Counter`.

    The results come back pickled (exact for numbers and arrays); an exception in any
    process is raised here, after the others are stopped.

    Examples
    --------
    >>> import os
    >>> pids = in_processes(2, lambda i: (i, os.getpid()))
    >>> [i for i, _ in pids], pids[0][1] == os.getpid() != pids[1][1]
    ([0, 1], True)
    """
    return _run(count, task, None)[0]


def in_two_steps(count: int, first: Callable[[int], T], between: Callable[[list[T]], Any],
                 second: Callable[[int, Any], U]) -> tuple[list[T], list[U]]:
    """:func:`in_processes` of ``first``, then of ``second`` in the same processes:
    once every process has returned ``first(i)`` (so, e.g., all of their writes into
    shared memory are done), ``note = between([first(0), ..])`` runs here and each
    process ``i`` runs ``second(i, note)`` (``note`` is pickled to the copies). Both
    lists of results.

    Examples
    --------
    >>> firsts, seconds = in_two_steps(2, lambda i: i + 1, sum, lambda i, n: n * 10 + i)
    >>> firsts, seconds
    ([1, 2], [30, 31])
    """
    return _run(count, first, (between, second))


def _run(count: int, first: Callable[[int], T],
         then: tuple[Callable[[list[T]], Any], Callable[[int, Any], U]] | None
         ) -> tuple[list[T], list[U]]:
    children: list[tuple[int, int, int]] = []  # process id, pipe we read, pipe we write
    try:
        for i in range(1, count):
            try:
                _fork(i, first, then, children)
            except OSError:  # no further process: the ones started share the work
                break
        firsts = [first(0), *(_receive(reader) for _, reader, _ in children)]
        seconds: list[U] = []
        if then is not None:
            between, second = then
            note = between(firsts)
            for _, _, writer in children:
                try:
                    _send(writer, ("ok", note))
                except BrokenPipeError:  # not a reader gone from this command's output
                    raise RuntimeError("a worker process ended without its results"
                                       ) from None
            seconds = [second(0, note), *(_receive(reader) for _, reader, _ in children)]
        while children:  # each copy has ended or is ending: reap it
            pid, reader, writer = children.pop()
            os.close(reader)
            os.close(writer)
            os.waitpid(pid, 0)
        return firsts, seconds
    finally:
        _stop(children)


def _fork(i: int, first: Callable[[int], Any],
          then: tuple[Callable[[list[Any]], Any], Callable[[int, Any], Any]] | None,
          children: list[tuple[int, int, int]]) -> None:
    """Start copy ``i``, noted in ``children`` before a Ctrl-C can stop this process.

    Ctrl-C is held back around the fork: the copy keeps it blocked (this process stops
    it), and here it is raised only once the copy is in ``children``, to be stopped.
    """
    reader, writer = os.pipe()  # the copy's results to this process
    note_reader, note_writer = os.pipe()  # this process's note to the copy
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        parent = os.getpid()
        with warnings.catch_warnings():
            # Python 3.12+ warns that a fork of a process with threads may deadlock in
            # the copy: the copy only runs numpy on modules already imported and leaves
            # with os._exit, so it takes none of the locks another thread might hold
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the copy: never returns
            os.close(reader)
            os.close(note_writer)
            _child(i, parent, note_reader, writer, first, then)
        children.append((pid, reader, note_writer))
    except BaseException:
        os.close(reader)
        os.close(note_writer)
        raise
    finally:
        os.close(writer)
        os.close(note_reader)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held back: now


def _child(i: int, parent: int, note: int, writer: int, first: Callable[[int], Any],
           then: tuple[Callable[[list[Any]], Any], Callable[[int, Any], Any]] | None
           ) -> None:
    code = 1
    gc.freeze()  # the collector leaves what the copy inherited alone: no pages copied for it
    try:
        _die_with(parent)
        _send(writer, ("ok", first(i)))
        if then is not None:
            _send(writer, ("ok", then[1](i, _receive(note))))
        code = 0
    except BaseException as exc:  # handed to the parent, which raises it
        _send_failure(writer, exc)
    finally:
        os._exit(code)


def _die_with(parent: int) -> None:
    """Be killed when the parent ends, even by SIGKILL (Linux's ``PR_SET_PDEATHSIG``)."""
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)


def _send(writer: int, message: tuple[str, Any]) -> None:
    """Write the pickled message after its length (8 bytes, little-endian)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(writer, view):]


def _send_failure(writer: int, exc: BaseException) -> None:
    try:
        _send(writer, ("failed", exc))
    except Exception:  # an exception that cannot be pickled: its words instead
        with contextlib.suppress(Exception):  # unless the parent is gone
            _send(writer, ("failed", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _read(reader: int, size: int) -> bytes:
    """``size`` bytes from the pipe, fewer if it ends before."""
    parts = []
    while size and (chunk := os.read(reader, min(size, 1 << 20))):
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _receive(reader: int) -> Any:
    """The next message on the pipe (see :func:`_send`); a failure sent is raised."""
    head = _read(reader, 8)
    data = _read(reader, int.from_bytes(head, "little")) if len(head) == 8 else b""
    try:
        status, value = pickle.loads(data)
    except (EOFError, pickle.UnpicklingError):  # killed before or while writing
        raise RuntimeError("a worker process ended without its results") from None
    if status == "failed":
        raise value
    return value


def _stop(children: list[tuple[int, int, int]]) -> None:
    """Kill and reap the copies still running (after a failure or Ctrl-C)."""
    for pid, reader, writer in children:
        for end in (reader, writer):
            with contextlib.suppress(OSError):
                os.close(end)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

"""Pacing the explorer's work so that the newest input always wins.

- :class:`Latest` runs the newest submitted call once the kernel has handled the messages
  already waiting (a slider that moved five times while the kernel was busy gives one
  update, for its last position); with ``delay`` it waits for a pause first.
- :class:`Background` runs a slow job (the Monte Carlo band) in one worker thread; a job
  asked for while another runs replaces the one waiting, and a result that is no longer
  the newest is dropped, so the kernel's own updates never wait for it.

Outside a running event loop (plain Python, tests) calls run at once, in order.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Background", "Latest", "running_loop"]


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the kernel running this code, or None outside one."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Latest:
    """Run only the newest of the calls submitted before the loop gets to it.

    The loop is woken with ``call_soon_threadsafe``: a kernel may hand widget messages to
    its handlers outside the loop's own turn, and a plain ``call_soon`` then waits for
    the next unrelated event. With ``delay`` the call runs once ``delay`` seconds have
    passed without a new submission.

    Examples
    --------
    >>> done = []
    >>> latest = Latest(loop=None)
    >>> latest.submit(lambda: done.append(1)); latest.submit(lambda: done.append(2))
    >>> done  # without a loop each call runs at once
    [1, 2]
    """

    def __init__(self, loop: asyncio.AbstractEventLoop | None, delay: float = 0.0) -> None:
        self._loop, self._delay = loop, delay
        self._call: Callable[[], Any] | None = None
        self._due = 0.0
        self._scheduled = False

    def submit(self, call: Callable[[], Any]) -> None:
        if self._loop is None:
            call()
            return
        self._call, self._due = call, time.monotonic() + self._delay
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon_threadsafe(self._check)

    def _check(self) -> None:
        """On the loop: run the newest call when it is due, else look again then."""
        assert self._loop is not None
        wait = self._due - time.monotonic()
        if wait > 0:
            self._loop.call_later(wait, self._check)
            return
        self._scheduled = False
        call, self._call = self._call, None
        if call is not None:
            call()


class Background:
    """One worker thread for slow jobs; only the newest job's result is delivered.

    ``deliver(result)`` (the job's value, or the exception it raised) is called on the
    loop's thread when there is a loop (widgets are changed from the kernel's thread only),
    else in the worker. ``wait()`` blocks until
    the worker is idle (for tests and scripts).

    Examples
    --------
    >>> got = []
    >>> worker = Background(got.append, loop=None)
    >>> worker.request(lambda: 6 * 7)
    >>> worker.wait(10.0), got
    (True, [42])
    """

    def __init__(self, deliver: Callable[[Any], None],
                 loop: asyncio.AbstractEventLoop | None) -> None:
        self._deliver, self._loop = deliver, loop
        self._lock = threading.Lock()
        self._waiting: tuple[int, Callable[[], Any]] | None = None
        self._newest = 0
        self._idle = threading.Event()
        self._idle.set()

    def request(self, job: Callable[[], Any]) -> None:
        with self._lock:
            self._newest += 1
            self._waiting = (self._newest, job)
            if self._idle.is_set():
                self._idle.clear()
                threading.Thread(target=self._work, name="finmodel-explorer-band",
                                 daemon=True).start()

    def cancel(self) -> None:
        """Forget the waiting job and any result still to come."""
        with self._lock:
            self._newest += 1
            self._waiting = None

    def wait(self, timeout: float) -> bool:
        return self._idle.wait(timeout)

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._waiting is None:
                    self._idle.set()
                    return
                number, job = self._waiting
                self._waiting = None
            try:
                result = job()
            except Exception as exc:  # handed over: shown, never lost
                result = exc
            with self._lock:
                newest = number == self._newest
            if newest:
                self._hand_over(number, result)

    def _hand_over(self, number: int, result: Any) -> None:
        def deliver() -> None:
            if number == self._newest:  # nothing newer was asked for meanwhile
                self._deliver(result)

        if self._loop is None:
            deliver()
        else:
            self._loop.call_soon_threadsafe(deliver)

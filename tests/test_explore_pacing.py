"""Pacing of the explorer: the newest input wins, slow work never blocks the update."""

from __future__ import annotations

import asyncio
import threading

from finmodel.explore.pacing import Background, Latest


def test_latest_runs_only_the_newest_of_a_burst() -> None:
    """Five slider positions arrive before the kernel's loop turns: one update, the last."""
    done: list[int] = []

    async def burst() -> None:
        latest = Latest(asyncio.get_running_loop())
        for position in range(5):
            latest.submit(lambda p=position: done.append(p))
        await asyncio.sleep(0.05)
        latest.submit(lambda: done.append(99))
        await asyncio.sleep(0.05)

    asyncio.run(burst())
    assert done == [4, 99]


def test_latest_with_a_delay_waits_for_a_pause() -> None:
    """With a 1 s pause wanted, submissions a moment apart give one call, after the last."""
    done: list[int] = []

    async def typing() -> None:
        latest = Latest(asyncio.get_running_loop(), delay=1.0)
        for k in range(4):
            latest.submit(lambda k=k: done.append(k))
            await asyncio.sleep(0.01)
        assert done == []
        for _ in range(250):
            await asyncio.sleep(0.02)
            if done:
                break

    asyncio.run(typing())
    assert done == [3]


def test_background_delivers_only_the_newest_result_on_the_loop() -> None:
    """A job asked for while one runs replaces the waiting one; results arrive on the loop's
    thread; a slow job does not hold the loop up."""
    got: list[tuple[str, str]] = []
    release = threading.Event()

    def slow(name: str) -> str:
        release.wait(5)
        return name

    async def session() -> None:
        loop = asyncio.get_running_loop()
        worker = Background(lambda r: got.append((r, threading.current_thread().name)), loop)
        worker.request(lambda: slow("first"))   # runs
        worker.request(lambda: slow("second"))  # waits, then replaced
        worker.request(lambda: slow("third"))   # waits
        await asyncio.sleep(0.05)  # the loop is free while the job runs
        release.set()
        for _ in range(100):
            await asyncio.sleep(0.02)
            if got:
                break
        await asyncio.sleep(0.1)

    asyncio.run(session())
    assert got == [("third", threading.main_thread().name)]


def test_background_hands_over_an_error_as_a_value() -> None:
    got: list[object] = []
    worker = Background(got.append, loop=None)
    worker.request(lambda: 1 / 0)
    assert worker.wait(5.0)
    assert isinstance(got[0], ZeroDivisionError)

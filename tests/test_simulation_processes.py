"""Monte Carlo in forked processes, lines kept on demand (issue 16 item 6).

The chunks of a large simulation are evaluated in forked copies of the process (Linux),
writing into shared memory; a simulation may keep a few lines only, and computes
percentiles and KPI summaries when first asked for. None of it may change a number:
every check compares bits with a run in one process on one thread. Real processes
throughout: Ctrl-C and a killed parent are sent as signals to a real ``finmodel``.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.analysis import _forked, simulation
from finmodel.analysis.simulation import LINES, simulate
from finmodel.model.engine import KPIS
from scenarios_strategy import scenario_files, write_files
from test_simulation_exact import SETTINGS, _check_simulation, same_bits

pytestmark = pytest.mark.skipif(not _forked.can_fork(), reason="forked processes: Linux only")

FINMODEL = Path(sys.executable).with_name("finmodel")


def _same_simulations(a: simulation.Simulation, b: simulation.Simulation) -> None:
    """Every KPI of every draw, every line's percentiles, the summaries and the JSON."""
    for name in KPIS:
        assert same_bits(a.kpis[name], b.kpis[name]), name
    for name in LINES:
        assert same_bits(a.percentiles[name], b.percentiles[name]), name
    assert a.to_json() == b.to_json()
    assert a.risks == b.risks


def _children() -> set[int]:
    """The process ids of this process's children (every thread's): compare before
    and after, as other tests may leave a kernel or a browser running."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        found.update(int(p) for p in (task / "children").read_text().split())
    return found


@settings(SETTINGS, max_examples=12)
@given(scenario_files(), st.sampled_from([1, 7, 64]), st.sampled_from([2, 3]))
def test_forked_simulation_equals_one_evaluate(generated: Any, chunk: int, processes: int
                                               ) -> None:
    with tempfile.TemporaryDirectory() as folder:
        scenario = finmodel.load_scenario(write_files(Path(folder), generated))
    _check_simulation(scenario, 150, chunk=chunk, threads=processes, processes=True)


@pytest.mark.parametrize(("draws", "processes"), [(9_123, 2), (7_001, 3)])
def test_forked_base_with_risks_equals_one_thread(draws: int, processes: int) -> None:
    """Risk counts added over the processes, streams moved past other processes' draws
    (normal draws included), a line without a draw axis in some chunks only."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    before = _children()
    one = simulate(base, draws=draws, seed=3, with_risks=True, chunk=1_000, threads=1)
    forked = simulate(base, draws=draws, seed=3, with_risks=True, chunk=1_000,
                      threads=processes, processes=True)
    _same_simulations(one, forked)
    assert min(forked.risks.values()) > 0 and _children() <= before


def test_a_failure_in_a_forked_process_is_raised_here(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    """The copy's exception reaches the caller; no copy is left running."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    here = os.getpid()
    evaluate_chunk = simulation.evaluate_chunk

    def failing_in_the_copy(*args: Any) -> Any:
        if os.getpid() != here:
            raise ValueError("a chunk in the copy fails")
        return evaluate_chunk(*args)

    monkeypatch.setattr(simulation, "evaluate_chunk", failing_in_the_copy)
    before = _children()
    with pytest.raises(ValueError, match="a chunk in the copy fails"):
        simulate(base, draws=4_000, chunk=500, threads=2, processes=True)
    assert _children() <= before


def test_a_failure_here_stops_the_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process fails while the copy works: the copy is killed and reaped."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    here = os.getpid()
    evaluate_chunk = simulation.evaluate_chunk

    def failing_here(*args: Any) -> Any:
        if os.getpid() == here:
            raise KeyboardInterrupt
        time.sleep(0.01)  # the copy is still at work when this process fails
        return evaluate_chunk(*args)

    monkeypatch.setattr(simulation, "evaluate_chunk", failing_here)
    before = _children()
    with pytest.raises(KeyboardInterrupt):
        simulate(base, draws=20_000, chunk=100, threads=2, processes=True)
    assert _children() <= before


def test_shared_memory_leaves_nothing_in_dev_shm() -> None:
    before = set(os.listdir("/dev/shm"))
    base = finmodel.load_scenario("scenarios/base.yaml")
    simulate(base, draws=3_000, chunk=500, threads=2, processes=True).to_json()
    assert set(os.listdir("/dev/shm")) - before == set()


def _start(draws: int) -> subprocess.Popen[str]:
    """``finmodel simulate`` in its own process group, as a terminal runs it."""
    return subprocess.Popen([str(FINMODEL), "simulate", "scenarios/base.yaml", "--draws",
                             str(draws), "--format", "json"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _its_children(pid: int, wait: float = 60.0) -> set[int]:
    """The children of ``pid`` once it has some (its forked copies)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            found = {int(p) for task in Path(f"/proc/{pid}/task").iterdir()
                     for p in (task / "children").read_text().split()}
        except FileNotFoundError:
            found = set()
        if found:
            return found
        time.sleep(0.005)
    raise AssertionError(f"process {pid} started no worker process")


def _gone(pids: set[int], wait: float = 30.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        alive = {p for p in pids if Path(f"/proc/{p}").exists()
                 and Path(f"/proc/{p}/stat").read_text().split(")")[-1].split()[0] != "Z"}
        if not alive:
            return True
        time.sleep(0.01)
    return False


def test_ctrl_c_stops_the_command_and_its_worker_processes() -> None:
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) while the workers
    run: the command says it was interrupted, exits 130 and leaves no process behind."""
    process = _start(2_000_000)
    workers = _its_children(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert _gone(workers)


def test_a_killed_command_takes_its_worker_processes_along() -> None:
    """SIGKILL leaves the command no chance to clean up: the kernel ends the workers."""
    process = _start(2_000_000)
    workers = _its_children(process.pid)
    process.kill()
    process.communicate(timeout=60)
    assert _gone(workers)


def test_some_lines_only() -> None:
    """The lines asked for have the numbers of a full run; the JSON, which shows every
    line, is refused; a name that is not a line is a caller's bug."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    full = simulate(base, draws=4_321, seed=2, threads=1)
    some = simulate(base, draws=4_321, seed=2, lines=("result", "cash_end"), threads=2,
                    processes=True)
    assert list(some.percentiles) == ["result", "cash_end"]  # in budget order
    assert "equity" not in some.percentiles
    for name in ("result", "cash_end"):
        assert same_bits(some.percentiles[name], full.percentiles[name])
    for name in KPIS:
        assert json.dumps(some.kpi_summary(name)) == json.dumps(full.kpi_summary(name))
    with pytest.raises(ValueError, match="lines=None"):
        some.to_json()
    with pytest.raises(ValueError, match="cash"):
        simulate(base, draws=10, lines=("cash",))


def test_percentiles_on_demand_equal_those_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Computed line by line when asked for, all at once on threads (a large store), or
    after a pickle round trip: the same bits."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    lazy = simulate(base, draws=3_333, seed=4)
    assert isinstance(lazy.percentiles, simulation.LinePercentiles)
    first = lazy.percentiles["cash_end"]
    monkeypatch.setattr(simulation, "LAZY_MEMORY", 0)
    eager = simulate(base, draws=3_333, seed=4)
    assert set(eager.summaries) == set(KPIS)  # summarised at once
    assert same_bits(first, eager.percentiles["cash_end"])
    _same_simulations(lazy, eager)
    copied = pickle.loads(pickle.dumps(lazy))
    assert isinstance(copied.percentiles, dict)
    _same_simulations(copied, eager)


def test_a_shared_count_gives_each_number_to_one_process_in_order() -> None:
    """Three processes take from one count: every number once, each process's in
    increasing order (what moving the parameter streams forward needs)."""
    count = _forked.Counter()
    before = _children()

    def take(_: int) -> list[int]:
        taken = []
        for number in count.take(300):
            taken.append(number)
            time.sleep(0.0005 * (os.getpid() % 3))  # the processes take turns unevenly
        return taken

    shares = _forked.in_processes(3, take)
    assert sorted(n for share in shares for n in share) == list(range(300))
    assert all(share == sorted(share) for share in shares)
    assert _children() <= before


def test_a_refused_fork_leaves_the_work_to_the_processes_started(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The system refuses the second copy (a limit on processes): the first and this
    process evaluate every chunk, with the same numbers."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    expected = simulate(base, draws=6_000, chunk=500, threads=1)
    fork, forks = os.fork, []

    def limited() -> int:
        if forks:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        forks.append(1)
        return fork()

    monkeypatch.setattr(os, "fork", limited)
    before = _children()
    got = simulate(base, draws=6_000, chunk=500, threads=3, processes=True)
    assert forks == [1]
    _same_simulations(expected, got)
    assert _children() <= before


def test_the_default_forks_for_many_draws_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """... and only in a process running no other thread: in a kernel or a Dask worker
    another thread may hold a lock at the fork (processes=True forks all the same)."""
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 3)  # a kernel's threads
    assert simulation._forks(simulation.FORK_DRAWS, 50, 2, None) == 1
    assert simulation._forks(simulation.FORK_DRAWS, 50, 2, True) == 2
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # the command line
    assert simulation._forks(simulation.FORK_DRAWS - 1, 50, 2, None) == 1
    assert simulation._forks(simulation.FORK_DRAWS, 50, 2, None) == 2
    assert simulation._forks(10, 5, 2, True) == 2
    assert simulation._forks(10**6, 500, 2, False) == 1
    assert simulation._forks(10**6, 1, 2, True) == 1   # one chunk: nothing to share
    monkeypatch.setattr(_forked, "can_fork", lambda: False)   # macOS, Windows
    assert simulation._forks(10**6, 500, 2, True) == 1


@pytest.mark.parametrize("draws", ["100", "50000"])
def test_a_bad_risk_stops_the_command_while_its_workers_start(draws: str,
                                                              tmp_path: Path) -> None:
    """The risks' overrides are checked while the worker processes already draw (from
    40,000 draws): a bad one still gives the error of ``finmodel check`` (exit 2,
    nothing on stdout) and leaves no process behind; with one process the same."""
    text = Path("scenarios/base.yaml").read_text(encoding="utf-8")
    path = tmp_path / "typo.yaml"
    path.write_text(text + "  - {name: Typo, probability: 0.1, overrides: "
                    "{finance.opening_csh: 0}}\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    process = subprocess.Popen([str(FINMODEL), "simulate", str(path), "--draws", draws],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate(timeout=120)
    checked = subprocess.run([str(FINMODEL), "check", str(path)], capture_output=True,
                             text=True, check=False)
    assert (process.returncode, out) == (2, "")
    assert err == (f"{path}:{line}: risks[Typo].overrides.finance.opening_csh: unknown key; "
                   "allowed: discount_rate, loans, minimum_cash, opening_cash\n")
    assert checked.stderr == err
    assert _gone(_running(str(path)))  # a forked copy has the command's arguments


def _running(argument: str) -> set[int]:
    """The processes with ``argument`` on their command line."""
    found = set()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and argument.encode() in (proc / "cmdline").read_bytes():
                found.add(int(proc.name))
        except OSError:  # ended meanwhile
            continue
    return found


@pytest.mark.parametrize("processes", [2, 3])
def test_summaries_in_the_worker_processes_equal_one_thread(processes: int) -> None:
    """Lines named (or a large store): the processes that drew the chunks also compute
    the lines' percentiles and the KPI summaries, a line or KPI each at a time. Lines
    without a draw axis (no loans in base: ``interest``, ``debt``) and drawn lines,
    without and with risks: the bits of one thread."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    lines = ("cash_end", "interest", "debt", "result")
    for risks in (False, True):
        expected = simulate(base, draws=5_000, chunk=250, threads=1, lines=lines,
                            with_risks=risks)
        got = simulate(base, draws=5_000, chunk=250, threads=processes, processes=True,
                       lines=lines, with_risks=risks)
        assert set(got.summaries) == set(KPIS)
        for name in lines:
            assert same_bits(expected.percentiles[name], got.percentiles[name]), name
        for name in KPIS:
            # as JSON: -0.0 and 0.0 differ there, as bits do
            assert json.dumps(got.summaries[name]) == json.dumps(expected.kpi_summary(name))
        assert got.risks == expected.risks


def test_a_failure_in_the_second_step_is_raised_here() -> None:
    """A copy fails after its first step: the error is raised here, no copy is left."""
    before = _children()

    def second(i: int, note: int) -> int:
        if i == 1:
            raise ValueError(f"copy {i} failed after {note}")
        return note

    with pytest.raises(ValueError, match="copy 1 failed after 3"):
        _forked.in_two_steps(3, lambda i: i, sum, second)
    assert _children() <= before


def test_a_forked_simulation_leaves_no_file_open() -> None:
    """The pipes of the results, the notes and the shared counts are closed."""
    base = finmodel.load_scenario("scenarios/base.yaml")
    before = set(os.listdir("/proc/self/fd"))
    simulate(base, draws=3_000, chunk=500, threads=2, processes=True, lines=("cash_end",))
    assert set(os.listdir("/proc/self/fd")) <= before



def test_strict_says_a_warning_and_a_bad_risk_together(tmp_path: Path) -> None:
    """Under --strict a warning is a problem: the bad risk beside it is said too, in
    the file's order, as ``finmodel --strict check`` says both (the risk was dropped
    when its check ran later, beside the workers; a warning sorted among other problems
    was a traceback)."""
    text = Path("scenarios/base.yaml").read_text(encoding="utf-8")
    text = text.replace("minimum_cash: 50000 ", "minimum_cash: 50.000")  # read as 50.0
    path = tmp_path / "both.yaml"
    path.write_text(text + "  - {name: Typo, probability: 0.1, overrides: "
                    "{finance.opening_csh: 0}}\n", encoding="utf-8")
    run = subprocess.run([str(FINMODEL), "--strict", "simulate", str(path), "--draws", "100"],
                         capture_output=True, text=True, check=False)
    checked = subprocess.run([str(FINMODEL), "--strict", "check", str(path)],
                             capture_output=True, text=True, check=False)
    lines = run.stderr.splitlines()
    assert (run.returncode, run.stdout, len(lines)) == (2, "", 2), run.stderr
    assert lines[0].startswith(f"{path}:210: finance.minimum_cash: warning: 50.000 is read as 50")
    assert lines[1].startswith(f"{path}:{len(text.splitlines()) + 1}: risks[Typo]")
    assert checked.stderr == run.stderr

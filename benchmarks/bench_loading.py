"""Reading scenario files: libyaml's C parser against PyYAML's Python one, and hostile files.

Prints the time to compose base.yaml with each parser (and their ratio), the time of a
whole ``load_scenario`` (read, limits, walk, validate), and how long each hostile file
takes to be refused (deep nesting, an alias bomb, 2.6 MB of junk keys, 40,000 junk keys
under the size limit). Every hostile file must be refused well under a second.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

import finmodel
from finmodel.model import files


def _timed(call: Callable[[], Any], repeat: int = 20) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def _hostile() -> dict[str, str]:
    laughs = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    laughs += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    head = "start_year: 2025\nhorizon: 3\nfacility: {available_hours: 100}\n"
    return {
        "nested 30 deep": "start_year: " + "[" * 30 + "]" * 30 + "\n",
        "nested 100,000 deep": "start_year: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "billion laughs": "\n".join(laughs) + "\n",
        "2.6 MB of junk keys": "".join(f"junk_key_{i}: {i}\n" for i in range(120_000)),
        "40,000 junk keys (700 kB)": head + "".join(f"junk{i}: {i}\n" for i in range(40_000)),
    }


def main() -> None:
    text = Path("scenarios/base.yaml").read_text(encoding="utf-8")
    python = _timed(lambda: yaml.SafeLoader(text).get_single_node())
    c = _timed(lambda: files._Loader(text).get_single_node())
    print(f"compose base.yaml: PyYAML (Python) {python * 1000:.2f} ms, "
          f"{files._BaseLoader.__name__} {c * 1000:.2f} ms: {python / c:.1f} x faster")
    load = _timed(lambda: finmodel.load_scenario("scenarios/base.yaml"))
    print(f"load_scenario(base.yaml), limits and validation included: {load * 1000:.2f} ms")
    with tempfile.TemporaryDirectory() as folder:
        for name, body in _hostile().items():
            path = Path(folder) / "hostile.yaml"
            path.write_text(body, encoding="utf-8")
            started = time.perf_counter()
            try:
                finmodel.load_scenario(path)
                outcome = "LOADED (should have been refused)"
            except finmodel.ScenarioError as exc:
                outcome = str(exc.problems[0]).split(": ", 2)[-1]
            print(f"{name}: refused in {time.perf_counter() - started:.3f} s: {outcome}")


if __name__ == "__main__":
    main()

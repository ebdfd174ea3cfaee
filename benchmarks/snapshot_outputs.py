"""Save or compare the JSON every analysis command prints for every bundled scenario.

A refactoring must not change a number: run ``save`` before it and ``compare`` after it::

    .venv/bin/python benchmarks/snapshot_outputs.py save /tmp/before
    .venv/bin/python benchmarks/snapshot_outputs.py compare /tmp/before

``compare`` prints each output that differs and exits 1 when any does.

``compare-kept`` is for a change that adds keys (new lines, KPIs, checks): every value
saved before must be found unchanged at the same place after; new keys, new list items
at the end and new outputs are allowed. It prints the path of each value that differs::

    .venv/bin/python benchmarks/snapshot_outputs.py compare-kept /tmp/before
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FINMODEL = [str(Path(sys.executable).with_name("finmodel"))]


def commands(scenario: Path) -> dict[str, list[str]]:
    """The command lines whose JSON is kept, by output file name."""
    name = scenario.stem
    path = str(scenario)
    return {
        f"{name}.run.json": ["run", path, "--format", "json", "--detail"],
        f"{name}.parties.json": ["parties", path, "--format", "json"],
        f"{name}.risks.json": ["risks", path, "--format", "json"],
        f"{name}.simulate.json": ["simulate", path, "--format", "json", "--draws", "2000",
                                  "--seed", "7"],
        f"{name}.sensitivity.json": ["sensitivity", path, "--format", "json"],
        f"{name}.compare.json": ["compare", str(ROOT / "scenarios" / "base.yaml"), path,
                                 "--format", "json"],
    } | what_if_commands(scenario)


def what_if_commands(scenario: Path) -> dict[str, list[str]]:
    """One what-if per risk and one exit per party, from the scenario's third year."""
    import finmodel

    loaded = finmodel.load_scenario(scenario)
    name, path = scenario.stem, str(scenario)
    year = str(loaded.start_year + 2)
    result = {
        f"{name}.what-if.risk-{i}.json": ["what-if", path, "--risk", risk.name, "--format", "json"]
        for i, risk in enumerate(loaded.risks)
    }
    for i, party in enumerate(loaded.parties):
        result[f"{name}.what-if.exit-{i}.json"] = [
            "what-if", path, "--exit", party.name, "--from", year, "--format", "json"
        ]
    if loaded.ledger is not None:  # budget vs actuals (spec section 10)
        result[f"{name}.variance.json"] = ["variance", path, "--format", "json"]
    return result


def outputs() -> dict[str, bytes]:
    """Every command's stdout (or its exit code and stderr when it fails)."""
    result: dict[str, bytes] = {}
    for scenario in sorted((ROOT / "scenarios").glob("*.yaml")):
        for file_name, args in commands(scenario).items():
            done = subprocess.run([*FINMODEL, *args], capture_output=True, cwd=ROOT, check=False)
            result[file_name] = done.stdout if done.returncode == 0 else (
                f"exit {done.returncode}\n".encode() + done.stderr
            )
    return result


def changed_values(old: Any, new: Any, path: str = "") -> list[str]:
    """Paths where a value of ``old`` is missing or different in ``new`` (added keys and
    list items appended at the end are allowed).

    Examples
    --------
    >>> changed_values({"a": [1, 2], "b": 1}, {"a": [1, 2], "b": 1, "c": 3})
    []
    >>> changed_values({"a": [1, 2]}, {"a": [1, 3]})
    ['a[1]: 2 -> 3']
    """
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key, value in old.items():
            where = f"{path}.{key}" if path else str(key)
            out += (changed_values(value, new[key], where) if key in new
                    else [f"{where}: missing"])
        return out
    if isinstance(old, list) and isinstance(new, list) and len(new) >= len(old):
        return [d for i, (a, b) in enumerate(zip(old, new, strict=False))
                for d in changed_values(a, b, f"{path}[{i}]")]
    return [] if old == new and type(old) is type(new) else [f"{path}: {old!r} -> {new!r}"]


def compare_kept(folder: Path, current: dict[str, bytes]) -> int:
    differing = 0
    for name, data in current.items():
        saved = folder / name
        if not saved.exists():
            print(f"new: {name}")
            continue
        before, after = saved.read_bytes(), data
        try:
            changes = changed_values(json.loads(before), json.loads(after))
        except json.JSONDecodeError:
            changes = [] if before == after else ["(not JSON) output differs"]
        differing += bool(changes)
        for change in changes:
            print(f"differs: {name}: {change}")
    print(f"{len(current) - differing} of {len(current)} outputs keep every saved value")
    return 1 if differing else 0


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"save", "compare", "compare-kept"}:
        print(__doc__, file=sys.stderr)
        return 2
    action, folder = argv[0], Path(argv[1])
    current = outputs()
    if action == "save":
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, data in current.items():
            (folder / file_name).write_bytes(data)
        print(f"saved {len(current)} outputs in {folder}")
        return 0
    if action == "compare-kept":
        return compare_kept(folder, current)
    differing = [name for name, data in current.items() if (folder / name).read_bytes() != data]
    for name in differing:
        print(f"differs: {name}")
    print(f"{len(current) - len(differing)} of {len(current)} outputs byte-identical")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

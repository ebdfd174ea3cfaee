"""Save or compare the JSON every analysis command prints for every bundled scenario.

A refactoring must not change a number: run ``save`` before it and ``compare`` after it::

    .venv/bin/python benchmarks/snapshot_outputs.py save /tmp/before
    .venv/bin/python benchmarks/snapshot_outputs.py compare /tmp/before

``compare`` prints each output that differs and exits 1 when any does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"save", "compare"}:
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
    differing = [name for name, data in current.items() if (folder / name).read_bytes() != data]
    for name in differing:
        print(f"differs: {name}")
    print(f"{len(current) - len(differing)} of {len(current)} outputs byte-identical")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

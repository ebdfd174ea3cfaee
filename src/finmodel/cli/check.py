"""``finmodel check FILE...``: validate scenario files only, for CI and pre-commit hooks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = ("validate scenario files (schema, uncertainty, risks) and show likely typing "
        "mistakes; exit 0 when all are valid, 2 otherwise")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", metavar="FILE", nargs="+",
                        help="scenario files, folders of them (every *.yaml), or names in "
                             "scenarios/")


def run(args: argparse.Namespace) -> int:
    from finmodel.cli._common import STRICT, checked
    from finmodel.model.errors import Problem, ScenarioError
    from finmodel.model.files import resolve_scenario
    from finmodel.model.scenario import load_scenario

    failed = False
    for spec in _expand(args.files):
        problems: list[Problem] = []
        warnings: list[Problem] = []
        try:
            path = resolve_scenario(spec)
            scenario = load_scenario(path)
            problems = checked(scenario)
            warnings = list(scenario.warnings)
        except ScenarioError as exc:
            problems = list(exc.problems)
        if STRICT["on"]:
            problems, warnings = problems + warnings, []
        for problem in sorted(problems) + warnings:
            print(problem, file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            extra = f" ({len(warnings)} warning{'s' * (len(warnings) != 1)})" if warnings else ""
            print(f"{spec}: OK{extra}")
    return 2 if failed else 0


def _expand(specs: list[str]) -> list[str]:
    """Folders become their ``*.yaml`` and ``*.yml`` files, sorted; the rest stays."""
    out: list[str] = []
    for spec in specs:
        folder = Path(spec)
        if folder.is_dir():
            out += sorted(str(p) for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            out.append(spec)
    return out

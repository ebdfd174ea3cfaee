"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from finmodel._errors import Problem, ScenarioError
from finmodel.scenario import Scenario, load_scenario

__all__ = ["add_format_argument", "add_scenario_argument", "emit", "load", "resolve_scenario"]


def resolve_scenario(spec: str) -> Path:
    """A scenario file path, or a bare name looked up as ``scenarios/NAME.yaml``.

    Examples
    --------
    >>> resolve_scenario("base").as_posix()
    'scenarios/base.yaml'
    """
    path = Path(spec)
    if path.is_file():
        return path
    if not path.suffix and path.name == spec:
        for suffix in (".yaml", ".yml"):
            candidate = Path("scenarios") / f"{spec}{suffix}"
            if candidate.is_file():
                return candidate
    raise ScenarioError([Problem(spec, 1, "(file)",
                                 f"no such scenario file (nor scenarios/{spec}.yaml)")])


def load(spec: str) -> Scenario:
    """Load a scenario for a command, with its ``uncertainty`` and ``risks`` checked too.

    The library's :func:`load_scenario` checks the file against the schema only; the
    analysis blocks need projections, so commands check them here, all problems at once.
    """
    from finmodel.risks import validate_risks
    from finmodel.uncertainty import check_uncertainty

    scenario = load_scenario(resolve_scenario(spec))
    problems = list(validate_risks(scenario))
    try:
        check_uncertainty(scenario)
    except ScenarioError as exc:
        problems += exc.problems
    if problems:
        raise ScenarioError(sorted(problems))
    return scenario


def add_scenario_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO",
                        help="scenario file, or a name in scenarios/ (e.g. base)")


def add_format_argument(parser: argparse.ArgumentParser,
                        choices: tuple[str, ...] = ("table", "json", "csv")) -> None:
    parser.add_argument("--format", choices=choices, default=choices[0],
                        help=f"output format (default {choices[0]})")


def emit(fmt: str, as_dict: Callable[[], Any], table: Callable[[], str],
         csv: Callable[[], str] | None = None) -> int:
    """Write a command's result on stdout in the chosen format; only that one is built."""
    if fmt == "json":
        sys.stdout.write(json.dumps(as_dict(), allow_nan=False) + "\n")
    elif fmt == "csv" and csv is not None:
        sys.stdout.write(csv())
    else:
        sys.stdout.write(table())
    return 0

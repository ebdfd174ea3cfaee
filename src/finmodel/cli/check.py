"""``finmodel check FILE...``: validate scenario files only, for CI and pre-commit hooks."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = ("validate scenario files (schema, uncertainty, risks) and show likely typing "
        "mistakes; exit 0 when all are valid, 2 otherwise")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from finmodel.cli._common import add_lang_argument

    parser.add_argument("files", metavar="FILE", nargs="+",
                        help="scenario files, folders of them (every *.yaml), or names in "
                             "scenarios/")
    add_lang_argument(parser)


def run(args: argparse.Namespace) -> int:
    from finmodel.cli._common import (
        STRICT,
        checked,
        lang_of,
        print_problems,
        problems_language,
    )
    from finmodel.model.errors import Problem, ScenarioError
    from finmodel.model.files import resolve_scenario
    from finmodel.model.scenario import Scenario, load_scenario
    from finmodel.views.i18n import t

    failed = False
    for spec in _expand(args.files):
        problems: list[Problem] = []
        warnings: list[Problem] = []
        scenario: Scenario | None = None
        try:
            path = resolve_scenario(spec)
            scenario = load_scenario(path)
            problems = checked(scenario)
            warnings = list(scenario.warnings)
        except ScenarioError as exc:
            problems = list(exc.problems)
        if STRICT["on"]:
            problems, warnings = problems + warnings, []
        lang = (lang_of(args, scenario) if scenario is not None
                else problems_language(args.lang, problems))
        print_problems(sorted(problems) + warnings, lang)
        failed = failed or bool(problems)
        if not problems:
            extra = t(lang, "cli.check.warning_one" if len(warnings) == 1 else
                      "cli.check.warning_many", n=len(warnings)) if warnings else ""
            print(t(lang, "cli.check.ok", spec=spec, extra=extra))
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

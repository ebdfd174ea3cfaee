"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from finmodel.model.errors import Problem, ScenarioError
from finmodel.model.files import resolve_scenario
from finmodel.model.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from finmodel.views.i18n import Language

__all__ = ["ENV_LANG", "STRICT", "LoadError", "add_format_argument", "add_lang_argument",
           "add_scenario_argument", "checked", "emit", "env_lang", "lang_of", "load",
           "load_checking_later",
           "print_problems", "problems_language", "report_warnings", "seed"]

#: Set by ``finmodel --strict``: input warnings are errors (exit 2).
STRICT = {"on": False}

#: The environment variable with the language of a controller's runs (``en`` or ``nl``):
#: below ``--lang`` and a scenario's ``language``, above the default English.
ENV_LANG = "FINMODEL_LANG"


def env_lang() -> str | None:
    """:data:`ENV_LANG` checked (``en``/``nl``, any case; unset or empty: None).

    Raises :class:`ValueError` naming the variable and the allowed values otherwise.

    >>> os.environ[ENV_LANG] = "NL"; env_lang()
    'nl'
    >>> os.environ[ENV_LANG] = "fr"; env_lang()
    Traceback (most recent call last):
    ...
    ValueError: FINMODEL_LANG='fr': allowed: en, nl (or leave it unset for English)
    >>> del os.environ[ENV_LANG]; env_lang() is None
    True
    """
    value = os.environ.get(ENV_LANG, "").strip()
    if not value:
        return None
    if value.lower() not in ("en", "nl"):
        raise ValueError(f"{ENV_LANG}={value!r}: allowed: en, nl (or leave it unset for "
                         "English)")
    return value.lower()


def checked(scenario: Scenario) -> list[Problem]:
    """Problems of the analysis blocks: ``risks`` overrides and ``uncertainty`` ranges.

    The library's :func:`load_scenario` checks the file against the schema only; the
    analysis blocks need projections, so commands check them here, all at once.
    """
    from finmodel.analysis.risks import validate_risks
    from finmodel.analysis.uncertainty import check_uncertainty

    problems = list(validate_risks(scenario))
    try:
        check_uncertainty(scenario)
    except ScenarioError as exc:
        problems += exc.problems
    return problems


def report_warnings(scenario: Scenario, lang: str | None = None) -> list[Problem]:
    """Print the scenario's input warnings on stderr, in ``lang`` (``--lang``; None: the
    scenario's ``language``, else English); under ``--strict`` return them as problems
    instead (the caller refuses the scenario)."""
    if STRICT["on"]:
        return list(scenario.warnings)
    if scenario.warnings:
        from finmodel.views.warning_text import problem_line

        shown = _language(lang, scenario)
        for warning in scenario.warnings:
            print(problem_line(shown, warning), file=sys.stderr)
    return []


class LoadError(ScenarioError):
    """A scenario refused by a command, with the language to say its problems in (the
    input warnings that ``--strict`` turns into errors)."""

    def __init__(self, problems: list[Problem], lang: Language) -> None:
        super().__init__(problems)
        self.lang = lang


def load(spec: str, lang: str | None = None) -> Scenario:
    """Load a scenario for a command: schema, analysis blocks and input warnings.

    Raises :class:`ScenarioError` with every problem at once (and, under ``--strict``,
    every warning); otherwise warnings go to stderr, in ``lang`` (``--lang``) or the
    scenario's ``language``.
    """
    scenario, check_risks = load_checking_later(spec, lang)
    check_risks()
    return scenario


def load_checking_later(spec: str, lang: str | None = None
                        ) -> tuple[Scenario, Callable[[], None]]:
    """:func:`load`, with the check of the risks' overrides (a projection of each
    stressed scenario) handed back to run later, e.g. while another process already
    evaluates a simulation's draws; the second value runs it and raises the
    :class:`LoadError` that :func:`load` would. The problems and their order are those
    of :func:`load`: where anything else is wrong, everything is checked at once here.
    """
    from finmodel.analysis.risks import validate_risks
    from finmodel.analysis.uncertainty import check_uncertainty

    scenario = load_scenario(resolve_scenario(spec))
    problems = report_warnings(scenario, lang)
    try:
        check_uncertainty(scenario)
        clean = not problems
    except ScenarioError:
        clean = False
    if not clean:  # every problem at once, the risks' too
        problems = checked(scenario) + problems
        raise LoadError(sorted(problems), _language(lang, scenario))

    def check_risks() -> None:
        found = validate_risks(scenario)
        if found:
            raise LoadError(sorted(found), _language(lang, scenario))

    return scenario, check_risks


def print_problems(problems: Iterable[Problem], lang: str | None = None) -> None:
    """Every problem on stderr as ``FILE:LINE: PATH: message`` in ``lang``, else in the
    language the files declare (:func:`problems_language`): input warnings and validation
    errors (see :func:`finmodel.views.warning_text.problem_line`)."""
    from finmodel.views.warning_text import problem_line

    problems = list(problems)
    shown = problems_language(lang, problems)
    for problem in problems:
        print(problem_line(shown, problem), file=sys.stderr)


def problems_language(lang: str | None, problems: Iterable[Problem]) -> Language:
    """The language to say a refused file's problems in: ``lang`` (``--lang``), else the
    top-level ``language:`` of the first file among them that reads far enough to say
    one (a file that does not validate is no scenario yet), else :data:`ENV_LANG`, else
    English."""
    from finmodel.model.files import declared_language
    from finmodel.views.i18n import language

    if lang:
        return language(lang)
    for file in dict.fromkeys(p.file for p in problems):
        if file.endswith((".yaml", ".yml")) and (declared := declared_language(file)):
            return language(declared)
    return language(env_lang())


def _language(lang: str | None, scenario: Scenario | None) -> Language:
    from finmodel.views.i18n import language

    return language(lang or (scenario.language if scenario else None) or env_lang())


def seed(text: str) -> int:
    """An argparse type for ``--seed``: a whole number >= 0 (numpy's seeds)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {value}")
    return value


def add_scenario_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO",
                        help="scenario file, or a name in scenarios/ (e.g. base)")


def add_format_argument(parser: argparse.ArgumentParser,
                        choices: tuple[str, ...] = ("table", "json", "csv")) -> None:
    parser.add_argument("--format", choices=choices, default=choices[0],
                        help=f"output format (default {choices[0]})")


def add_lang_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("en", "nl"), default=None,
                        help="language of the text people read (default: the scenario's "
                             f"`language`, else ${ENV_LANG}, else en); JSON and CSV stay "
                             "English")


def lang_of(args: argparse.Namespace, scenario: Scenario | None = None) -> Language:
    """``--lang``, else the scenario's ``language``, else :data:`ENV_LANG`, else English."""
    return _language(getattr(args, "lang", None), scenario)


def emit(fmt: str, as_dict: Callable[[], Any], table: Callable[[], str],
         csv: Callable[[], str] | None = None) -> int:
    """Write a command's result on stdout in the chosen format; only that one is built.

    ``as_dict`` gives the JSON data, or the JSON text itself when the result serializes
    itself (a projection, a simulation).
    """
    if fmt == "json":
        data = as_dict()
        sys.stdout.write((data if isinstance(data, str) else
                          json.dumps(data, allow_nan=False)) + "\n")
    elif fmt == "csv" and csv is not None:
        sys.stdout.write(csv())
    else:
        sys.stdout.write(table())
    return 0

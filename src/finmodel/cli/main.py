"""The ``finmodel`` command: parses arguments and delegates to the modules of ``finmodel.cli``.

Exit codes: 0 success, 1 a run that failed (a failed check is not a failure), 2 bad
usage or bad input (every problem printed on stderr as ``FILE:LINE: PATH: message``).
Heavy libraries are imported by the command that needs them, not here.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from finmodel import __version__
from finmodel.cli.commands import COMMANDS
from finmodel.model.errors import FinModelError, ScenarioError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser that says its usage errors in ``lang`` (``en`` or ``nl``): the
    language of the run is known before the arguments are parsed only from ``--lang`` in
    them or ``FINMODEL_LANG`` (see :func:`_parse_language`)."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang

    def error(self, message: str) -> NoReturn:
        if self.lang == "en":
            super().error(message)
        from finmodel.views.i18n import t
        from finmodel.views.usage_text import usage_message

        sys.stderr.write(self.format_usage())  # "gebruik: ...": see _say_help
        self.exit(2, t("nl", "cli.usage_error", prog=self.prog,
                       message=usage_message("nl", message)) + "\n")


class _DutchHelp(argparse.HelpFormatter):
    """argparse's help with ``gebruik:`` before the usage (argparse aligns the lines
    after it)."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any,
                  prefix: str | None = None) -> None:
        from finmodel.views.i18n import t

        said = t("nl", "cli.usage") + ": "
        super().add_usage(usage, actions, groups, said if prefix is None else prefix)


def help_key(command: str, dest: str) -> str:
    """The catalogue key of the help of option ``dest`` of ``command`` (``finmodel`` for
    the main parser's): the options every sub-command shares have one key."""
    shared = command != "finmodel" and dest in ("help", "scenario", "lang", "format")
    return f"cli.help.{'any' if shared else command}.{dest}"


def _say_help(parser: argparse.ArgumentParser, command: str, lang: str) -> None:
    """Every help text of ``parser`` and its sub-commands from the catalogue of ``lang``
    (the English catalogue holds the modules' own texts; a test keeps them equal)."""
    from finmodel.views.i18n import language, t

    shown = language(lang)
    parser.description = t(shown, f"cli.help.{command}")
    parser.formatter_class = _DutchHelp
    parser._positionals.title = t(shown, "cli.help.positionals")
    parser._optionals.title = t(shown, "cli.help.options")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = t(shown, f"cli.help.{choice.dest}")
            for name, sub in action.choices.items():
                _say_help(sub, name, lang)
        elif action.help is not None:
            action.help = t(shown, help_key(command, action.dest))


def _parse_language(argv: Sequence[str], env: str | None) -> str:
    """The language of argparse's own errors: ``--lang en|nl`` (or ``--lang=..``) in
    ``argv``, else ``env`` (:envvar:`FINMODEL_LANG`), else English.

    >>> _parse_language(["run", "base", "--lang", "nl"], None), _parse_language(["x"], "nl")
    ('nl', 'nl')
    >>> _parse_language(["run", "--lang=en"], "nl"), _parse_language(["--lang", "fr"], None)
    ('en', 'en')
    """
    for i, arg in enumerate(argv):
        value = (arg.partition("=")[2] if arg.startswith("--lang=")
                 else argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value in ("en", "nl"):
            return value
    return env or "en"


def build_parser(lang: str = "en", command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every sub-command; its usage errors in ``lang``. With ``command``,
    only that sub-command's module is imported and its options added (the others are
    listed with their help, as ``finmodel --help`` shows them)."""
    parser = _Parser(
        lang=lang,
        prog="finmodel",
        description="Multi-year budgets, subsidy phase-out and business cases for "
                    "public-private facilities.")
    from finmodel.views.i18n import language, t

    parser.add_argument("--version", action="version",
                        version=t(language(lang), "cli.version", version=__version__))
    parser.add_argument("--strict", action="store_true",
                        help="treat input warnings (likely typing mistakes) as errors: exit 2")
    parser.add_argument("--lang", dest="top_lang", choices=("en", "nl"), default=None,
                        help="language of the text people read, as --lang after the "
                             "command (which wins)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if command not in (None, name):  # the module's HELP (a test keeps them equal)
            said = t("en", f"cli.help.{name}")
            sub.add_parser(name, help=said, description=said, lang=lang)
            continue
        module = importlib.import_module(f"finmodel.cli.{name.replace('-', '_')}")
        parsed = sub.add_parser(name, help=module.HELP, description=module.HELP, lang=lang)
        module.add_arguments(parsed)
        parsed.set_defaults(handler=module.run)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The sub-command that ``argv`` runs, as argparse finds it: the first argument that
    is not an option of ``finmodel`` itself (``--lang`` takes a value); None if it is
    none of :data:`COMMANDS`.

    >>> _command_of(["--strict", "--lang", "nl", "simulate", "base"])
    'simulate'
    >>> _command_of(["--la=nl", "run"]), _command_of(["--help"]), _command_of(["bogus"])
    ('run', None, None)
    """
    values = False
    for arg in argv:
        if values:
            values = False
        elif arg.startswith("-"):
            values = len(arg) > 2 and "--lang".startswith(arg)  # argparse's abbreviations
        else:
            return arg if arg in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from finmodel.cli import _common

    try:
        env = _common.env_lang()
    except ValueError as exc:  # said in English: the language asked for is unknown
        print(f"finmodel: {exc}", file=sys.stderr)
        return 2
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = _parse_language(argv, env)
    parser = build_parser(lang, _command_of(argv))  # one sub-command's imports
    if lang != "en":
        _say_help(parser, "finmodel", lang)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    _common.STRICT["on"] = args.strict
    if getattr(args, "lang", None) is None and args.top_lang:  # finmodel --lang nl run ...
        args.lang = args.top_lang
    try:
        code: int = args.handler(args)
    except ScenarioError as exc:
        _common.print_problems(exc.problems, getattr(exc, "lang", None)
                               or getattr(args, "lang", None))
        return 2
    except FinModelError as exc:
        from finmodel.views.i18n import t
        from finmodel.views.warning_text import error_text

        lang = _common.lang_of(args)
        print(t(lang, "cli.error", command=args.command, message=error_text(lang, exc)),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("finmodel: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

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

from finmodel import __version__
from finmodel.cli.commands import COMMANDS
from finmodel.model.errors import FinModelError, ScenarioError

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finmodel",
        description="Multi-year budgets, subsidy phase-out and business cases for "
                    "public-private facilities.")
    parser.add_argument("--version", action="version", version=f"finmodel {__version__}")
    parser.add_argument("--strict", action="store_true",
                        help="treat input warnings (likely typing mistakes) as errors: exit 2")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"finmodel.cli.{name.replace('-', '_')}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    from finmodel.cli import _common

    _common.STRICT["on"] = args.strict
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

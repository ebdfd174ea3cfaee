"""``finmodel run SCENARIO``: the multi-year budget of one scenario."""

from __future__ import annotations

import argparse
import sys

from finmodel.commands._common import add_format_argument, add_scenario_argument, load

HELP = "project one scenario: its budget as a table, JSON (the contract) or CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_format_argument(parser)
    parser.add_argument("--detail", action="store_true",
                        help="with --format json: add per-item detail under \"detail\"")


def run(args: argparse.Namespace) -> int:
    from finmodel.projection import project

    projection = project(load(args.scenario))
    if args.format == "json":
        sys.stdout.write(projection.to_json(detail=args.detail) + "\n")
    elif args.format == "csv":
        from finmodel._text import lines_csv

        sys.stdout.write(lines_csv(projection))
    else:
        from finmodel._text import budget_text

        sys.stdout.write(budget_text(projection))
    return 0

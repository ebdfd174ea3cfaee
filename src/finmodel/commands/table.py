"""``finmodel table SCENARIO --x PATH=A:B:N --y PATH=A:B:N --kpi K``: a data table."""

from __future__ import annotations

import argparse
import json
import sys

from finmodel.commands._common import add_format_argument, add_scenario_argument, load

HELP = "data table: a KPI over a grid of values of two parameters"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    parser.add_argument("--x", required=True, metavar="PATH=A:B:N",
                        help="parameter across: N values from A to B")
    parser.add_argument("--y", required=True, metavar="PATH=A:B:N",
                        help="parameter down: N values from A to B")
    parser.add_argument("--kpi", default="npv", metavar="K",
                        help="a KPI of the contract or LINE@YEAR (default npv)")
    add_format_argument(parser, ("table", "json"))


def run(args: argparse.Namespace) -> int:
    from finmodel.sensitivity import data_table, grid

    result = data_table(load(args.scenario), grid(args.x), grid(args.y), args.kpi)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_dict(), allow_nan=False) + "\n")
    else:
        sys.stdout.write(result.text())
    return 0

"""``finmodel sensitivity SCENARIO``: the tornado of a KPI over the uncertain parameters."""

from __future__ import annotations

import argparse
import json
import sys

from finmodel.commands._common import add_format_argument, add_scenario_argument, load

HELP = ("tornado: the swing of a KPI when each uncertain parameter goes to its P10 and "
        "P90, ranked")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    parser.add_argument("--kpi", default="npv", metavar="K",
                        help="a KPI of the contract or LINE@YEAR (default npv)")
    add_format_argument(parser, ("table", "json"))


def run(args: argparse.Namespace) -> int:
    from finmodel.sensitivity import tornado

    result = tornado(load(args.scenario), args.kpi)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_dict(), allow_nan=False) + "\n")
    else:
        from finmodel._uncertainty_text import tornado_text

        sys.stdout.write(tornado_text(result))
    return 0

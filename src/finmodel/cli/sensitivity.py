"""``finmodel sensitivity SCENARIO``: the tornado of a KPI over the uncertain parameters."""

from __future__ import annotations

import argparse

from finmodel.cli._common import (
    add_format_argument,
    add_lang_argument,
    add_scenario_argument,
    emit,
    lang_of,
    load,
)

HELP = ("tornado: the swing of a KPI when each uncertain parameter goes to its P10 and "
        "P90, ranked")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_lang_argument(parser)
    parser.add_argument("--kpi", default="npv", metavar="K",
                        help="a KPI of the contract or LINE@YEAR (default npv)")
    add_format_argument(parser, ("table", "json"))


def run(args: argparse.Namespace) -> int:
    from finmodel.analysis.sensitivity import tornado

    scenario = load(args.scenario, args.lang)
    result = tornado(scenario, args.kpi)
    from finmodel.views.uncertainty_text import tornado_text

    return emit(args.format, result.to_dict,
                lambda: tornado_text(result, lang_of(args, scenario)))

"""``finmodel table SCENARIO --x PATH=A:B:N --y PATH=A:B:N --kpi K``: a data table."""

from __future__ import annotations

import argparse

from finmodel.cli._cluster import add_cluster_argument, connect
from finmodel.cli._common import (
    add_format_argument,
    add_lang_argument,
    add_scenario_argument,
    emit,
    lang_of,
    load,
)

HELP = "data table: a KPI over a grid of values of two parameters"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_lang_argument(parser)
    parser.add_argument("--x", required=True, metavar="PATH=A:B:N",
                        help="parameter across: N values from A to B")
    parser.add_argument("--y", required=True, metavar="PATH=A:B:N",
                        help="parameter down: N values from A to B")
    parser.add_argument("--kpi", default="npv", metavar="K",
                        help="a KPI of the contract or LINE@YEAR (default npv)")
    add_cluster_argument(parser, "the cells, in blocks,")
    add_format_argument(parser, ("table", "json"))


def run(args: argparse.Namespace) -> int:
    from finmodel.analysis.sensitivity import data_table, grid

    scenario = load(args.scenario, args.lang)
    x, y = grid(args.x), grid(args.y)
    with connect(args.cluster) as client:
        result = data_table(scenario, x, y, args.kpi, client=client)
    from finmodel.views.uncertainty_text import data_table_text

    return emit(args.format, result.to_dict,
                lambda: data_table_text(result, lang_of(args, scenario)))

"""``finmodel goal-seek SCENARIO --param PATH --target-kpi K --target V``: the value of a
parameter at which a KPI (or, with ``--probability``, the chance of reaching it) hits a
target. Exit 1 when no value in the searched range does."""

from __future__ import annotations

import argparse
import sys

from finmodel.cli._cluster import add_cluster_argument, connect
from finmodel.cli._common import (
    add_format_argument,
    add_lang_argument,
    add_scenario_argument,
    emit,
    lang_of,
    load,
    seed,
)

HELP = ("goal seek: the parameter value at which a KPI reaches a target, or at which "
        "P(KPI >= target) reaches a probability")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_lang_argument(parser)
    parser.add_argument("--param", required=True, metavar="PATH", help="parameter to vary")
    parser.add_argument("--target-kpi", required=True, metavar="K",
                        help="a KPI of the contract or LINE@YEAR, e.g. structural_result@2034")
    parser.add_argument("--target", required=True, type=float, metavar="V",
                        help="the KPI value to reach")
    parser.add_argument("--probability", type=float, default=None, metavar="P",
                        help="seek the value where P(KPI >= V) reaches P (Monte Carlo)")
    parser.add_argument("--at-most", action="store_true",
                        help="with --probability: the event is KPI <= V instead")
    parser.add_argument("--range", default=None, metavar="A:B",
                        help="searched range of the parameter (default: see README)")
    parser.add_argument("--multiply", action="store_true",
                        help="seek a factor on the parameter's series instead of a value")
    parser.add_argument("--draws", type=int, default=20_000, metavar="N",
                        help="with --probability: number of draws (default 20,000)")
    parser.add_argument("--seed", type=seed, default=None, metavar="S",
                        help="with --probability: random seed (default: the scenario's)")
    add_cluster_argument(parser, "the draws of --probability, in pieces,")
    add_format_argument(parser, ("table", "json"))


def _range(text: str | None) -> tuple[float, float] | None:
    from finmodel.analysis.measures import AnalysisError

    if text is None:
        return None
    try:
        a, b = (float(v) for v in text.split(":"))
    except ValueError:
        raise AnalysisError(f"--range must be A:B, got {text!r}", code="range_form",
                            got=repr(text)) from None
    return a, b


def run(args: argparse.Namespace) -> int:
    from finmodel.analysis.goalseek import GoalNotReachable, goal_seek, probabilistic_goal_seek
    from finmodel.views.uncertainty_text import goal_seek_text

    scenario = load(args.scenario, args.lang)
    if args.cluster is not None and args.probability is None:
        from finmodel.views.i18n import t
        print(t(lang_of(args, scenario), "cli.goal_seek.cluster_unused"), file=sys.stderr)
    try:
        if args.probability is None:
            result = goal_seek(scenario, args.param, args.target_kpi, args.target,
                               _range(args.range), args.multiply)
        else:
            search = _range(args.range)
            with connect(args.cluster) as client:
                result = probabilistic_goal_seek(
                    scenario, args.param, args.target_kpi, args.target, args.probability,
                    search, args.draws, args.seed, args.at_most, args.multiply,
                    client=client)
    except GoalNotReachable as exc:  # an answer (exit 1), not an error: no "error:"
        from finmodel.views.warning_text import error_text

        print(f"finmodel goal-seek: {error_text(lang_of(args, scenario), exc)}",
              file=sys.stderr)
        return 1
    lang = lang_of(args, scenario)
    return emit(args.format, result.to_dict, lambda: goal_seek_text(result, lang))

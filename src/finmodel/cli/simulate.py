"""``finmodel simulate SCENARIO``: Monte Carlo over the scenario's uncertainty block."""

from __future__ import annotations

import argparse
import gc

from finmodel.cli._cluster import add_cluster_argument, connect
from finmodel.cli._common import (
    add_format_argument,
    add_lang_argument,
    add_scenario_argument,
    emit,
    lang_of,
    load_checking_later,
    seed,
)

HELP = ("Monte Carlo over the scenario's uncertainty: percentiles of every line, KPI "
        "distributions and probabilities")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_lang_argument(parser)
    parser.add_argument("--draws", type=int, default=10_000, metavar="N",
                        help="number of draws (default 10,000)")
    parser.add_argument("--seed", type=seed, default=None, metavar="S",
                        help="random seed (default: the scenario's seed)")
    parser.add_argument("--with-risks", action="store_true",
                        help="let the scenario's risks occur as independent yes/no events")
    add_cluster_argument(parser, "the draws, in chunks,")
    add_format_argument(parser, ("table", "json"))


def run(args: argparse.Namespace) -> int:
    from finmodel.analysis.simulation import simulate
    from finmodel.model.errors import FinModelError

    # The command's modules stay for the life of the process: the collector's full
    # passes need not walk them (one took 20-30 ms, and in forked processes every page
    # it walks is copied). Objects made later are collected as before.
    gc.freeze()
    # the risks' overrides are checked while the draws already run (a projection each)
    scenario, check_risks = load_checking_later(args.scenario, args.lang)
    if not scenario.uncertainty and not (args.with_risks and scenario.risks):
        check_risks()  # its problems first, as for every command
        where = scenario.files[0].path if scenario.files else args.scenario
        raise FinModelError(
            f"{where} has no uncertainty block, so every draw would be the same; add one "
            "(see docs/scenario-format.md, 'uncertainty'), or use --with-risks on a "
            "scenario with risks", code="no_uncertainty", file=where)
    from finmodel.views.uncertainty_text import TABLE_LINES, prepare_text, simulation_text

    lang = lang_of(args, scenario)

    def meanwhile() -> None:
        check_risks()
        if args.format == "table":  # the locale's number data (0.05 s), not after the draws
            gc.disable()  # tens of thousands of objects, kept for the life of the process:
            try:          # no full pass over them while they load, nor after
                prepare_text(lang)
            finally:
                gc.freeze()
                gc.enable()

    with connect(args.cluster) as client:
        # the table shows a few lines: only those are kept per draw (less memory, time)
        sim = simulate(scenario, draws=args.draws, seed=args.seed,
                       with_risks=args.with_risks, client=client,
                       lines=TABLE_LINES if args.format == "table" else None,
                       meanwhile=meanwhile)
    return emit(args.format, sim.to_json, lambda: simulation_text(sim, lang))

"""``finmodel variance SCENARIO``: budget vs actuals and the prognosis (spec section 10)."""

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
from finmodel.model.errors import Problem, ScenarioError

HELP = ("budget vs actuals of the closed years, the prognosis (actuals, then the plan) "
        "and the reconciliation of control balances")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_format_argument(parser)
    add_lang_argument(parser)


def run(args: argparse.Namespace) -> int:
    from finmodel.analysis.variance import variance
    from finmodel.views.variance import variance_csv, variance_text

    scenario = load(args.scenario, args.lang)
    if scenario.ledger is None:
        where = scenario.files[0].path if scenario.files else args.scenario
        raise ScenarioError([Problem(where, 1, "actuals",
                                     "the scenario has no actuals: add `actuals: FILE.csv` "
                                     "(line,YEAR,... exported from the ledger) or "
                                     "{year: {LINE: amount}}", "no_actuals")])
    result = variance(scenario)
    lang = lang_of(args, scenario)
    return emit(args.format, result.to_dict, lambda: variance_text(result, lang),
                lambda: variance_csv(result))

"""``finmodel parties SCENARIO``: the business case per party and the co-financing checks."""

from __future__ import annotations

import argparse

from finmodel.commands._common import add_format_argument, add_scenario_argument, emit, load

HELP = ("business case per party: what each brings and gets per year, the net and its NPV, "
        "the lab's position and the co-financing check per subsidy")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from finmodel.parties import party_statement, statement_csv, statement_text
    from finmodel.projection import project

    scenario = load(args.scenario)
    statement = party_statement(project(scenario))
    return emit(args.format, statement.to_dict, lambda: statement_text(statement),
                lambda: statement_csv(statement))

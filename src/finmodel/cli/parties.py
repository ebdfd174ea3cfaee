"""``finmodel parties SCENARIO``: the business case per party and the co-financing checks."""

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

HELP = ("business case per party: what each brings and gets per year, the net and its NPV, "
        "the lab's position and the co-financing check per subsidy")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_lang_argument(parser)
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from finmodel.analysis.parties import party_statement
    from finmodel.model.projection import project
    from finmodel.views.parties import statement_csv, statement_text

    scenario = load(args.scenario, args.lang)
    statement = party_statement(project(scenario))
    lang = lang_of(args, scenario)
    return emit(args.format, statement.to_dict, lambda: statement_text(statement, lang),
                lambda: statement_csv(statement))

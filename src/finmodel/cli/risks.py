"""``finmodel risks SCENARIO``: the risk register, ranked by expected npv impact."""

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

HELP = ("risk register: each risk's impact on npv, min_cash, break_even_year and "
        "years_below_minimum (stressed - base) and its expected impact, ranked")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_lang_argument(parser)
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from finmodel.analysis.risks import risk_register
    from finmodel.views.risks import register_csv, register_text

    scenario = load(args.scenario, args.lang)
    register = risk_register(scenario)  # raises with every bad override at once
    return emit(args.format, register.to_dict,
                lambda: register_text(register, lang_of(args, scenario)),
                lambda: register_csv(register))

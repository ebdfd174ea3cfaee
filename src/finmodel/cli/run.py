"""``finmodel run SCENARIO``: the multi-year budget of one scenario."""

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

HELP = "project one scenario: its budget as a table, JSON (the contract) or CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_lang_argument(parser)
    add_format_argument(parser)
    parser.add_argument("--detail", action="store_true",
                        help="with --format json only: add per-item detail under \"detail\"")


def run(args: argparse.Namespace) -> int:
    from finmodel.model.errors import FinModelError
    from finmodel.model.projection import project
    from finmodel.views.text import budget_text, lines_csv

    if args.detail and args.format != "json":
        raise FinModelError(f"--detail adds per-item detail to the JSON output; use it with "
                            f"--format json (not with --format {args.format})")
    projection = project(load(args.scenario, args.lang))
    lang = lang_of(args, projection.scenario)
    return emit(args.format, lambda: projection.to_json(detail=args.detail),
                lambda: budget_text(projection, lang), lambda: lines_csv(projection))

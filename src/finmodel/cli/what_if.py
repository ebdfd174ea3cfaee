"""``finmodel what-if SCENARIO --exit PARTY --from YEAR`` (or ``--risk NAME``): base vs what-if."""

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

HELP = ("what-if against the base: a partner leaves from a year on (--exit PARTY --from "
        "YEAR), or one risk's overrides (--risk NAME); KPIs and budget differences")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    add_lang_argument(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--exit", metavar="PARTY",
                       help="the party that leaves: its contributions, benefits and own use "
                            "stop from --from YEAR on")
    which.add_argument("--risk", metavar="NAME", help="apply the overrides of this risk")
    parser.add_argument("--from", dest="from_year", type=int, metavar="YEAR",
                        help="with --exit: the first year without the party")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from finmodel.analysis.what_if import compare, exit_overrides
    from finmodel.model.errors import FinModelError
    from finmodel.views.what_if import comparison_csv, comparison_text

    scenario = load(args.scenario, args.lang)
    if args.exit is not None:
        if args.from_year is None:
            raise FinModelError("--exit needs --from YEAR, the first year without the party",
                                code="exit_needs_from")
        changes = exit_overrides(scenario, args.exit, args.from_year)
        source = f"exit of {args.exit!r} from {args.from_year}"
    else:
        if args.from_year is not None:
            raise FinModelError("--from goes with --exit, not with --risk",
                                code="from_with_exit")
        risk = next((r for r in scenario.risks if r.name == args.risk), None)
        if risk is None:
            known = ", ".join(repr(r.name) for r in scenario.risks) or "none"
            raise FinModelError(f"no risk named {args.risk!r}; risks: {known}",
                                code="no_risk_here", name=repr(args.risk), known=known)
        changes, source = dict(risk.overrides), f"risk {risk.name!r}"
    comparison = compare(scenario, changes, source=source)
    lang = lang_of(args, scenario)
    return emit(args.format, comparison.to_dict, lambda: comparison_text(comparison, lang),
                lambda: comparison_csv(comparison))

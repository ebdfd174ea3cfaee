"""``finmodel compare BASE OTHER``: the assumption diff and the bridge of a KPI."""

from __future__ import annotations

import argparse
import sys

from finmodel.cli._cluster import add_cluster_argument, connect
from finmodel.cli._common import (
    add_format_argument,
    add_lang_argument,
    emit,
    lang_of,
    load,
    seed,
)
from finmodel.model.engine import KPIS

HELP = ("compare two scenarios: the assumptions that differ and the bridge of a KPI "
        "(its difference attributed to each differing item)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", metavar="BASE", help="the base scenario (file or name)")
    parser.add_argument("other", metavar="OTHER", help="the scenario compared with it")
    parser.add_argument("--kpi", choices=KPIS, default="npv",
                        help="the KPI to bridge (default npv)")
    parser.add_argument("--together", nargs="+", action="append", default=[],
                        metavar="ITEM", help="bridge these items as one (repeatable), e.g. "
                        "--together facility 'parties[Vendor]'")
    parser.add_argument("--permutations", type=int, default=200, metavar="N",
                        help="above 8 items: at most N random orders for the sampled "
                             "estimate (default 200)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the random orders")
    add_cluster_argument(parser, "the random orders of the sampled bridge (above 8 items)")
    add_lang_argument(parser)
    add_format_argument(parser, ("table", "json"))


def run(args: argparse.Namespace) -> int:
    from finmodel.analysis.compare import (
        EXACT_LIMIT,
        BridgeError,
        assumption_diff,
        bridge,
        bridge_players,
    )
    from finmodel.views.compare_text import bridge_text, diff_records, diff_text

    base, other = load(args.base, args.lang), load(args.other, args.lang)
    diff = assumption_diff(base, other)
    lang = lang_of(args, base)
    try:  # the exact bridge (at most EXACT_LIMIT players) is quick here: no cluster
        players = len(bridge_players(base, other, args.together)) if args.cluster else 0
        with connect(args.cluster if players > EXACT_LIMIT else None) as client:
            result = bridge(base, other, args.kpi, groups=args.together,
                            permutations=args.permutations, seed=args.seed, client=client)
    except BridgeError as exc:
        from finmodel.views.warning_text import error_text

        result, error = None, error_text(lang, exc)
    emit(args.format,
         lambda: {"base": base.name, "other": other.name, "diff": diff_records(diff),
                  "bridge": None if result is None else result.to_dict()},
         lambda: diff_text(diff, lang) + "\n"
         + ("" if result is None else bridge_text(result, lang)))
    if result is None:
        from finmodel.views.i18n import t

        print(t(lang, "cli.error", command="compare", message=error),
              file=sys.stderr)
        return 1
    return 0

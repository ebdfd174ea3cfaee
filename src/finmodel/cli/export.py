"""``finmodel export SCENARIO --out FILE.xlsx``: one scenario as a live budget workbook."""

from __future__ import annotations

import argparse
from pathlib import Path

from finmodel.cli._common import add_lang_argument, add_scenario_argument, emit, lang_of, load
from finmodel.model.errors import FinModelError

HELP = ("write one scenario as a live Excel workbook: inputs, a calculation sheet of "
        "formulas, budget, cash flow, balance, key figures and checks")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_argument(parser)
    parser.add_argument("--out", metavar="FILE.xlsx", type=Path, required=True,
                        help="the workbook to write (written whole or not at all)")
    parser.add_argument("--force", action="store_true",
                        help="replace FILE.xlsx if it exists")
    add_lang_argument(parser)  # sheet names, headers, labels and notes of the workbook


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        raise FinModelError(f"--out {out}: must end in .xlsx (an Excel workbook)")
    if out.exists() and not args.force:
        raise FinModelError(f"--out {out}: exists already; add --force to replace it")
    if not out.parent.is_dir():
        raise FinModelError(f"--out {out}: folder {out.parent} does not exist")
    scenario = load(args.scenario)

    from finmodel.model.projection import project
    from finmodel.views.partnership_report import workbook_sheets
    from finmodel.views.workbook import write_budget_xlsx

    projection = project(scenario)
    lang = lang_of(args, scenario)
    extra = workbook_sheets(projection, lang)  # parties, risks
    if scenario.ledger is not None:  # actuals, variance, prognosis (values), as the report
        from finmodel.analysis.variance import variance
        from finmodel.views.variance_report import workbook_sheets as variance_sheets

        extra.update(variance_sheets(variance(scenario, projection), lang))
    path = write_budget_xlsx(projection, out, extra_sheets=extra, lang=lang)
    check = "OK" if projection.master_check else "FAILED"
    return emit("table", lambda: {"path": str(path)},
                lambda: f"wrote {path} ({projection.scenario.name}; master check {check}). "
                        "Change inputs on its inputs sheet, then recalculate.\n")

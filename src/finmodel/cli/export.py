"""``finmodel export SCENARIO --out FILE.xlsx``: one scenario as a live budget workbook."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finmodel.cli._common import add_lang_argument, add_scenario_argument, emit, lang_of, load
from finmodel.model.errors import FinModelError

if TYPE_CHECKING:
    from finmodel.model.projection import Projection
    from finmodel.views.i18n import Language

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
    from finmodel.views.i18n import t

    out: Path = args.out
    said = lang_of(args)  # before the file is read: --lang only
    if out.suffix.lower() != ".xlsx":
        raise FinModelError(t(said, "cli.export.not_xlsx", out=out))
    if out.is_dir():
        raise FinModelError(t(said, "cli.export.is_folder", out=out))
    if out.exists() and not args.force:
        raise FinModelError(t(said, "cli.export.exists", out=out))
    if not out.parent.is_dir():
        raise FinModelError(t(said, "cli.export.no_folder", out=out, folder=out.parent))
    scenario = load(args.scenario, args.lang)

    from finmodel.model.projection import project
    from finmodel.views.partnership_report import workbook_tables

    projection = project(scenario)
    lang = lang_of(args, scenario)
    extra: dict[str, Any] = dict(workbook_tables(projection, lang))  # parties, risks
    if scenario.ledger is not None:  # actuals, variance, prognosis (values), as the report
        from finmodel.analysis.variance import variance
        from finmodel.views.variance_report import workbook_sheets as variance_sheets

        extra.update(variance_sheets(variance(scenario, projection), lang))
    path = _write(projection, out, extra, lang)
    check = t(lang, "cli.export.ok" if projection.master_check else "cli.export.failed")
    return emit("table", lambda: {"path": str(path)},
                lambda: t(lang, "cli.export.wrote", path=path, name=projection.scenario.name,
                          check=check, sheet=t(lang, "wb.sheet.inputs")) + "\n")


def _write(projection: Projection, out: Path, extra: dict[str, Any], lang: Language) -> Path:
    """The workbook written whole, or a clear error (a folder that refuses files, a full
    disk) instead of a traceback; nothing is left behind either way."""
    from xlsxwriter.exceptions import FileCreateError

    from finmodel.views.i18n import t
    from finmodel.views.warning_text import os_reason
    from finmodel.views.workbook import write_budget_xlsx

    try:
        return write_budget_xlsx(projection, out, extra_sheets=extra, lang=lang)
    except (OSError, FileCreateError) as exc:
        cause = exc if isinstance(exc, OSError) else exc.args[0] if exc.args else None
        reason = os_reason(lang, cause) if isinstance(cause, OSError) else str(exc)
        raise FinModelError(t(lang, "cli.export.cannot_write", out=out, reason=reason)) from None

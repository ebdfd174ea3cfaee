"""budget.xlsx as a live model: inputs, a calculation sheet of formulas, and outputs.

:func:`write_budget_xlsx` writes one projection as a workbook a controller can audit
and change (the FAST convention: inputs apart, one formula per row, flags instead of
nested IFs, no macros, no volatile functions):

========================  =========================================================
sheet                     holds
========================  =========================================================
budget                    the budget lines as formulas, contract key in column B
cash flow, balance        cash flows (payments negative) and the balance at year end
key figures               the KPIs as formulas, with their helper rows per year
checks                    both identities per year (TRUE/FALSE) and the master check
inputs                    every parameter of the resolved scenario (blue on yellow)
calculation               the model of spec section 3, one formula per row
detail, assumptions       values per item; the assumptions with their file and line
extra sheets              e.g. parties and risks (``extra_sheets``), values
========================  =========================================================

``lang="nl"`` writes the same workbook in Dutch: sheet names (``begroting``,
``kasstroom``, ``balans``, ``kengetallen``, ``controles``, ``invoer``, ``berekening``,
...), headers, labels, units, notes and check messages from the catalogue
(:mod:`finmodel.views.i18n`); the formulas are the same but for the sheet names they
name. Keys of the contract (column B of the statements, the parameter paths of the
inputs sheet, the calculation's row keys) stay English in both: programs read them.

Every formula stores the engine's value as its cached result, so a viewer that does
not recalculate shows the right numbers; a spreadsheet program that recalculates gets
the same numbers from the formulas (tests/test_workbook_live.py checks this with
LibreOffice). The file is written under a temporary name in the target folder and
renamed onto ``path``, so a crash never leaves a half-written workbook.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from finmodel.views.i18n import Language, language
from finmodel.views.workbook._grid import (
    EURO_FORMAT,
    HOURS_FORMAT,
    SHARE_FORMAT,
    formats,
    sheet_names,
)

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection
    from finmodel.views.workbook.values import Sheet

__all__ = ["EURO_FORMAT", "HOURS_FORMAT", "SHARE_FORMAT", "SHEETS", "sheet_names",
           "write_budget_xlsx"]

#: The standard sheets by their English names, in workbook order (:func:`sheet_names`
#: gives their names in a language).
SHEETS = ("budget", "cash flow", "balance", "key figures", "checks", "inputs", "calculation",
          "detail", "assumptions")
_BAD_SHEET_CHARS = set("[]:*?/\\'")
#: The live prognosis (contract v1.1, actuals); a values sheet "prognosis" may come too.
PROGNOSIS = "prognosis (formulas)"


def write_budget_xlsx(projection: Projection, path: str | os.PathLike[str],
                      extra_sheets: Mapping[str, pd.DataFrame | Sheet] | None = None,
                      lang: Language = "en") -> Path:
    """Write the live budget workbook of ``projection`` to ``path`` (atomically).

    ``extra_sheets`` maps further sheet names to DataFrames or
    :class:`~finmodel.views.workbook.values.Sheet` tables (index as label columns,
    columns as headers; floats get the euro format), added after the standard sheets.
    ``lang`` (``"en"`` or ``"nl"``) is the language of every sheet name, header, label
    and note; the numbers and formulas are the same in both.

    Examples
    --------
    >>> import tempfile, finmodel, openpyxl
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> target = write_budget_xlsx(p, Path(tempfile.mkdtemp()) / "budget.xlsx")
    >>> book = openpyxl.load_workbook(target)
    >>> book.sheetnames[:5]
    ['budget', 'cash flow', 'balance', 'key figures', 'checks']
    >>> book["budget"]["B4"].value, book["budget"]["C4"].value.startswith("=calculation!F$")
    ('rental_income', True)
    >>> dutch = openpyxl.load_workbook(write_budget_xlsx(p, target, lang="nl"))
    >>> dutch.sheetnames[:5], dutch["begroting"]["A4"].value
    (['begroting', 'kasstroom', 'balans', 'kengetallen', 'controles'], 'Verhuuropbrengsten')
    """
    import xlsxwriter

    lang = language(lang)
    names = sheet_names(lang)
    target = Path(path)
    extra = dict(extra_sheets or {})
    _check_sheet_names(extra, names)
    tmp = target.with_name(f".tmp-{secrets.token_hex(4)}-{target.name}")
    try:
        workbook = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True, "in_memory": True,
                                                  "strings_to_formulas": False,
                                                  "strings_to_numbers": False})
        for name in _sheets(projection, extra, names):
            workbook.add_worksheet(name)
        _write(workbook, projection, extra, names, lang)
        workbook.close()
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def _sheets(p: Projection, extra: Mapping[str, object], names: Mapping[str, str]) -> list[str]:
    """Sheet names in workbook order; the live prognosis after checks, with actuals."""
    order = list(SHEETS)
    if getattr(p.scenario, "ledger", None) is not None:
        order.insert(order.index("checks") + 1, PROGNOSIS)
    return [*(names[n] for n in order), *extra]


def _check_sheet_names(extra: Mapping[str, object], names: Mapping[str, str]) -> None:
    for name in extra:
        if (not name or len(name) > 31 or _BAD_SHEET_CHARS & set(name)
                or name in names.values()):
            raise ValueError(f"extra sheet name {name!r}: must be 1-31 characters, none of "
                             f"[]:*?/\\', and not one of the standard sheets")


def _write(workbook: object, p: Projection, extra: Mapping[str, pd.DataFrame | Sheet],
           names: Mapping[str, str], lang: Language) -> None:
    from finmodel.views.workbook.calculation import write_calculation
    from finmodel.views.workbook.inputs import write_inputs
    from finmodel.views.workbook.key_figures import write_checks, write_key_figures
    from finmodel.views.workbook.loans import write_loans
    from finmodel.views.workbook.outputs import write_statements
    from finmodel.views.workbook.prognosis import write_prognosis
    from finmodel.views.workbook.values import write_assumptions, write_detail, write_frame

    fmt = formats(workbook)
    inputs = write_inputs(workbook, fmt, p.scenario, names["inputs"], lang)
    calc = write_calculation(workbook, fmt, p.scenario, inputs, names["calculation"], lang)
    write_loans(calc)
    finance = {path: inputs.value(path) for path in
               ("finance.opening_cash", "finance.minimum_cash", "finance.discount_rate")}
    out = write_statements(workbook, fmt, p, calc, finance, names, lang)
    write_key_figures(workbook, fmt, p, calc, out, finance)
    write_checks(workbook, fmt, p, calc, out)
    write_prognosis(workbook, fmt, p, calc, inputs, out, finance)
    write_detail(workbook, fmt, p, names["detail"], lang)
    write_assumptions(workbook, fmt, p, names["assumptions"], lang)
    for name, frame in extra.items():
        write_frame(workbook, fmt, name, frame)

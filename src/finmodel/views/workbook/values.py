"""The sheets that hold values: detail per item, the assumptions as resolved, and the
extra sheets other modules add (parties, risks). Texts are always written as text, so a
name such as ``=1+1`` stays a name and never becomes a formula."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from finmodel.views import summary

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection

__all__ = ["write_assumptions", "write_detail", "write_frame"]

_HOUR_MEASURES = {"requested_hours", "rented_hours", "available_hours", "own_use_hours",
                  "rentable_hours"}


def _head(sheet: Any, f: Mapping[str, Any], title: str, note: str) -> None:
    sheet.write_string(0, 0, title, f["title"])
    sheet.write_string(1, 0, note, f["note"])


def _number(sheet: Any, row: int, col: int, value: float, fmt: Any) -> None:
    if math.isnan(value):
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def _strings(sheet: Any, row: int, col: int, texts: list[str], fmt: Any = None) -> None:
    for c, text in enumerate(texts, start=col):
        sheet.write_string(row, c, text, fmt)


def write_detail(workbook: Any, f: Mapping[str, Any], p: Projection) -> None:
    """Per item (segment, cost, purchase, subsidy, contribution), EUR or hours per year."""
    sheet = workbook.get_worksheet_by_name("detail")
    years = p.years.tolist()
    _head(sheet, f, f"Detail: {p.scenario.name}", "Per item, EUR or hours per year; "
          "purchases include replacements. Values from finmodel (the calculation sheet "
          "holds the same as formulas).")
    _strings(sheet, 2, 0, ["table", "item", "", ""], f["header_left"])
    sheet.write_row(2, 4, years, f["header"])
    row = 3
    for table, frame in p.detail.items():
        sheet.write_string(row, 0, table.replace("_", " "), f["bold"])
        _strings(sheet, row, 1, [str(n) for n in frame.index.names], f["bold"])
        row += 1
        for key, values in zip(frame.index, frame.to_numpy(), strict=True):
            labels = [str(x) for x in (key if isinstance(key, tuple) else (key,))]
            hours = table == "capacity" or bool(_HOUR_MEASURES & set(labels))
            _strings(sheet, row, 1, labels)
            for c, value in enumerate(values.tolist(), start=4):
                _number(sheet, row, c, value, f["hours" if hours else "euro"])
            row += 1
        row += 1
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 3, 28)
    sheet.set_column(4, 3 + len(years), 15)
    sheet.freeze_panes(3, 4)


def write_assumptions(workbook: Any, f: Mapping[str, Any], p: Projection) -> None:
    """Every parameter after inheritance, with the file and line that set it."""
    sheet = workbook.get_worksheet_by_name("assumptions")
    _head(sheet, f, f"Assumptions as resolved: {p.scenario.name}",
          "Every parameter after inheritance (extends), with the file and line that set it.")
    _strings(sheet, 2, 0, ["path", "value", "set in"], f["header_left"])
    table = summary.assumptions_table(p.scenario)
    raw = dict(summary.assumption_rows(p.scenario.data))
    rows = table[["path", "value", "set in"]].itertuples(index=False)
    for r, (path, text, origin) in enumerate(rows, start=3):
        sheet.write_string(r, 0, path)
        value = raw.get(path)
        if isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(r, 1, value)
        else:
            sheet.write_string(r, 1, text, f["wrap"])
        sheet.write_string(r, 2, origin)
    sheet.set_column(0, 0, 70)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 2, 34)
    sheet.freeze_panes(3, 1)


def write_frame(workbook: Any, f: Mapping[str, Any], name: str, frame: pd.DataFrame) -> None:
    """A DataFrame as a sheet: index as label columns, floats in euros."""
    sheet = workbook.get_worksheet_by_name(name)
    levels = [str(n) if n is not None else "" for n in frame.index.names]
    _strings(sheet, 0, 0, levels, f["header_left"])
    _strings(sheet, 0, len(levels), [str(c) for c in frame.columns], f["header"])
    for r, (key, values) in enumerate(zip(frame.index, frame.itertuples(index=False),
                                          strict=True), start=1):
        _strings(sheet, r, 0, [str(x) for x in (key if isinstance(key, tuple) else (key,))])
        for c, value in enumerate(values, start=len(levels)):
            if isinstance(value, bool) or value is None:
                sheet.write_string(r, c, "" if value is None else str(value))
            elif isinstance(value, numbers.Integral):
                sheet.write_number(r, c, int(value))
            elif isinstance(value, numbers.Real):
                _number(sheet, r, c, float(value), f["euro"])
            else:
                sheet.write_string(r, c, str(value))
    sheet.set_column(0, len(levels) - 1, 28)
    sheet.set_column(len(levels), len(levels) + len(frame.columns), 15)
    sheet.freeze_panes(1, len(levels))

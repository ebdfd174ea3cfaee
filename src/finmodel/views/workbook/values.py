"""The sheets that hold values: detail per item, the assumptions as resolved, and the
extra sheets other modules add (parties, risks). Texts are always written as text, so a
name such as ``=1+1`` stays a name and never becomes a formula."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from finmodel.views import summary
from finmodel.views.i18n import Language, has, t
from finmodel.views.workbook._grid import print_setup

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection

__all__ = ["write_assumptions", "write_detail", "write_frame"]

_HOUR_MEASURES = {"requested_hours", "rented_hours", "available_hours", "own_use_hours",
                  "rentable_hours"}
#: Lines that are shares, not euros, wherever a value sheet has them by their key.
_SHARE_LINES = {"occupancy", "self_sufficiency"}


def _head(sheet: Any, f: Mapping[str, Any], title: str, note: str, years: int = 0,
          labels: int = 0) -> None:
    print_setup(sheet, years, labels)
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


def _word(lang: Language, prefix: str, text: str) -> str:
    """``text`` in ``lang`` when the catalogue has ``prefix + text``; else as written (a
    name from the scenario file)."""
    return t(lang, prefix + text) if has(lang, prefix + text) else text


def write_detail(workbook: Any, f: Mapping[str, Any], p: Projection, sheet_name: str = "detail",
                 lang: Language = "en") -> None:
    """Per item (segment, cost, purchase, subsidy, contribution), EUR or hours per year."""
    sheet = workbook.get_worksheet_by_name(sheet_name)
    years = p.years.tolist()
    _head(sheet, f, t(lang, "xl.title.detail", name=p.scenario.name), t(lang, "wb.note.detail"),
          years=len(years), labels=4)
    _strings(sheet, 2, 0, [t(lang, "wb.h.table"), t(lang, "detail.item"), "", ""],
             f["header_left"])
    sheet.write_row(2, 4, years, f["header"])
    row = 3
    for table, frame in p.detail.items():
        sheet.write_string(row, 0, _word(lang, "wb.dt.", table), f["bold"])
        _strings(sheet, row, 1, [_word(lang, "detail.", str(n)) for n in frame.index.names],
                 f["bold"])
        row += 1
        for key, values in zip(frame.index, frame.to_numpy(), strict=True):
            labels = [str(x) for x in (key if isinstance(key, tuple) else (key,))]
            hours = table == "capacity" or bool(_HOUR_MEASURES & set(labels))
            # the report's words for measures, types and categories (names stay as written)
            _strings(sheet, row, 1, [_word(lang, "detail.", x) for x in labels])
            for c, value in enumerate(values.tolist(), start=4):
                _number(sheet, row, c, value, f["hours" if hours else "euro"])
            row += 1
        row += 1
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 3, 28)
    sheet.set_column(4, 3 + len(years), 15)
    sheet.freeze_panes(3, 4)


def write_assumptions(workbook: Any, f: Mapping[str, Any], p: Projection,
                      sheet_name: str = "assumptions", lang: Language = "en") -> None:
    """Every parameter after inheritance, with the file and line that set it, and its
    name in words (the table that maps names to paths for whoever edits the file)."""
    sheet = workbook.get_worksheet_by_name(sheet_name)
    _head(sheet, f, t(lang, "xl.title.assumptions", name=p.scenario.name),
          t(lang, "wb.note.assumptions"))
    _strings(sheet, 2, 0, [t(lang, f"wb.h.{h}") for h in ("path", "value", "set_in",
                                                          "parameter")], f["header_left"])
    table = summary.assumptions_table(p.scenario, lang)
    raw = dict(summary.assumption_rows(p.scenario.data))
    rows = table[["name", "path", "value", "set in"]].itertuples(index=False)
    for r, (name, path, text, origin) in enumerate(rows, start=3):
        sheet.write_string(r, 0, path)
        value = raw.get(path)
        if isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(r, 1, value)
        else:
            sheet.write_string(r, 1, text, f["wrap"])
        sheet.write_string(r, 2, origin)
        sheet.write_string(r, 3, name)
    sheet.set_column(0, 0, 70)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 2, 34)
    sheet.set_column(3, 3, 50)
    sheet.freeze_panes(3, 1)


def write_frame(workbook: Any, f: Mapping[str, Any], name: str, frame: pd.DataFrame) -> None:
    """A DataFrame as a sheet: index as label columns, floats in euros."""
    sheet = workbook.get_worksheet_by_name(name)
    levels = [str(n) if n is not None else "" for n in frame.index.names]
    print_setup(sheet, len(frame.columns), len(levels))  # a column a year, or a few
    sheet.repeat_rows(0)  # the header on every printed page
    _strings(sheet, 0, 0, levels, f["header_left"])
    _strings(sheet, 0, len(levels), [str(c) for c in frame.columns], f["header"])
    for r, (key, values) in enumerate(zip(frame.index, frame.itertuples(index=False),
                                          strict=True), start=1):
        labels = [str(x) for x in (key if isinstance(key, tuple) else (key,))]
        _strings(sheet, r, 0, labels)
        amount = f["share" if _SHARE_LINES & set(labels) else
                   "hours" if _HOUR_MEASURES & set(labels) else "euro"]
        for c, value in enumerate(values, start=len(levels)):
            if isinstance(value, bool) or value is None:
                sheet.write_string(r, c, "" if value is None else str(value))
            elif isinstance(value, numbers.Integral):
                sheet.write_number(r, c, int(value))
            elif isinstance(value, numbers.Real):
                _number(sheet, r, c, float(value), amount)
            else:
                sheet.write_string(r, c, str(value))
    sheet.set_column(0, len(levels) - 1, 28)
    for c, column in enumerate(frame.columns, start=len(levels)):
        sheet.set_column(c, c, _width(frame[column]))
    headers = [str(c) for c in frame.columns]
    if any(len(h) > 15 for h in headers):  # long headers wrap in a taller first row
        _strings(sheet, 0, len(levels), headers, f["header_wrap"])
        sheet.set_row(0, 15 * min(4, 1 + max(len(h) for h in headers) // 15))
    sheet.freeze_panes(1, len(levels))


def _width(column: pd.Series) -> int:
    """A column's width: 15 for numbers, up to 60 characters for texts (descriptions)."""
    texts = [len(v) for v in column if isinstance(v, str)]
    return min(60, max(15, max(texts, default=0) + 2))

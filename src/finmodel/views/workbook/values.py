"""The sheets that hold values: detail per item, the assumptions as resolved, and the
extra sheets other modules add (parties, risks). Texts are always written as text, so a
name such as ``=1+1`` stays a name and never becomes a formula."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finmodel.views import summary
from finmodel.views.i18n import Language, has, t
from finmodel.views.workbook._grid import print_setup

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection

__all__ = ["Sheet", "write_assumptions", "write_detail", "write_frame"]

_HOUR_MEASURES = {"requested_hours", "rented_hours", "available_hours", "own_use_hours",
                  "rentable_hours"}
#: Lines that are shares, not euros, wherever a value sheet has them by their key.
_SHARE_LINES = {"occupancy", "self_sufficiency"}


@dataclass(frozen=True)
class Sheet:
    """A values sheet without pandas (so that the batch process need not import it): the
    heads of the label columns, the column heads, and per row its labels and its values
    as written (numbers, texts, None for an empty cell; floats in euros)."""

    names: Sequence[str]
    columns: Sequence[Any]
    rows: Sequence[tuple[Sequence[Any], Sequence[Any]]]

    def frame(self) -> pd.DataFrame:
        """The sheet as a DataFrame: the labels as its index (a MultiIndex for more than
        one), the values as written (object columns).

        Examples
        --------
        >>> Sheet(["k"], ["a"], [(("x",), (1.5,))]).frame().loc["x", "a"]
        1.5
        """
        import pandas as pd

        labels = [tuple(labels) for labels, _ in self.rows]
        index = (pd.MultiIndex.from_tuples(labels, names=list(self.names))
                 if len(self.names) > 1 and labels else
                 pd.MultiIndex.from_arrays([[]] * len(self.names), names=list(self.names))
                 if len(self.names) > 1 else
                 pd.Index([lab[0] for lab in labels], name=self.names[0], dtype=object))
        return pd.DataFrame([list(values) for _, values in self.rows], index=index,
                            columns=list(self.columns), dtype=object)


def _sheet(frame: pd.DataFrame) -> Sheet:
    """A DataFrame as a :class:`Sheet`: its index as the labels."""
    return Sheet([str(n) if n is not None else "" for n in frame.index.names],
                 list(frame.columns),
                 [(key if isinstance(key, tuple) else (key,), tuple(values)) for key, values
                  in zip(frame.index, frame.itertuples(index=False), strict=True)])


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
    from finmodel.model.detail import detail_rows

    row = 3
    for table, (names, rows) in detail_rows(p).items():
        sheet.write_string(row, 0, _word(lang, "wb.dt.", table), f["bold"])
        _strings(sheet, row, 1, [_word(lang, "detail.", str(n)) for n in names], f["bold"])
        row += 1
        for key, values in rows:
            labels = [str(x) for x in key]
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
    raw = dict(summary.assumption_rows(p.scenario.data))
    rows = summary.assumption_table_rows(p.scenario, lang)
    for r, (path, name, text, origin) in enumerate(rows, start=3):
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


def write_frame(workbook: Any, f: Mapping[str, Any], name: str,
                frame: pd.DataFrame | Sheet) -> None:
    """A DataFrame (or a :class:`Sheet`) as a sheet: index as label columns, floats in
    euros."""
    table = frame if isinstance(frame, Sheet) else _sheet(frame)
    sheet = workbook.get_worksheet_by_name(name)
    levels = list(table.names)
    print_setup(sheet, len(table.columns), len(levels))  # a column a year, or a few
    sheet.repeat_rows(0)  # the header on every printed page
    _strings(sheet, 0, 0, levels, f["header_left"])
    _strings(sheet, 0, len(levels), [str(c) for c in table.columns], f["header"])
    for r, (key, values) in enumerate(table.rows, start=1):
        labels = [str(x) for x in key]
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
    for c in range(len(table.columns)):
        sheet.set_column(c + len(levels), c + len(levels),
                         _width([values[c] for _, values in table.rows]))
    headers = [str(c) for c in table.columns]
    if any(len(h) > 15 for h in headers):  # long headers wrap in a taller first row
        _strings(sheet, 0, len(levels), headers, f["header_wrap"])
        sheet.set_row(0, 15 * min(4, 1 + max(len(h) for h in headers) // 15))
    sheet.freeze_panes(1, len(levels))


def _width(column: Sequence[Any]) -> int:
    """A column's width: 15 for numbers, up to 60 characters for texts (descriptions)."""
    texts = [len(v) for v in column if isinstance(v, str)]
    return min(60, max(15, max(texts, default=0) + 2))

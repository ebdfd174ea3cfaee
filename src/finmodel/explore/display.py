"""How the panel shows and reads a control's value: rates in percent, money with separators.

A :class:`~finmodel.explore.controls.Control` works in the scenario's own units (a rate of
0.025, a factor of 1.1). The panel shows rates and rate shifts in percent (2.50 %,
+0.50 %-pt), amounts with thousands separators (150,000 EUR) and factors as ``× 1.10``;
:func:`shown` and :func:`stored` convert between the two, :func:`format_value` writes a
value and :func:`parse_value` reads what a controller types (``160,000``, ``160.000``,
``2,5 %`` and ``2.5`` are all understood).
"""

from __future__ import annotations

import re

from finmodel.explore.controls import Control
from finmodel.views import i18n
from finmodel.views.i18n import Language, has, param_name, t

__all__ = ["format_value", "label", "money", "parse_value", "percent", "shown", "slider_step",
           "stored", "unit_text", "written_text"]

#: Decimals kept when a shown value is turned back into the scenario's unit.
_DECIMALS = 10


def percent(control: Control) -> bool:
    """True for rates (index rates, their shifts, a loan's interest), shown in percent."""
    return control.unit.startswith(("rate", "+ rate"))


def shown(control: Control, value: float) -> float:
    """A value in the control's unit as the panel shows it (percent for rates).

    Examples
    --------
    >>> rate = Control("indexation.cpi", "index cpi", "Indices", "value", 0.025, -0.02, 0.1,
    ...                0.0025, "rate per year (0.01 = 1 %)", 0.025)
    >>> shown(rate, 0.025), stored(rate, 2.5)
    (2.5, 0.025)
    """
    return round(value * 100, _DECIMALS) if percent(control) else value


def stored(control: Control, value: float) -> float:
    """The inverse of :func:`shown`: a shown value in the control's own unit."""
    return round(value / 100, _DECIMALS) if percent(control) else value


def slider_step(control: Control) -> float:
    """The slider's step (shown unit): the control's step, made finer where the file's value
    is not on its grid, so the slider does not snap the file's value away.

    Examples
    --------
    >>> tariff = Control("t", "t", "Rental", "value", 112.5, 0.0, 500.0, 5.0, "EUR/h", 112.5)
    >>> slider_step(tariff)
    2.5
    """
    step = shown(control, control.step)
    offset = shown(control, control.base) - shown(control, control.low)
    for divisor in (1, 2, 4, 5, 10, 20, 50, 100, 1000):
        finer = round(step / divisor, _DECIMALS)
        if abs(offset / finer - round(offset / finer)) < 1e-9:
            return finer
    return round(step / 1000, _DECIMALS)


def _decimals(control: Control) -> int:
    """Decimals that show the file's value and every slider step exactly (at most 4)."""
    numbers = (shown(control, control.base), shown(control, control.step))
    return next((d for d in range(5) if all(round(x, d) == x for x in numbers)), 4)


def format_value(control: Control, value: float, lang: Language = "en") -> str:
    """A control value as the panel writes it, in the shown unit; in Dutch (``lang``)
    with ``.`` grouping thousands and ``,`` as the decimal mark (``160.000``, ``2,50``),
    which :func:`parse_value` reads back.

    Examples
    --------
    >>> cash = Control("finance.opening_cash", "opening cash", "Finance", "value", 150000.0,
    ...                0.0, 500000.0, 5000.0, "EUR", 150000.0)
    >>> format_value(cash, 160000.0)
    '160,000'
    >>> shift = Control("indexation.wages", "index wages", "Indices", "shift", 0.0, -0.05, 0.05,
    ...                 0.0025, "+ rate", {2026: 0.03})
    >>> format_value(shift, 0.005), format_value(shift, -0.0025)
    ('+0.50', '\u22120.25')
    >>> factor = Control("x", "x", "Rental", "scale", 1.0, 0.0, 2.0, 0.05, "x h/year", {})
    >>> format_value(factor, 1.1, "nl"), format_value(cash, 160000.0, "nl")
    ('1,10', '160.000')
    """
    if control.integer:
        return str(round(value))
    number = shown(control, value)
    decimals = max(_decimals(control), 2 if control.kind in ("scale", "shift") or
                   percent(control) else 0)
    text = f"{number:{'+' if control.kind == 'shift' else ''},.{decimals}f}"
    if lang == "nl":
        text = text.translate(_DUTCH)
    return text.replace("-", "\u2212")


_DUTCH = str.maketrans({",": ".", ".": ","})


_CONTRIBUTION = re.compile(r"parties\[(.*)\]\.contributions\[(.*)\]\.amount")
_LOAN_YEAR = re.compile(r"finance\.loans\[(.*)\]\.year")


def label(control: Control, lang: Language = "en") -> str:
    """The control's name in the panel, in ``lang``: the names written in the file (a
    segment, a party, a loan, an index the catalogue does not know) as written, every other
    word from the catalogue (:func:`finmodel.views.i18n.param_name`); the parameter path
    goes in the tooltip.

    Examples
    --------
    >>> cpi = Control("indexation.cpi", "index cpi", "Indices", "value", 0.025, -0.02, 0.1,
    ...               0.0025, "rate per year", 0.025)
    >>> label(cpi, "en"), label(cpi, "nl")
    ('Indexation: consumer prices (CPI)', 'Indexatie: consumentenprijzen (CPI)')
    >>> fee = Control("parties[A].contributions[Fee].amount", "A: Fee (cash)", "Partners",
    ...               "value", 1.0, 0.0, 100.0, 1.0, "EUR/year", 1.0, kind_of_item="in_kind")
    >>> label(fee, "nl")
    'A: Fee (in natura)'
    """
    if (match := _CONTRIBUTION.fullmatch(control.path)) and control.kind_of_item:
        return t(lang, f"ex.contribution.{control.kind_of_item}", party=match.group(1),
                 item=match.group(2))
    if match := _LOAN_YEAR.fullmatch(control.path):
        return t(lang, "ex.loan_year", name=match.group(1))
    return param_name(lang, control.path)


def unit_text(control: Control, lang: Language = "en") -> str:
    """The unit written after the value: ``%``, ``%-pt``, ``× file``, ``EUR/year``...
    (in ``lang``; a unit the catalogue does not know is kept as the control gives it).

    Examples
    --------
    >>> unit_text(Control("x", "x", "Rental", "scale", 1.0, 0.0, 2.0, 0.05, "x h/year", {}))
    '× file'
    """
    if percent(control):
        return t(lang, "ex.unit.pt") if control.kind == "shift" else "%"
    if control.kind == "scale":
        return t(lang, "ex.unit.file")
    return t(lang, f"ex.unit.{control.unit}") if has(lang, f"ex.unit.{control.unit}") \
        else control.unit


def written_text(control: Control, lang: Language = "en") -> str:
    """The value as written in the file, as the panel marks it on the control.

    Examples
    --------
    >>> written_text(Control("x", "x", "Rental", "scale", 1.0, 0.0, 2.0, 0.05, "x h/year", {}))
    'file: its yearly values (× 1.00)'
    """
    if control.kind == "scale":
        return t(lang, "ex.written.scale", value=f"\u00d7 {format_value(control, 1.0, lang)}")
    if control.kind == "shift":
        return t(lang, "ex.written.shift",
                 value=f"{format_value(control, 0.0, lang)} {unit_text(control, lang)}")
    return t(lang, "ex.written.value", value=format_value(control, control.base, lang),
             unit=unit_text(control, lang))


_NUMBER = re.compile(r"[+-]?[0-9][0-9.,]*|[+-]?[.,][0-9]+")


def money(control: Control) -> bool:
    """True for fields whose typed value may group thousands: amounts, tariffs and hours
    (a value control that is no rate); rates, factors, shifts and years never do."""
    return control.kind == "value" and not percent(control)


def parse_value(control: Control, text: str) -> float:
    """What a controller typed, in the control's own unit; ValueError if it is no number.

    The field's kind decides what a single separator means:

    - Where both ``.`` and ``,`` occur, the last one is the decimal mark and the other
      groups thousands (``1.234,56`` and ``1,234.56`` are both 1234.56).
    - A separator that occurs more than once groups thousands (``1.234.567``); the groups
      must then be valid (1-3 digits, no leading 0, then groups of exactly 3), else it is
      no number.
    - A single separator followed by exactly three digits groups thousands in a money field
      (amounts, tariffs, hours: ``58.000`` and ``58,000`` are 58000, as a Dutch controller
      writes it), unless the part before it is ``0`` (``0.125`` and ``0,125`` are an
      eighth: no amount starts its thousands with 0). In a rate (shown in percent), a factor
      (× file) or a shift it is always the decimal mark (``0.125`` % is 0.00125).
    - Any other single separator is the decimal mark (``2,5`` is two and a half).

    Examples
    --------
    >>> cash = Control("finance.opening_cash", "opening cash", "Finance", "value", 150000.0,
    ...                0.0, 500000.0, 5000.0, "EUR", 150000.0)
    >>> [parse_value(cash, t) for t in ("160000", "160,000", "160.000 EUR", "1.234,5")]
    [160000.0, 160000.0, 160000.0, 1234.5]
    >>> [parse_value(cash, t) for t in ("0.125", "0,125", "58.000", "1.234.567")]
    [0.125, 0.125, 58000.0, 1234567.0]
    >>> rate = Control("indexation.cpi", "index cpi", "Indices", "value", 0.025, -0.02, 0.1,
    ...                0.0025, "rate per year", 0.025)
    >>> parse_value(rate, "2,5 %"), parse_value(rate, "\u22120.5"), parse_value(rate, "0,125")
    (0.025, -0.005, 0.00125)
    """
    clean = text.strip().replace("\u2212", "-").replace("\u00a0", "").replace(" ", "")
    match = _NUMBER.search(clean)
    if match is None or re.search(r"[0-9]", clean[match.end():]):
        raise ValueError(f"{text!r} is not a number")
    number = match.group()
    marks = [c for c in number if c in ".,"]
    if len(set(marks)) == 2:
        decimal = marks[-1]
        whole = number[:number.rindex(decimal)]
        if not _grouped(whole.lstrip("+-"), "." if decimal == "," else ","):
            raise ValueError(f"{text!r} is not a number")
        number = number.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif len(marks) > 1:
        if not _grouped(number.lstrip("+-"), marks[0]):
            raise ValueError(f"{text!r} is not a number")
        number = number.replace(marks[0], "")
    elif marks:
        thousands = money(control) and _grouped(number.lstrip("+-"), marks[0])
        number = number.replace(marks[0], "" if thousands else ".")
    return stored(control, float(number))


def _plain(lang: Language, value: float) -> str:
    """A bound or a typed value with Babel's separators and as many decimals as it has
    (at most 4): ``500.000``, ``-2``, ``0,25``."""
    digits = next((d for d in range(5) if round(value, d) == value), 4)
    return i18n.number(lang, value, digits)


def range_text(control: Control, got: float, lang: Language = "en") -> str:
    """Why a typed value is refused: the control's range and the value, in the shown unit
    (percent for rates) and the locale's number format.

    Examples
    --------
    >>> cash = Control("finance.opening_cash", "opening cash", "Finance", "value", 150000.0,
    ...                0.0, 500000.0, 5000.0, "EUR", 150000.0)
    >>> range_text(cash, -5000.0)
    'must be a number between 0 and 500,000 EUR, got -5,000'
    >>> range_text(cash, 600000.5, "nl")
    'moet een getal tussen 0 en 500.000 EUR zijn, niet 600.000,5'
    """
    kind = t(lang, "err.expect.int_type" if control.integer else "err.expect.float_type")
    return t(lang, "ex.out_of_range", kind=kind, low=_plain(lang, shown(control, control.low)),
             high=_plain(lang, shown(control, control.high)), unit=unit_text(control, lang),
             got=_plain(lang, shown(control, got)))


def _grouped(digits: str, mark: str) -> bool:
    """True when ``digits`` is a number with ``mark`` grouping thousands (``1.234.567``);
    a number without ``mark`` is grouped too.

    Examples
    --------
    >>> _grouped("58.000", "."), _grouped("0.125", "."), _grouped("1.23.456", ".")
    (True, False, False)
    >>> _grouped("12", ",")
    True
    """
    return re.fullmatch(rf"[1-9][0-9]{{0,2}}(?:{re.escape(mark)}[0-9]{{3}})*|[0-9]+",
                        digits) is not None

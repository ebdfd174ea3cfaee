"""The words and number formats of every view, in English and Dutch.

One catalogue per language (:mod:`finmodel.views.messages_en`,
:mod:`finmodel.views.messages_nl`): plain dictionaries from a key to a
:meth:`str.format` template, checked by mypy and by a test that both hold the same keys
with the same placeholders. A :data:`Language` is passed explicitly down every view
function; there is no "current language", so two reports in one process never share one.

Numbers go through Babel (``en_GB``, ``nl_NL``): thousands separators and decimal marks
of the locale, never written by hand. Years are never grouped (``2031``). Money is whole
euros: ``1,234 EUR`` in English (the ISO code after the amount, as English-language
annual reports in the euro area and the issue itself write it) and ``€ 1.234`` in
Dutch (the locale's own currency pattern without cents, with a no-break space after the
sign so that it never stands alone at the end of a line; negative ``€ -1.234``).

Examples
--------
>>> money("en", -1234567.8), money("nl", -1234567.8), number("nl", 1234567)
('-1,234,568 EUR', '€\\xa0-1.234.568', '1.234.567')
>>> percent("nl", 0.125, 1), percent("en", 0.5), year(2031.0)
('12,5%', '50%', '2031')
>>> param_name("nl", "rental.segments[Schools].tariff")
'Schools: tarief'
>>> param_name("en", "finance.minimum_cash")
'Minimum cash'
"""

from __future__ import annotations

import math
import re
from copy import copy
from functools import cache
from typing import Any, Literal

from finmodel.views.messages_en import MESSAGES as _EN
from finmodel.views.messages_nl import MESSAGES as _NL

__all__ = ["LANGUAGES", "LOCALES", "Language", "check_name", "general", "kpi_name",
           "kpi_value", "language", "line_name", "money", "number", "param_name", "percent",
           "signed", "t", "year"]

Language = Literal["en", "nl"]
LANGUAGES: tuple[Language, ...] = ("en", "nl")
#: Babel locale per language: British English (day-month dates, as the Netherlands write
#: them; the same digits as en_US) and the Netherlands.
LOCALES: dict[Language, str] = {"en": "en_GB", "nl": "nl_NL"}
CATALOGUES: dict[Language, dict[str, str]] = {"en": _EN, "nl": _NL}


def language(value: object, default: Language = "en") -> Language:
    """A language code checked: ``en`` or ``nl`` (None gives ``default``).

    >>> language("NL"), language(None)
    ('nl', 'en')
    """
    if value is None:
        return default
    code = str(value).strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {value!r} (allowed: en, nl)")
    return "nl" if code == "nl" else "en"


def t(lang: Language, key: str, **values: Any) -> str:
    """The message ``key`` in ``lang``, its ``{placeholders}`` filled with ``values``.

    >>> t("nl", "total")
    'Totaal'
    """
    template = CATALOGUES[lang][key]
    return template.format(**values) if values else template


def has(lang: Language, key: str) -> bool:
    """Whether the catalogue of ``lang`` holds ``key``."""
    return key in CATALOGUES[lang]


# --- numbers --------------------------------------------------------------------------

def _missing(lang: Language, value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@cache
def _locale(lang: Language) -> Any:
    from babel import Locale

    return Locale.parse(LOCALES[lang])


@cache
def _pattern(text: str) -> Any:
    """A parsed Babel number pattern, kept: parsing costs more than applying (reports
    format a few thousand numbers each)."""
    from babel.numbers import parse_pattern

    return parse_pattern(text)


#: Beyond this size a number is written in scientific notation (``1,5E20``): Babel's
#: decimal arithmetic cannot round it to whole units, and no budget figure is that large
#: (amounts are at most 1e12; only ratios of nearly nothing get there).
HUGE = 1e15


def _huge(lang: Language, value: float, suffix: str = "") -> str:
    """A number too large to write out: ``∞`` or scientific notation, 4 digits."""
    if math.isinf(value):
        return ("-" if value < 0 else "") + "\u221e" + suffix
    from babel.numbers import format_scientific

    return str(format_scientific(value, "0.###E0", locale=_locale(lang))) + suffix


def number(lang: Language, value: float | None, digits: int = 0,
           grouped: bool = True) -> str:
    """A number with the locale's separators (thousands only when ``grouped``), ``digits``
    decimals, never ``-0``; a number beyond :data:`HUGE` in scientific notation.

    Examples
    --------
    >>> number("nl", 1234567.891, 2), number("en", -0.001), number("nl", 2.5e168)
    ('1.234.567,89', '0', '2,5E168')
    >>> number("nl", -0.004, 2), number("nl", 1234.0, grouped=False)
    ('0,00', '1234')
    """
    if value is None or math.isnan(value):
        return t(lang, "n/a")
    if not abs(value) < HUGE:
        return _huge(lang, float(value))
    value = round(float(value), digits) + 0.0
    if digits < len(_SCALE) and abs(value) * _SCALE[digits] < _FAST_LIMIT:
        # what Babel writes for these two locales, by Python's own formatting (a report
        # formats a few thousand numbers; Babel's decimal arithmetic costs 20 us each)
        text = f"{value:{',' if grouped else ''}.{digits}f}"
        return text.translate(_DUTCH) if lang == "nl" else text
    pattern = _pattern(("#,##0" if grouped else "0") + ("." + "0" * digits if digits else ""))
    return str(pattern.apply(value, _locale(lang)))


#: With at most 14 significant digits (the value times 10 ** decimals below this) a
#: rounded float is written exactly as Babel writes it: its shortest decimal form, which
#: Babel reads, has no more decimals than asked for, and Python rounds the binary value
#: to the same digits. en_GB groups with "," and marks decimals with "."; nl_NL the
#: other way round; both write "-".
_FAST_LIMIT = 1e14
_SCALE = tuple(10.0 ** d for d in range(7))
_DUTCH = str.maketrans(",.", ".,")


def general(lang: Language, value: float, grouped: bool = False) -> str:
    """A number to at most six significant digits, as Python's ``g`` writes it: in
    English exactly so (``2.5``, ``1e+06``; with ``,`` thousands when ``grouped``), as the
    model's English sentences write the numbers a reader typed; in other languages in the
    locale's marks, always grouped (``2,5``, ``1.000.000``). Never ``-0``.

    Examples
    --------
    >>> general("en", 0.025), general("nl", 0.025), general("nl", 134874.25)
    ('0.025', '0,025', '134.874')
    >>> general("en", 134874.25, grouped=True), general("en", -0.0), general("nl", -0.0)
    ('134,874', '0', '0')
    """
    value = float(f"{value:g}") + 0.0
    if lang == "en":
        return format(value, ",g" if grouped else "g")
    # the pattern keeps six decimals: round first, so that -1e-9 is "0", not "-0"
    return str(_pattern("#,##0.######").apply(round(value, 6) + 0.0, _locale(lang)))


@cache
def _money_pattern(lang: Language) -> Any:
    if lang == "en":
        return _pattern("#,##0 \u00a4\u00a4")  # "1,234 EUR"
    pattern = copy(_pattern(_locale(lang).currency_formats["standard"].pattern))
    pattern.frac_prec = (0, 0)
    return pattern


@cache
def _money_affixes(lang: Language) -> tuple[tuple[str, str], tuple[str, str]]:
    """What Babel puts around the digits of a positive and of a negative amount
    (``("€\\xa0", "")`` and ``("€\\xa0-", "")`` in Dutch): derived once from the
    locale's currency pattern, then applied around :func:`number` (a report formats
    thousands of amounts)."""
    def affixes(sample: int) -> tuple[str, str]:
        text = str(_money_pattern(lang).apply(sample, _locale(lang), currency="EUR",
                                              currency_digits=False))
        digits = "7"  # one digit: no separators in the way
        before, _, after = text.partition(digits)
        return before, after

    return affixes(7), affixes(-7)


def money(lang: Language, value: float | None) -> str:
    """Whole euros in the locale's format (see the module docstring)."""
    if value is None or math.isnan(value):
        return t(lang, "n/a")
    if not abs(value) < HUGE:
        before, after = _money_affixes(lang)[value < 0]
        return before + _huge(lang, abs(float(value))) + after
    rounded = round(float(value)) + 0  # never "-0"
    before, after = _money_affixes(lang)[rounded < 0]
    return before + number(lang, abs(rounded)) + after


def percent(lang: Language, value: float | None, digits: int = 0) -> str:
    """A share as a percentage (``0.125`` -> ``12,5%`` in Dutch); a share beyond
    :data:`HUGE` in scientific notation.

    Examples
    --------
    >>> percent("nl", 0.125, 1), percent("en", 3e166), percent("en", float("-inf"))
    ('12,5%', '3E168%', '-\u221e%')
    >>> percent("nl", -0.0004, 1), percent("en", -0.004)
    ('0,0%', '0%')
    """
    if value is None or math.isnan(value):
        return t(lang, "n/a")
    if not abs(value) < HUGE / 100:
        return _huge(lang, float(value) * 100, "%")
    if round(float(value) * 100, digits) == 0:
        value = 0.0  # never "-0%" (a share of nearly nothing below zero)
    pattern = _pattern("#,##0" + ("." + "0" * digits if digits else "") + "%")
    return str(pattern.apply(value, _locale(lang)))


def signed(text: str, value: float) -> str:
    """``text`` (a difference, as :func:`number`, :func:`money` or :func:`percent` wrote
    it) with a ``+`` in front when ``value`` is positive and ``text`` shows it so: a
    difference that rounds to zero gets no sign (as those functions never write ``-0``).

    >>> signed("1,235 EUR", 1234.6), signed("0.00", 0.001), signed("-5", -5)
    ('+1,235 EUR', '0.00', '-5')
    """
    shown = any(c in "123456789\u221e" for c in text)  # ∞: nothing rounds it to zero
    return ("+" + text) if value > 0 and shown and not text.startswith("+") else text


def year(value: float | int) -> str:
    """A calendar year: never grouped."""
    return str(int(value))


# --- names ----------------------------------------------------------------------------

_YEAR_KPIS = ("break_even_year", "min_cash_year")
_COUNT_KPIS = ("years_below_minimum",)


def line_name(lang: Language, line: str) -> str:
    """The budget line as a controller reads it (``cash_end`` -> "Cash at year end")."""
    key = f"line.{line}"
    return t(lang, key) if has(lang, key) else line.replace("_", " ").capitalize()


def kpi_name(lang: Language, kpi: str) -> str:
    """A key figure's name (``min_cash`` -> "Lowest cash at year end")."""
    key = f"kpi.{kpi}"
    return t(lang, key) if has(lang, key) else kpi.replace("_", " ").capitalize()


def kpi_value(lang: Language, kpi: str, value: float | int | None) -> str:
    """A key figure's value: years as years, counts as numbers, the rest in money.

    >>> kpi_value("nl", "break_even_year", None), kpi_value("nl", "npv", 1234.4)
    ('nooit (binnen de horizon)', '€\\xa01.234')
    """
    if _missing(lang, value if not isinstance(value, int) else float(value)):
        if kpi == "min_debt_service_coverage":
            return t(lang, "kpi.no_debt_service")
        return t(lang, "never") if kpi == "break_even_year" else t(lang, "n/a")
    assert value is not None
    if kpi in _YEAR_KPIS:
        return year(value)
    if kpi in _COUNT_KPIS or kpi.startswith("min_debt_service"):
        return number(lang, value, 0 if kpi in _COUNT_KPIS else 2)
    return money(lang, value)


def check_name(lang: Language, name: str) -> str:
    """A check's name (``cofinancing[Grant]`` -> "Co-financing of Grant")."""
    match = re.fullmatch(r"([a-z_]+)(?:\[(.*)\])?", name)
    base, item = (match.group(1), match.group(2) or "") if match else (name, "")
    if base == "input_warning":  # the item is a parameter path
        item = param_name(lang, item)
    elif base == "reconciliation":  # the item is a line: its name, never its key
        item = line_name(lang, item)
    key = f"check.{base}"
    return t(lang, key, item=item) if has(lang, key) else name.replace("_", " ")


#: Path parts that only group others: left out of a parameter's name.
_GROUPS = {"rental", "finance", "facility", "partnership"}
_TOKEN = re.compile(r'\["([^"]*)"\]|\[([^\]]*)\]|"([^"]*)"|([^.\[\]"]+)')


def param_name(lang: Language, path: str) -> str:
    """A parameter path in words: item names kept, field names translated.

    ``rental.segments[Schools].tariff`` -> "Schools: tariff"; the path itself belongs in
    a tooltip or the assumptions table. An index the catalogue knows (``cpi``, ``wages``,
    ``tariffs``, ``energy``...: keys ``index.NAME``) gets its words; any other index name
    is the scenario's own key and is shown as written.

    >>> param_name("en", "subsidies[Grant].phase_out.full_years")
    'Grant: phase-out: full years'
    >>> param_name("nl", "indexation.cpi"), param_name("nl", "indexation.Bouwkosten")
    ('Indexatie: consumentenprijzen (CPI)', 'Indexatie: Bouwkosten')
    >>> param_name("en", 'uncertainty."rental.segments[A].tariff".normal')
    'Uncertainty: A: tariff: normal'
    >>> param_name("en", 'risks[Cut].overrides["subsidies[Grant].amount"]')
    'Cut: changes: Grant: amount'
    """
    tokens = [(m.group(2), m.group(1) or m.group(3), m.group(4))
              for m in _TOKEN.finditer(path)]
    words: list[str] = []
    for i, (item, quoted, field) in enumerate(tokens):
        following = tokens[i + 1][0] if i + 1 < len(tokens) else None
        if item is not None:
            words.append(item)
        elif quoted is not None:  # a path used as a key (uncertainty, risk overrides)
            words.append(param_name(lang, quoted))
        elif field in _GROUPS or following is not None:
            continue  # a list whose item name follows, or a grouping section
        elif field is not None and field.isdigit():
            words.append(field)  # a year of a series
        elif field is not None:
            key = (f"index.{field}" if i == 1 and tokens[0][2] == "indexation"
                   else f"field.{field}")
            words.append(t(lang, key) if has(lang, key) else field)
    text = ": ".join(words) or path
    return text[:1].upper() + text[1:]

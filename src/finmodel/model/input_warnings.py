"""Likely typing mistakes in a scenario file: warned about, never corrected.

A file can be valid and still say something its author did not mean: an index of
``2.5`` (250 % a year, where 2.5 % was meant), ``58.000`` (which YAML reads as 58, where
the Dutch thousands separator meant 58,000), a tariff of 25,000 EUR an hour. These are
warnings: they are printed and listed with the checks, but the numbers are computed
from the file as written. ``finmodel --strict`` turns them into errors.

The bounds (documented in docs/scenario-format.md):

- an index rate, ``finance.discount_rate`` or a loan's ``rate`` above :data:`MAX_RATE`
  (25 % a year);
- a plain number in an amount, tariff or hours field written as digits, a dot and
  exactly three digits (``58.000``, ``1.500``), first digit not 0;
- a euro amount above :data:`MAX_AMOUNT` (100 million) or between 0 and
  :data:`MIN_AMOUNT` (10 EUR; 0 itself is fine);
- a price per hour (tariff, own-use value, variable cost) above :data:`MAX_PER_HOUR`
  (1,000 EUR) or between 0 and :data:`MIN_PER_HOUR` (1 EUR).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from finmodel.model.errors import Problem
from finmodel.model.paths import format_path

__all__ = ["MAX_AMOUNT", "MAX_PER_HOUR", "MAX_RATE", "MIN_AMOUNT", "MIN_PER_HOUR",
           "InputWarning", "english", "input_warnings", "warning"]

MAX_RATE = 0.25
MAX_AMOUNT = 100_000_000.0
MIN_AMOUNT = 10.0
MAX_PER_HOUR = 1_000.0
MIN_PER_HOUR = 1.0

_AMOUNTS = frozenset({"amount", "amounts", "opening_cash", "minimum_cash"})
_PER_HOUR = frozenset({"tariff", "own_use_value_per_hour", "variable_cost_per_hour"})
_HOURS = frozenset({"available_hours", "demand_hours", "own_use_hours"})
_DOTTED_THOUSANDS = re.compile(r"[-+]?[1-9][0-9]{0,2}\.[0-9]{3}")
#: Blocks whose numbers are not amounts as written (distribution parameters, overrides).
_SKIPPED = ("uncertainty", "risks", "seed")


@dataclass(frozen=True)
class InputWarning(Problem):
    """A likely mistake, shown as ``FILE:LINE: PATH: warning: message``.

    ``message`` is the English sentence; ``code`` names the kind of mistake and
    ``values`` the numbers and words it is built from, so that a view can say it in
    another language (:mod:`finmodel.views.warnings`). The codes and their values:

    - ``rate_high``: ``value`` (a rate above :data:`MAX_RATE`);
    - ``dotted_thousands``: ``written`` (the text in the file), ``value`` (as read);
      ``actuals_dotted_thousands`` the same, in an inline actuals table;
    - ``amount_unusual`` / ``per_hour_unusual``: ``value`` (EUR or EUR per hour),
      ``size`` (``large`` or ``small``), ``field`` (the key);
    - ``csv_thousands``: ``cell`` (as written in the CSV), ``value`` (as read);
    - ``negative_flow``: ``value`` (EUR);
    - ``year_empty``: no values.

    Examples
    --------
    >>> str(InputWarning("s.yaml", 4, "indexation.cpi", "2.5 means 250 % a year"))
    's.yaml:4: indexation.cpi: warning: 2.5 means 250 % a year'
    """

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: warning: {self.message}"


def input_warnings(data: Mapping[str, Any], origins: Mapping[str, Any],
                   display: str = "<data>") -> tuple[InputWarning, ...]:
    """Every likely typing mistake in resolved scenario data, in file order.

    ``origins`` maps paths to :class:`finmodel.model.files.Origin` (file, line and the
    text of a plain number as written). Values set by a program rather than typed in a
    file (origin line 0: the explorer's changes, risk overrides) are not warned about.

    Examples
    --------
    >>> from finmodel.model.files import Origin
    >>> data = {"indexation": {"cpi": 2.5}, "finance": {"opening_cash": 58.0}}
    >>> origins = {"indexation.cpi": Origin("s.yaml", 2),
    ...            "finance.opening_cash": Origin("s.yaml", 4, "58.000")}
    >>> rate, amount = input_warnings(data, origins)
    >>> print(rate)
    s.yaml:2: indexation.cpi: warning: 2.5 means 250 % a year; write 0.025 for 2.5 %
    >>> print(amount.message)  # doctest: +NORMALIZE_WHITESPACE
    58.000 is read as 58 (YAML has no thousands separator); write 58000 for 58
    thousand, or 58.0 for 58
    """
    found = []
    for path, field, value in _numbers(data, ()):
        where = _origin(path, origins)
        if where is not None and where.line == 0:  # set by a program (explorer, risk)
            continue
        written = getattr(origins.get(path), "written", None)
        for code, values in _findings(path, field, value, written):
            file, line = (where.file, where.line) if where is not None else (display, 1)
            found.append(warning(file, line, path, code, **values))
    return tuple(sorted(found, key=lambda w: (w.file != display, w.file, w.line, w.path)))


def _origin(path: str, origins: Mapping[str, Any]) -> Any:
    """The origin of ``path`` or of its nearest parent that has one."""
    probe = path
    while probe:
        if probe in origins:
            return origins[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return None


def _numbers(node: Any, parts: tuple[str | int, ...]) -> Iterator[tuple[str, str, float]]:
    """``(path, field, value)`` for every number; ``field`` is the key that names it."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if not parts and key in _SKIPPED:
                continue
            yield from _numbers(value, (*parts, str(key)))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            name = item.get("name") if isinstance(item, Mapping) else None
            yield from _numbers(item, (*parts, f"[{name}]" if isinstance(name, str) else i))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        named = [p for p in parts if isinstance(p, str) and not p.isdigit()
                 and not p.startswith("[")]
        yield format_path(parts), (named[-1] if named else ""), float(node)


def _findings(path: str, field: str, value: float,
              written: str | None) -> list[tuple[str, dict[str, Any]]]:
    """The likely mistakes in one number: ``(code, values)`` per warning."""
    out: list[tuple[str, dict[str, Any]]] = []
    if (path.startswith("indexation.") or path == "finance.discount_rate"
            or (path.startswith("finance.loans[") and field == "rate")):
        if value > MAX_RATE:
            out.append(("rate_high", {"value": value}))
        return out
    if (written is not None and field in _AMOUNTS | _PER_HOUR | _HOURS
            and _DOTTED_THOUSANDS.fullmatch(written)):
        out.append(("dotted_thousands", {"written": written, "value": value}))
    size = abs(value)
    if field in _AMOUNTS and (size > MAX_AMOUNT or 0 < size < MIN_AMOUNT):
        out.append(("amount_unusual", {"value": value, "field": field,
                                       "size": "large" if size > MAX_AMOUNT else "small"}))
    if field in _PER_HOUR and (size > MAX_PER_HOUR or 0 < size < MIN_PER_HOUR):
        out.append(("per_hour_unusual", {"value": value, "field": field,
                                         "size": "large" if size > MAX_PER_HOUR else "small"}))
    return out


def _cents(value: float) -> str:
    """An amount to the cent with ``,`` thousands, never ``-0.00`` (an amount of less
    than half a cent below zero is 0.00 as shown).

    >>> _cents(-1234.5), _cents(-0.004)
    ('-1,234.50', '0.00')
    """
    return f"{round(value, 2) + 0.0:,.2f}"


def english(code: str, values: Mapping[str, Any]) -> str:
    """The English sentence of a warning (``InputWarning.message``).

    >>> english("rate_high", {"value": 3.0})
    '3 means 300 % a year; write 0.03 for 3 %'
    """
    v = values
    if code == "rate_high":
        return (f"{v['value']:g} means {v['value'] * 100:g} % a year; "
                f"write {v['value'] / 100:g} for {v['value']:g} %")
    if code in ("dotted_thousands", "actuals_dotted_thousands"):
        thousands = v["written"].lstrip("+").replace(".", "")
        tail = f", or {v['value']:.1f} for {v['value']:g}" if code == "dotted_thousands" else ""
        return (f"{v['written']} is read as {v['value']:g} (YAML has no thousands separator); "
                f"write {thousands} for {v['value']:g} thousand{tail}")
    if code == "amount_unusual":
        return (f"{_cents(v['value'])} EUR is unusually {v['size']} for {v['field']} "
                f"(expected 0 or {MIN_AMOUNT:,.0f} to {MAX_AMOUNT:,.0f} EUR)")
    if code == "per_hour_unusual":
        return (f"{_cents(v['value'])} EUR per hour is unusually {v['size']} for {v['field']} "
                f"(expected 0 or {MIN_PER_HOUR:,.0f} to {MAX_PER_HOUR:,.0f} EUR per hour)")
    if code == "csv_thousands":
        return (f"{v['cell']!r} read as {v['value']:,.0f} (the point as a thousands "
                "separator, as a Dutch export writes it); write the decimal comma to be "
                "unambiguous")
    if code == "negative_flow":
        return (f"{_cents(v['value'])} is negative: the budget's amounts are positive (costs and "
                "income alike); if the ledger exports costs with a minus sign, flip the sign")
    if code == "year_empty":
        return "no amounts given: not counted as a closed year"
    raise ValueError(f"unknown warning code {code!r}")


def warning(file: str, line: int, path: str, code: str, **values: Any) -> InputWarning:
    """An :class:`InputWarning` with its English message built from ``code`` and ``values``.

    >>> found = warning("a.csv", 3, "row 'capex', column 2026", "negative_flow", value=-5.0)
    >>> found.code, found.params, found.message[:20]
    ('negative_flow', {'value': -5.0}, '-5.00 is negative: t')
    """
    return InputWarning(file, line, path, english(code, values), code, tuple(values.items()))

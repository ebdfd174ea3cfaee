"""Input warnings, reconciliation flags and problems said in the reader's language.

The model builds these as English sentences *and* keeps what they are made of (a code
and the values: :class:`~finmodel.model.input_warnings.InputWarning`,
:class:`~finmodel.analysis.variance.Reconciliation`); this module says them again from
the catalogue in ``en`` or ``nl``. In English the sentence is the model's own, character
for character (tests check the catalogue against it). Numbers a reader reads go through
Babel in Dutch; numbers a reader types into the scenario file (``0.025``, ``58000``)
stay as YAML writes them, in both languages.

Examples
--------
>>> from finmodel.model.input_warnings import warning
>>> w = warning("s.yaml", 4, "indexation.cpi", "rate_high", value=2.5)
>>> problem_line("en", w) == str(w)
True
>>> problem_line("nl", w)
's.yaml:4: indexation.cpi: waarschuwing: 2.5 betekent 250% per jaar; schrijf 0.025 voor 2,5%'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from finmodel.model.errors import FinModelError, Problem
from finmodel.model.input_warnings import (
    MAX_AMOUNT,
    MAX_PER_HOUR,
    MIN_AMOUNT,
    MIN_PER_HOUR,
    InputWarning,
)
from finmodel.model.schema import NON_NEGATIVE, POSITIVE, RATE, SHARE
from finmodel.views import i18n
from finmodel.views.i18n import Language, t

if TYPE_CHECKING:
    from finmodel.analysis.variance import Reconciliation

__all__ = ["error_message", "error_text", "os_reason", "place", "problem_line",
           "reconciliation_message", "warning_message"]


def _percent(lang: Language, value: float) -> str:
    """``value`` per cent: ``2.5 %`` in English (as the model writes it), ``2,5%`` in Dutch
    (the glossary's form)."""
    return f"{value:g} %" if lang == "en" else i18n.general(lang, value) + "%"


def _field(lang: Language, name: str) -> str:
    """A key of the file: as written in English, its name in words in Dutch."""
    key = f"field.{name}"
    return t(lang, key) if lang != "en" and i18n.has(lang, key) else name


def warning_values(lang: Language, w: InputWarning) -> dict[str, Any]:
    """The placeholders of ``warn.<code>`` in ``lang`` for one warning."""
    v = w.params
    if w.code == "rate_high":
        return {"value": f"{v['value']:g}", "yearly": _percent(lang, v["value"] * 100),
                "fraction": f"{v['value'] / 100:g}", "percent": _percent(lang, v["value"])}
    if w.code in ("dotted_thousands", "actuals_dotted_thousands"):
        return {"written": v["written"], "value": i18n.general(lang, v["value"]),
                "thousands": v["written"].lstrip("+").replace(".", ""),
                "decimal": f"{v['value']:.1f}"}
    if w.code in ("amount_unusual", "per_hour_unusual"):
        low, high = ((MIN_AMOUNT, MAX_AMOUNT) if w.code == "amount_unusual"
                     else (MIN_PER_HOUR, MAX_PER_HOUR))
        return {"value": i18n.number(lang, v["value"], 2), "field": _field(lang, v["field"]),
                "size": t(lang, f"warn.size.{v['size']}"),
                "low": i18n.number(lang, low), "high": i18n.number(lang, high)}
    if w.code == "csv_thousands":
        # in Dutch ungrouped: "1.234" would read as the very text the warning is about
        return {"cell": repr(v["cell"]),
                "value": i18n.number(lang, v["value"], grouped=lang == "en")}
    if w.code == "negative_flow":
        return {"value": i18n.number(lang, v["value"], 2)}
    return {}


def warning_message(lang: Language, w: InputWarning) -> str:
    """The sentence of an input warning in ``lang`` (the model's own in English, and for
    a warning without a code)."""
    key = f"warn.{w.code}"
    if not w.code or not i18n.has(lang, key):
        return w.message
    return t(lang, key, **warning_values(lang, w))


#: The schema's bounds on numbers: their English text -> catalogue key.
_RULES = {NON_NEGATIVE.text: "non_negative", POSITIVE.text: "positive", SHARE.text: "share",
          RATE.text: "rate"}


def _cannot_set(lang: Language, values: dict[str, Any]) -> dict[str, Any]:
    """A risk's override that names nothing: why, from ``err.path.*`` when known."""
    code, said = values.get("reason_code"), values.get("reason_values") or {}
    if code and i18n.has(lang, f"err.path.{code}"):
        return {"reason": t(lang, f"err.path.{code}", **said)}
    return {"reason": values["reason"]}


def _uncertainty_unknown(lang: Language, values: dict[str, Any]) -> dict[str, Any]:
    hint = t(lang, "err.did_you_mean", name=values["close"]) if values["close"] else ""
    return {"hint": hint, "allowed": values["allowed"]}


def _uncertainty_range(lang: Language, values: dict[str, Any]) -> dict[str, Any]:
    """The spread of the draws in the locale's numbers; the distribution's parameters
    as the file writes them; the rule in words."""
    bounds = values["bounds"]
    rule = (t(lang, f"err.bounds.{bounds}", first=values["first"], last=values["last"])
            if i18n.has(lang, f"err.bounds.{bounds}") else values["rule"])
    central = t(lang, "err.uncertainty.central") if values["central"] else ""
    return {**values, "what": t(lang, f"err.uncertainty.what.{values['apply']}"),
            "low": i18n.general(lang, values["low"]), "high": i18n.general(lang, values["high"]),
            "central": central, "rule": rule}


def _counts(lang: Language, values: dict[str, Any]) -> dict[str, Any]:
    """A limit of the file reader: whole numbers with the locale's thousands separator."""
    return {k: i18n.number(lang, v) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in values.items()}


def os_reason(lang: Language, error: OSError) -> str:
    """Why the system refused a file, in ``lang``: the common reasons from the catalogue
    (``err.os.ERRNO``), else the system's own words.

    >>> os_reason("nl", FileNotFoundError(2, "No such file or directory"))
    'het bestand bestaat niet'
    """
    key = f"err.os.{error.errno}"
    if lang != "en" and i18n.has(lang, key):
        return t(lang, key)
    return error.strerror or str(error)


def _cannot_read(lang: Language, values: dict[str, Any]) -> dict[str, Any]:
    """The system's reason (English) in words of ``lang`` for the common ones."""
    key = f"err.os.{values.get('error')}"
    return {"reason": t(lang, key) if lang != "en" and i18n.has(lang, key)
            else values["reason"]}


def _yaml_syntax(lang: Language, values: dict[str, Any]) -> str:
    """The YAML reader's complaint: in English its own words; in Dutch its known phrases
    (libyaml's and PyYAML's) in Dutch, else its words quoted as the reader's."""
    problem, context = (f"err.yaml.{values[k]}" for k in ("problem", "context"))
    column = i18n.number(lang, values.get("column", 1))
    if lang == "en" or not i18n.has(lang, problem) or (values["context"]
                                                        and not i18n.has(lang, context)):
        return t(lang, "err.yaml_syntax", detail=values["detail"], column=column)
    where = f" {t(lang, context)}" if values["context"] else ""
    return t(lang, "err.yaml_parts", problem=t(lang, problem), context=where, column=column)


def _subsidy_form(lang: Language, values: dict[str, Any]) -> dict[str, Any]:
    return {"form": "{" + t(lang, "err.form.year_amount") + "}"}


def _capacity(lang: Language, values: dict[str, Any]) -> dict[str, Any]:
    """Hours to at most two decimals, without trailing zeros, in the locale."""
    def hours(value: float) -> str:
        text = i18n.number(lang, value, 2)
        mark = "," if lang == "nl" else "."
        return text.rstrip("0").rstrip(mark) if mark in text else text

    return {**values, "own_use": hours(values["own_use"]),
            "available": hours(values["available"])}


def _actuals_form(lang: Language, values: dict[str, Any]) -> dict[str, Any]:
    return {"form": "{year: {LINE: " + t(lang, "err.form.line_amount") + "}}"}


#: Codes whose values need saying in ``lang`` before they fill the sentence.
_SAID_BY: dict[str, Callable[[Language, dict[str, Any]], dict[str, Any]]] = {
    "cannot_set": _cannot_set, "uncertainty_unknown": _uncertainty_unknown,
    "uncertainty_range": _uncertainty_range, "cannot_read": _cannot_read,
    "subsidy_form": _subsidy_form, "no_actuals": _actuals_form, "capacity": _capacity,
    **dict.fromkeys(("file_too_big", "too_deep", "too_many_aliases", "too_many_values",
                     "too_many_keys", "too_many_expanded"), _counts),
}


def error_message(lang: Language, problem: Problem) -> str:
    """The message of a validation error in ``lang``: the common kinds (``required``,
    ``unknown_key``, ``type``, ``one_of``, ``bound``, ``number_type``, ``number_finite``)
    from the catalogue; the others as the model writes them (English). Keys, allowed
    values and what the file says stay as written: they are the file's words.

    >>> p = Problem("s.yaml", 3, "finance.opening_csh", "unknown key; allowed: x, y",
    ...             "unknown_key", (("allowed", "x, y"),))
    >>> error_message("en", p) == p.message, error_message("nl", p)
    (True, 'onbekende sleutel; toegestaan: x, y')
    """
    key = f"err.{problem.code}"
    if not problem.code or not i18n.has(lang, key):
        return problem.message
    values = problem.params
    at = values.pop("at", None)  # a risk's override: the path the problem is about
    if at is not None:
        return t(lang, "err.at", at=at, message=error_message(
            lang, dataclasses.replace(problem, values=tuple(values.items()))))
    if problem.code == "yaml_syntax":
        return _yaml_syntax(lang, values)
    if problem.code in _SAID_BY:
        return t(lang, key, **_SAID_BY[problem.code](lang, values))
    if problem.code == "type":
        values["expected"] = t(lang, f"err.expect.{values['expected']}")
    if problem.code == "one_of" and lang != "en":  # pydantic's list: 'a', 'b' or 'c'
        values["expected"] = str(values["expected"]).replace("' or '", "' of '")
    if problem.code == "unknown_index" and values.get("allowed") == t("en", "err.no_indices"):
        values["allowed"] = t(lang, "err.no_indices")
    if problem.code == "range" and values.get("rule") in _RULES:
        values["rule"] = t(lang, f"err.rule.{_RULES[values['rule']]}")
    return t(lang, key, **values)


def error_text(lang: Language, error: FinModelError) -> str:
    """The message of an error that is not about a place in a file (a seed, the number of
    draws) in ``lang``: from the catalogue when its code is known, else as raised.

    >>> from finmodel.model.errors import FinModelError
    >>> error_text("nl", FinModelError("seed: ...", code="seed", got="-1"))
    'seed: moet een geheel getal >= 0 zijn, niet -1'
    """
    key = f"err.{error.code}"
    if not error.code or not i18n.has(lang, key):
        return str(error)
    values = {k: _computed(lang, v) for k, v in error.values.items()}
    if isinstance(values.get("problems"), tuple):  # a scenario's problems, said in lang
        values["problems"] = "; ".join(f"{place(lang, p.path)}: {error_message(lang, p)}"
                                       for p in values["problems"])
    return t(lang, key, **values)


def _computed(lang: Language, value: Any) -> Any:
    """A number the model computed (a float) in the locale, six significant digits, as the
    model writes it in English (``134,874``); ``null`` when it is not finite. Whole
    numbers (years, counts) and text stay as they are.

    >>> _computed("nl", 134874.25), _computed("en", 134874.25), _computed("nl", 2031)
    ('134.874', '134,874', 2031)
    """
    if not isinstance(value, float):
        return value
    if not math.isfinite(value):
        return "null"
    return i18n.general(lang, value, grouped=True)


def place(lang: Language, path: str) -> str:
    """A problem's place in ``lang``: a path stays as the file writes it; the places that
    are no path (``(file)``, ``(yaml)``, ``(header)``, ``(top level)``) are words.

    >>> place("nl", "(file)"), place("nl", "finance.opening_cash"), place("en", "(yaml)")
    ('(bestand)', 'finance.opening_cash', '(yaml)')
    """
    key = f"err.place.{path}"
    return t(lang, key) if i18n.has(lang, key) else path


def problem_line(lang: Language, problem: Problem) -> str:
    """``FILE:LINE: PATH: message`` of a problem in ``lang``: an input warning's word
    "warning" and its sentence; the common validation errors (:func:`error_message`)."""
    where = f"{problem.file}:{problem.line}: {place(lang, problem.path)}"
    if isinstance(problem, InputWarning):
        return f"{where}: {t(lang, 'warn.label')}: {warning_message(lang, problem)}"
    return f"{where}: {error_message(lang, problem)}"


def reconciliation_message(lang: Language, check: Reconciliation) -> str:
    """The message of a ``reconciliation[LINE]`` flag in ``lang``.

    The line by its name in words ("Cash at year end", "Liquide middelen ultimo jaar"),
    never its key (``cash_end``, which the model's own message and the JSON keep).
    """
    line = i18n.line_name(lang, check.name[len("reconciliation["):-1])
    if check.passed:
        return t(lang, "recon.ok", line=line, years=", ".join(map(str, check.given)))
    parts = ", ".join(t(lang, "recon.part", year=i18n.year(year),
                        gap=i18n.signed(i18n.number(lang, gap, 2), gap))
                      for year, gap in zip(check.years, check.differences, strict=True))
    return t(lang, "recon.off", line=line, parts=parts)

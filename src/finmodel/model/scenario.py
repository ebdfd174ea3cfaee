"""Loading scenarios: read (``_files``), validate (``_schema``), report every problem.

:func:`load_scenario` is the edge where files come in; what it returns is a frozen,
typed :class:`Scenario` that the engine trusts.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import PrivateAttr, ValidationError

from finmodel.model.actuals import Actuals, read_actuals
from finmodel.model.errors import Problem, ScenarioError
from finmodel.model.files import Origin, SourceFile, read_scenario_data
from finmodel.model.input_warnings import InputWarning, input_warnings
from finmodel.model.paths import format_path, set_path
from finmodel.model.schema import FIRST_YEAR, LAST_YEAR, Facility, Party, ScenarioModel

__all__ = ["BLOCKS", "Scenario", "load_scenario", "set_value", "validate_scenario"]

#: Top-level mappings a file may leave out (their defaults apply); a change or risk
#: override below one of them creates it.
BLOCKS = frozenset({"facility", "finance", "indexation", "rental", "uncertainty"})


def set_value(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in plain scenario data, creating a left-out block (``finance:``)."""
    set_path(data, path, value, BLOCKS)


class Scenario(ScenarioModel):
    """A validated scenario (spec section 2), after ``extends`` inheritance.

    Built by :func:`load_scenario`; frozen. Besides the fields of the file it knows the
    files it was read from (:attr:`files`), the resolved plain data (:attr:`data`) and
    where each value was written (:meth:`origin`).
    """

    _files: tuple[SourceFile, ...] = PrivateAttr(default=())
    _origins: dict[str, Origin] = PrivateAttr(default_factory=dict)
    _data: dict[str, Any] = PrivateAttr(default_factory=dict)
    _ledger: Actuals | None = PrivateAttr(default=None)
    _warnings: tuple[InputWarning, ...] | None = PrivateAttr(default=None)

    @property
    def years(self) -> NDArray[np.int64]:
        """Calendar years of the horizon, ``start_year .. start_year + horizon - 1``."""
        return np.arange(self.start_year, self.start_year + self.horizon, dtype=np.int64)

    @property
    def end_year(self) -> int:
        return self.start_year + self.horizon - 1

    @property
    def ledger(self) -> Actuals | None:
        """The actuals of the closed years (spec section 10), read and checked; None
        without ``actuals:``. The plan (every projection) ignores them."""
        return self._ledger

    @property
    def files(self) -> tuple[SourceFile, ...]:
        """The scenario file and its ``extends`` parents, with SHA-256 hashes."""
        return self._files

    @property
    def data(self) -> dict[str, Any]:
        """The resolved assumptions as plain data (a copy), as a scenario file would hold them."""
        return copy.deepcopy(self._data)

    @property
    def warnings(self) -> tuple[InputWarning, ...]:
        """Likely typing mistakes (an index of 2.5, ``58.000``): see
        :mod:`finmodel.model.input_warnings`, then those of the actuals (a year without
        amounts, ``1.234`` in a Dutch ledger file). They never change a number."""
        if self._warnings is None:
            display = self._files[0].path if self._files else "<data>"
            ledger = self._ledger.warnings if self._ledger is not None else ()
            self._warnings = input_warnings(self._data, self._origins, display) + ledger
        return self._warnings

    def origin(self, path: str) -> Origin:
        """File and line where ``path`` (or its nearest written parent) was set."""
        return _locate(path, self._origins, self._files[0].path if self._files else "<data>")

    def with_changes(self, changes: Mapping[str, Any], source: str = "<changes>") -> Scenario:
        """A new scenario with the values at the given paths replaced, validated again.

        Examples
        --------
        >>> import finmodel
        >>> base = finmodel.load_scenario("scenarios/base.yaml")
        >>> base.with_changes({"finance.opening_cash": 1.0}).finance.opening_cash
        1.0
        """
        data = self.data
        origins = dict(self._origins)
        problems = []
        for path, value in changes.items():
            try:
                set_value(data, path, copy.deepcopy(value))
            except (KeyError, ValueError) as exc:
                problems.append(Problem(
                    source, 0, path, f"cannot set: {exc.args[0]}", "cannot_set",
                    (("reason", exc.args[0]), ("reason_code", getattr(exc, "code", "")),
                     ("reason_values", getattr(exc, "values", {})))))
            for stale in [k for k in origins if k.startswith((f"{path}.", f"{path}["))]:
                del origins[stale]
            origins[path] = Origin(source, 0)
        if problems:
            raise ScenarioError(problems)
        return validate_scenario(data, origins, self._files)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read, merge and validate a scenario file.

    Parameters
    ----------
    path
        The YAML file; ``extends`` resolves relative to each file.

    Raises
    ------
    ScenarioError
        With every problem in the file at once, each as ``FILE:LINE: PATH: message``.

    Examples
    --------
    >>> import finmodel
    >>> scenario = finmodel.load_scenario("scenarios/base.yaml")
    >>> scenario.start_year, scenario.horizon
    (2026, 15)
    """
    data, origins, files, problems = read_scenario_data(path)
    return validate_scenario(data, origins, files, problems)


def validate_scenario(data: Mapping[str, Any], origins: Mapping[str, Origin] | None = None,
                      files: tuple[SourceFile, ...] = (),
                      problems: list[Problem] | None = None) -> Scenario:
    """Validate plain scenario data into a :class:`Scenario`; see :func:`load_scenario`.

    ``problems`` found while reading are reported together with the validation's.
    """
    earlier = list(problems or [])
    origins = dict(origins or {})
    display = files[0].path if files else "<data>"
    ledger, ledger_problems = _ledger(data, origins, display)
    earlier += ledger_problems
    try:
        scenario = Scenario.model_validate(data, context=_context(data))
    except ValidationError as exc:
        found = [_problem(error, data, origins, display) for error in exc.errors()]
        raise ScenarioError(sorted(earlier + found + _capacity_of_raw(data, origins, display))
                            ) from None
    if earlier:
        raise ScenarioError(sorted(earlier))
    scenario._files, scenario._origins, scenario._data = files, origins, copy.deepcopy(dict(data))
    scenario._ledger = ledger
    capacity = _capacity_problems(scenario.years, scenario.facility, scenario.parties,
                                  scenario.origin("parties"))
    if capacity:
        raise ScenarioError(capacity)
    return scenario


def _context(data: Mapping[str, Any]) -> dict[str, Any]:
    """What field validators need from elsewhere in the file, where it is readable."""
    context: dict[str, Any] = {}
    indexation = data.get("indexation", {})
    if isinstance(indexation, Mapping):
        context["indices"] = {k for k in indexation if isinstance(k, str)}
    start, horizon = data.get("start_year"), data.get("horizon")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in (start, horizon)):
        assert isinstance(start, int) and isinstance(horizon, int)
        if FIRST_YEAR <= start <= LAST_YEAR and 1 <= horizon <= 50:  # else: their own errors
            context["years"] = (start, start + horizon - 1)
    return context


def _ledger(data: Mapping[str, Any], origins: Mapping[str, Origin],
            display: str) -> tuple[Actuals | None, list[Problem]]:
    """The actuals, read when the horizon is readable (else the schema reports it)."""
    span = _context(data).get("years")
    if data.get("actuals") is None or span is None:
        return None, []
    return read_actuals(data["actuals"], lambda path: _locate(path, origins, display), span)


def _capacity_problems(years: NDArray[np.int64], facility: Facility,
                       parties: tuple[Party, ...], where: Origin) -> list[Problem]:
    """Own use above the available hours, naming the years (spec section 3)."""
    available = facility.available_hours.at(years)
    own_use = sum((p.own_use_hours.at(years) for p in parties), np.zeros(len(years)))
    # 800.2 + 520.1 is 1320.3000000000002 in binary floats: at capacity, not above it.
    over = own_use > available + 1e-9 * np.maximum(available, 1.0)
    if not over.any():
        return []
    first = int(np.argmax(over))
    return [Problem(where.file, where.line, "parties",
                    f"own use of all parties ({_hours(own_use[first])} h) is above "
                    f"facility.available_hours ({_hours(available[first])} h) in "
                    + ", ".join(str(y) for y in years[over]), "capacity",
                    (("own_use", float(own_use[first])), ("available", float(available[first])),
                     ("years", ", ".join(str(y) for y in years[over]))))]


def _hours(value: float) -> str:
    """Hours to at most two decimals, without trailing zeros: ``1,320.4``, ``1,320``."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _capacity_of_raw(data: Mapping[str, Any], origins: Mapping[str, Origin],
                     display: str) -> list[Problem]:
    """The capacity check on a file with other errors, when its parts needed are valid."""
    context = _context(data)
    if "years" not in context:
        return []
    try:
        facility = Facility.model_validate(data.get("facility"), context=context)
        parties = tuple(Party.model_validate(p, context=context) for p in data.get("parties", []))
    except (ValidationError, TypeError):
        return []
    first, last = context["years"]
    years = np.arange(first, last + 1, dtype=np.int64)
    return _capacity_problems(years, facility, parties, _locate("parties", origins, display))


# --- pydantic errors as problems -------------------------------------------------------------

def _problem(error: Any, data: Mapping[str, Any], origins: Mapping[str, Origin],
             display: str) -> Problem:
    path = _named_path(error["loc"], data)
    where = _locate(path, origins, display)
    code, values = _code(error, path)
    return Problem(where.file, where.line, path or "(top level)", _message(error, path), code,
                   tuple(values.items()))


def _named_path(loc: tuple[Any, ...], data: Any) -> str:
    """Pydantic's location with list positions replaced by ``[name]`` where items have one."""
    parts: list[str | int] = []
    node = data
    for key in loc:
        if key == "[key]":
            continue
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            names = [item.get("name") if isinstance(item, dict) else None for item in node]
            name = names[key]
            unique = isinstance(name, str) and name not in names[:key]
            node = node[key]
            parts.append(f"[{name}]" if unique else key)
        elif isinstance(node, dict) and key in node:
            node = node[key]
            parts.append(str(key))
        elif isinstance(key, str) and not key.startswith(("function-", "tagged-union")):
            node = None
            parts.append(key)
    return format_path(tuple(parts))


def _locate(path: str, origins: Mapping[str, Origin], display: str) -> Origin:
    probe = path
    while probe:
        if probe in origins:
            return origins[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return Origin(display, 1)


_TYPE_WORDS = {
    "int_type": "a whole number", "int_from_float": "a whole number",
    "string_type": "text", "bool_type": "true or false", "dict_type": "a mapping",
    "model_type": "a mapping", "model_attributes_type": "a mapping",
    "list_type": "a list", "tuple_type": "a list", "float_type": "a number",
}


#: Kinds of the schema's errors (model/schema.py) that have one sentence each.
_SINGLE_MESSAGE = frozenset({"range", "year", "horizon", "duplicate_name", "unknown_index",
                             "series_year", "number_size", "name", "index_name", "window",
                             "phase_out", "subsidy_both", "subsidy_form",
                             "release_years_needed", "release_years_operating",
                             "distribution_count", "distribution_order"})
_COMPARISONS = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">",
                "less_than": "<"}


def _code(error: Any, path: str) -> tuple[str, dict[str, Any]]:
    """The most common problems as a code and values (their English sentence is
    :func:`_message`'s), so that a view can say them in Dutch; ``("", {})`` for others."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "missing":
        return "required", {}
    if kind == "extra_forbidden":
        return "unknown_key", {"allowed": ", ".join(_allowed_keys(path))}
    if kind in _TYPE_WORDS:
        return "type", {"expected": kind, "got": repr(value)}
    if kind == "literal_error":
        return "one_of", {"expected": ctx.get("expected"), "got": repr(value)}
    if kind in _COMPARISONS:
        return "bound", {"sign": _COMPARISONS[kind], "bound": next(iter(ctx.values())),
                         "got": repr(value)}
    if kind in ("number_type", "number_finite"):
        return kind, {"got": ctx.get("value")}
    if kind == "series_type":
        return ("series_type", {"form": ctx.get("form"), "got": ctx["value"]}) \
            if "value" in ctx else ("series_empty", {"form": ctx.get("form")})
    if kind in _SINGLE_MESSAGE:  # the schema's own errors: one sentence per kind
        return kind, dict(ctx)
    return "", {}


def _message(error: Any, path: str) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return f"unknown key; allowed: {', '.join(_allowed_keys(path))}"
    if kind in _TYPE_WORDS:
        return f"must be {_TYPE_WORDS[kind]}, got {value!r}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {value!r}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        sign = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">",
                "less_than": "<"}[kind]
        bound = next(iter(ctx.values()))
        return f"must be {sign} {bound}, got {value!r}"
    if kind in ("too_short", "string_too_short"):
        return f"must not be empty, got {value!r}"
    if kind == "too_long":
        return f"has too many values ({len(value)}), got {value!r}"
    return str(error["msg"])


def _allowed_keys(path: str) -> list[str]:
    """Field names (YAML spelling) of the model that holds the unknown key at ``path``."""
    from finmodel.model import schema as _schema

    model: Any = _schema.ScenarioModel
    parts = [p for p in path.replace("[", ".[").split(".") if p][:-1]
    for part in parts:
        if part.startswith("["):
            continue
        field = model.model_fields.get(part)
        if field is None:
            break
        model = _model_in(field.annotation)
        if model is None:
            return []
    return sorted(f.alias or name for name, f in model.model_fields.items())


def _model_in(annotation: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None

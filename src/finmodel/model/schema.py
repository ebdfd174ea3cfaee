"""The scenario schema (spec section 2) as frozen pydantic models.

Validation happens once, here; the engine trusts what comes out. Field validators are
small named factories whose messages state the rule and the value found. Checks that
need the whole file (index names, the horizon) read them from the validation context
that :func:`finmodel.model.scenario.validate` passes in.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from finmodel.model.series import Series

__all__ = [
    "FIRST_YEAR", "LAST_YEAR", "MAX_NUMBER", "json_schema",
    "Benefit", "Contribution", "Distribution", "Facility", "Finance", "Investment", "Loan",
    "OperatingCost", "Partnership", "Party", "PhaseOut", "Rental", "Risk", "ScenarioModel",
    "Segment", "Subsidy",
]


# --- rules and value validators -----------------------------------------------------------

def _fmt(value: float) -> str:
    return f"{value:g}"


class _Rule:
    """A bound on numbers, with the text that states it."""

    def __init__(self, text: str, test: Callable[[float], bool]) -> None:
        self.text = text
        self.test = test


ANY = _Rule("", lambda v: True)
NON_NEGATIVE = _Rule("must be >= 0", lambda v: v >= 0)
POSITIVE = _Rule("must be > 0", lambda v: v > 0)
SHARE = _Rule("must be between 0 and 1", lambda v: 0 <= v <= 1)
# Wide enough that a percentage typed as a number (2.5 for 2.5 %) loads and gets a
# warning (input_warnings); narrow enough that 50 years of growth or discounting stay finite.
RATE = _Rule("must be between -0.99 and 100 (-99 % to +10,000 % a year)",
             lambda v: -0.99 <= v <= 100)

#: The largest size of any number in a scenario (euros, hours, tariffs): a million
#: million. Beyond it products over 50 years could overflow to infinity.
MAX_NUMBER = 1e12
#: Calendar years a scenario may name (start, windows, series keys).
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _error(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, ctx)


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _error("number_type", "must be a number, got {value}", value=repr(value))
    if not math.isfinite(value):
        raise _error("number_finite", "must be a finite number, got {value}", value=repr(value))
    if abs(value) > MAX_NUMBER:
        raise _error("number_size", "must be at most 1e12 (a million million) in size, "
                                    "got {value}", value=_fmt(value))
    return float(value)


def _checked(value: float, rule: _Rule, where: str = "") -> float:
    if not rule.test(value):
        raise _error("range", "{rule}, got {value}{where}", rule=rule.text, value=_fmt(value),
                     where=where)
    return value


def _number(rule: _Rule) -> Callable[[Any], float]:
    def validate(value: Any) -> float:
        return _checked(_as_float(value), rule)
    return validate


def _series(rule: _Rule) -> Callable[[Any], Series]:
    def validate(value: Any) -> Series:
        if isinstance(value, dict):
            if not value:
                raise _error("series_type", "must be a number or a mapping {form}, "
                                            "got an empty mapping", form="{year: value}")
            points = []
            for year, item in sorted(value.items(), key=lambda kv: str(kv[0])):
                if (isinstance(year, bool) or not isinstance(year, int)
                        or not FIRST_YEAR <= year <= LAST_YEAR):
                    raise _error("series_year", "keys must be calendar years "
                                 "{first}..{last}, got {year}", year=repr(year),
                                 first=FIRST_YEAR, last=LAST_YEAR)
                points.append((year, _checked(_as_float(item), rule, f" (in {year})")))
            points.sort()
            return Series(tuple(y for y, _ in points), tuple(v for _, v in points))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _error("series_type", "must be a number or a mapping {form}, "
                                        "got {value}", value=repr(value),
                     form="{year: value}")
        return Series.constant(_checked(_as_float(value), rule))
    return validate


def _context(info: ValidationInfo, key: str) -> Any:
    return (info.context or {}).get(key)


def _index_name(value: str, info: ValidationInfo) -> str:
    known = _context(info, "indices")
    if known is not None and value not in known:
        allowed = ", ".join(sorted(known)) or "none defined under indexation"
        raise _error("unknown_index", "unknown index {value}; allowed: {allowed}",
                     value=repr(value), allowed=allowed)
    return value


def _calendar_year(value: int) -> int:
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise _error("year", "must be a calendar year {first}..{last}, got {value}",
                     first=FIRST_YEAR, last=LAST_YEAR, value=value)
    return value


def _plain_name(value: str) -> str:
    """Names appear in paths (``parties[NAME]``) and one-line messages."""
    if "[" in value or "]" in value or any(ord(c) < 32 for c in value):
        raise _error("name", "must not contain [ or ] or line breaks (names are used in "
                     "paths such as parties[NAME]), got {value}", value=repr(value))
    return value


def _index_key(value: str) -> str:
    """Index names end paths (``indexation.cpi``), so a dot or bracket would split them."""
    if not value or any(c in value for c in ".[]") or any(ord(c) < 32 for c in value):
        raise _error("index_name", "index names must be non-empty, without . [ ] or line "
                     "breaks (they are used in paths such as indexation.cpi), got {value}",
                     value=repr(value))
    return value


def _horizon_year(value: int, info: ValidationInfo) -> int:
    span = _context(info, "years")
    if span is not None and not span[0] <= value <= span[1]:
        raise _error("horizon", "must be within the horizon {first}..{last}, got {value}",
                     first=span[0], last=span[1], value=value)
    return value


def _unique_names(items: tuple[Any, ...]) -> tuple[Any, ...]:
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            raise _error("duplicate_name", "duplicate name {name}: names in a list must differ",
                         name=repr(item.name))
        seen.add(item.name)
    return items


def _number_schema(low: float, high: float, open_low: bool = False) -> dict[str, Any]:
    return {"type": "number", "exclusiveMinimum" if open_low else "minimum": low,
            "maximum": high}


def _series_schema(number: dict[str, Any]) -> WithJsonSchema:
    """A number, or a step function ``{year: value}`` (keys are years, as YAML text)."""
    return WithJsonSchema({"anyOf": [number, {
        "type": "object", "minProperties": 1, "additionalProperties": number,
        "propertyNames": {"pattern": "^[0-9]{4}$"}}]})


_ANY_NUMBER = _number_schema(-MAX_NUMBER, MAX_NUMBER)
_NON_NEGATIVE_NUMBER = _number_schema(0, MAX_NUMBER)
_SHARE_NUMBER = _number_schema(0, 1)
Number = Annotated[float, PlainValidator(_number(ANY)), WithJsonSchema(_ANY_NUMBER)]
NonNegative = Annotated[float, PlainValidator(_number(NON_NEGATIVE)),
                        WithJsonSchema(_NON_NEGATIVE_NUMBER)]
Share = Annotated[float, PlainValidator(_number(SHARE)), WithJsonSchema(_SHARE_NUMBER)]
Rate = Annotated[float, PlainValidator(_number(RATE)),
                 WithJsonSchema(_number_schema(-0.99, 100))]
AnySeries = Annotated[Series, PlainValidator(_series(ANY)), _series_schema(_ANY_NUMBER)]
NonNegativeSeries = Annotated[Series, PlainValidator(_series(NON_NEGATIVE)),
                              _series_schema(_NON_NEGATIVE_NUMBER)]
PositiveSeries = Annotated[Series, PlainValidator(_series(POSITIVE)),
                           _series_schema(_number_schema(0, MAX_NUMBER, open_low=True))]
RateSeries = Annotated[Series, PlainValidator(_series(RATE)),
                       _series_schema(_number_schema(-0.99, 100))]
IndexName = Annotated[StrictStr, AfterValidator(_index_name)]
_YEAR_SCHEMA = WithJsonSchema({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR})
CalendarYear = Annotated[StrictInt, AfterValidator(_calendar_year), _YEAR_SCHEMA]
HorizonYear = Annotated[StrictInt, AfterValidator(_calendar_year),
                        AfterValidator(_horizon_year), _YEAR_SCHEMA]
Name = Annotated[StrictStr, Field(min_length=1), AfterValidator(_plain_name)]
#: Counts of years (lives, releases, phase-out lengths): at most a millennium.
Years = Annotated[StrictInt, Field(ge=1, le=1000)]
YearsOrNone = Annotated[StrictInt, Field(ge=0, le=1000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class _Windowed(_Model):
    """An item with an optional window of calendar years, both ends inclusive."""

    from_: CalendarYear | None = Field(None, alias="from")
    until: CalendarYear | None = None

    @model_validator(mode="after")
    def _window_order(self) -> _Windowed:
        if self.from_ is not None and self.until is not None and self.until < self.from_:
            raise _error("window", "until ({until}) is before from ({start})",
                         until=self.until, start=self.from_)
        return self


# --- the scenario -------------------------------------------------------------------------

class Facility(_Model):
    available_hours: PositiveSeries
    own_use_value_per_hour: NonNegativeSeries = Series.constant(0.0)
    own_use_value_indexation: IndexName | None = None


class Investment(_Model):
    name: Name
    amount: NonNegative
    year: HorizonYear
    life: Years
    replace: StrictBool = False
    indexation: IndexName | None = None


class OperatingCost(_Windowed):
    name: Name
    category: StrictStr | None = None
    amount: NonNegativeSeries
    indexation: IndexName | None = None


class Segment(_Windowed):
    name: Name
    tariff: NonNegativeSeries
    indexation: IndexName | None = None
    discount: Share = 0.0
    demand_hours: NonNegativeSeries
    ramp_up: tuple[Share, ...] = ()


class Rental(_Model):
    variable_cost_per_hour: NonNegativeSeries = Series.constant(0.0)
    variable_cost_indexation: IndexName | None = None
    segments: Annotated[tuple[Segment, ...], AfterValidator(_unique_names)] = ()


class PhaseOut(_Model):
    start: HorizonYear | None = None
    full_years: YearsOrNone = 0
    taper_years: YearsOrNone = 0
    shape: Literal["linear", "step"] = "linear"

    @model_validator(mode="after")
    def _step_has_no_taper(self) -> PhaseOut:
        if self.shape == "step" and self.taper_years:
            raise _error("phase_out", "shape step has no taper: taper_years must be 0, got {n}",
                         n=self.taper_years)
        return self


class Subsidy(_Model):
    name: Name
    type: Literal["operating", "investment"]
    amounts: dict[HorizonYear, NonNegative] | None = None
    amount: NonNegative | None = None
    phase_out: PhaseOut | None = None
    release_years: Years | None = None
    cofinancing_ratio: NonNegative | None = None

    @model_validator(mode="after")
    def _one_payment_form(self) -> Subsidy:
        if self.amounts is not None and (self.amount is not None or self.phase_out is not None):
            raise _error("subsidy_both", "give either amounts or amount with phase_out, not both")
        if self.amounts is None and (self.amount is None or self.phase_out is None):
            raise _error("subsidy_form", "needs amounts {form}, or amount together "
                                         "with phase_out", form="{year: euros}")
        if self.type == "investment" and self.release_years is None:
            raise _error("release_years_needed",
                         "an investment subsidy needs release_years (>= 1)")
        if self.type == "operating" and self.release_years is not None:
            raise _error("release_years_operating",
                         "release_years applies to investment subsidies only")
        return self


class Contribution(_Windowed):
    name: Name
    type: Literal["cash", "in_kind"]
    amount: NonNegativeSeries
    indexation: IndexName | None = None


class Benefit(_Windowed):
    name: Name
    amount: NonNegativeSeries
    indexation: IndexName | None = None


class Party(_Model):
    name: Name
    role: Literal["public", "commercial", "other"]
    objectives: tuple[StrictStr, ...] = ()  # (v1.1) free text, shown in reports as written
    responsibilities: tuple[StrictStr, ...] = ()
    own_use_hours: NonNegativeSeries = Series.constant(0.0)
    contributions: Annotated[tuple[Contribution, ...], AfterValidator(_unique_names)] = ()
    benefits: Annotated[tuple[Benefit, ...], AfterValidator(_unique_names)] = ()


class Partnership(_Model):
    """(v1.1) The agreement's common terms: free text that reports show as written."""

    objectives: tuple[StrictStr, ...] = ()


class Loan(_Model):
    """A loan (contract v1.1, section 9): drawn at the start of ``year``, nominal euros.

    ``rate`` is the yearly interest rate on the balance at the start of each year;
    ``grace_years`` interest-only years come before ``term`` years of repayment.
    """

    name: Name
    amount: Annotated[float, PlainValidator(_number(POSITIVE)),
                      WithJsonSchema(_number_schema(0, MAX_NUMBER, open_low=True))]
    year: HorizonYear
    rate: NonNegative
    term: Years
    grace_years: YearsOrNone = 0
    repayment: Literal["linear", "annuity"] = "linear"


class Finance(_Model):
    opening_cash: Number = 0.0
    minimum_cash: Number = 0.0
    discount_rate: Rate = 0.04
    loans: Annotated[tuple[Loan, ...], AfterValidator(_unique_names)] = ()


class Distribution(_Model):
    """One of uniform, triangular, normal, lognormal, and how a draw applies."""

    uniform: tuple[Number, Number] | None = None
    triangular: tuple[Number, Number, Number] | None = None
    normal: tuple[Number, NonNegative] | None = None
    lognormal: tuple[Number, NonNegative] | None = None
    apply: Literal["replace", "multiply"] = "replace"

    @model_validator(mode="after")
    def _exactly_one(self) -> Distribution:
        given = [k for k in ("uniform", "triangular", "normal", "lognormal")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise _error("distribution_count", "give exactly one of uniform, triangular, "
                                               "normal, lognormal; got {n}", n=len(given))
        low_high = self.uniform or self.triangular
        if low_high is not None and list(low_high) != sorted(low_high):
            raise _error("distribution_order",
                         "{name} bounds must be in increasing order, got {v}",
                         name=given[0], v=list(low_high))
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("uniform", "triangular", "normal", "lognormal")
                    if getattr(self, k) is not None)

    @property
    def params(self) -> tuple[float, ...]:
        value = getattr(self, self.kind)
        assert value is not None
        return tuple(value)


class Risk(_Model):
    name: Name
    probability: Share
    description: StrictStr = ""
    overrides: dict[StrictStr, Any] = {}


class ScenarioModel(_Model):
    name: StrictStr
    description: StrictStr = ""
    language: Literal["en", "nl"] | None = None  # of the reports; --lang overrides it
    start_year: CalendarYear
    horizon: Annotated[StrictInt, Field(ge=1, le=50)]
    indexation: dict[Annotated[StrictStr, AfterValidator(_index_key)], RateSeries] = {}
    facility: Facility
    investments: Annotated[tuple[Investment, ...], AfterValidator(_unique_names)] = ()
    operating_costs: Annotated[tuple[OperatingCost, ...], AfterValidator(_unique_names)] = ()
    rental: Rental = Rental()
    subsidies: Annotated[tuple[Subsidy, ...], AfterValidator(_unique_names)] = ()
    partnership: Partnership = Partnership()
    parties: Annotated[tuple[Party, ...], AfterValidator(_unique_names)] = ()
    finance: Finance = Finance()
    uncertainty: dict[StrictStr, Distribution] = {}
    seed: Annotated[StrictInt, Field(ge=0)] = 0
    risks: Annotated[tuple[Risk, ...], AfterValidator(_unique_names)] = ()
    #: (v1.1) a CSV file name or ``{year: {LINE: amount}}``, as written; read and checked
    #: by :mod:`finmodel.model.actuals` (its problems name the CSV row or the YAML line)
    actuals: Annotated[Any, Field(json_schema_extra={
        "description": "(v1.1) actuals of the closed years: a CSV file (line,YEAR,...) "
                       "relative to this file, or {year: {LINE: amount}}",
        "anyOf": [{"type": "string"},
                  {"type": "object", "additionalProperties": {
                      "type": "object", "additionalProperties": {"type": ["number", "null"]}}}],
    })] = None


# --- JSON Schema for editors ---------------------------------------------------------------

def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 7) of a scenario *file*, for editors and CI.

    Generated from the models above, so it names every key, type and range the loader
    accepts. A file that ``extends`` another states only what differs, so nothing is
    required in it; a file without ``extends`` needs the top-level keys the loader needs.
    Rules that need the whole file (index names, years inside the horizon, capacity) are
    left to ``finmodel check``.

    Examples
    --------
    >>> schema = json_schema()
    >>> schema["else"]["required"]
    ['start_year', 'horizon', 'facility']
    >>> schema["properties"]["finance"]["$ref"]
    '#/definitions/Finance'
    """
    from pydantic.json_schema import GenerateJsonSchema

    class _Generate(GenerateJsonSchema):
        def encode_default(self, dft: Any) -> Any:
            if isinstance(dft, Series):  # a default series is a constant
                return dft.values[0]
            if isinstance(dft, BaseModel):  # a left-out block: all its defaults
                return {}
            return super().encode_default(dft)

    generated = ScenarioModel.model_json_schema(schema_generator=_Generate, mode="validation")
    # Draft 7, which YAML language servers read: definitions instead of $defs.
    schema: dict[str, Any] = json.loads(
        json.dumps(generated).replace('"#/$defs/', '"#/definitions/'))
    schema["definitions"] = schema.pop("$defs")
    required = [k for k in schema.pop("required", []) if k != "name"]
    _drop_required(schema)
    for definition in schema["definitions"].values():
        if "name" in definition.get("properties", {}):
            definition["properties"]["remove"] = {
                "type": "boolean", "description": "in a file that extends another: drop the "
                "parent's item of this name"}
    schema["properties"]["extends"] = {
        "type": "string", "description": "the parent scenario file, relative to this one"}
    schema["properties"]["name"].pop("default", None)
    schema.update({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "finmodel scenario",
        "description": "A finmodel scenario file (docs/scenario-format.md).",
        "if": {"required": ["extends"]}, "then": {}, "else": {"required": required}})
    return schema


def _drop_required(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("required", None)
        for value in node.values():
            _drop_required(value)
    elif isinstance(node, list):
        for item in node:
            _drop_required(item)

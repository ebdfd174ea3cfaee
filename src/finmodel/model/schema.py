"""The scenario schema (spec section 2) as frozen pydantic models.

Validation happens once, here; the engine trusts what comes out. Field validators are
small named factories whose messages state the rule and the value found. Checks that
need the whole file (index names, the horizon) read them from the validation context
that :func:`finmodel.model.scenario.validate` passes in.
"""

from __future__ import annotations

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
    model_validator,
)
from pydantic_core import PydanticCustomError

from finmodel.model.series import Series

__all__ = [
    "Benefit", "Contribution", "Distribution", "Facility", "Finance", "Investment",
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
RATE = _Rule("must be > -1", lambda v: v > -1)


def _error(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, ctx)


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _error("number_type", "must be a number, got {value}", value=repr(value))
    if not math.isfinite(value):
        raise _error("number_finite", "must be a finite number, got {value}", value=repr(value))
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
                if isinstance(year, bool) or not isinstance(year, int):
                    raise _error("series_year", "keys must be calendar years, got {year}",
                                 year=repr(year))
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


Number = Annotated[float, PlainValidator(_number(ANY))]
NonNegative = Annotated[float, PlainValidator(_number(NON_NEGATIVE))]
Share = Annotated[float, PlainValidator(_number(SHARE))]
AnySeries = Annotated[Series, PlainValidator(_series(ANY))]
NonNegativeSeries = Annotated[Series, PlainValidator(_series(NON_NEGATIVE))]
PositiveSeries = Annotated[Series, PlainValidator(_series(POSITIVE))]
RateSeries = Annotated[Series, PlainValidator(_series(RATE))]
IndexName = Annotated[StrictStr, AfterValidator(_index_name)]
HorizonYear = Annotated[StrictInt, AfterValidator(_horizon_year)]
Name = Annotated[StrictStr, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class _Windowed(_Model):
    """An item with an optional window of calendar years, both ends inclusive."""

    from_: StrictInt | None = Field(None, alias="from")
    until: StrictInt | None = None

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
    life: Annotated[StrictInt, Field(ge=1)]
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
    full_years: Annotated[StrictInt, Field(ge=0)] = 0
    taper_years: Annotated[StrictInt, Field(ge=0)] = 0
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
    release_years: Annotated[StrictInt, Field(ge=1)] | None = None
    cofinancing_ratio: NonNegative | None = None

    @model_validator(mode="after")
    def _one_payment_form(self) -> Subsidy:
        if self.amounts is not None and (self.amount is not None or self.phase_out is not None):
            raise _error("subsidy_form", "give either amounts or amount with phase_out, not both")
        if self.amounts is None and (self.amount is None or self.phase_out is None):
            raise _error("subsidy_form", "needs amounts {form}, or amount together "
                                         "with phase_out", form="{year: euros}")
        if self.type == "investment" and self.release_years is None:
            raise _error("release_years", "an investment subsidy needs release_years (>= 1)")
        if self.type == "operating" and self.release_years is not None:
            raise _error("release_years", "release_years applies to investment subsidies only")
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


class Finance(_Model):
    opening_cash: Number = 0.0
    minimum_cash: Number = 0.0
    discount_rate: Annotated[float, PlainValidator(_number(RATE))] = 0.04


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
            raise _error("distribution", "give exactly one of uniform, triangular, normal, "
                                         "lognormal; got {n}", n=len(given))
        low_high = self.uniform or self.triangular
        if low_high is not None and list(low_high) != sorted(low_high):
            raise _error("distribution", "{name} bounds must be in increasing order, got {v}",
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
    start_year: StrictInt
    horizon: Annotated[StrictInt, Field(ge=1, le=50)]
    indexation: dict[StrictStr, RateSeries] = {}
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

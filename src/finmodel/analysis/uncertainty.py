"""The ``uncertainty:`` block (spec section 7): validation, quantiles and sampling.

Each entry maps a parameter path to a distribution. A draw either replaces the
parameter in every year (``apply: replace``) or multiplies its series
(``apply: multiply``). This module checks the block against the scenario, gives the
quantiles the tornado needs and draws reproducible samples; Monte Carlo itself lives
in :mod:`finmodel.analysis.simulation`.

Invalid values. A distribution whose draws can leave a parameter's allowed range is an
error, stated with the range and the interval the draws cover. For the unbounded
normal the checked interval is the central 99.99 % (mean +- 3.89 sd); the rare draws
beyond it that would still leave the range are clipped to the nearest allowed value.
"""

from __future__ import annotations

import difflib
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
from numpy.typing import NDArray

from finmodel.model.errors import FinModelError, Problem, ScenarioError
from finmodel.model.inputs import numeric_parameters
from finmodel.model.paths import parse_path
from finmodel.model.scenario import Scenario
from finmodel.model.schema import MAX_NUMBER, Distribution
from finmodel.model.series import Series

__all__ = ["Bounds", "bounds_of", "check_uncertainty", "quantile", "sample", "spread"]

Array = NDArray[np.float64]

#: Half-width, in standard deviations, of the central 99.99 % of a normal distribution.
NORMAL_REACH = NormalDist().inv_cdf(1 - 0.00005)


@dataclass(frozen=True)
class Bounds:
    """The values a parameter may take: ``low``/``high`` inclusive unless ``open_low``."""

    low: float
    high: float
    open_low: bool
    text: str
    #: The rule's name (``share``, ``rate``...), for the views' catalogue (``err.bounds.*``).
    name: str = ""

    def clip(self, values: Array) -> Array:
        low = np.nextafter(self.low, np.inf) if self.open_low else self.low
        return np.clip(values, low, self.high)

    def holds(self, value: float) -> bool:
        above = value > self.low if self.open_low else value >= self.low
        return above and value <= self.high


# The schema's rules, with its cap on the size of any number (MAX_NUMBER).
_SHARE = Bounds(0.0, 1.0, False, "between 0 and 1", "share")
_RATE = Bounds(-0.99, 100.0, False, "between -0.99 and 100", "rate")
_POSITIVE = Bounds(0.0, MAX_NUMBER, True, "> 0 (at most 1e12)", "positive")
_NON_NEGATIVE = Bounds(0.0, MAX_NUMBER, False, ">= 0 (at most 1e12)", "non_negative")
_ANY = Bounds(-MAX_NUMBER, MAX_NUMBER, False, "between -1e12 and 1e12", "any")


def bounds_of(path: str) -> Bounds:
    """The allowed range of a numeric parameter (the schema's rule for its field).

    Examples
    --------
    >>> bounds_of("rental.segments[Schools].discount").text
    'between 0 and 1'
    >>> bounds_of("indexation.cpi").text, bounds_of("finance.opening_cash").text
    ('between -0.99 and 100', 'between -1e12 and 1e12')
    """
    if path.endswith(".discount"):
        return _SHARE
    if path.startswith("indexation.") or path == "finance.discount_rate":
        return _RATE
    if path == "facility.available_hours":
        return _POSITIVE
    if path in ("finance.opening_cash", "finance.minimum_cash"):
        return _ANY
    if path.startswith("finance.loans["):
        return _LOAN_BOUNDS.get(path.rsplit(".", 1)[-1], _NON_NEGATIVE)
    return _NON_NEGATIVE


#: A loan's term is >= 1 year; its year must lie in the horizon (checked against the
#: scenario in :func:`check_uncertainty`); amount, rate and grace years are >= 0. A file
#: must state an amount > 0 (a loan of 0 is a slip), but a varied amount may reach 0:
#: no loan, which is where a goal seek for the amount starts.
_LOAN_BOUNDS = {"term": Bounds(1.0, math.inf, False, ">= 1", "term"), "year": _ANY}


def _exp(x: float) -> float:
    """``exp`` that stays finite: a lognormal with a huge mean then fails the range check."""
    return math.exp(min(x, 709.0))


def quantile(dist: Distribution, q: float) -> float:
    """The ``q``-quantile (0 < q < 1) of a distribution, e.g. its P10 for the tornado.

    Examples
    --------
    >>> quantile(Distribution(uniform=(0.0, 2.0)), 0.25)
    0.5
    >>> round(quantile(Distribution(normal=(100.0, 10.0)), 0.9), 4)
    112.8155
    >>> round(quantile(Distribution(triangular=(0.0, 0.0, 1.0)), 0.19), 12)
    0.1
    """
    p = dist.params
    if dist.kind == "uniform":
        return p[0] + q * (p[1] - p[0])
    if dist.kind == "triangular":
        low, mode, high = p
        if high == low:
            return low
        split = (mode - low) / (high - low)
        if q <= split:
            return low + math.sqrt(q * (high - low) * (mode - low))
        return high - math.sqrt((1 - q) * (high - low) * (high - mode))
    z = NormalDist().inv_cdf(q)
    value = p[0] + z * p[1]
    return _exp(value) if dist.kind == "lognormal" else value


def spread(dist: Distribution) -> tuple[float, float]:
    """The interval the draws cover: the support, or the central 99.99 % of a normal.

    Examples
    --------
    >>> spread(Distribution(triangular=(1.0, 2.0, 4.0)))
    (1.0, 4.0)
    >>> spread(Distribution(lognormal=(0.0, 0.0)))
    (1.0, 1.0)
    """
    p = dist.params
    if dist.kind in ("uniform", "triangular"):
        return p[0], p[-1]
    reach = NORMAL_REACH * p[1]
    if dist.kind == "lognormal":
        return 0.0 if p[1] else _exp(p[0]), _exp(p[0] + reach)
    return p[0] - reach, p[0] + reach


def check_uncertainty(scenario: Scenario) -> None:
    """Check the ``uncertainty`` block against the scenario; raise every problem at once.

    Raises
    ------
    ScenarioError
        For a path that is not a numeric parameter of the scenario (naming the allowed
        paths) and for a distribution whose draws can leave the parameter's range.

    Examples
    --------
    >>> import finmodel
    >>> check_uncertainty(finmodel.load_scenario("scenarios/base.yaml"))
    """
    known = numeric_parameters(scenario)
    problems = []
    for path, dist in scenario.uncertainty.items():
        where = scenario.origin(f"uncertainty.{path}")
        code, values = (_unknown(path, known) if path not in known
                        else _out_of_range(scenario, path, dist))
        if code:
            problems.append(Problem(where.file, where.line, f"uncertainty.{path}",
                                    _SENTENCES[code].format(**values), code,
                                    tuple(values.items())))
    if problems:
        raise ScenarioError(problems)


#: The English sentences of the block's problems; the views' catalogue says them under
#: ``err.CODE`` (and in Dutch) from the same values.
_SENTENCES = {
    "uncertainty_unknown": "not a numeric parameter of this scenario; {hint}allowed: {allowed}",
    "uncertainty_range": "{kind} [{params}] with apply: {apply} gives {what} from {low:g} to "
                         "{high:g}{central}, but the parameter must be {rule}; narrow the "
                         "distribution or use a bounded one (uniform, triangular)",
}
_WHAT = {"replace": "values", "multiply": "products with the base values"}


def _unknown(path: str, known: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    close = difflib.get_close_matches(path, list(known), n=1)
    return "uncertainty_unknown", {
        "hint": f"did you mean {close[0]!r}? " if close else "",
        "close": repr(close[0]) if close else "", "allowed": ", ".join(sorted(known))}


def _out_of_range(scenario: Scenario, path: str,
                  dist: Distribution) -> tuple[str, dict[str, Any]]:
    bounds = bounds_of(path)
    if path.startswith("finance.loans[") and path.endswith(".year"):
        first, last = scenario.start_year, scenario.end_year
        bounds = Bounds(first, last, False, f"within the horizon {first}..{last}", "horizon")
    low, high = spread(dist)
    if dist.apply == "multiply":
        base = base_values(scenario, path)
        ends = [float(v) for v in (base.min() * low, base.min() * high,
                                   base.max() * low, base.max() * high)]
        low, high = min(ends), max(ends)
    if bounds.holds(low) and bounds.holds(high):
        return "", {}
    central = " (central 99.99 %)" if dist.kind in ("normal", "lognormal") else ""
    return "uncertainty_range", {
        "kind": dist.kind, "params": ", ".join(f"{v:g}" for v in dist.params),
        "apply": dist.apply, "what": _WHAT[dist.apply], "low": low, "high": high,
        "central": central, "rule": bounds.text, "bounds": bounds.name,
        "first": scenario.start_year, "last": scenario.end_year}


def base_values(scenario: Scenario, path: str) -> Array:
    """A parameter's value in each year of the horizon, as validated (defaults included;
    a number repeats).

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> base_values(base, "indexation.wages")[[0, 5]].tolist()
    [0.03, 0.0275]
    >>> float(base_values(base, "rental.segments[Care organisations].discount")[0])
    0.0
    """
    node: Any = scenario
    for part in parse_path(path):
        assert isinstance(part, str)
        if part.startswith("["):
            node = next(item for item in node if item.name == part[1:-1])
        elif isinstance(node, Mapping):
            node = node[part]
        else:
            node = getattr(node, part)
    if isinstance(node, Series):
        return node.at(scenario.years)
    return np.full(scenario.horizon, float(node))


def _stream(seed: int, name: str) -> np.random.Generator:
    """One generator per parameter: adding a parameter leaves the others' draws alone."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


class Sampler:
    """Draws of every uncertain parameter, in consecutive chunks of one long sequence.

    The draws do not depend on the chunk size: chunks of 10 and 90 give the same
    100 draws as one chunk of 100.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.seed = scenario.seed if seed is None else seed
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise FinModelError(f"seed: must be a whole number >= 0, got {self.seed!r}",
                                code="seed", got=repr(self.seed))
        self.items = dict(scenario.uncertainty)
        self.bounds = {path: bounds_of(path) for path in self.items}
        self.factor_bounds = {path: _factor_bounds(scenario, path) for path, dist
                              in self.items.items() if dist.apply == "multiply"}
        self.streams = {path: _stream(self.seed, path) for path in self.items}
        self.risk_stream = _stream(self.seed, "risks")

    def next(self, n: int) -> tuple[dict[str, Array], dict[str, Array]]:
        """The next ``n`` draws as ``(draws, multiply)`` for :func:`finmodel.evaluate`."""
        draws: dict[str, Array] = {}
        multiply: dict[str, Array] = {}
        for path, dist in self.items.items():
            values = _draw(self.streams[path], dist, n)
            if dist.apply == "multiply":
                multiply[path] = self.factor_bounds[path].clip(values)
            else:
                draws[path] = self.bounds[path].clip(values)
        return draws, multiply

    def risks(self, probabilities: Array, n: int) -> NDArray[np.bool_]:
        """Which of the risks occur in each of the next ``n`` draws: shape ``(n, R)``."""
        return self.risk_stream.random((n, len(probabilities))) < probabilities

    def skip(self, n: int, risks: int = 0) -> None:
        """Move every stream past the next ``n`` draws (and ``risks`` risk decisions per
        draw) without keeping them: afterwards :meth:`next` gives what it would have given
        after ``next(n)`` (and ``risks(..., n)``).

        Uniform and triangular draws take one 64-bit step each, so their streams jump
        (``bit_generator.advance``, no work per draw); normal draws take a varying number
        of steps (ziggurat rejection), so they are drawn into a scratch buffer.

        Examples
        --------
        >>> import finmodel
        >>> base = finmodel.load_scenario("scenarios/base.yaml")
        >>> one, two = Sampler(base, 7), Sampler(base, 7)
        >>> _ = one.next(1000); two.skip(1000)
        >>> a, b = one.next(5)[0], two.next(5)[0]
        >>> all(np.array_equal(a[k], b[k]) for k in a)
        True
        """
        for path, dist in self.items.items():
            _skip(self.streams[path], dist, n)
        if risks:
            _advance(self.risk_stream, n * risks)


def _factor_bounds(scenario: Scenario, path: str) -> Bounds:
    """Factors that keep ``factor * base`` allowed (where a sign rule applies)."""
    bounds = bounds_of(path)
    if bounds.low < 0:
        return _ANY
    top = float(base_values(scenario, path).max())
    high = bounds.high / top if top > 0 else math.inf
    return Bounds(0.0, high, bounds.open_low, bounds.text)


def _draw(rng: np.random.Generator, dist: Distribution, n: int) -> Array:
    p = dist.params
    if dist.kind == "uniform":
        return rng.uniform(p[0], p[1], n) if p[1] > p[0] else np.full(n, p[0])
    if dist.kind == "triangular":
        return rng.triangular(p[0], p[1], p[2], n) if p[2] > p[0] else np.full(n, p[0])
    if dist.kind == "normal":
        return rng.normal(p[0], p[1], n)
    return rng.lognormal(p[0], p[1], n)


def _skip(rng: np.random.Generator, dist: Distribution, n: int) -> None:
    """Consume exactly what ``_draw(rng, dist, n)`` consumes."""
    p = dist.params
    if dist.kind in ("uniform", "triangular"):
        if p[-1] > p[0]:  # a constant draws nothing (np.full)
            _advance(rng, n)
        return
    scratch = np.empty(min(n, _SKIP_BLOCK))
    for start in range(0, n, _SKIP_BLOCK):
        size = min(_SKIP_BLOCK, n - start)
        rng.standard_normal(size, out=scratch[:size])  # as normal() and lognormal() do


_SKIP_BLOCK = 65_536


def _advance(rng: np.random.Generator, steps: int) -> None:
    """Jump ``steps`` 64-bit outputs ahead (PCG64, the generator of ``default_rng``)."""
    bit_generator = rng.bit_generator
    assert isinstance(bit_generator, np.random.PCG64)
    bit_generator.advance(steps)


def sample(scenario: Scenario, n: int, seed: int | None = None
           ) -> tuple[dict[str, Array], dict[str, Array]]:
    """``n`` draws of the uncertain parameters: ``(draws, multiply)`` for the engine.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> a, b = sample(base, 3), sample(base, 3)
    >>> all(np.array_equal(a[0][k], b[0][k]) for k in a[0])
    True
    """
    return Sampler(scenario, seed).next(n)

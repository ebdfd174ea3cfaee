"""Goal seek (spec section 7): the parameter value at which a KPI, or a probability,
reaches a target.

Deterministic: one batch evaluates a grid over the searched range, the first interval
where the KPI crosses the target is refined by further batches (each shrinks it 32
times) and the root is interpolated. Probabilistic: the same draws of the uncertain
parameters at every step (common random numbers); the probability ``P(KPI >= target)``
(or ``<=``) is a step function of the parameter, so its crossing is found by bracketing
(each draw's KPI interpolated between the bracket's ends, bisection as a safeguard) and
the reported value is the end of the final bracket where the probability is reached.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from finmodel.analysis.measures import (
    AnalysisError,
    Setting,
    check_path,
    evaluate_settings,
    measure,
)
from finmodel.analysis.uncertainty import Sampler, base_values, bounds_of, check_uncertainty
from finmodel.model.scenario import Scenario

__all__ = ["DRAWS_PER_TASK", "GoalNotReachable", "GoalSeek", "default_range", "goal_seek",
           "probabilistic_goal_seek"]

Array = NDArray[np.float64]
_GRID = 201
#: Draws as :func:`finmodel.evaluate` takes them, and how many: ``(draws, multiply, N)``.
Draws = tuple[dict[str, Array], dict[str, Array], int]
#: At most this many draws of a probabilistic goal seek in one task on a cluster.
DRAWS_PER_TASK = 20_000


class GoalNotReachable(AnalysisError):
    """No value in the searched range reaches the target."""


@dataclass(frozen=True)
class GoalSeek:
    """The answer: ``value`` of ``param`` at which ``kpi`` (or its probability) hits the
    target; ``achieved`` is the KPI (or the probability) at that value."""

    param: str
    value: float
    kpi: str
    target: float
    achieved: float
    range: tuple[float, float]
    probability: float | None = None
    event: str | None = None
    draws: int | None = None
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"param": self.param, "value": self.value, "kpi": self.kpi,
               "target": self.target, "achieved": self.achieved, "range": list(self.range)}
        if self.probability is not None:
            out |= {"probability": self.probability, "event": self.event,
                    "draws": self.draws, "seed": self.seed}
        return out


def default_range(scenario: Scenario, param: str, multiply: bool = False) -> tuple[float, float]:
    """The searched range when none is given (README): factors 0..3; shares 0..1;
    rates -0.05..0.15; otherwise 0 (or below for signed amounts) to 3 x the base value.
    A parameter that must be > 0 (the available hours) starts just above 0, at a
    millionth of the range's end.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> default_range(base, "rental.segments[Schools].tariff")
    (0.0, 337.5)
    >>> [round(v, 6) for v in default_range(base, "facility.available_hours")]
    [0.0054, 5400.0]
    """
    if multiply:
        return 0.0, 3.0
    bounds = bounds_of(param)
    if bounds.high == 1.0:
        return 0.0, 1.0
    if bounds.low == -1.0:
        return -0.05, 0.15
    size = max(float(np.abs(base_values(scenario, param)).max()), 1.0)
    if bounds.low >= 0:
        return (3 * size * 1e-6 if bounds.open_low else 0.0), 3 * size
    return -3 * size, 3 * size


def goal_seek(scenario: Scenario, param: str, kpi: str, target: float,
              search: tuple[float, float] | None = None, multiply: bool = False,
              xtol: float = 1e-9) -> GoalSeek:
    """The value of ``param`` (replacing it in every year, or a factor on its series
    with ``multiply``) at which ``kpi`` equals ``target``; the lowest such value when
    there are several.

    Raises
    ------
    GoalNotReachable
        When the KPI does not cross the target anywhere in the range.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> g = goal_seek(base, "finance.opening_cash", "min_cash", 50000.0, (0.0, 1e6))
    >>> abs(g.achieved - 50000.0) < 1e-6
    True
    """
    check_path(scenario, param)
    of = measure(scenario, kpi).of
    a, b = _range(scenario, param, search, multiply)

    def gap(xs: Array) -> Array:
        return of(evaluate_settings(scenario, [Setting(param, xs, multiply)])) - target

    xs = np.linspace(a, b, _GRID)
    gs = gap(xs)
    lo = _first_crossing(gs)
    if lo is None and _constant(gs + target):
        raise GoalNotReachable(
            f"{kpi} does not depend on {param}: it is {_shown(gs[0] + target)} for every "
            f"value in {a:g}..{b:g}, so no value gives {kpi} = {target:g}; choose a "
            "parameter that moves it", code="goal_constant", kpi=kpi, param=param,
            value=float(gs[0] + target), a=f"{a:g}", b=f"{b:g}", target=f"{target:g}")
    if lo is None:
        raise _unreachable(param, kpi, f"{kpi} = {target:g}", a, b, gs + target)
    x0, x1, g0, g1 = xs[lo], xs[min(lo + 1, xs.size - 1)], gs[lo], gs[min(lo + 1, gs.size - 1)]
    while g0 != 0 and x1 - x0 > xtol * max(1.0, abs(a), abs(b)):
        xs = np.linspace(x0, x1, 33)
        gs = gap(xs)
        i = _first_crossing(gs)
        assert i is not None  # the ends still bracket the crossing
        x0, x1, g0, g1 = xs[i], xs[i + 1] if i + 1 < xs.size else xs[i], gs[i], gs[min(i + 1, 32)]
    value = x0 if g0 == 0 or g1 == g0 else x0 - g0 * (x1 - x0) / (g1 - g0)
    return GoalSeek(param, float(value), kpi, target, float(gap(np.array([value]))[0] + target),
                    (a, b))


def probabilistic_goal_seek(scenario: Scenario, param: str, kpi: str, target: float,
                            probability: float, search: tuple[float, float] | None = None,
                            draws: int = 20_000, seed: int | None = None, at_most: bool = False,
                            multiply: bool = False, xtol: float = 1e-6,
                            client: Any = None) -> GoalSeek:
    """The value of ``param`` at which ``P(kpi >= target)`` (``<=`` with ``at_most``)
    reaches ``probability`` over ``draws`` draws of the uncertain parameters, the same
    draws at every step. The value sought replaces any draws of ``param`` itself.

    ``xtol`` is relative to the searched range: the answer is the reached end of a final
    bracket narrower than ``xtol * (B - A)``.

    With ``client`` (a ``distributed.Client``) the draws are made and kept on its
    cluster's workers in pieces of at most :data:`DRAWS_PER_TASK`, and each step of the
    search evaluates every piece where it is; the draws, and so the answer, are those of
    the local run.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> g = probabilistic_goal_seek(base, "finance.opening_cash", "min_cash", 50000.0, 0.9,
    ...                             (0.0, 1e6), draws=2000)
    >>> g.achieved >= 0.9
    True
    """
    if not 0 < probability <= 1:
        raise AnalysisError(f"probability must be in (0, 1], got {probability:g}",
                            code="probability_range", got=f"{probability:g}")
    check_uncertainty(scenario)
    check_path(scenario, param)
    measure(scenario, kpi)  # an unknown KPI is an error before any work
    sampler = Sampler(scenario, seed)
    a, b = _range(scenario, param, search, multiply)
    event = f"{kpi} {'<=' if at_most else '>='} {target:g}"
    goal = f"P({event}) = {probability:g}"
    if client is None:
        common = (*sampler.next(draws), draws)

        def kpi_at(xs: list[float]) -> Array:
            return kpi_of_draws(scenario, common, param, xs, multiply, kpi)

        x, chance = _Crossing(kpi_at, target, at_most, probability, draws).run(
            a, b, xtol * (b - a), param, kpi, goal)
    else:
        from finmodel.analysis._distributed import ClusterDraws

        there = ClusterDraws(client, scenario, sampler, draws, DRAWS_PER_TASK)
        try:
            x, chance = _Crossing(
                lambda xs: there.map(kpi_of_draws, param, xs, multiply, kpi), target,
                at_most, probability, draws).run(a, b, xtol * (b - a), param, kpi, goal)
        finally:
            there.close()
    return GoalSeek(param, x, kpi, target, chance, (a, b), probability, event, draws,
                    sampler.seed)


def kpi_of_draws(scenario: Scenario, common: Draws, param: str, xs: list[float],
                 multiply: bool, kpi: str) -> Array:
    """The KPI of every draw of ``common`` (``(draws, multiply, number of draws)``) with
    ``param`` at each x: shape ``(len(xs), draws)``, one batch."""
    values, factors, draws = common
    k = len(xs)
    tiled = ({p: np.tile(v, k) for p, v in values.items()},
             {p: np.tile(v, k) for p, v in factors.items()})
    setting = Setting(param, np.repeat(np.asarray(xs, dtype=float), draws), multiply)
    result: Array = measure(scenario, kpi).of(evaluate_settings(scenario, [setting], tiled))
    return result.reshape(k, draws)


class _Crossing:
    """Bracketing with common random numbers. Each step interpolates every draw's KPI
    between the bracket's ends to find where the draw would flip, proposes the point
    where just enough draws have flipped, and evaluates a pair of points ``xtol`` apart
    around it in one batch: exact in one step when the KPI is linear in the parameter."""

    def __init__(self, kpi_at: Callable[[list[float]], Array], target: float, at_most: bool,
                 probability: float, draws: int) -> None:
        self.kpi_at, self.target, self.at_most = kpi_at, target, at_most
        self.need = math.ceil(probability * draws - 1e-9)   # draws that must reach the event
        self.draws = draws

    def reached(self, k: Array) -> NDArray[np.bool_]:
        return k <= self.target if self.at_most else k >= self.target

    def run(self, a: float, b: float, xtol: float, param: str, kpi: str,
            goal: str) -> tuple[float, float]:
        ka, kb = self.kpi_at([a, b])
        na, nb = int(self.reached(ka).sum()), int(self.reached(kb).sum())
        if (na >= self.need) == (nb >= self.need):
            raise _unreachable(param, kpi, goal, a, b,
                               np.array([na, nb]) / self.draws, "P")
        # u: an end where the probability is not reached; r: an end where it is
        (u, ku, nu), (r, kr, nr) = (((a, ka, na), (b, kb, nb)) if nb >= self.need
                                    else ((b, kb, nb), (a, ka, na)))
        width = math.inf
        for _ in range(200):
            if abs(r - u) <= xtol:
                break
            # a step that did not halve the bracket is followed by a bisection
            slow, width = abs(r - u) > width / 2, abs(r - u)
            if slow:
                points = [(u + r) / 2]
            else:
                c = self._proposal(u, ku, nu, r, kr)
                half = min(xtol / 2, abs(r - u) / 4) * (1 if r > u else -1)
                points = [min(max(c - half, min(u, r) + abs(half)), max(u, r) - abs(half))]
                points.append(points[0] + 2 * half)
            for x, k in zip(points, self.kpi_at(points), strict=True):
                n = int(self.reached(k).sum())
                if n >= self.need:
                    r, kr, nr = x, k, n
                    break
                u, ku, nu = x, k, n
        return float(r), nr / self.draws

    def _proposal(self, u: float, ku: Array, nu: int, r: float, kr: Array) -> float:
        flips = ~self.reached(ku) & self.reached(kr)
        missing = self.need - nu
        if flips.sum() < missing:   # the KPI is not monotone here: bisect
            return (u + r) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (self.target - ku[flips]) / (kr[flips] - ku[flips])
        share = np.clip(np.nan_to_num(share, nan=0.5), 0.0, 1.0)
        return float(u + np.partition(share, missing - 1)[missing - 1] * (r - u))


def _range(scenario: Scenario, param: str, search: tuple[float, float] | None,
           multiply: bool) -> tuple[float, float]:
    a, b = search if search is not None else default_range(scenario, param, multiply)
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise AnalysisError(f"the searched range must be A:B with A < B, got {a:g}:{b:g}",
                            code="search_range", got=f"{a:g}:{b:g}")
    bounds = bounds_of(param)
    if not multiply and not (bounds.holds(a) and bounds.holds(b)):
        raise AnalysisError(f"{param}: must be {bounds.text}, so the range {a:g}:{b:g} "
                            f"cannot be searched")
    return float(a), float(b)


def _constant(values: Array) -> bool:
    """All values equal (nulls included): the KPI does not move with the parameter."""
    finite = np.isfinite(values)
    if not finite.any():
        return True
    return bool(finite.all() and np.ptp(values) <= 1e-9 * max(1.0, float(np.abs(values).max())))


def _shown(value: float) -> str:
    return f"{value:,.6g}" if math.isfinite(value) else "null"


def _first_crossing(gaps: Array) -> int | None:
    """Index i of the first interval [i, i+1] where ``gaps`` touch or cross zero."""
    zero = np.flatnonzero(gaps == 0)
    sign = np.flatnonzero(np.sign(gaps[:-1]) * np.sign(gaps[1:]) < 0)
    found = [int(i) for i in (zero[:1].tolist() + sign[:1].tolist())]
    return min(found) if found else None


def _unreachable(param: str, kpi: str, goal: str, a: float, b: float, seen: Array,
                 what: str | None = None) -> GoalNotReachable:
    finite = seen[np.isfinite(seen)]
    name = what or kpi
    spread = (f"{name} goes from {finite.min():,.6g} to {finite.max():,.6g} there"
              if finite.size else f"{name} is null throughout")
    said = ({"code": "goal_unreachable", "low": float(finite.min()),
             "high": float(finite.max())} if finite.size else {"code": "goal_unreachable_null"})
    return GoalNotReachable(f"no value of {param} in {a:g}..{b:g} gives {goal}: {spread}; "
                            f"try a wider --range", param=param, a=f"{a:g}", b=f"{b:g}",
                            goal=goal, name=name, **said)

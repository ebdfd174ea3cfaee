"""Shapley values of a cooperative game, exact or by sampled permutations.

A game has ``n`` players and a value function ``value(mask)`` on coalitions given as
bit masks (bit ``i`` set: player ``i`` joins). Player ``i``'s Shapley value is its
marginal contribution ``value(S | i) - value(S)`` averaged over all orders in which the
players can join. The parts always add up to ``value(all) - value(none)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["exact", "sampled", "settle"]

Value = Callable[[int], float]


def exact(n: int, value: Value) -> list[float]:
    """Exact Shapley values: every coalition, weighted ``|S|! (n - |S| - 1)! / n!``.

    Examples
    --------
    >>> exact(2, lambda m: {0: 0.0, 1: 1.0, 2: 2.0, 3: 6.0}[m])   # interaction 3, split evenly
    [2.5, 3.5]
    """
    weights = [math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
               for k in range(n)]
    values = [value(mask) for mask in range(1 << n)]
    parts = [0.0] * n
    for mask in range(1 << n):
        size = mask.bit_count()
        for i in range(n):
            if not mask >> i & 1:
                parts[i] += weights[size] * (values[mask | 1 << i] - values[mask])
    return parts


def sampled(n: int, value: Value, permutations: int, seed: int, rtol: float = 0.0,
            batch: int = 10) -> tuple[list[float], list[float], int]:
    """Shapley values estimated from random orders (Castro et al. 2009), with errors.

    Up to ``permutations // 2`` orders are drawn with ``numpy.random.default_rng(seed)``;
    each is used forwards and reversed (antithetic pairs: a player early in one is late
    in the other, which cancels much of the sampling error, and all of it when players
    interact at most in pairs). A player's estimate is the mean of its marginal
    contributions over these orders. Within each order the contributions telescope to
    ``value(all) - value(none)``, so the estimates add up to it too.

    Returns the estimates, their standard errors (the spread of the pair means over the
    square root of the number of pairs; 0 with one pair) and the number of orders used:
    after every ``batch`` pairs the sampling stops early if every standard error is at
    most ``rtol`` times the sum of the estimates' absolute values (``rtol=0``: only when
    the pair means agree exactly, as they do for pairwise interactions).

    Examples
    --------
    >>> sampled(3, lambda m: float(m), permutations=4, seed=0)  # additive: exact anyway
    ([1.0, 2.0, 4.0], [0.0, 0.0, 0.0], 4)
    >>> sampled(3, lambda m: float(m), permutations=200, seed=0, batch=5)[2]  # stops early
    10
    """
    rng = np.random.default_rng(seed)
    pairs = max(1, permutations // 2)
    means = np.zeros((pairs, n))
    for k in range(pairs):
        order = [int(i) for i in rng.permutation(n)]
        for sequence in (order, order[::-1]):
            mask, before = 0, value(0)
            for player in sequence:
                mask |= 1 << player
                after = value(mask)
                means[k, player] += (after - before) / 2
                before = after
        if (k + 1) % batch == 0 and k + 1 < pairs:
            errors = means[: k + 1].std(axis=0, ddof=1) / np.sqrt(k + 1)
            if errors.max() <= rtol * np.abs(means[: k + 1].mean(axis=0)).sum():
                pairs, means = k + 1, means[: k + 1]
                break
    errors = means.std(axis=0, ddof=1) / np.sqrt(pairs) if pairs > 1 else np.zeros(n)
    return means.mean(axis=0).tolist(), errors.tolist(), 2 * pairs


def settle(parts: list[float], total: float) -> list[float]:
    """Spread the rounding residual ``total - sum(parts)`` over the parts, by size.

    Mathematically the parts add up to ``total`` already; this removes the float error
    of the averaging so that ``sum(parts)`` equals ``total`` to float precision.

    Examples
    --------
    >>> [round(p, 12) for p in settle([1.0, 3.0], 4.4)]   # a residual of 0.4, by size
    [1.1, 3.3]
    """
    residual = total - math.fsum(parts)
    weights = [abs(p) for p in parts]
    scale = math.fsum(weights)
    if scale == 0.0:
        weights, scale = [1.0] * len(parts), float(len(parts))
    return [p + residual * w / scale for p, w in zip(parts, weights, strict=True)]

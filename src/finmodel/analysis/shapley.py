"""Shapley values of a cooperative game, exact or by sampled permutations.

A game has ``n`` players and a value function ``value(mask)`` on coalitions given as
bit masks (bit ``i`` set: player ``i`` joins). Player ``i``'s Shapley value is its
marginal contribution ``value(S | i) - value(S)`` averaged over all orders in which the
players can join. The parts always add up to ``value(all) - value(none)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

__all__ = ["exact", "orders", "pair_means", "sampled", "settle"]

Array = NDArray[np.float64]
Value = Callable[[int], float]
#: Batches of orders -> each batch's :func:`pair_means`, in order.
MeansOf = Callable[[list[list[list[int]]]], Iterator[Array]]


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
            batch: int = 10, means_of: MeansOf | None = None
            ) -> tuple[list[float], list[float], int]:
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

    ``means_of`` evaluates the pairs elsewhere (e.g. on a cluster): given the batches of
    orders it yields each batch's :func:`pair_means`, in order; it is closed when the
    sampling stops early. The numbers do not depend on it.

    Examples
    --------
    >>> sampled(3, lambda m: float(m), permutations=4, seed=0)  # additive: exact anyway
    ([1.0, 2.0, 4.0], [0.0, 0.0, 0.0], 4)
    >>> sampled(3, lambda m: float(m), permutations=200, seed=0, batch=5)[2]  # stops early
    10
    """
    drawn = orders(n, permutations, seed)
    batches = [drawn[i:i + batch] for i in range(0, len(drawn), batch)]
    results = (means_of(batches) if means_of is not None
               else (pair_means(n, value, part) for part in batches))
    means: Array = np.zeros((len(drawn), n))
    done = 0
    try:
        for got in results:
            means[done:done + got.shape[0]] = got
            done += got.shape[0]
            if done < len(drawn):
                errors = means[:done].std(axis=0, ddof=1) / np.sqrt(done)
                if errors.max() <= rtol * np.abs(means[:done].mean(axis=0)).sum():
                    break
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    means, pairs = means[:done], done
    errors = means.std(axis=0, ddof=1) / np.sqrt(pairs) if pairs > 1 else np.zeros(n)
    return means.mean(axis=0).tolist(), errors.tolist(), 2 * pairs


def orders(n: int, permutations: int, seed: int) -> list[list[int]]:
    """The ``max(1, permutations // 2)`` random orders of :func:`sampled` (forwards).

    Examples
    --------
    >>> orders(3, 4, seed=0)
    [[2, 0, 1], [2, 1, 0]]
    """
    rng = np.random.default_rng(seed)
    return [[int(i) for i in rng.permutation(n)] for _ in range(max(1, permutations // 2))]


def pair_means(n: int, value: Value, forwards: list[list[int]]) -> Array:
    """Each player's mean marginal contribution over an order and its reverse: one row
    per order, shape ``(len(forwards), n)``."""
    means: Array = np.zeros((len(forwards), n))
    for k, order in enumerate(forwards):
        for sequence in (order, order[::-1]):
            mask, before = 0, value(0)
            for player in sequence:
                mask |= 1 << player
                after = value(mask)
                means[k, player] += (after - before) / 2
                before = after
    return means


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

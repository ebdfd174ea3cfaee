"""Per-year percentiles of Monte Carlo lines: ``np.percentile``'s numbers, bit for bit,
from one sort per year.

``np.percentile`` with several percentiles partitions each row at every order
statistic it needs (introselect: about 4x the time of numpy's vectorised sort for
100,000 draws). The order statistics do not depend on how they are found, so this
sorts each row once and then applies numpy's own interpolation (``method="linear"``,
the same operations in the same order, :func:`_lerp`). Two cases where the result
could still differ are handed to numpy itself: rows with NaN (numpy's ``nanpercentile``
ignores them, as before) and rows where a needed order statistic is zero (``-0.0`` and
``0.0`` compare equal, so which of the two lands at a position depends on the
algorithm, and the sign shows in the JSON).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

__all__ = ["lane_percentiles", "row_percentiles"]

Array = NDArray[np.float64]
Index = NDArray[np.intp]


def row_percentiles(values: Array, percentiles: Sequence[int]) -> Array:
    """Percentiles ``(len(percentiles), T)`` of each row of ``values`` ``(T, n)``.

    Equal, bit for bit, to ``np.percentile(row, percentiles)`` for a row without NaN
    and to ``np.nanpercentile`` (NaN for a row of NaN only) for a row with NaN; a row
    whose values are all the same gives that value. ``values`` is not changed.

    Examples
    --------
    >>> rows = np.array([[3.0, 1.0, 2.0, 4.0], [5.0, 5.0, 5.0, 5.0]])
    >>> row_percentiles(rows, (25, 50)).tolist()
    [[1.75, 5.0], [2.5, 5.0]]
    >>> bool(np.array_equal(row_percentiles(rows, (25, 50)),
    ...                     np.percentile(rows, (25, 50), axis=1)))
    True
    """
    out = np.empty((len(percentiles), values.shape[0]))
    scratch = np.empty(values.shape[1])
    for t, row in enumerate(values):
        out[:, t] = lane_percentiles(row, percentiles, scratch)
    return out


def lane_percentiles(row: Array, percentiles: Sequence[int], scratch: Array | None = None
                     ) -> Array:
    """Percentiles ``(len(percentiles),)`` of one row of draws, as :func:`row_percentiles`.

    ``scratch`` (at least ``row.size`` values) is where the row is sorted; without it a
    copy is made. Keeping one scratch for many rows keeps the sort in the CPU's cache.
    """
    low, high = row.min(), row.max()
    if low == high:                         # exact where all draws agree (not for NaN)
        return np.full(len(percentiles), low)
    ordered = np.empty_like(row) if scratch is None else scratch[:row.size]
    np.copyto(ordered, row)
    ordered.sort()
    if np.isnan(ordered[-1]):               # NaN sorts last
        return _numpy_percentiles(row, percentiles)
    previous, following, gamma = _positions(row.size, tuple(percentiles))
    a, b = ordered[previous], ordered[following]
    if (a == 0).any() or (b == 0).any():
        return _numpy_percentiles(row, percentiles)
    return _lerp(a, b, gamma)


@lru_cache(maxsize=64)
def _positions(n: int, percentiles: tuple[int, ...]) -> tuple[Index, Index, Array]:
    """The order statistics each percentile interpolates between, and the weight of the
    second, as ``np.percentile(..., method="linear")`` computes them for ``n`` values."""
    q = np.true_divide(percentiles, 100)
    virtual = (n - 1) * q
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= n - 1            # beyond the last value: the last value (index -1)
    previous[above] = -1
    following[above] = -1
    previous_index, following_index = previous.astype(np.intp), following.astype(np.intp)
    gamma = np.asarray(virtual - previous_index, dtype=virtual.dtype)
    previous_index.flags.writeable = following_index.flags.writeable = False
    gamma.flags.writeable = False
    return previous_index, following_index, gamma


def _lerp(a: Array, b: Array, t: Array) -> Array:
    """numpy's quantile interpolation (``numpy.lib._function_base_impl._lerp``): the
    same operations, so the same rounding."""
    diff_b_a = b - a
    result: Array = np.add(a, diff_b_a * t)
    np.subtract(b, diff_b_a * (1 - t), out=result, where=t >= 0.5)
    return result


def _numpy_percentiles(row: Array, percentiles: Sequence[int]) -> Array:
    if not np.isnan(row).any():
        return np.asarray(np.percentile(row, percentiles), dtype=float)
    with warnings.catch_warnings():  # a year where the line is null in every draw
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanpercentile(row, percentiles), dtype=float)

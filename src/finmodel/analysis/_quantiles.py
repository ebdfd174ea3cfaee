"""Per-year percentiles of Monte Carlo lines: ``np.percentile``'s numbers, bit for bit,
from a few single-rank selections per year.

``np.percentile`` with several percentiles partitions each row at every order
statistic it needs in one call (numpy's multi-rank introselect: about 5x the time of
numpy's vectorised sort for 100,000 draws). numpy's partition at ONE rank is
vectorised too (about a quarter of a sort), so this selects the ranks one at a time,
each in the part of the row left between the ranks already placed (the median first,
then the quartiles in their halves, and so on: about 2.7 passes over the row for the
seven percentiles), takes each rank's neighbour above as the minimum of the values
between it and the next placed rank, and then applies numpy's own interpolation
(``method="linear"``, the same operations in the same order, :func:`_lerp`). The order
statistics do not depend on how they are found, so the numbers are numpy's. Two cases
where the result could still differ are handed to numpy itself: rows with NaN (numpy's
``nanpercentile`` ignores them, as before) and rows where a needed order statistic is
zero and the row holds zeros of both signs (``-0.0`` and ``0.0`` compare equal, so which
of the two lands at a position depends on the algorithm, and the sign shows in the
JSON; with one kind of zero the bits are the same either way: a KPI such as
``years_below_minimum``, zero in most draws, keeps the fast path).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

__all__ = ["exact_percentiles", "lane_percentiles", "row_percentiles"]

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

    ``scratch`` (at least ``row.size`` values) is where the row is partitioned; without
    it a copy is made. Keeping one scratch for many rows keeps the work in the CPU's
    cache.
    """
    low, high = row.min(), row.max()
    if low == high:                         # exact where all draws agree (not for NaN)
        return np.full(len(percentiles), low)
    if np.isnan(high):                      # max() propagates NaN
        return _numpy_percentiles(row, percentiles)
    return exact_percentiles(row, percentiles, scratch)


def exact_percentiles(row: Array, percentiles: Sequence[int], scratch: Array | None = None
                      ) -> Array:
    """``np.percentile(row, percentiles)`` bit for bit, for a row without NaN (also
    where all values are the same; ``scratch`` as for :func:`lane_percentiles`).

    Examples
    --------
    >>> exact_percentiles(np.array([4.0, 1.0, 3.0, 2.0]), (10, 50, 100)).tolist()
    [1.3, 2.5, 4.0]
    """
    ordered = np.empty_like(row) if scratch is None else scratch[:row.size]
    np.copyto(ordered, row)
    previous, following, gamma = _positions(row.size, tuple(percentiles))
    a, b = _order_statistics(ordered, previous, following)
    if ((a == 0).any() or (b == 0).any()) and _both_zeros(row):
        return _numpy_percentiles(row, percentiles)
    return _lerp(a, b, gamma)


def _both_zeros(row: Array) -> bool:
    """Whether ``row`` holds ``0.0`` and ``-0.0`` both: only then can which zero lands at
    a position depend on the algorithm (with one kind of zero, or none, every value
    equal to another has the same bits).

    Examples
    --------
    >>> _both_zeros(np.array([0.0, 1.0, 0.0])), _both_zeros(np.array([-0.0, 0.0, 2.0]))
    (False, True)
    """
    signs = np.signbit(row[row == 0])
    return bool(signs.any()) and not bool(signs.all())


def _order_statistics(values: Array, previous: Index, following: Index
                      ) -> tuple[Array, Array]:
    """The values at positions ``previous`` and ``following`` (each ``previous + 1``,
    or both the last position) of ``values`` sorted, found by partitioning ``values``
    in place (its order afterwards is unspecified)."""
    placed, above = _plan(values.size, tuple(previous.tolist()), tuple(following.tolist()))
    _place(values, placed, 0, values.size)
    at = {rank: values[rank] for rank in placed}
    for rank, end in above:  # the next rank: the least value up to the next placed one
        at[rank + 1] = values[rank + 1:end].min()
    return (np.array([at[rank % values.size] for rank in previous.tolist()]),
            np.array([at[rank % values.size] for rank in following.tolist()]))


@lru_cache(maxsize=64)
def _plan(n: int, previous: tuple[int, ...], following: tuple[int, ...]
          ) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """The ranks to place by partitioning, and ``(rank, end)`` for each placed rank
    whose next rank is needed too: that one is the least of ``values[rank + 1:end]``
    once every placed rank holds its value (no partition of its own)."""
    placed: list[int] = []
    nexts: list[int] = []
    for rank in sorted({r % n for r in previous + following}):
        if placed and placed[-1] == rank - 1:
            nexts.append(placed[-1])
        else:
            placed.append(rank)
    ends = {rank: end + 1 for rank, end in zip(placed, placed[1:], strict=False)}
    return tuple(placed), tuple((rank, ends.get(rank, n)) for rank in nexts)


def _place(values: Array, ranks: Sequence[int], lo: int, hi: int) -> None:
    """Partition ``values[lo:hi]`` so that each of ``ranks`` (sorted, within
    ``lo .. hi - 1``) holds the value it has in sorted order: the middle rank first,
    then the ranks on either side of it, each in its own part."""
    if not ranks:
        return
    middle = len(ranks) // 2
    rank = ranks[middle]
    values[lo:hi].partition(rank - lo)
    _place(values, ranks[:middle], lo, rank)
    _place(values, ranks[middle + 1:], rank + 1, hi)


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

"""Series: a number for every year, or a step function ``{calendar_year: value}``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Series", "cumulative_sum", "year_argmin", "many_rows",
           "year_min", "year_sum"]


@dataclass(frozen=True)
class Series:
    """A yearly parameter as a step function of calendar years.

    A value holds from its year until the next key; years before the first key take
    the first key's value. A constant is a series without keys.

    Examples
    --------
    >>> s = Series((2025, 2027), (0.04, 0.025))
    >>> s.at(np.arange(2024, 2030)).tolist()
    [0.04, 0.04, 0.04, 0.025, 0.025, 0.025]
    >>> Series.constant(3.0).at(np.arange(2025, 2028)).tolist()
    [3.0, 3.0, 3.0]
    """

    years: tuple[int, ...]
    values: tuple[float, ...]

    @classmethod
    def constant(cls, value: float) -> Series:
        return cls((), (float(value),))

    def at(self, years: NDArray[np.int64]) -> NDArray[np.float64]:
        """The value in each calendar year of ``years``."""
        values = np.asarray(self.values, dtype=float)
        if not self.years:
            return np.full(len(years), values[0])
        idx = np.searchsorted(np.asarray(self.years), years, side="right") - 1
        return values[np.clip(idx, 0, None)]

    def over(self, first: int, count: int) -> NDArray[np.float64]:
        """The values in ``count`` consecutive years from ``first``, as :meth:`at`
        (read-only and remembered: a scenario's parameters are read again for every
        projection and every chunk of draws).

        Examples
        --------
        >>> Series((2025, 2027), (0.04, 0.025)).over(2026, 3).tolist()
        [0.04, 0.025, 0.025]
        """
        return _over(self, first, count)

    def to_data(self) -> float | dict[int, float]:
        """Back to the plain form a scenario file uses."""
        if not self.years:
            return self.values[0]
        return dict(zip(self.years, self.values, strict=True))


@functools.lru_cache(maxsize=4096)
def _over(series: Series, first: int, count: int) -> NDArray[np.float64]:
    values = series.at(np.arange(first, first + count))
    values.flags.writeable = False
    return values


# Operations along the years axis (the last) of a batch of rows, ``(..., T)``. numpy
# runs one short loop per row (the years axis is short: 15 years, a few thousand
# draws), so with many rows these go year by year over all rows at once instead: a
# handful of long loops. The arithmetic is the same, in the same order, so the results
# are the same to the last bit (checked against numpy in tests/test_engine.py).

#: Rows from which a year-by-year loop beats numpy's loop per row.
_MANY_ROWS = 64


def many_rows(a: NDArray[Any]) -> bool:
    """Whether a year-by-year loop is the faster way over the rows of ``a``."""
    return a.ndim > 1 and a.size >= _MANY_ROWS * a.shape[-1] > 0


def _accumulate(ufunc: np.ufunc, a: NDArray[np.float64]) -> NDArray[np.float64]:
    if not many_rows(a):
        return np.asarray(ufunc.accumulate(a, axis=-1), dtype=float)
    out = np.empty(a.shape)
    out[..., 0] = a[..., 0]
    for t in range(1, a.shape[-1]):
        ufunc(out[..., t - 1], a[..., t], out=out[..., t])
    return out


def cumulative_sum(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """``np.cumsum(a, axis=-1)``, bit for bit (a running sum: each year adds one term).

    Examples
    --------
    >>> cumulative_sum(np.array([1.0, 2.0, 3.0])).tolist()
    [1.0, 3.0, 6.0]
    """
    return _accumulate(np.add, a)


def year_sum(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """``a.sum(axis=-1)`` of a batch of rows, bit for bit.

    numpy adds a row with its pairwise summation: up to 8 terms one after the other,
    up to 128 in 8 running sums combined pairwise, longer halves recursively; the sum
    starts from 0 (so that -0.0 comes out as 0.0). The same terms in the same order,
    a year at a time over every row.

    Examples
    --------
    >>> rows = np.array([[0.1 * k for k in range(1, 16)]] * 100)
    >>> bool(np.array_equal(year_sum(rows), rows.sum(axis=-1)))
    True
    """
    if not (many_rows(a) and _rows_in_order(a)):
        return np.asarray(a.sum(axis=-1), dtype=float)
    return _pairwise([a[..., t] for t in range(a.shape[-1])]) + 0.0


def _rows_in_order(a: NDArray[Any]) -> bool:
    """Whether numpy sums each row on its own (years adjacent in memory), as emulated;
    a row-major array or rows broadcast. Otherwise (years far apart, as in a column-major
    array) numpy adds a year at a time, in another order."""
    step = a.strides[-1]
    return a.ndim == 2 and step == a.itemsize and (a.strides[0] == 0
                                                    or a.strides[0] >= step * a.shape[-1])


def _pairwise(terms: list[NDArray[np.float64]]) -> NDArray[np.float64]:
    n = len(terms)
    if n < 8:
        out = terms[0]
        for term in terms[1:]:
            out = out + term
        return out
    if n > 128:
        half = n // 2
        half -= half % 8
        return _pairwise(terms[:half]) + _pairwise(terms[half:])
    sums = list(terms[:8])
    full = n - n % 8
    for i in range(8, full, 8):
        sums = [s + terms[i + j] for j, s in enumerate(sums)]
    out = ((sums[0] + sums[1]) + (sums[2] + sums[3])) + ((sums[4] + sums[5]) + (sums[6] + sums[7]))
    for term in terms[full:]:
        out = out + term
    return out


def year_min(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """``a.min(axis=-1)``: the lowest value of each row (NaN if the row has one).

    Examples
    --------
    >>> year_min(np.array([[3.0, 1.0, 2.0]] * 100))[:2].tolist()
    [1.0, 1.0]
    """
    if not many_rows(a):
        return np.asarray(a.min(axis=-1), dtype=float)
    out = a[..., 0].copy()
    for t in range(1, a.shape[-1]):
        np.minimum(out, a[..., t], out=out)
    return out


def year_argmin(a: NDArray[np.float64], low: NDArray[np.float64] | None = None
                ) -> NDArray[np.int64]:
    """``np.argmin(a, axis=-1)``: the first year of each row's lowest value (of its first
    NaN if it has one); ``low`` is :func:`year_min` of ``a`` when known.

    Examples
    --------
    >>> year_argmin(np.array([[3.0, 1.0, 1.0]] * 100))[:2].tolist()
    [1, 1]
    """
    if not many_rows(a):
        return np.asarray(np.argmin(a, axis=-1), dtype=np.int64)
    low = year_min(a) if low is None else low
    missing = np.isnan(low)
    out = np.zeros(low.shape, dtype=np.int64)
    for t in range(a.shape[-1] - 1, -1, -1):  # the last hit is the first year
        column = a[..., t]
        hit = (column == low) | (missing & np.isnan(column))
        out[hit] = t
    return out

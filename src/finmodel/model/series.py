"""Series: a number for every year, or a step function ``{calendar_year: value}``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Series"]


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

    def to_data(self) -> float | dict[int, float]:
        """Back to the plain form a scenario file uses."""
        if not self.years:
            return self.values[0]
        return dict(zip(self.years, self.values, strict=True))

"""Scenario -> arrays: every parameter as a numpy array over (draws..., years).

This is where a scenario meets the draw axis. Each numeric parameter is read through
:class:`_Reader`, which replaces or multiplies it by an array of draws when one is
given for its path; the engine never sees paths or YAML, only arrays whose leading
axes are the batch (``()`` for one scenario, ``(N,)`` for N draws).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from finmodel.model.errors import ParameterError
from finmodel.model.scenario import Scenario
from finmodel.model.schema import PhaseOut, Subsidy
from finmodel.model.series import Series, many_rows

__all__ = ["Inputs", "LoanTerms", "build_inputs", "numeric_parameters"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Draws:
    """Values for one parameter path: shape ``(N,)`` (every year) or ``(N, T)``."""

    values: Array
    multiply: bool = False


@dataclass(frozen=True)
class Purchase:
    investment: str
    year: int
    life: int


def _none() -> Array:
    return np.zeros(0)


@dataclass(frozen=True)
class LoanTerms:
    """The loans (contract v1.1, section 9): one column per loan, batch axes first.

    Amounts in nominal euros, ``rate`` per year, ``start`` the year index ``t`` of the
    drawing, ``grace`` and ``term`` in whole years; ``annuity`` false means linear.
    """

    names: tuple[str, ...] = ()
    amount: Array = field(default_factory=_none)     # (B, L)
    rate: Array = field(default_factory=_none)       # (B, L)
    start: Array = field(default_factory=_none)      # (B, L)
    grace: Array = field(default_factory=_none)      # (B, L)
    term: Array = field(default_factory=_none)       # (B, L)
    annuity: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))


@dataclass
class Inputs:
    """Everything the engine needs, as arrays.

    ``B`` is the batch shape (``()`` or ``(N,)``); an array carries the batch axes only
    when draws touch it, and broadcasts against the others.
    """

    years: NDArray[np.int64]
    available_hours: Array                   # (B, T)
    own_use: Array                           # (B, P, T) per party
    parties: tuple[str, ...]
    segments: tuple[str, ...]
    requested_hours: Array                   # (B, S, T) demand x ramp-up, inside windows
    net_tariff: Array                        # (B, S, T) tariff x index x (1 - discount)
    variable_cost_per_hour: Array            # (B, T) indexed
    costs: tuple[str, ...]
    cost_categories: tuple[str, ...]
    cost_amounts: Array                      # (B, C, T)
    purchases: tuple[Purchase, ...]
    purchase_costs: Array                    # (B, K) indexed price of each purchase
    subsidies: tuple[str, ...]
    subsidy_types: tuple[str, ...]
    subsidy_cash: Array                      # (B, U, T)
    release_years: tuple[int, ...]           # 1 for operating subsidies
    subsidy_cut_off: Array                   # (B, U) euros dropped after the horizon
    contributions: tuple[tuple[str, str, str], ...]   # (party, name, type)
    contribution_amounts: Array              # (B, Q, T)
    benefits: tuple[tuple[str, str], ...]    # (party, name)
    benefit_amounts: Array                   # (B, R, T)
    own_use_value_per_hour: Array            # (B, T) indexed
    opening_cash: Array                      # (B,)
    minimum_cash: Array                      # (B,)
    discount_rate: Array                     # (B,)
    loans: LoanTerms = field(default_factory=lambda: LoanTerms())
    batch_shape: tuple[int, ...] = field(default=())
    #: Each subsidy's cash as read, before stacking: ``(T,)`` when no draw touches it,
    #: so that the engine releases a fixed grant once, not once per draw.
    subsidy_cash_items: tuple[Array, ...] = ()


def numeric_parameters(scenario: Scenario) -> dict[str, str]:
    """Every path that draws, data tables and goal seek can vary: path -> ``series``/``number``.

    Examples
    --------
    >>> import finmodel
    >>> params = numeric_parameters(finmodel.load_scenario("scenarios/base.yaml"))
    >>> params["finance.opening_cash"], params["facility.available_hours"]
    ('number', 'series')
    """
    reader = _Reader(scenario, {})
    build_inputs(scenario, reader=reader)
    return dict(reader.seen)


def build_inputs(scenario: Scenario, draws: Mapping[str, ArrayLike] | None = None,
                 multiply: Mapping[str, ArrayLike] | None = None,
                 reader: _Reader | None = None) -> Inputs:
    """Arrays for the engine; ``draws`` replace, ``multiply`` scale parameters by path."""
    overrides = {p: Draws(np.asarray(v, dtype=float)) for p, v in (draws or {}).items()}
    overrides.update({p: Draws(np.asarray(v, dtype=float), True)
                      for p, v in (multiply or {}).items()})
    reader = reader or _Reader(scenario, overrides)
    years = scenario.years
    segments = _segments(scenario, reader)
    costs = [(c, reader.indexed_parts(f"operating_costs[{c.name}].amount", c.amount,
                                      c.indexation, window=(c.from_, c.until)))
             for c in scenario.operating_costs]
    purchases, prices = _purchases(scenario, reader)
    subsidies = [_subsidy(s, reader) for s in scenario.subsidies]
    contributions = [((p.name, c.name, c.type),
                      reader.indexed_parts(f"parties[{p.name}].contributions[{c.name}].amount",
                                           c.amount, c.indexation, window=(c.from_, c.until)))
                     for p in scenario.parties for c in p.contributions]
    benefits = [((p.name, b.name),
                 reader.indexed_parts(f"parties[{p.name}].benefits[{b.name}].amount", b.amount,
                                      b.indexation, window=(b.from_, b.until)))
                for p in scenario.parties for b in p.benefits]
    fin = scenario.finance
    inputs = Inputs(
        years=years,
        available_hours=reader.series("facility.available_hours",
                                      scenario.facility.available_hours),
        own_use=reader.stack([reader.series(f"parties[{p.name}].own_use_hours", p.own_use_hours)
                              for p in scenario.parties]),
        parties=tuple(p.name for p in scenario.parties),
        segments=tuple(s.name for s in scenario.rental.segments),
        requested_hours=reader.stack_products([r for r, _ in segments]),
        net_tariff=reader.stack_products([t for _, t in segments]),
        variable_cost_per_hour=reader.indexed(
            "rental.variable_cost_per_hour", scenario.rental.variable_cost_per_hour,
            scenario.rental.variable_cost_indexation),
        costs=tuple(c.name for c, _ in costs),
        cost_categories=tuple(c.category or "other" for c, _ in costs),
        cost_amounts=reader.stack_products([a for _, a in costs]),
        purchases=purchases,
        purchase_costs=reader.stack(prices, per_year=False),
        subsidies=tuple(s.name for s in scenario.subsidies),
        subsidy_types=tuple(s.type for s in scenario.subsidies),
        subsidy_cash=reader.stack([cash for cash, _ in subsidies]),
        release_years=tuple(s.release_years or 1 for s in scenario.subsidies),
        subsidy_cut_off=reader.stack([cut for _, cut in subsidies], per_year=False),
        contributions=tuple(key for key, _ in contributions),
        contribution_amounts=reader.stack_products([a for _, a in contributions]),
        benefits=tuple(key for key, _ in benefits),
        benefit_amounts=reader.stack_products([a for _, a in benefits]),
        own_use_value_per_hour=reader.indexed(
            "facility.own_use_value_per_hour", scenario.facility.own_use_value_per_hour,
            scenario.facility.own_use_value_indexation),
        opening_cash=reader.number("finance.opening_cash", fin.opening_cash),
        minimum_cash=reader.number("finance.minimum_cash", fin.minimum_cash),
        discount_rate=reader.number("finance.discount_rate", fin.discount_rate),
        loans=_loans(scenario, reader),
        batch_shape=reader.batch,
        subsidy_cash_items=tuple(cash for cash, _ in subsidies),
    )
    for name in scenario.indexation:  # so that every index is a known parameter path
        reader.index(name)
    reader.finish()
    return inputs


class _Reader:
    """Reads parameters by path, applying draws; remembers which paths exist."""

    def __init__(self, scenario: Scenario, overrides: Mapping[str, Draws]) -> None:
        self.years = scenario.years
        self.scenario = scenario
        self.overrides = dict(overrides)
        self.seen: dict[str, str] = {}
        self.used: set[str] = set()
        shapes = [d.values.shape[:1] for d in overrides.values()]
        self.batch: tuple[int, ...] = tuple(np.broadcast_shapes(*shapes)) if shapes else ()
        self._indices: dict[str | None, Array] = {}
        self._windows: dict[tuple[int | None, int | None], Array] = {}

    def _draw(self, path: str, kind: str, base: Array) -> Array:
        self.seen[path] = kind
        draw = self.overrides.get(path)
        if draw is None:
            return base
        self.used.add(path)
        values = draw.values
        if kind == "series" and values.ndim == 1:
            values = values[:, None]
        return base * values if draw.multiply else values + 0.0 * base

    def series(self, path: str, series: Series) -> Array:
        return self._draw(path, "series", series.over(int(self.years[0]), len(self.years)))

    def number(self, path: str, value: float) -> Array:
        return self._draw(path, "number", np.asarray(value, dtype=float))

    def index(self, name: str | None) -> Array:
        """Index factor ``I(t)``: 1 in the first year, compounding the yearly rates after."""
        if name not in self._indices:
            if name is None:
                self._indices[name] = np.ones(len(self.years))
            else:
                series = self.scenario.indexation[name]
                rates = self.series(f"indexation.{name}", series)
                fixed = rates.ndim == 1 and f"indexation.{name}" not in self.overrides
                self._indices[name] = (_fixed_index(series, int(self.years[0]), len(self.years))
                                       if fixed else _index(rates))
        return self._indices[name]

    def window(self, start: int | None, until: int | None) -> Array:
        if (start, until) not in self._windows:  # a few distinct windows, many items
            lo = start if start is not None else self.years[0]
            hi = until if until is not None else self.years[-1]
            self._windows[start, until] = ((self.years >= lo) & (self.years <= hi)).astype(float)
        return self._windows[start, until]

    def indexed(self, path: str, series: Series, index: str | None,
                window: tuple[int | None, int | None] = (None, None)) -> Array:
        # the window (0 or 1 per year) first: a per-year product instead of one over
        # every draw. Bit for bit the same as (series x index) x window: x 1 is exact, and
        # x 0 gives a zero with the sign of series x index either way (all finite)
        left, right = self.indexed_parts(path, series, index, window)
        return left * right

    def indexed_parts(self, path: str, series: Series, index: str | None,
                      window: tuple[int | None, int | None] = (None, None)
                      ) -> tuple[Array, Array]:
        """:meth:`indexed` as the two factors of its last product (for
        :meth:`stack_products`)."""
        return self.series(path, series) * self.window(*window), self.index(index)

    def stack(self, arrays: list[Array], per_year: bool = True) -> Array:
        """Items stacked on the axis before the years (or last, for one value per item).

        Only as many batch axes as the items need: items that no draw touches stay
        without them, and numpy broadcasting does the rest (much less memory and time).
        In memory the items come first (a view with the items moved to their place):
        each item is one contiguous block, so that copying an item in and summing over
        the items are a few long loops instead of one short loop per draw (the years
        axis is short). The values, and so the sums, are the same in any layout.
        """
        if not arrays:
            return np.zeros((0, len(self.years)) if per_year else (0,))
        shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
        out: Array = np.empty((len(arrays), *shape), dtype=np.result_type(*arrays))
        for i, item in enumerate(arrays):  # as np.stack, without the broadcast copies
            out[i] = item
        axis = len(shape) - 1 if per_year else len(shape)
        return np.moveaxis(out, 0, axis) if axis else out

    def stack_products(self, pairs: list[tuple[Array, Array]]) -> Array:
        """:meth:`stack` of the products ``left * right``, each computed in its place
        (no array per item to copy in)."""
        if not pairs:
            return self.stack([])
        shape = np.broadcast_shapes(*(np.shape(a) for pair in pairs for a in pair))
        out: Array = np.empty((len(pairs), *shape))
        for i, (left, right) in enumerate(pairs):
            np.multiply(left, right, out=out[i])
        return np.moveaxis(out, 0, len(shape) - 1) if len(shape) > 1 else out

    def finish(self) -> None:
        unknown = sorted(set(self.overrides) - self.used)
        if unknown:
            paths, examples = ", ".join(unknown), ", ".join(sorted(self.seen)[:4])
            raise ParameterError(
                f"not a numeric parameter of scenario {self.scenario.name!r}: "
                f"{paths} (numeric parameters are numbers and series such as "
                f"{examples}, ...)", code="not_parameters",
                scenario=repr(self.scenario.name), paths=paths, examples=examples)


def _index(rates: Array) -> Array:
    """``I(t)`` from the yearly rates: 1, then ``I(t-1) * (1 + rate(t))`` (a running product)."""
    if not many_rows(rates):
        growth = 1.0 + rates[..., 1:]
        first = np.ones((*growth.shape[:-1], 1))
        return np.cumprod(np.concatenate([first, growth], axis=-1), axis=-1)
    out = np.empty(rates.shape)
    out[..., 0] = 1.0
    for t in range(1, rates.shape[-1]):  # a year at a time over all draws
        np.multiply(out[..., t - 1], 1.0 + rates[..., t], out=out[..., t])
    return out


@functools.lru_cache(maxsize=1024)
def _fixed_index(rates: Series, first: int, count: int) -> Array:
    """The index of rates no draw touches, read-only and remembered."""
    index = _index(rates.over(first, count))
    index.flags.writeable = False
    return index


def _segments(scenario: Scenario, reader: _Reader
              ) -> list[tuple[tuple[Array, Array], tuple[Array, Array]]]:
    """Per segment the factors of its requested hours and of its net tariff (for
    :meth:`_Reader.stack_products`)."""
    out = []
    years = reader.years
    for s in scenario.rental.segments:
        path = f"rental.segments[{s.name}]"
        first = s.from_ if s.from_ is not None else scenario.start_year
        k = years - first
        ramp = np.ones(len(years))
        ramp[k < 0] = 0.0
        if s.ramp_up:
            early = (k >= 0) & (k < len(s.ramp_up))
            ramp[early] = np.asarray(s.ramp_up)[k[early]]
        demand = reader.series(f"{path}.demand_hours", s.demand_hours)
        # ramp x window (0 or 1) first, one per year: bit for bit (demand x ramp) x window
        requested = (demand, ramp * reader.window(None, s.until))
        discount = reader.number(f"{path}.discount", s.discount)
        tariff = reader.indexed(f"{path}.tariff", s.tariff, s.indexation)
        out.append((requested, (tariff, (1.0 - discount)[..., None])))
    return out


def _purchases(scenario: Scenario, reader: _Reader) -> tuple[tuple[Purchase, ...], list[Array]]:
    purchases, prices = [], []
    for inv in scenario.investments:
        amount = reader.number(f"investments[{inv.name}].amount", inv.amount)
        index = reader.index(inv.indexation)
        year = inv.year
        while year <= scenario.end_year:
            purchases.append(Purchase(inv.name, year, inv.life))
            prices.append(amount * index[..., year - scenario.start_year])
            if not inv.replace:
                break
            year += inv.life
    return tuple(purchases), prices


def _loans(scenario: Scenario, reader: _Reader) -> LoanTerms:
    """Loan terms as ``(B, L)`` arrays; a drawn year, term or number of grace years is
    rounded to whole years (a loan runs in whole years)."""
    loans = scenario.finance.loans
    read: dict[str, list[Array]] = {k: [] for k in ("amount", "rate", "start", "grace", "term")}
    for loan in loans:
        path = f"finance.loans[{loan.name}]"
        read["amount"].append(reader.number(f"{path}.amount", loan.amount))
        read["rate"].append(reader.number(f"{path}.rate", loan.rate))
        read["start"].append(np.rint(reader.number(f"{path}.year", loan.year))
                             - scenario.start_year)
        read["grace"].append(np.rint(reader.number(f"{path}.grace_years", loan.grace_years)))
        read["term"].append(np.rint(reader.number(f"{path}.term", loan.term)))
    stacked = {k: reader.stack(v, per_year=False) for k, v in read.items()}
    return LoanTerms(tuple(loan.name for loan in loans), **stacked,
                     annuity=np.array([loan.repayment == "annuity" for loan in loans],
                                      dtype=bool))


def phase_out_payments(amount: float, phase_out: PhaseOut, start_year: int) -> dict[int, float]:
    """Nominal payments by calendar year of ``amount`` with ``phase_out`` (spec section 3).

    Examples
    --------
    >>> p = PhaseOut(start=2026, full_years=2, taper_years=3)
    >>> phase_out_payments(100.0, p, 2026)
    {2026: 100.0, 2027: 100.0, 2028: 75.0, 2029: 50.0, 2030: 25.0}
    """
    start = phase_out.start if phase_out.start is not None else start_year
    taper = phase_out.taper_years
    shares = [1.0] * phase_out.full_years + [1.0 - k / (taper + 1) for k in range(1, taper + 1)]
    return {start + i: amount * share for i, share in enumerate(shares)}


def _subsidy(subsidy: Subsidy, reader: _Reader) -> tuple[Array, Array]:
    """Cash by year and the amount cut off after the horizon."""
    years = reader.years
    path = f"subsidies[{subsidy.name}]"
    if subsidy.amounts is not None:
        payments = subsidy.amounts
        scale = np.asarray(1.0)
    else:
        assert subsidy.amount is not None and subsidy.phase_out is not None
        payments = phase_out_payments(1.0, subsidy.phase_out, int(years[0]))
        scale = reader.number(f"{path}.amount", subsidy.amount)
    shares = np.array([payments.get(int(y), 0.0) for y in years])
    cut = sum(v for y, v in payments.items() if y > years[-1])
    cash = scale[..., None] * shares if scale.ndim else scale * shares
    return cash, scale * cut

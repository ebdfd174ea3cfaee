"""The projection engine (spec sections 3 and 4): arrays in, lines and detail out.

Pure numpy, no I/O. Every array has the batch axes first and the year axis last, so
the same code projects one scenario (batch ``()``) or N parameter draws (batch
``(N,)``). Sign convention: income and expenses are positive amounts; ``result`` and
cash flows are positive when money comes in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from finmodel.model.inputs import Inputs, build_inputs
from finmodel.model.scenario import Scenario
from finmodel.model.series import cumulative_sum, many_rows, year_argmin, year_min, year_sum

__all__ = ["DEBT_TOLERANCE", "KPIS", "LINES", "Evaluation", "derive_lines", "evaluate", "kpis"]

#: Half a cent: debt at the end of the horizon, or a year's debt service (interest plus
#: repayment), at or below this is float residue of the arithmetic, not a debt.
DEBT_TOLERANCE = 0.005

Array = NDArray[np.float64]

#: Output lines of the JSON contract, in budget order.
LINES: tuple[str, ...] = (
    "rental_income", "operating_subsidies", "investment_subsidy_release", "partner_cash",
    "in_kind_income", "total_income",
    "operating_costs", "variable_costs", "depreciation", "interest", "in_kind_costs",
    "total_expenses", "result", "structural_result",
    "capex", "subsidy_cash", "loan_received", "repayment", "net_cash_flow", "cash_end",
    "rented_hours", "occupancy", "self_sufficiency",
    "book_value", "deferred_subsidy", "debt", "equity",
)

#: KPIs of the JSON contract.
KPIS: tuple[str, ...] = (
    "total_result", "npv", "break_even_year", "min_cash", "min_cash_year",
    "years_below_minimum", "funding_gap_after_subsidy", "book_value_end",
    "deferred_subsidy_end", "debt_end", "financing_need", "min_debt_service_coverage",
)


@dataclass(frozen=True)
class Evaluation:
    """Lines, per-item detail and KPIs for a batch of projections.

    ``lines[name]`` has shape ``batch + (T,)`` and ``detail[name]`` ``batch`` + items
    and/or years (read-only views); ``kpis[name]`` has shape ``batch`` with
    NaN where the contract says null (``break_even_year``, ``funding_gap_after_subsidy``,
    ``self_sufficiency`` in a year without expenses).
    """

    inputs: Inputs
    lines: dict[str, Array]
    detail: dict[str, Array]
    kpis: dict[str, Array]

    @property
    def years(self) -> NDArray[np.int64]:
        return self.inputs.years


def evaluate(scenario: Scenario, draws: Mapping[str, ArrayLike] | None = None,
             multiply: Mapping[str, ArrayLike] | None = None) -> Evaluation:
    """Project a scenario, or a batch of parameter draws of it, in one vectorized pass.

    Parameters
    ----------
    scenario
        A validated scenario (:func:`finmodel.load_scenario`).
    draws
        Parameter path -> values of shape ``(N,)`` (the same in every year) or ``(N, T)``,
        replacing the parameter (spec section 7, ``apply: replace``). A single number
        (0-d) changes the parameter without adding a batch axis.
    multiply
        Parameter path -> factors, multiplying the parameter's series (``apply: multiply``).

    Returns
    -------
    Evaluation
        Lines of shape ``(N, T)`` (or ``(T,)`` without draws) and KPIs of shape ``(N,)``.

    Examples
    --------
    >>> import numpy as np, finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> batch = evaluate(base, draws={"finance.opening_cash": np.array([0.0, 1000.0])})
    >>> batch.lines["cash_end"].shape == (2, base.horizon)
    True
    >>> float(np.diff(batch.lines["cash_end"][:, -1])[0])
    1000.0
    """
    inputs = build_inputs(scenario, draws, multiply)
    detail = _detail(inputs)
    lines = _lines(inputs, detail)
    # every result gets the full batch shape (views: broadcasting copies nothing)
    batch, years = inputs.batch_shape, len(inputs.years)
    lines = {name: _read_only(v, (*batch, years)) for name, v in lines.items()}
    detail = {name: _read_only(v, (*batch, *v.shape[v.ndim - _DETAIL_AXES[name]:]))
              for name, v in detail.items()}
    return Evaluation(inputs, lines, detail, kpis(lines, inputs))


def _read_only(a: Array, shape: tuple[int, ...]) -> Array:
    """A read-only view of ``a`` broadcast to ``shape`` (a plain view when it has it)."""
    if a.shape != shape:
        return np.broadcast_to(a, shape)
    view = a.view()
    view.flags.writeable = False
    return view


#: Axes of each detail array besides the batch: items and/or years.
_DETAIL_AXES = {
    "own_use_hours": 1, "rentable_hours": 1, "segment_requested_hours": 2,
    "segment_rented_hours": 2, "segment_rental_income": 2, "purchase_capex": 2,
    "purchase_depreciation": 2, "purchase_book_value": 2, "subsidy_cash": 2,
    "subsidy_income": 2, "subsidy_deferred": 2, "subsidy_is_investment": 1,
    "cost_amounts": 2, "contribution_amounts": 2, "contribution_is_in_kind": 1,
    "benefit_amounts": 2, "own_use_value": 2, "loan_received": 2, "loan_interest": 2,
    "loan_repayment": 2, "loan_debt": 2,
}


def _items_first(items: Array, batch_ndim: int) -> Array:
    """A view of ``(*batch, K, T)`` items with the items first, ``(K, *batch, T)``; batch
    axes of length 1 where the items have none, so that it broadcasts against any
    ``(*batch, T)`` array.
    """
    first = np.moveaxis(items, -2, 0) if items.ndim > 2 else items
    missing = batch_ndim + 2 - first.ndim
    return first.reshape(first.shape[:1] + (1,) * missing + first.shape[1:]) if missing else first


def _items_back(a: Array) -> Array:
    """The inverse of :func:`_items_first`: ``(*batch, K, T)``, items outermost in memory
    (``(K, T)`` when no batch axis was needed).

    The engine computes per-item arrays items first, so that each item is one
    contiguous block (the years axis is short: a loop per draw would be short loops);
    the values do not depend on the layout.
    """
    if a.ndim <= 2:
        return a
    if all(n == 1 for n in a.shape[1:-1]):
        return a.reshape(a.shape[0], a.shape[-1])
    return np.moveaxis(a, 0, -2)


def _rental(x: Inputs) -> dict[str, Array]:
    own_use = x.own_use.sum(axis=-2)
    rentable = np.maximum(x.available_hours - own_use, 0.0)
    requested = x.requested_hours
    rentable, total = np.broadcast_arrays(rentable, requested.sum(axis=-2))
    over = total > rentable
    scale = np.divide(rentable, total, out=np.ones(total.shape), where=over)
    batch = len(x.batch_shape)
    rented = _items_first(requested, batch) * scale
    return {"own_use_hours": own_use, "rentable_hours": rentable,
            "segment_requested_hours": requested, "segment_rented_hours": _items_back(rented),
            "segment_rental_income": _items_back(rented * _items_first(x.net_tariff, batch))}


def _assets(x: Inputs) -> dict[str, Array]:
    years = x.years
    bought = np.array([p.year for p in x.purchases], dtype=np.int64)[:, None]
    life = np.array([p.life for p in x.purchases], dtype=np.int64)[:, None]
    paid = (years == bought).astype(float)                          # (K, T)
    depreciating = ((years >= bought) & (years < bought + life)).astype(float)
    # the cost not yet depreciated, from the years of life left (not a running sum of
    # capex - depreciation): exactly 0 once fully depreciated, never a float residue
    # such as -7e-12 (equal to the running sum up to rounding)
    left = np.where(years >= bought, np.clip(bought + life - 1 - years, 0, None), 0)
    # items first: (K, *batch, 1) x (K, 1.., T); each product as before, one item a block
    cost = np.moveaxis(x.purchase_costs, -1, 0)[..., None]
    per_item = (len(x.purchases),) + (1,) * (cost.ndim - 1)
    life, paid = life.reshape(per_item), paid.reshape(*per_item[:-1], len(years))
    depreciating = depreciating.reshape(paid.shape)
    book_share = (left / life.reshape(-1, 1)).reshape(paid.shape)
    return {"purchase_capex": _items_back(cost * paid),
            "purchase_depreciation": _items_back(cost / life * depreciating),
            "purchase_book_value": _items_back(cost * book_share)}


def _subsidies(x: Inputs) -> dict[str, Array]:
    investment = np.array([t == "investment" for t in x.subsidy_types], dtype=bool)
    income, deferred = [], []
    for u, (cash, years) in enumerate(zip(x.subsidy_cash_items, x.release_years,
                                          strict=True)):
        if investment[u]:  # only an investment subsidy's income is its release
            released, left = _release(cash, years)
        else:
            released, left = cash, np.zeros(cash.shape)
        income.append(released)
        deferred.append(left)
    return {"subsidy_cash": x.subsidy_cash, "subsidy_income": _stack_like(income, x),
            "subsidy_deferred": _stack_like(deferred, x),
            "subsidy_is_investment": investment.astype(float)}


def _release(cash: Array, years: int) -> tuple[Array, Array]:
    """An investment subsidy's release (its income) and the part not yet released.

    Each receipt is released in equal parts over ``years`` years, from its own year.
    Computed at the receipt's own shape (a fixed grant once, not once per draw) and year
    first, so that a shift by a lag is one block; the sums run in the same order.
    """
    horizon = cash.shape[-1]
    by_year = np.moveaxis(cash, -1, 0)                   # (T, *batch), a view
    part = by_year / years     # one division per receipt: every lag adds the same part
    release = np.zeros(by_year.shape)
    deferred = np.zeros(by_year.shape)
    for lag in range(min(years, horizon)):
        release[lag:] += part[: horizon - lag]
    # what is not yet released, from each receipt's years left (like the book value):
    # exactly 0 once a receipt is fully released
    for lag in range(min(years - 1, horizon)):
        deferred[lag:] += by_year[: horizon - lag] * ((years - lag - 1) / years)
    return np.moveaxis(release, 0, -1), np.moveaxis(deferred, 0, -1)


def _stack_like(items: list[Array], x: Inputs) -> Array:
    """Per-item arrays stacked as the inputs are: ``(*batch, K, T)``, items outermost."""
    if not items:
        return np.zeros((0, len(x.years)))
    shape = np.broadcast_shapes(*(a.shape for a in items))
    out = np.empty((len(items), *shape))
    for i, item in enumerate(items):
        out[i] = item
    return _items_back(out)


def _loans(x: Inputs) -> dict[str, Array]:
    """Per loan and year: principal drawn, interest, principal repaid, debt at year end.

    A year at a time over all loans and draws at once (the balance carries over). The
    last instalment repays the balance left, so a loan repaid inside the horizon ends at
    exactly 0 (an annuity's payment minus interest leaves float residue otherwise).
    """
    loans, years = x.loans, len(x.years)
    if not loans.names:  # nothing to carry over: no loop (no cost without loans)
        empty = np.zeros((0, years))
        return {k: empty for k in ("loan_received", "loan_interest", "loan_repayment",
                                   "loan_debt")}
    amount, rate, start, grace, term = np.broadcast_arrays(
        loans.amount, loans.rate, loans.start, loans.grace, loans.term)
    with np.errstate(divide="ignore", invalid="ignore"):
        # amount * rate / (1 - (1 + rate) ** -term), written with expm1/log1p so that a
        # tiny rate still gives about amount / term instead of dividing by 0; the factor
        # first, so that the payment scales with the amount even for a denormal rate
        factor = np.where(rate > 0, rate / -np.expm1(-term * np.log1p(rate)), 1.0 / term)
        payment = amount * factor
    out = {k: np.zeros((*amount.shape, years))
           for k in ("loan_received", "loan_interest", "loan_repayment", "loan_debt")}
    balance = np.zeros(amount.shape)
    for t in range(years):
        drawn = np.where(start == t, amount, 0.0)
        opening = balance + drawn
        interest = rate * opening
        k = t - start - grace                     # instalment number, 0 = the first
        principal = np.where(loans.annuity, payment - interest, amount / term)
        principal = np.where(k == term - 1, opening, np.minimum(principal, opening))
        principal = np.where((k >= 0) & (k < term), principal, 0.0)
        balance = opening - principal
        for key, value in (("loan_received", drawn), ("loan_interest", interest),
                           ("loan_repayment", principal), ("loan_debt", balance)):
            out[key][..., t] = value
    return out


def _detail(x: Inputs) -> dict[str, Array]:
    in_kind = np.array([t == "in_kind" for _, _, t in x.contributions], dtype=bool)
    return {**_rental(x), **_assets(x), **_subsidies(x), **_loans(x),
            "cost_amounts": x.cost_amounts,
            "contribution_amounts": x.contribution_amounts,
            "contribution_is_in_kind": in_kind.astype(float),
            "benefit_amounts": x.benefit_amounts,
            "own_use_value": _items_back(_items_first(x.own_use, len(x.batch_shape))
                                      * x.own_use_value_per_hour)}


def _lines(x: Inputs, d: dict[str, Array]) -> dict[str, Array]:
    investment = d["subsidy_is_investment"].astype(bool)
    in_kind = d["contribution_is_in_kind"].astype(bool)
    income, amounts = d["subsidy_income"], x.contribution_amounts  # items on axis -2
    rented_hours = d["segment_rented_hours"].sum(axis=-2)
    line = {
        "rental_income": d["segment_rental_income"].sum(axis=-2),
        "operating_subsidies": _sum_of(income, ~investment),
        "investment_subsidy_release": _sum_of(income, investment),
        "partner_cash": _sum_of(amounts, ~in_kind),
        "in_kind_income": _sum_of(amounts, in_kind),
        "operating_costs": x.cost_amounts.sum(axis=-2),
        "variable_costs": rented_hours * x.variable_cost_per_hour,
        "depreciation": d["purchase_depreciation"].sum(axis=-2),
        "capex": d["purchase_capex"].sum(axis=-2),
        "subsidy_cash": d["subsidy_cash"].sum(axis=-2),
        "rented_hours": rented_hours,
        "book_value": d["purchase_book_value"].sum(axis=-2),
        "deferred_subsidy": d["subsidy_deferred"].sum(axis=-2),
        "interest": d["loan_interest"].sum(axis=-2),
        "loan_received": d["loan_received"].sum(axis=-2),
        "repayment": d["loan_repayment"].sum(axis=-2),
        "debt": d["loan_debt"].sum(axis=-2),
    }
    # without loans the v1 sums stay exactly as they were
    return derive_lines(line, x.opening_cash, d["own_use_hours"], x.available_hours,
                        loans=bool(x.loans.names))


def _sum_of(items: Array, chosen: NDArray[np.bool_]) -> Array:
    """The sum of the chosen items (axis -2), as ``items[..., chosen, :].sum(axis=-2)``:
    the chosen items are taken items first, one contiguous block each."""
    total: Array = np.moveaxis(items, -2, 0)[chosen].sum(axis=0)
    return total


def _fold(first: Array, *steps: tuple[np.ufunc, Array], own: bool = False) -> Array:
    """``first op1 a1 op2 a2 ...``, left to right as written (so with the same rounding),
    into one new array (or into ``first`` when ``own``: an array nobody else holds);
    the operands are left alone.

    Examples
    --------
    >>> _fold(np.array([1.0, 2.0]), (np.add, np.array([3.0, 4.0])), (np.subtract, 1.0)).tolist()
    [3.0, 5.0]
    """
    out: Array = first
    for i, (op, operand) in enumerate(steps):
        term = np.asarray(operand)
        if (i or own) and (term.ndim < out.ndim or term.shape == out.shape):
            op(out, term, out=out)
        else:
            out = op(out, term)
    return out


def derive_lines(flows: Mapping[str, Array], opening_cash: ArrayLike,
                 own_use_hours: ArrayLike, available_hours: ArrayLike,
                 loans: bool = True) -> dict[str, Array]:
    """Every line of spec section 4 from the flows and the balances of fixed assets.

    The one place where totals, ``result``, ``net_cash_flow``, ``cash_end``, ``equity``,
    ``occupancy`` and ``self_sufficiency`` are defined: the plan (:func:`evaluate`) and
    the prognosis of the actuals (spec section 10) both go through it.

    Parameters
    ----------
    flows
        The flow lines (``rental_income`` .. ``subsidy_cash``, ``interest``,
        ``loan_received``, ``repayment``, ``rented_hours``) and the balances
        ``book_value``, ``deferred_subsidy`` and ``debt``, euros (hours) per year, shape
        ``batch + (T,)``. Other keys are ignored.
    opening_cash
        Cash at the start of the first year, EUR, shape ``batch``.
    own_use_hours, available_hours
        Hours per year, for ``occupancy``.
    loans
        Whether the loan flows enter the sums; False leaves them out, so that a scenario
        without loans gives the v1 sums bit for bit (the loan flows are then 0).

    Returns
    -------
    dict
        Every name of :data:`LINES`.

    Examples
    --------
    >>> flows = {name: np.array([0.0, 0.0]) for name in LINES}
    >>> flows["rental_income"] = np.array([100.0, 50.0])
    >>> out = derive_lines(flows, 10.0, np.zeros(2), np.array([1000.0, 1000.0]))
    >>> out["cash_end"].tolist(), out["equity"].tolist()
    ([110.0, 160.0], [110.0, 160.0])
    """
    line = {name: np.asarray(value, dtype=float) for name, value in flows.items()}
    line["in_kind_costs"] = line["in_kind_income"]
    add, sub = np.add, np.subtract
    ri, ops, isr, pc = (line[k] for k in ("rental_income", "operating_subsidies",
                                          "investment_subsidy_release", "partner_cash"))
    oc, vc, dep = line["operating_costs"], line["variable_costs"], line["depreciation"]
    interest = [(add, line["interest"])] if loans else []
    # shared beginnings of the sums below, each computed once (the same terms in the
    # same order as written out in full, so the same rounding)
    income = _fold(ri, (add, ops), (add, isr), (add, pc))
    own_costs = _fold(oc, (add, vc), (add, dep))
    line["total_income"] = _fold(income, (add, line["in_kind_income"]))
    line["total_expenses"] = _fold(own_costs, (add, line["in_kind_costs"]), *interest)
    # income minus expenses, with the in-kind pair (equal by definition) left out so that
    # in-kind amounts cannot move the result even by float rounding
    line["result"] = _fold(income, (sub, oc), (sub, vc), (sub, dep),
                           *[(sub, line["interest"])] * loans)
    line["structural_result"] = _fold(line["result"], (sub, ops), (sub, isr))
    own_income = _fold(ri, (add, pc))
    line["net_cash_flow"] = _fold(own_income, (add, line["subsidy_cash"]), (sub, oc), (sub, vc),
                                  (sub, line["capex"]),
                                  *[(add, line["loan_received"]), (sub, line["interest"]),
                                    (sub, line["repayment"])] * loans)
    opening = np.asarray(opening_cash, dtype=float)[..., None]
    line["cash_end"] = _fold(cumulative_sum(line["net_cash_flow"]), (add, opening), own=True)
    line["equity"] = _fold(cumulative_sum(line["result"]), (add, opening), own=True)
    line["occupancy"] = _fold(np.asarray(own_use_hours, dtype=float),
                              (add, line["rented_hours"]),
                              (np.divide, np.asarray(available_hours, dtype=float)))
    if loans:
        own_costs = _fold(own_costs, *interest)
    with np.errstate(over="ignore"):  # a denormal divisor: no meaningful ratio, null below
        own_income, own_costs = np.broadcast_arrays(own_income, own_costs)
        ratio = np.divide(own_income, own_costs, out=np.full(own_costs.shape, np.nan),
                          where=own_costs != 0)
    np.copyto(ratio, np.nan, where=~np.isfinite(ratio))
    line["self_sufficiency"] = ratio
    return {name: line[name] for name in LINES}


def kpis(lines: Mapping[str, Array], x: Inputs) -> dict[str, Array]:
    """The KPIs of spec section 4, vectorized over the batch (NaN stands for null)."""
    years = x.years.astype(float)
    t = np.arange(len(years))
    structural, cash = lines["structural_result"], lines["cash_end"]
    discount = (1.0 + x.discount_rate[..., None]) ** t
    # break-even: the first year from which every remaining year is >= 0
    first_holding, holds_at_end = _first_of_last_run(structural >= 0)
    break_even = np.where(holds_at_end, years[np.minimum(first_holding, len(years) - 1)],
                          np.nan)
    # funding gap: the structural result in the first year after the last subsidy cash
    after = _after_last(lines["subsidy_cash"] > 0)                     # index of t*
    gap_defined = (after > 0) & (after < len(years))  # some cash, and a year after it
    at = np.take_along_axis(structural, np.minimum(after, len(years) - 1)[..., None], -1)[..., 0]
    low = year_min(cash)
    below = cash < x.minimum_cash[..., None]
    return {
        "total_result": year_sum(lines["result"]),
        "npv": year_sum(lines["net_cash_flow"] / discount),
        "break_even_year": break_even,
        "min_cash": low,
        "min_cash_year": years[year_argmin(cash, low)],
        "years_below_minimum": _count(below),
        "funding_gap_after_subsidy": np.where(gap_defined, np.maximum(0.0, -at), np.nan),
        "book_value_end": lines["book_value"][..., -1],
        "deferred_subsidy_end": lines["deferred_subsidy"][..., -1],
        "debt_end": lines["debt"][..., -1],
        "financing_need": np.maximum(0.0, x.minimum_cash - low),
        "min_debt_service_coverage": _min_dscr(lines, x),
    }


def _first_of_last_run(holds: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Per row: the first year of the run of true values that reaches the last year (any
    year when the last is false), and whether the last year is true."""
    if not many_rows(holds):
        after = np.flip(np.logical_and.accumulate(np.flip(holds, -1), axis=-1), -1)
        return np.argmax(after, axis=-1), after[..., -1]
    run = np.zeros(holds.shape[:-1], dtype=np.int64)
    going = np.ones(holds.shape[:-1], dtype=bool)
    for t in range(holds.shape[-1] - 1, -1, -1):  # a year at a time over all rows
        going &= holds[..., t]
        run += going
    return holds.shape[-1] - run, holds[..., -1]


def _after_last(paid: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Per row: the year index after the last true year; 0 or the number of years when
    none is true."""
    if not many_rows(paid):
        return np.asarray(paid.shape[-1] - np.argmax(np.flip(paid, -1), axis=-1),
                          dtype=np.int64)
    out = np.zeros(paid.shape[:-1], dtype=np.int64)
    for t in range(paid.shape[-1]):
        out[paid[..., t]] = t + 1
    return out


def _count(flags: NDArray[np.bool_]) -> Array:
    """Per row: the number of true years, as a float."""
    if not many_rows(flags):
        return np.asarray(flags.sum(axis=-1), dtype=float)
    out = np.zeros(flags.shape[:-1])
    for t in range(flags.shape[-1]):
        out += flags[..., t]
    return out


def _min_dscr(lines: Mapping[str, Array], x: Inputs) -> Array:
    """The lowest debt service coverage over the years with debt service; NaN without.

    ``DSCR(t) = (net_cash_flow - loan_received + interest + repayment) / (interest +
    repayment)``: the year's own cash available for debt service over the debt service.
    A year has debt service when it is above :data:`DEBT_TOLERANCE`.
    """
    batch = lines["cash_end"].shape[:-1]
    service = lines["interest"] + lines["repayment"]
    # no loans in the plan and no debt service in the lines (a prognosis's actuals can
    # book some): null
    if not x.loans.names and not np.any(service > DEBT_TOLERANCE):
        return np.full(batch, np.nan)
    available = lines["net_cash_flow"] - lines["loan_received"] + service
    serviced = service > DEBT_TOLERANCE
    dscr = np.divide(available, service, out=np.full(service.shape, np.inf), where=serviced)
    return np.where(serviced.any(axis=-1), year_min(dscr), np.nan)

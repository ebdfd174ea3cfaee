"""Invariants of the engine on random scenarios (hypothesis)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.model.scenario import validate_scenario

START = 2025
money = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)
share = st.floats(0, 1, allow_nan=False)
rate = st.floats(-0.05, 0.1, allow_nan=False)


@st.composite
def series(draw: st.DrawFn, values: st.SearchStrategy[float], horizon: int) -> Any:
    if draw(st.booleans()):
        return draw(values)
    years = draw(st.lists(st.integers(START - 1, START + horizon), min_size=1, max_size=3,
                          unique=True))
    return {y: draw(values) for y in years}


@st.composite
def window(draw: st.DrawFn, horizon: int) -> dict[str, int]:
    out = {}
    if draw(st.booleans()):
        out["from"] = draw(st.integers(START - 1, START + horizon))
    if draw(st.booleans()):
        out["until"] = draw(st.integers(out.get("from", START - 1), START + horizon + 1))
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    horizon = draw(st.integers(1, 12))
    names = st.sampled_from(["cpi", "wages", None])
    hours = draw(st.floats(100, 5000))
    n_parties = draw(st.integers(0, 3))

    def index() -> dict[str, str]:
        name = draw(names)
        return {"indexation": name} if name else {}

    segments = [{"name": f"S{i}", "tariff": draw(series(money, horizon)),
                 "discount": draw(share), "demand_hours": draw(series(st.floats(0, 4000), horizon)),
                 "ramp_up": draw(st.lists(share, max_size=4)), **index(), **draw(window(horizon))}
                for i in range(draw(st.integers(0, 3)))]
    subsidies = []
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["operating", "investment"]))
        item: dict[str, Any] = {"name": f"U{i}", "type": kind}
        if draw(st.booleans()):
            years = draw(st.lists(st.integers(START, START + horizon - 1), min_size=1,
                                  max_size=3, unique=True))
            item["amounts"] = {y: draw(money) for y in years}
        else:
            linear = draw(st.booleans())
            item["amount"] = draw(money)
            item["phase_out"] = {"start": draw(st.integers(START, START + horizon - 1)),
                                 "full_years": draw(st.integers(0, 4)),
                                 "taper_years": draw(st.integers(0, 4)) if linear else 0,
                                 "shape": "linear" if linear else "step"}
        if kind == "investment":
            item["release_years"] = draw(st.integers(1, 6))
        subsidies.append(item)
    parties = [{"name": f"P{i}", "role": "public",
                "own_use_hours": draw(st.floats(0, hours / (n_parties + 1))),
                "contributions": [{"name": f"C{j}", "type": draw(st.sampled_from(["cash",
                                                                                  "in_kind"])),
                                   "amount": draw(series(money, horizon)), **index(),
                                   **draw(window(horizon))}
                                  for j in range(draw(st.integers(0, 3)))]}
               for i in range(n_parties)]
    return {
        "name": "random", "start_year": START, "horizon": horizon,
        "indexation": {"cpi": draw(series(rate, horizon)), "wages": draw(series(rate, horizon))},
        "facility": {"available_hours": hours},
        "investments": [{"name": f"I{i}", "amount": draw(money),
                         "year": draw(st.integers(START, START + horizon - 1)),
                         "life": draw(st.integers(1, 8)), "replace": draw(st.booleans()),
                         **index()} for i in range(draw(st.integers(0, 3)))],
        "operating_costs": [{"name": f"O{i}", "amount": draw(series(money, horizon)), **index(),
                             **draw(window(horizon))} for i in range(draw(st.integers(0, 3)))],
        "rental": {"variable_cost_per_hour": draw(st.floats(0, 50)), "segments": segments},
        "subsidies": subsidies, "parties": parties,
        "finance": {"opening_cash": draw(st.floats(-1e6, 1e6)),
                    "minimum_cash": draw(st.floats(0, 1e5)),
                    "discount_rate": draw(st.floats(0, 0.1)),
                    "loans": [{"name": f"L{i}", "amount": draw(st.floats(1, 1e6)),
                               "year": draw(st.integers(START, START + horizon - 1)),
                               "rate": draw(st.floats(0, 0.15)),
                               "term": draw(st.integers(1, 10)),
                               "grace_years": draw(st.integers(0, 3)),
                               "repayment": draw(st.sampled_from(["linear", "annuity"]))}
                              for i in range(draw(st.integers(0, 2)))]},
    }


def project(data: dict[str, Any]) -> finmodel.Projection:
    return finmodel.project(validate_scenario(data))


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(scenarios())
def test_identities_hold(data: dict[str, Any]) -> None:
    """Both identities hold in every year of any valid scenario."""
    p = project(data)
    assert p.master_check, [c.message for c in p.checks if not c.passed]


@FAST
@given(scenarios(), st.floats(0, 10))
def test_in_kind_never_changes_result(data: dict[str, Any], factor: float) -> None:
    """Scaling every in-kind contribution leaves result, cash and KPIs unchanged."""
    other = copy.deepcopy(data)
    for party in other["parties"]:
        for c in party["contributions"]:
            if c["type"] == "in_kind":
                c["amount"] = _scale(c["amount"], factor)
    a, b = project(data), project(other)
    for line in ("result", "structural_result", "net_cash_flow", "cash_end", "equity"):
        np.testing.assert_array_equal(a.lines[line], b.lines[line])


MONEY_LINES = [n for n in finmodel.LINES if n not in ("rented_hours", "occupancy",
                                                       "self_sufficiency")]


def _scale(value: Any, k: float) -> Any:
    return {y: v * k for y, v in value.items()} if isinstance(value, dict) else value * k


@FAST
@given(scenarios(), st.sampled_from([0.5, 3.0, 1000.0]))
def test_money_scales_linearly(data: dict[str, Any], k: float) -> None:
    """Multiplying every money amount by k multiplies every money line by k."""
    other = copy.deepcopy(data)
    for s in other["rental"]["segments"]:
        s["tariff"] = _scale(s["tariff"], k)
    other["rental"]["variable_cost_per_hour"] *= k
    for group in ("investments", "operating_costs"):
        for item in other[group]:
            item["amount"] = _scale(item["amount"], k)
    for u in other["subsidies"]:
        if "amounts" in u:
            u["amounts"] = _scale(u["amounts"], k)
        else:
            u["amount"] *= k
    for party in other["parties"]:
        for c in party["contributions"]:
            c["amount"] = _scale(c["amount"], k)
    for key in ("opening_cash", "minimum_cash"):
        other["finance"][key] *= k
    for loan in other["finance"]["loans"]:
        loan["amount"] *= k
    a, b = project(data), project(other)
    for line in MONEY_LINES:
        np.testing.assert_allclose(b.lines[line], k * a.lines[line], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(b.lines["rented_hours"], a.lines["rented_hours"])
    # break-even compares with 0 exactly: a structural result that is 0 up to float
    # rounding (3.6e-11 at one scale, -2.2e-8 at another) may fall on either side
    scale = max(1.0, float(np.abs(a.lines["total_income"]).max()))
    if not (np.abs(a.lines["structural_result"]) <= 1e-9 * scale).any():
        assert a.kpis["break_even_year"] == b.kpis["break_even_year"]


@FAST
@given(scenarios())
def test_rented_hours_within_capacity(data: dict[str, Any]) -> None:
    """Rented plus own-use hours never exceed the available hours."""
    p = project(data)
    capacity = p.evaluation.detail
    assert (p.lines["rented_hours"] <= capacity["rentable_hours"] * (1 + 1e-12) + 1e-9).all()
    assert (p.lines["occupancy"] <= 1 + 1e-12).all()


@FAST
@given(scenarios())
def test_phase_out_never_rises(data: dict[str, Any]) -> None:
    """A phased-out subsidy's yearly payment never rises once it has started."""
    p = project(data)
    cash = p.evaluation.detail["subsidy_cash"]
    for u, subsidy in enumerate(p.scenario.subsidies):
        if subsidy.phase_out is not None:
            paid = cash[u][p.years >= (subsidy.phase_out.start or START)]
            assert (np.diff(paid) <= 1e-9).all(), paid

"""Per-item detail of a projection: tables (pandas) and the JSON shape.

JSON shape of ``finmodel run --format json --detail`` under ``"detail"``::

    {"capacity": {"available_hours": [...], "own_use_hours": [...], "rentable_hours": [...]},
     "segments": {NAME: {"requested_hours": [...], "rented_hours": [...], "rental_income": [...]}},
     "operating_costs": {NAME: {"category": str, "amount": [...]}},
     "purchases": [{"investment": NAME, "year": int, "life": int, "cost": x,
                    "depreciation": [...], "book_value": [...]}],
     "subsidies": {NAME: {"type": str, "cash": [...], "income": [...], "deferred": [...],
                          "cut_off": x}},
     "parties": {NAME: {"own_use_hours": [...], "own_use_value": [...],
                        "contributions": {NAME: {"type": "cash"|"in_kind", "amount": [...]}},
                        "benefits": {NAME: [...]}}},
     "loans": {NAME: {"repayment": "linear"|"annuity", "received": [...], "interest": [...],
                      "repaid": [...], "debt": [...]}}}

``loans`` (contract v1.1) is ``{}`` without loans.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection

__all__ = ["detail_dict", "detail_frames", "detail_rows"]


def _rows(p: Projection) -> dict[str, Sequence[tuple[tuple[str, ...], np.ndarray]]]:
    """Every detail row as ((labels...), values per year), grouped by table."""
    d, x = p.evaluation.detail, p.evaluation.inputs
    capacity: list[tuple[tuple[str, ...], np.ndarray]] = [
        (("available_hours",), x.available_hours)]
    capacity += [(("own_use_hours", party), hours)
                 for party, hours in zip(x.parties, x.own_use, strict=True)]
    capacity += [(("rentable_hours",), d["rentable_hours"])]
    capacity += [(("rented_hours", seg), hours)
                 for seg, hours in zip(x.segments, d["segment_rented_hours"], strict=True)]
    segments = [((seg, measure), d[f"segment_{measure}"][i])
                for i, seg in enumerate(x.segments)
                for measure in ("requested_hours", "rented_hours", "rental_income")]
    costs = [((name, cat), d["cost_amounts"][i])
             for i, (name, cat) in enumerate(zip(x.costs, x.cost_categories, strict=True))]
    purchases = [((b.investment, str(b.year), measure), d[f"purchase_{measure}"][k])
                 for k, b in enumerate(x.purchases)
                 for measure in ("capex", "depreciation", "book_value")]
    subsidies = [((name, measure), d[f"subsidy_{measure}"][u])
                 for u, name in enumerate(x.subsidies) for measure in ("cash", "income",
                                                                       "deferred")]
    contributions = [((party, name, kind), x.contribution_amounts[q])
                     for q, (party, name, kind) in enumerate(x.contributions)]
    benefits = [((party, name), x.benefit_amounts[r]) for r, (party, name) in enumerate(x.benefits)]
    loans = [((name, label), d[f"loan_{key}"][i]) for i, name in enumerate(x.loans.names)
             for key, label in _LOAN_MEASURES]
    return {"capacity": capacity, "segments": segments, "operating_costs": costs,
            "purchases": purchases, "subsidies": subsidies, "contributions": contributions,
            "benefits": benefits, "loans": loans}


#: Per loan: detail array key -> the measure's name in tables and JSON.
_LOAN_MEASURES = (("received", "received"), ("interest", "interest"),
                  ("repayment", "repaid"), ("debt", "debt"))


_LEVELS = {
    "capacity": ("measure", "item"), "segments": ("segment", "measure"),
    "operating_costs": ("cost", "category"), "purchases": ("investment", "purchase_year",
                                                          "measure"),
    "subsidies": ("subsidy", "measure"), "contributions": ("party", "contribution", "type"),
    "benefits": ("party", "benefit"), "loans": ("loan", "measure"),
}


def detail_rows(p: Projection) -> dict[str, tuple[tuple[str, ...],
                                                 list[tuple[tuple[str, ...], np.ndarray]]]]:
    """Per detail table its label names and its rows: ``(labels, values per year)``,
    the labels padded with ``""`` to one per name (what :func:`detail_frames` holds,
    without pandas).

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> names, rows = detail_rows(p)["capacity"]
    >>> names, rows[0][0]
    (('measure', 'item'), ('available_hours', ''))
    """
    out = {}
    for table, rows in _rows(p).items():
        levels = _LEVELS[table]
        out[table] = (levels, [(tuple(lab) + ("",) * (len(levels) - len(lab)), values)
                               for lab, values in rows])
    return out


def detail_frames(p: Projection) -> dict[str, pd.DataFrame]:
    import pandas as pd

    frames = {}
    for table, (levels, rows) in detail_rows(p).items():
        labels = [lab for lab, _ in rows]
        index = pd.MultiIndex.from_tuples(labels, names=levels) if labels else \
            pd.MultiIndex.from_tuples([], names=levels)
        frames[table] = pd.DataFrame([v for _, v in rows], index=index,
                                     columns=p.years.tolist(), dtype=float)
    return frames


def detail_dict(p: Projection) -> dict[str, Any]:
    d, x = p.evaluation.detail, p.evaluation.inputs

    def lst(a: np.ndarray) -> list[float]:
        return [float(v) for v in a]

    parties: dict[str, Any] = {
        party: {"own_use_hours": lst(x.own_use[i]), "own_use_value": lst(d["own_use_value"][i]),
                "contributions": {}, "benefits": {}}
        for i, party in enumerate(x.parties)}
    for q, (party, name, kind) in enumerate(x.contributions):
        parties[party]["contributions"][name] = {"type": kind,
                                                 "amount": lst(x.contribution_amounts[q])}
    for r, (party, name) in enumerate(x.benefits):
        parties[party]["benefits"][name] = lst(x.benefit_amounts[r])
    return {
        "capacity": {"available_hours": lst(x.available_hours),
                     "own_use_hours": lst(d["own_use_hours"]),
                     "rentable_hours": lst(d["rentable_hours"])},
        "segments": {seg: {m: lst(d[f"segment_{m}"][i])
                           for m in ("requested_hours", "rented_hours", "rental_income")}
                     for i, seg in enumerate(x.segments)},
        "operating_costs": {name: {"category": x.cost_categories[i],
                                   "amount": lst(d["cost_amounts"][i])}
                            for i, name in enumerate(x.costs)},
        "purchases": [{"investment": b.investment, "year": b.year, "life": b.life,
                       "cost": float(x.purchase_costs[k]),
                       "depreciation": lst(d["purchase_depreciation"][k]),
                       "book_value": lst(d["purchase_book_value"][k])}
                      for k, b in enumerate(x.purchases)],
        "subsidies": {name: {"type": kind, "cash": lst(d["subsidy_cash"][u]),
                             "income": lst(d["subsidy_income"][u]),
                             "deferred": lst(d["subsidy_deferred"][u]),
                             "cut_off": float(x.subsidy_cut_off[u])}
                      for u, (name, kind) in enumerate(zip(x.subsidies, x.subsidy_types,
                                                           strict=True))},
        "parties": parties,
        "loans": {name: {"repayment": "annuity" if x.loans.annuity[i] else "linear",
                         **{label: lst(d[f"loan_{key}"][i]) for key, label in _LOAN_MEASURES}}
                  for i, name in enumerate(x.loans.names)},
    }

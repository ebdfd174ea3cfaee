"""The business case per party (spec sections 2 and 6): what each party brings and gets.

Sign convention: every amount is a positive number of euros per year, seen from the
party. A party *brings* its contributions (cash and in kind) and *gets* the value of
its own use of the lab (own-use hours x ``facility.own_use_value_per_hour``, indexed
as the scenario says) plus its listed benefits. Its **net = gets - brings**: positive
when the party gets more out of the partnership than it puts in. The party's NPV
discounts that net like the contract's ``npv``: ``sum(net(t) / (1 + r) ** t)``,
``t = 0`` for ``start_year``, ``r = finance.discount_rate``.

The lab's own position is the projection's: its net cash flow and result, seen from
the lab (positive when money comes in); its NPV is the projection's ``npv`` KPI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection

__all__ = ["LAB", "LAB_MEASURES", "MEASURES", "CofinancingRow", "PartyCase", "PartyStatement",
           "party_statement"]

Array = NDArray[np.float64]

#: The rows of a party's block, in display order (their words are in the views).
MEASURES: tuple[str, ...] = ("own_use_hours", "brings_cash", "brings_in_kind", "brings",
                             "own_use_value", "benefits", "gets", "net")
#: The rows of the lab's own block.
LAB_MEASURES: tuple[str, ...] = ("partner_cash", "in_kind_income", "result", "net_cash_flow")
#: The lab's rows in tables and CSV whose first column is the party. Names cannot contain
#: ``[`` or ``]`` (they are used in paths), so no party is ever called this: a party
#: named "Lab", "Total" or "Het lab zelf" stays apart from the lab's own rows.
LAB = "[lab]"

@dataclass(frozen=True)
class PartyCase:
    """One party's yearly give and get (euros, positive amounts) and its NPV."""

    name: str
    role: str
    own_use_hours: Array
    brings_cash: Array
    brings_in_kind: Array
    own_use_value: Array
    benefits: Array
    npv: float

    @property
    def brings(self) -> Array:
        return self.brings_cash + self.brings_in_kind

    @property
    def gets(self) -> Array:
        return self.own_use_value + self.benefits

    @property
    def net(self) -> Array:
        """What the party gets minus what it brings; positive: the party gains."""
        return self.gets - self.brings


@dataclass(frozen=True)
class CofinancingRow:
    """A subsidy's co-financing check (spec section 6) with the numbers behind it.

    ``partner_cash`` and ``partner_in_kind`` are all parties' contributions in the years
    the subsidy pays cash; ``ratio`` is their sum over ``subsidy_total`` (``inf`` for a
    subsidy that pays nothing); ``required`` and ``met`` are ``None`` without a
    ``cofinancing_ratio``.
    """

    subsidy: str
    years: tuple[int, ...]
    subsidy_total: float
    partner_cash: float
    partner_in_kind: float
    ratio: float
    required: float | None
    met: bool | None


@dataclass(frozen=True)
class PartyStatement:
    """The business case of every party, the lab's position and the co-financing checks."""

    scenario: str
    years: NDArray[np.int64]
    discount_rate: float
    parties: dict[str, PartyCase]
    lab: dict[str, Array]
    lab_npv: float
    cofinancing: tuple[CofinancingRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of ``finmodel parties --format json`` (see the commands' docs)."""
        return {
            "scenario": self.scenario,
            "years": self.years.tolist(),
            "discount_rate": self.discount_rate,
            "parties": {name: {"role": case.role,
                               **{m: _list(getattr(case, m)) for m in MEASURES},
                               "npv": case.npv}
                        for name, case in self.parties.items()},
            "lab": {**{m: _list(v) for m, v in self.lab.items()}, "npv": self.lab_npv},
            "cofinancing": [{"subsidy": r.subsidy, "years": list(r.years),
                             "subsidy_total": r.subsidy_total, "partner_cash": r.partner_cash,
                             "partner_in_kind": r.partner_in_kind,
                             "ratio": r.ratio if math.isfinite(r.ratio) else None,
                             "required": r.required, "met": r.met}
                            for r in self.cofinancing],
        }

    def table(self) -> pd.DataFrame:
        """Every party's rows and the lab's (party :data:`LAB`): index (party, measure),
        years as columns."""
        import pandas as pd

        rows = {(name, m): getattr(case, m) for name, case in self.parties.items()
                for m in MEASURES}
        rows.update({(LAB, m): v for m, v in self.lab.items()})
        frame = pd.DataFrame(list(rows.values()), columns=self.years.tolist(),
                             index=pd.MultiIndex.from_tuples(list(rows), names=("party",
                                                                                "measure")))
        frame["npv"] = [self.parties[p].npv if m == "net" else
                        (self.lab_npv if (p, m) == (LAB, "net_cash_flow") else np.nan)
                        for p, m in rows]
        return frame

    def cofinancing_table(self) -> pd.DataFrame:
        """One row per subsidy: the co-financing check and the numbers behind it."""
        import pandas as pd

        frame = pd.DataFrame([{"subsidy": r.subsidy, "years": _span(r.years),
                               "subsidy_total": r.subsidy_total,
                               "partner_cash": r.partner_cash,
                               "partner_in_kind": r.partner_in_kind,
                               "ratio": r.ratio if math.isfinite(r.ratio) else math.nan,
                               "required": r.required, "met": r.met}
                              for r in self.cofinancing])
        return frame.set_index("subsidy") if len(frame) else frame


def party_statement(projection: Projection) -> PartyStatement:
    """The business case per party of a projection.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> s = party_statement(p)
    >>> vendor = s.parties["CareTech Vendor"]
    >>> float(vendor.brings_cash[0]), float(vendor.brings_in_kind[0]), float(vendor.gets[0])
    (35000.0, 40000.0, 49800.0)
    >>> round(float(vendor.net[0]), 2)     # 60 h x 80 + 25 k + 20 k - 35 k - 40 k
    -25200.0
    """
    evaluation = projection.evaluation
    x, d = evaluation.inputs, evaluation.detail
    rate = float(x.discount_rate)
    discount = (1.0 + rate) ** np.arange(len(x.years))
    owner_q = np.array([party for party, _, _ in x.contributions], dtype=object)
    in_kind = np.array([kind == "in_kind" for _, _, kind in x.contributions], dtype=bool)
    owner_r = np.array([party for party, _ in x.benefits], dtype=object)
    amounts, benefit_amounts = x.contribution_amounts, x.benefit_amounts
    roles = {p.name: p.role for p in projection.scenario.parties}
    cases = {}
    for i, name in enumerate(x.parties):
        mine = owner_q == name
        case = PartyCase(
            name=name, role=roles[name], own_use_hours=x.own_use[i],
            brings_cash=amounts[mine & ~in_kind].sum(axis=0),
            brings_in_kind=amounts[mine & in_kind].sum(axis=0),
            own_use_value=d["own_use_value"][i],
            benefits=benefit_amounts[owner_r == name].sum(axis=0), npv=0.0)
        cases[name] = replace(case, npv=float((case.net / discount).sum()))
    lab = {m: projection.lines[m] for m in LAB_MEASURES}
    return PartyStatement(projection.scenario.name, projection.years, rate, cases, lab,
                          float(evaluation.kpis["npv"]), _cofinancing(projection, in_kind))


def _cofinancing(projection: Projection, in_kind: NDArray[np.bool_]) -> tuple[CofinancingRow, ...]:
    """The same arithmetic as the ``cofinancing[NAME]`` flag of the check sheet."""
    d, x = projection.evaluation.detail, projection.evaluation.inputs
    cash_by_year = x.contribution_amounts[~in_kind].sum(axis=0)
    kind_by_year = x.contribution_amounts[in_kind].sum(axis=0)
    rows = []
    for u, subsidy in enumerate(projection.scenario.subsidies):
        paying = d["subsidy_cash"][u] > 0
        total = float(d["subsidy_cash"][u].sum())
        cash, kind = float(cash_by_year[paying].sum()), float(kind_by_year[paying].sum())
        ratio = (cash + kind) / total if total else math.inf
        required = subsidy.cofinancing_ratio
        rows.append(CofinancingRow(subsidy.name, tuple(x.years[paying].tolist()), total, cash,
                                   kind, ratio, required,
                                   None if required is None else ratio >= required))
    return tuple(rows)


def _list(values: Array) -> list[float]:
    return [float(v) for v in values]


def _span(years: tuple[int, ...]) -> str:
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


# --- presentation -----------------------------------------------------------------------------

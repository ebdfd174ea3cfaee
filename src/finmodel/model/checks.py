"""The check sheet (spec sections 4 and 6): identities and flags for one projection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from finmodel.model.engine import DEBT_TOLERANCE
from finmodel.model.input_warnings import InputWarning

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["DSCR_FLAG", "OCCUPANCY_FLAG", "Check", "WarningCheck", "identity_tolerance",
           "run_checks"]

#: Occupancy above this leaves little room for growth (spec section 6).
OCCUPANCY_FLAG = 0.9

#: Debt service coverage below this: the year's own cash flow does not cover the debt
#: service (contract v1.1, section 9).
DSCR_FLAG = 1.0



@dataclass(frozen=True)
class Check:
    """One row of the check sheet.

    ``kind`` is ``identity`` (the model's arithmetic; these make the master check) or
    ``flag`` (a warning about the plan: cash below the reserve, co-financing not met,
    high occupancy, subsidy cut off by the horizon; or about the file: a likely typing
    mistake, named ``input_warning[PATH]``).
    """

    name: str
    kind: Literal["identity", "flag"]
    passed: bool
    message: str
    years: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "passed": self.passed,
                "message": self.message, "years": list(self.years)}


@dataclass(frozen=True)
class WarningCheck(Check):
    """The check-sheet row of an input warning; ``warning`` keeps its code and values so
    that a view can say it in another language (the JSON stays as :class:`Check`'s)."""

    warning: InputWarning | None = None


def identity_tolerance(*lines: np.ndarray) -> float:
    """Euros by which the two sides of an identity may differ: float rounding only.

    A millionth of a euro, growing with the size of the numbers involved (1e-9 relative).
    """
    scale = max((float(np.max(np.abs(line))) for line in lines if line.size), default=0.0)
    return 1e-6 + 1e-9 * scale


def run_checks(p: Projection) -> tuple[Check, ...]:
    lines, years = p.lines, p.years
    fin = p.scenario.finance
    cash_rhs = (lines["result"] + lines["depreciation"] - lines["capex"] + lines["subsidy_cash"]
                - lines["operating_subsidies"] - lines["investment_subsidy_release"]
                + lines["loan_received"] - lines["repayment"])
    balance_lhs = (lines["cash_end"] + lines["book_value"] - lines["deferred_subsidy"]
                   - lines["debt"])
    # the loan terms are 0 without loans: the rules are then stated as in v1
    loans = bool(fin.loans)
    checks = [
        _identity("cash_identity", lines["net_cash_flow"], cash_rhs, years,
                  "net_cash_flow = result + depreciation - capex + subsidy_cash "
                  "- operating_subsidies - investment_subsidy_release"
                  + (" + loan_received - repayment" if loans else "")),
        _identity("balance_identity", balance_lhs, lines["equity"], years,
                  "cash_end + book_value - deferred_subsidy"
                  + (" - debt" if loans else "") + " = equity"),
    ]
    low = years[lines["cash_end"] < fin.minimum_cash]
    checks.append(Check(
        "cash_above_minimum", "flag", not low.size,
        f"cash stays at or above the minimum of {fin.minimum_cash:,.0f} EUR in every year"
        if not low.size else
        f"cash below the minimum of {fin.minimum_cash:,.0f} EUR in {_years(low)}",
        tuple(low.tolist())))
    busy = years[lines["occupancy"] > OCCUPANCY_FLAG]
    checks.append(Check(
        "occupancy_headroom", "flag", not busy.size,
        f"occupancy at most {OCCUPANCY_FLAG:.0%} in every year" if not busy.size else
        f"occupancy above {OCCUPANCY_FLAG:.0%} in {_years(busy)}: little room for growth",
        tuple(busy.tolist())))
    checks.extend(_subsidy_checks(p))
    checks.extend(_loan_checks(p))
    checks.extend(WarningCheck(f"input_warning[{w.path}]", "flag", False,
                               f"{w.file}:{w.line}: {w.message}", warning=w)
                  for w in p.scenario.warnings)
    return tuple(checks)


def _loan_checks(p: Projection) -> list[Check]:
    """With loans: DSCR below 1.0 in a year, and debt left at the end of the horizon."""
    if not p.scenario.finance.loans:
        return []
    lines, years = p.lines, p.years
    service = lines["interest"] + lines["repayment"]
    available = lines["net_cash_flow"] - lines["loan_received"] + service
    short = years[(service > DEBT_TOLERANCE) & (available < DSCR_FLAG * service)]
    debt_end = float(lines["debt"][-1])
    return [
        Check("debt_service_coverage", "flag", not short.size,
              f"the year's own cash flow covers the debt service (DSCR >= {DSCR_FLAG:g}) "
              "in every year with debt service" if not short.size else
              f"debt service not covered by the year's own cash flow (DSCR below "
              f"{DSCR_FLAG:g}) in {_years(short)}", tuple(short.tolist())),
        Check("debt_at_end", "flag", debt_end <= DEBT_TOLERANCE,
              f"every loan is repaid within the horizon (by {years[-1]})"
              if debt_end <= DEBT_TOLERANCE else
              f"{debt_end:,.0f} EUR of loan principal is still to be repaid after "
              f"{years[-1]}", (int(years[-1]),) if debt_end > DEBT_TOLERANCE else ()),
    ]



def _identity(name: str, lhs: np.ndarray, rhs: np.ndarray, years: np.ndarray,
              rule: str) -> Check:
    gap = np.abs(lhs - rhs)
    bad = years[gap > identity_tolerance(lhs, rhs)]
    message = (f"holds in every year: {rule}" if not bad.size else
               f"fails in {_years(bad)} (largest gap {gap.max():,.6f} EUR): {rule}")
    return Check(name, "identity", not bad.size, message, tuple(bad.tolist()))


def _subsidy_checks(p: Projection) -> list[Check]:
    detail, x = p.evaluation.detail, p.evaluation.inputs
    contributions = detail["contribution_amounts"].sum(axis=-2)   # cash + in kind, all parties
    out = []
    for u, subsidy in enumerate(p.scenario.subsidies):
        cash = detail["subsidy_cash"][u]
        if subsidy.cofinancing_ratio is not None:
            paying = cash > 0
            total, matched = float(cash.sum()), float(contributions[paying].sum())
            if not total:  # nothing to match: a ratio would be 0/0
                out.append(Check(
                    f"cofinancing[{subsidy.name}]", "flag", True,
                    f"{subsidy.name} pays nothing inside the horizon: nothing to co-finance"))
                continue
            ratio = matched / total
            met = ratio >= subsidy.cofinancing_ratio
            out.append(Check(
                f"cofinancing[{subsidy.name}]", "flag", met,
                f"partners bring {matched:,.0f} EUR (cash and in kind) in the years "
                f"{subsidy.name} pays {total:,.0f} EUR: ratio {ratio:.2f}, "
                f"{'meets' if met else 'below'} the required {subsidy.cofinancing_ratio:g}",
                tuple(p.years[paying].tolist()) if not met else ()))
        cut = float(x.subsidy_cut_off[u])
        if cut > 0:
            out.append(Check(
                f"subsidy_cut_off[{subsidy.name}]", "flag", False,
                f"{cut:,.0f} EUR of {subsidy.name} falls after {p.years[-1]} and is left "
                "out of the projection"))
    return out


def _years(years: np.ndarray) -> str:
    return ", ".join(str(y) for y in years.tolist())

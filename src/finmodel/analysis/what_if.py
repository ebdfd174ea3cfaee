"""What-if comparisons: a scenario changed at some paths, against its base.

The first-class what-if is a partner's exit (:func:`partner_exit`): the party's flows
and own use stop from a year on, by data-level changes (the same overrides a risk can
list, see :func:`exit_overrides`). :func:`compare` sets any changed projection beside
its base: KPIs and budget lines, with differences *what-if minus base*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.model.engine import LINES
from finmodel.model.errors import FinModelError
from finmodel.model.scenario import Scenario
from finmodel.model.schema import Benefit, Contribution

if TYPE_CHECKING:
    from finmodel.model.projection import Projection

__all__ = ["Comparison", "compare", "exit_overrides", "partner_exit"]

Kpis = dict[str, float | int | None]


def exit_overrides(scenario: Scenario, party: str, year: int) -> dict[str, Any]:
    """The overrides by which ``party`` leaves the lab from ``year`` on (that year included).

    What stops: each of the party's contributions (cash and in kind, so an equipment
    loan ends and the equipment goes back) and benefits (``until: year - 1``; an item
    that would only start in or after ``year`` gets ``amount: 0``), and its own use
    (``own_use_hours`` becomes a series that is 0 from ``year``; the hours it frees
    become rentable). What does not change: rental demand (referrals the party brought
    stay unless a risk lowers them), operating costs, investments (the lab does *not*
    automatically buy lent equipment: add an investment if it must, as
    ``scenarios/vendor_exits.yaml`` does), subsidies (a co-financing condition may then
    fail: the check sheet flags it) and the opening cash.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> changes = exit_overrides(base, "CareTech Vendor", 2029)
    >>> changes["parties[CareTech Vendor].own_use_hours"]
    {2026: 60.0, 2029: 0.0}
    >>> changes["parties[CareTech Vendor].contributions[Partner fee].until"]
    2028
    """
    match = next((p for p in scenario.parties if p.name == party), None)
    if match is None:
        known = ", ".join(repr(p.name) for p in scenario.parties) or "none"
        raise FinModelError(f"no party named {party!r} in {scenario.name!r}; parties: {known}",
                            code="no_party", party=repr(party), scenario=repr(scenario.name),
                            known=known)
    if not scenario.start_year <= year <= scenario.end_year:
        raise FinModelError(f"exit year must be within the horizon {scenario.start_year}.."
                            f"{scenario.end_year}, got {year}", code="exit_year",
                            first=scenario.start_year, last=scenario.end_year, got=year)
    changes: dict[str, Any] = {}
    items: list[tuple[str, Contribution | Benefit]] = [
        *(("contributions", c) for c in match.contributions),
        *(("benefits", b) for b in match.benefits)]
    for kind, item in items:
        path = f"parties[{party}].{kind}[{item.name}]"
        if item.from_ is not None and item.from_ >= year:
            changes[f"{path}.amount"] = 0.0
        elif item.until is None or item.until >= year:
            changes[f"{path}.until"] = year - 1
    before = scenario.years[scenario.years < year]
    hours = match.own_use_hours.at(before)
    series = {int(y): float(h) for i, (y, h) in enumerate(zip(before, hours, strict=True))
              if i == 0 or h != hours[i - 1]}
    changes[f"parties[{party}].own_use_hours"] = {**series, year: 0.0}
    return changes


def partner_exit(scenario: Scenario, party: str, year: int) -> Scenario:
    """The scenario in which ``party`` leaves from ``year`` on; see :func:`exit_overrides`.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> after = finmodel.project(partner_exit(base, "CareTech Vendor", 2029))
    >>> lost = finmodel.project(base).lines["partner_cash"] - after.lines["partner_cash"]
    >>> [round(float(v), 2) for v in lost[2:4]]    # its fee in 2029: 35 k x 1.025 ** 3
    [0.0, 37691.17]
    """
    return scenario.with_changes(exit_overrides(scenario, party, year),
                                 source=f"exit of {party!r} from {year}")



@dataclass(frozen=True)
class Comparison:
    """A base projection and a what-if projection of it, with the changes made."""

    base: Projection
    what_if: Projection
    changes: dict[str, Any]

    @property
    def kpis(self) -> dict[str, Kpis]:
        """Per KPI: ``base``, ``what_if`` and ``difference`` (null where either is null)."""
        out: dict[str, Kpis] = {}
        for name, base in self.base.kpis.items():
            other = self.what_if.kpis[name]
            out[name] = {"base": base, "what_if": other,
                         "difference": None if base is None or other is None else other - base}
        return out

    def line_differences(self) -> dict[str, np.ndarray]:
        """``what_if - base`` for every budget line (NaN where a line is undefined)."""
        return {name: self.what_if.lines[name] - self.base.lines[name] for name in LINES}

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of ``finmodel what-if --format json``."""
        def floats(values: np.ndarray) -> list[float | None]:
            return [None if np.isnan(v) else float(v) for v in values]

        differences = self.line_differences()
        return {"scenario": self.base.scenario.name, "changes": self.changes,
                "years": self.base.years.tolist(), "kpis": self.kpis,
                "lines": {name: {"base": floats(self.base.lines[name]),
                                 "what_if": floats(self.what_if.lines[name]),
                                 "difference": floats(differences[name])} for name in LINES},
                "checks": {"base": self.base.master_check,
                           "what_if": self.what_if.master_check,
                           "what_if_flags": [c.to_dict() for c in self.what_if.checks
                                             if c.kind == "flag" and not c.passed]}}



def compare(base: Scenario, changes: dict[str, Any], source: str = "<what-if>") -> Comparison:
    """Project ``base`` and ``base`` with ``changes`` (path -> value), side by side.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> c = compare(base, {"finance.opening_cash": 160000})
    >>> c.kpis["min_cash"]["difference"]
    10000.0
    """
    from finmodel.model.projection import project

    return Comparison(project(base), project(base.with_changes(changes, source=source)),
                      dict(changes))

"""The risk register (spec section 7): each risk's impact and expected impact, ranked.

Each risk of ``scenario.risks`` is a stressed scenario: its ``overrides`` (``{PATH:
value}``, the path syntax of spec section 2; a value may replace a whole series)
applied to the base and validated again like a scenario file. Its **impact** on a KPI
is *stressed minus base*: a negative ``npv`` or ``min_cash`` impact is harmful, a
positive ``years_below_minimum`` or ``break_even_year`` impact is harmful. The
``break_even_year`` impact is null when either side never breaks even (the stressed
KPIs are reported beside it). The **expected impact** is ``probability x impact``, for
``npv`` and ``min_cash``; the register is ranked by expected npv impact, most harmful
(most negative) first, ties in file order.

Partner exit (:func:`finmodel.analysis.what_if.partner_exit`) is the same mechanism with
overrides computed from the scenario; a risk may list those overrides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finmodel.model.errors import FinModelError, Problem, ScenarioError
from finmodel.model.scenario import Scenario, set_value
from finmodel.model.schema import Risk

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXPECTED_KPIS", "IMPACT_KPIS", "RiskImpact", "RiskRegister", "risk_register",
           "stressed", "validate_risks"]

#: KPIs whose change each risk reports (stressed minus base).
IMPACT_KPIS: tuple[str, ...] = ("npv", "min_cash", "break_even_year", "years_below_minimum")
#: KPIs whose probability-weighted change each risk reports.
EXPECTED_KPIS: tuple[str, ...] = ("npv", "min_cash")

Kpis = dict[str, float | int | None]


# --- applying and validating risks ----------------------------------------------------------

def _apply(scenario: Scenario, risk: Risk) -> Scenario | list[Problem]:
    """The stressed scenario, or every problem of the risk's overrides, each at its line.

    Paths that name nothing are found one by one (so all are reported at once); the
    values of the others are then validated together, as a scenario file is.
    """
    bad: dict[str, Problem] = {}
    probe = scenario.data  # a copy: only to find the paths that name nothing
    for path, value in risk.overrides.items():
        try:
            set_value(probe, path, value)
        except (KeyError, ValueError) as exc:
            bad[path] = _risk_problem(scenario, risk, path, path, Problem(
                "", 0, path, f"cannot set: {exc.args[0]}", "cannot_set",
                (("reason", exc.args[0]), ("reason_code", getattr(exc, "code", "")),
                 ("reason_values", getattr(exc, "values", {})))))
    valid = {p: v for p, v in risk.overrides.items() if p not in bad}
    try:
        changed = scenario.with_changes(valid, source=f"risk {risk.name!r}")
    except ScenarioError as exc:
        found = [_risk_problem(scenario, risk, _override_of(p.path, risk), p.path, p)
                 for p in exc.problems]
        return sorted([*bad.values(), *found])
    return sorted(bad.values()) if bad else changed


def _override_of(path: str, risk: Risk) -> str | None:
    """The override that a validation problem at ``path`` comes from, if one does."""
    for override in risk.overrides:
        if path == override or path.startswith((f"{override}.", f"{override}[")) or \
                override.startswith((f"{path}.", f"{path}[")):
            return override
    return None


def _risk_problem(scenario: Scenario, risk: Risk, override: str | None, path: str,
                  found: Problem) -> Problem:
    """``found`` under ``risks[NAME].overrides``, at the line of the override (or the
    risk); its code and values kept, with the path it is about (``at``) when that is not
    the override itself."""
    where = f"risks[{risk.name}].overrides" + (f".{override}" if override else "")
    origin = scenario.origin(where)
    if path == override:
        return Problem(origin.file, origin.line, where, found.message, found.code,
                       found.values)
    return Problem(origin.file, origin.line, where, f"{path}: {found.message}", found.code,
                   (*found.values, ("at", path)))


def validate_risks(scenario: Scenario) -> list[Problem]:
    """Every problem with the risks' overrides: unknown paths, values the schema rejects.

    Each problem names the risk, at the file and line where the risk is written.

    Examples
    --------
    >>> import finmodel
    >>> validate_risks(finmodel.load_scenario("scenarios/base.yaml"))
    []
    """
    problems: list[Problem] = []
    for risk in scenario.risks:
        outcome = _apply(scenario, risk)
        if isinstance(outcome, list):
            problems.extend(outcome)
    return problems


def stressed(scenario: Scenario, name: str) -> Scenario:
    """The scenario with the overrides of the risk called ``name`` applied.

    Raises
    ------
    ScenarioError
        When the risk's overrides do not apply (the problems name the risk).
    FinModelError
        When the scenario has no risk of that name.
    """
    risk = next((r for r in scenario.risks if r.name == name), None)
    if risk is None:
        known = ", ".join(repr(r.name) for r in scenario.risks) or "none"
        raise FinModelError(f"no risk named {name!r} in {scenario.name!r}; risks: {known}",
                            code="no_risk", name=repr(name), scenario=repr(scenario.name),
                            known=known)
    result = _apply(scenario, risk)
    if isinstance(result, list):
        raise ScenarioError(result)
    return result


# --- the register ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RiskImpact:
    """One risk: its stressed KPIs, impact (stressed - base) and expected impact."""

    name: str
    probability: float
    description: str
    overrides: dict[str, Any]
    kpis: Kpis
    impact: Kpis
    expected_impact: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "probability": self.probability,
                "description": self.description, "overrides": self.overrides,
                "impact": self.impact, "expected_impact": self.expected_impact,
                "kpis": self.kpis}


@dataclass(frozen=True)
class RiskRegister:
    """The base KPIs and every risk, ranked by expected npv impact (most harmful first)."""

    scenario: str
    base: Kpis
    risks: tuple[RiskImpact, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON shape of ``finmodel risks --format json``."""
        return {"scenario": self.scenario, "base": dict(self.base),
                "risks": [r.to_dict() for r in self.risks]}

    def table(self) -> pd.DataFrame:
        """One row per risk, ranked: probability, impacts and expected impacts."""
        import pandas as pd

        rows = [{"risk": r.name, "probability": r.probability,
                 **{f"impact_{k}": r.impact[k] for k in IMPACT_KPIS},
                 **{f"expected_{k}": r.expected_impact[k] for k in EXPECTED_KPIS}}
                for r in self.risks]
        columns = ["risk", "probability", *(f"impact_{k}" for k in IMPACT_KPIS),
                   *(f"expected_{k}" for k in EXPECTED_KPIS)]
        return pd.DataFrame(rows, columns=columns).set_index("risk").astype(float)


def _difference(stress: float | int | None, base: float | int | None) -> float | int | None:
    if stress is None or base is None:
        return None
    return stress - base


def risk_register(scenario: Scenario) -> RiskRegister:
    """Apply each risk to the base scenario and rank the expected impacts.

    Raises
    ------
    ScenarioError
        With every problem of every risk's overrides at once.

    Examples
    --------
    >>> import finmodel
    >>> register = risk_register(finmodel.load_scenario("scenarios/base.yaml"))
    >>> ranked = [r.expected_impact["npv"] for r in register.risks]
    >>> ranked == sorted(ranked)
    True
    """
    from finmodel.model.projection import project

    outcomes = [(risk, _apply(scenario, risk)) for risk in scenario.risks]
    problems = [p for _, out in outcomes if isinstance(out, list) for p in out]
    if problems:
        raise ScenarioError(problems)
    base = project(scenario).kpis
    impacts = []
    for risk, out in outcomes:
        assert isinstance(out, Scenario)
        kpis = project(out).kpis
        impact = {k: _difference(kpis[k], base[k]) for k in IMPACT_KPIS}
        expected = {k: risk.probability * float(impact[k] or 0.0) for k in EXPECTED_KPIS}
        impacts.append(RiskImpact(risk.name, risk.probability, risk.description,
                                  dict(risk.overrides), dict(kpis), impact, expected))
    impacts.sort(key=lambda r: r.expected_impact["npv"])  # stable: ties keep file order
    return RiskRegister(scenario.name, dict(base), tuple(impacts))

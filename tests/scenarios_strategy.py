"""Hypothesis strategies for valid scenario FILES across the whole format (issue 9).

:func:`scenario_data` draws the plain data of one valid scenario: every block present or
absent (no parties, no rental, no subsidies, no investments, no costs, empty lists),
horizon 1 to 50, series as numbers and as step mappings, windows inside and outside the
horizon, ramp-ups longer than the horizon, replacements with life 1, both subsidy kinds
(``amounts``; ``amount`` + ``phase_out``, linear or step), own use exactly at capacity,
zero tariffs and demand, an ``uncertainty`` block and ``risks`` that apply, the
partnership texts (``partnership.objectives``, a party's ``objectives`` and
``responsibilities``: markup, quotes, accents, empty lists) and ``actuals`` of the first
closed years, inline or as a ledger CSV (``,`` with decimal points or a Dutch ``;`` export
with ``1.234,56``), any lines, control balances that need not reconcile, and
``finance.loans`` (one or two, drawn in any year of the horizon, rate 0 now and then,
grace years, linear or annuity), which risks may override by loan.

:func:`scenario_files` turns that data into YAML text, either one file or an ``extends``
chain of two or three files whose merge is exactly the data: parents hold part of the
lists, items the child ``remove: true``-s, values the child restates, and an empty list
in the child that replaces the parent's; inline actuals split between the files by year
and line. ``GeneratedScenario.data`` is what the chain resolves to, so a test can check
inheritance against a flat file of the same data (written beside the same ledger CSV).

Values stay inside bounds a controller could write (amounts up to a million euros, index
rates -5 %..12 %, discount rates -5 %..15 %), so every file is valid whatever bounds of
plausibility the loader adds; extreme values belong to the tests of bad input.

Import it from other tests: ``from scenarios_strategy import scenario_files, write_files``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

__all__ = ["LEDGER", "GeneratedScenario", "actuals_table", "ledger_csv", "scenario_data",
           "scenario_files", "write_files"]

_NAMES = {
    "investments": ["Fit-out", "Equipment", "Tovertafel", "VR sets / tablets", "Café furniture"],
    "operating_costs": ["Coordinator", "Licences & SaaS", "Housing", "Maintenance", "Other"],
    "segments": ["Care organisations", "Schools", "Municipalities & welfare",
                 "Companies / vendors' customers", "Zorg 's-Hertogenbosch"],
    "subsidies": ["RIF operating grant", "RIF investment grant", "Municipal grant", "Fund"],
    "parties": ["Colleges (mbo/hbo)", "Care organisations", "CareTech Vendor", "Gemeente"],
    "contributions": ["Fee", "Staff hours", "Equipment loan", "Extra fee"],
    "benefits": ["Feedback", "Showroom", "Recruitment"],
    "risks": ["Vendor exits", "Grant cut", "Slow ramp-up", "Wage shock"],
    "loans": ["Bridge", "Bank loan", "Municipal loan"],
}
_INDICES = ["cpi", "wages", "tariffs", "energy"]
_CATEGORIES = ["staff", "housing", "technology", "other"]


@dataclass(frozen=True)
class GeneratedScenario:
    """YAML text by file name (``main`` is the one to load) and the data it resolves to."""

    files: dict[str, str]
    main: str
    data: dict[str, Any]


def write_files(folder: Path, generated: GeneratedScenario) -> Path:
    """Write every file of ``generated`` into ``folder``; the path of the main file."""
    for name, text in generated.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder / generated.main


# --- values --------------------------------------------------------------------------------

amounts = st.one_of(st.just(0), st.integers(0, 500_000),
                    st.floats(0, 1e6, allow_nan=False, allow_infinity=False))
rates = st.integers(-50, 120).map(lambda v: v / 1000)
shares = st.one_of(st.sampled_from([0.0, 1.0]), st.integers(0, 100).map(lambda v: v / 100))


@st.composite
def series(draw: st.DrawFn, values: st.SearchStrategy[Any], years: tuple[int, int]) -> Any:
    """A number, or a step mapping whose keys may lie before, in or after the horizon."""
    if draw(st.booleans()):
        return draw(values)
    keys = draw(st.lists(st.integers(years[0] - 3, years[1] + 3), min_size=1, max_size=3,
                         unique=True))
    return {y: draw(values) for y in sorted(keys)}


@st.composite
def window(draw: st.DrawFn, years: tuple[int, int]) -> dict[str, int]:
    """Optional ``from``/``until``, also outside the horizon; ``until >= from``."""
    out: dict[str, int] = {}
    if draw(st.booleans()):
        out["from"] = draw(st.integers(years[0] - 5, years[1] + 5))
    if draw(st.booleans()):
        out["until"] = draw(st.integers(out.get("from", years[0] - 5), years[1] + 5))
    return out


def _index(draw: st.DrawFn, indices: list[str]) -> str | None:
    return draw(st.sampled_from([None, *indices]))


def _names(draw: st.DrawFn, kind: str, most: int) -> list[str]:
    pool = _NAMES[kind]
    return draw(st.lists(st.sampled_from(pool), max_size=min(most, len(pool)), unique=True))


def _with(item: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """``item`` plus the optional keys whose value is not None."""
    return {**item, **{k.rstrip("_"): v for k, v in optional.items() if v is not None}}


# --- blocks --------------------------------------------------------------------------------

def _investments(draw: st.DrawFn, years: tuple[int, int], indices: list[str]) -> list[Any]:
    return [_with({"name": name, "amount": draw(amounts),
                   "year": draw(st.integers(*years)),
                   "life": draw(st.one_of(st.just(1), st.integers(1, 20)))},
                  replace=draw(st.sampled_from([None, True, False])),
                  indexation=_index(draw, indices))
            for name in _names(draw, "investments", 3)]


def _costs(draw: st.DrawFn, years: tuple[int, int], indices: list[str]) -> list[Any]:
    return [_with({"name": name, "amount": draw(series(amounts, years)),
                   **draw(window(years))},
                  category=draw(st.sampled_from([None, *_CATEGORIES])),
                  indexation=_index(draw, indices))
            for name in _names(draw, "operating_costs", 3)]


def _rental(draw: st.DrawFn, years: tuple[int, int], indices: list[str]) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    horizon = years[1] - years[0] + 1
    segments = [_with({"name": name,
                       "tariff": draw(series(st.one_of(st.just(0), amounts), years)),
                       "demand_hours": draw(series(st.one_of(st.just(0),
                                                             st.integers(0, 3000)), years)),
                       **draw(window(years))},
                      discount=draw(st.one_of(st.none(), shares)),
                      ramp_up=draw(st.one_of(st.none(), st.lists(
                          shares, max_size=min(horizon + 3, 12)))),
                      indexation=_index(draw, indices))
                for name in _names(draw, "segments", 3)]
    out = _with({}, variable_cost_per_hour=draw(st.one_of(st.none(), series(amounts, years))),
                variable_cost_indexation=_index(draw, indices))
    if segments or draw(st.booleans()):
        out["segments"] = segments
    return out


def _subsidies(draw: st.DrawFn, years: tuple[int, int]) -> list[Any]:
    out = []
    for name in _names(draw, "subsidies", 3):
        kind = draw(st.sampled_from(["operating", "investment"]))
        item: dict[str, Any] = {"name": name, "type": kind}
        if draw(st.booleans()):
            paid = draw(st.lists(st.integers(*years), min_size=1, max_size=3, unique=True))
            item["amounts"] = {y: draw(amounts) for y in sorted(paid)}
        else:
            shape = draw(st.sampled_from([None, "linear", "step"]))
            phase = _with({}, start=draw(st.one_of(st.none(), st.integers(*years))),
                          full_years=draw(st.one_of(st.none(), st.integers(0, 6))),
                          taper_years=None if shape == "step" else
                          draw(st.one_of(st.none(), st.integers(0, 6))), shape=shape)
            item.update(amount=draw(amounts), phase_out=phase)
        if kind == "investment":
            item["release_years"] = draw(st.integers(1, 20))
        if draw(st.booleans()):
            item["cofinancing_ratio"] = draw(st.integers(0, 30).map(lambda v: v / 10))
        out.append(item)
    return out


def _hours(draw: st.DrawFn, years: tuple[int, int], n_parties: int
           ) -> tuple[Any, list[Any]]:
    """Available hours and each party's own use; sometimes own use exactly at capacity."""
    if n_parties and draw(st.booleans()):
        total = draw(st.integers(1, 3000))
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=n_parties - 1,
                                    max_size=n_parties - 1)))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        return total, parts  # integers: their float sum is exact
    available = draw(series(st.integers(1, 5000), years))
    lowest = min(available.values()) if isinstance(available, dict) else available
    share = lowest // max(n_parties, 1)
    return available, [draw(series(st.integers(0, share), years)) for _ in range(n_parties)]


#: Free texts of the agreement: plain, Dutch, markup and quotes, long, empty lists.
_texts = st.lists(st.sampled_from([
    "Train 400 students a year in care technology",
    "Studenten werken met actuele zorgtechnologie (mbo/hbo) – ’s-Hertogenbosch",
    "<b>Bold</b> & <script>alert(1)</script>", "Quote \"this\" and 'that'; 50 % = ½",
    "A long objective " + "that goes on " * 30, "#1: no comment", "",
]), max_size=3)


def _party(draw: st.DrawFn, name: str, own_use: Any, years: tuple[int, int],
           indices: list[str]) -> dict[str, Any]:
    contributions = [_with({"name": c, "type": draw(st.sampled_from(["cash", "in_kind"])),
                            "amount": draw(series(amounts, years)), **draw(window(years))},
                           indexation=_index(draw, indices))
                     for c in _names(draw, "contributions", 3)]
    benefits = [_with({"name": b, "amount": draw(series(amounts, years)),
                       **draw(window(years))}, indexation=_index(draw, indices))
                for b in _names(draw, "benefits", 2)]
    item = _with({"name": name, "role": draw(st.sampled_from(["public", "commercial", "other"]))},
                 objectives=draw(st.one_of(st.none(), _texts)),
                 responsibilities=draw(st.one_of(st.none(), _texts)),
                 own_use_hours=own_use if own_use or draw(st.booleans()) else None)
    if contributions or draw(st.booleans()):
        item["contributions"] = contributions
    if benefits or draw(st.booleans()):
        item["benefits"] = benefits
    return item


def _finance(draw: st.DrawFn, years: tuple[int, int]) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    return _with({}, opening_cash=draw(st.one_of(st.none(), st.integers(-100_000, 1_000_000))),
                 minimum_cash=draw(st.one_of(st.none(), st.integers(-10_000, 200_000))),
                 discount_rate=draw(st.one_of(st.none(), st.integers(-50, 150).map(
                     lambda v: v / 1000))),
                 loans=draw(st.one_of(st.none(), _loans(years), _loans(years))))


@st.composite
def _loans(draw: st.DrawFn, years: tuple[int, int]) -> list[dict[str, Any]]:
    """One or two loans (contract v1.1): drawn inside the horizon, any term, with or
    without grace years, linear or annuity, a rate of 0 now and then."""
    return [_with({"name": name, "amount": draw(st.integers(1, 1_000_000)),
                   "year": draw(st.integers(*years)),
                   "rate": draw(st.one_of(st.just(0), st.integers(0, 200).map(
                       lambda v: v / 1000))),
                   "term": draw(st.integers(1, 30))},
                  grace_years=draw(st.one_of(st.none(), st.integers(0, 5))),
                  repayment=draw(st.one_of(st.none(), st.sampled_from(["linear", "annuity"]))))
            for name in _names(draw, "loans", 2)]


# --- actuals ---------------------------------------------------------------------------------

#: Lines of an actuals table (flows, then control balances), as the loader knows them.
_FLOWS = ("rental_income", "operating_subsidies", "investment_subsidy_release", "partner_cash",
          "in_kind_income", "operating_costs", "variable_costs", "depreciation", "interest",
          "capex", "subsidy_cash", "loan_received", "repayment", "rented_hours")
_BALANCES = ("cash_end", "book_value", "deferred_subsidy", "debt")
#: Name of the generated ledger file (after the stem), beside the main scenario file.
LEDGER = "{stem}-ledger.csv"

_booked = st.one_of(st.just(0), st.integers(0, 400_000),
                    st.integers(0, 100_000_000).map(lambda cents: cents / 100))


@st.composite
def actuals_table(draw: st.DrawFn, years: tuple[int, int]) -> dict[int, dict[str, float]]:
    """Booked amounts of the first 1 to 3 closed years (at least one line each): flows
    >= 0, control balances of any sign (they need not reconcile)."""
    closed = draw(st.integers(1, min(3, years[1] - years[0] + 1)))
    out: dict[int, dict[str, float]] = {}
    for year in range(years[0], years[0] + closed):
        lines = draw(st.lists(st.sampled_from(_FLOWS + _BALANCES), min_size=1, max_size=6,
                              unique=True))
        out[year] = {line: draw(_booked) if line not in _BALANCES
                     else draw(st.integers(-200_000, 400_000)) for line in lines}
    return out


def ledger_csv(table: dict[int, dict[str, float]], dutch: bool) -> str:
    """The table as a ledger export: ``line,YEAR,...`` with decimal points, or a Dutch
    ``line;YEAR;...`` with ``1.234,56``; a line a year leaves out is an empty cell."""
    years = sorted(table)
    lines = [n for n in (*_FLOWS, *_BALANCES) if any(n in table[y] for y in years)]

    def cell(value: float | None) -> str:
        if value is None:
            return ""
        if not dutch:
            return repr(float(value))
        text = f"{value:,.2f}"  # cents: the generated amounts have at most two decimals
        return text.translate(str.maketrans({",": ".", ".": ","}))

    sep = ";" if dutch else ","
    rows = [sep.join(["line", *map(str, years)])]
    rows += [sep.join([n, *(cell(table[y].get(n)) for y in years)]) for n in lines]
    return "\n".join(rows) + "\n"


# --- uncertainty and risks -----------------------------------------------------------------

def _uncertain_paths(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Paths of the scenario with a distribution that keeps each inside its range."""
    multiply = {"triangular": [0.5, 1.0, 1.5], "apply": "multiply"}
    out: dict[str, dict[str, Any]] = {
        "finance.opening_cash": {"normal": [50_000, 20_000]},
        "finance.discount_rate": {"uniform": [0.0, 0.08]},
        "facility.available_hours": {"uniform": [0.8, 1.2], "apply": "multiply"},
    }
    for name in data.get("indexation", {}):
        out[f"indexation.{name}"] = {"normal": [0.02, 0.005]}
    for s in data.get("rental", {}).get("segments", []):
        out[f"rental.segments[{s['name']}].tariff"] = {"uniform": [0.8, 1.1],
                                                       "apply": "multiply"}
        out[f"rental.segments[{s['name']}].demand_hours"] = multiply
        out[f"rental.segments[{s['name']}].discount"] = {"uniform": [0.0, 0.5]}
    for c in data.get("operating_costs", []):
        out[f"operating_costs[{c['name']}].amount"] = {"lognormal": [0.0, 0.1],
                                                       "apply": "multiply"}
    for u in data.get("subsidies", []):
        if "amount" in u:
            out[f"subsidies[{u['name']}].amount"] = multiply
    return out


def _risk_overrides(data: dict[str, Any], years: tuple[int, int]
                    ) -> list[tuple[str, st.SearchStrategy[Any]]]:
    """Paths a risk may override (only values the file states) and their new values."""
    out: list[tuple[str, st.SearchStrategy[Any]]] = []
    for key in data.get("finance", {}):
        if key == "loans":  # a list of named items: a loan's rate or amount instead
            out += [(f"finance.loans[{loan['name']}].{field}", values)
                    for loan in data["finance"]["loans"]
                    for field, values in (("amount", st.integers(1, 100_000)),
                                          ("rate", st.integers(0, 120).map(lambda v: v / 1000)))]
            continue
        out.append((f"finance.{key}", st.integers(0, 100_000) if key != "discount_rate"
                    else rates))
    for name in data.get("indexation", {}):
        out.append((f"indexation.{name}", series(rates, years)))
    for s in data.get("rental", {}).get("segments", []):
        out.append((f"rental.segments[{s['name']}].tariff", amounts))
        out.append((f"rental.segments[{s['name']}].ramp_up", st.lists(shares, max_size=5)))
    for c in data.get("operating_costs", []):
        out.append((f"operating_costs[{c['name']}].amount", series(amounts, years)))
    for i in data.get("investments", []):
        out.append((f"investments[{i['name']}].life", st.integers(1, 10)))
    for p in data.get("parties", []):
        for c in p.get("contributions", []):
            first = max(years[0] - 1, c.get("from", years[0] - 1))
            out.append((f"parties[{p['name']}].contributions[{c['name']}].until",
                        st.integers(first, max(first, years[1]))))
    return out


def _analysis_blocks(draw: st.DrawFn, data: dict[str, Any], years: tuple[int, int]) -> None:
    paths = _uncertain_paths(data)
    if draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(sorted(paths)), min_size=1, max_size=3,
                               unique=True))
        data["uncertainty"] = {p: paths[p] for p in chosen}
    if draw(st.booleans()):
        data["seed"] = draw(st.integers(0, 2**31))
    candidates = _risk_overrides(data, years)
    if candidates and draw(st.booleans()):
        risks = []
        for name in _names(draw, "risks", 3):
            picked = draw(st.lists(st.sampled_from(range(len(candidates))), min_size=1,
                                   max_size=2, unique=True))
            risks.append(_with({"name": name, "probability": draw(shares),
                                "overrides": {candidates[i][0]: draw(candidates[i][1])
                                              for i in picked}},
                               description=draw(st.sampled_from([None, "", "Stress test."]))))
        data["risks"] = risks


# --- the scenario ----------------------------------------------------------------------------

@st.composite
def scenario_data(draw: st.DrawFn) -> dict[str, Any]:
    """The plain data of one valid scenario (what a single file would hold)."""
    start = draw(st.integers(1990, 2100))
    horizon = draw(st.one_of(st.just(1), st.just(50), st.integers(1, 16)))
    years = (start, start + horizon - 1)
    indices = draw(st.lists(st.sampled_from(_INDICES), max_size=3, unique=True))
    parties = _names(draw, "parties", 3)
    available, own_use = _hours(draw, years, len(parties))
    data: dict[str, Any] = {}
    if draw(st.booleans()):
        data["name"] = draw(st.sampled_from(["Generated", "Zorglab – variant", "Lab 2030"]))
    if draw(st.booleans()):
        data["description"] = draw(st.sampled_from(["", "Generated <b>test</b> & more.",
                                                    "Line one.\nLine two."]))
    data.update(start_year=start, horizon=horizon)
    if indices or draw(st.booleans()):
        data["indexation"] = {name: draw(series(rates, years)) for name in indices}
    data["facility"] = _with({"available_hours": available},
                             own_use_value_per_hour=draw(st.one_of(st.none(),
                                                                   series(amounts, years))),
                             own_use_value_indexation=_index(draw, indices))
    blocks = {"investments": _investments(draw, years, indices),
              "operating_costs": _costs(draw, years, indices),
              "rental": _rental(draw, years, indices),
              "subsidies": _subsidies(draw, years),
              "parties": [_party(draw, n, u, years, indices)
                          for n, u in zip(parties, own_use, strict=True)],
              "finance": _finance(draw, years)}
    for key, value in blocks.items():
        if value or (value is not None and draw(st.booleans())):  # [] or {} sometimes
            data[key] = value
    if draw(st.booleans()):
        data["partnership"] = _with({}, objectives=draw(st.one_of(st.none(), _texts)))
    if draw(st.booleans()):
        data["actuals"] = draw(actuals_table(years))
    _analysis_blocks(draw, data, years)
    return data


# --- extends chains --------------------------------------------------------------------------

_NAMED_LISTS = ("investments", "operating_costs", "subsidies", "parties", "risks")


def _perturbed(value: Any) -> Any:
    """A different value of the kind a parent might hold, for the child to restate."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + " (parent)"
    return 7  # a mapping or list: a number that the child's value replaces


def _split_list(draw: st.DrawFn, items: list[dict[str, Any]], kind: str
                ) -> tuple[list[Any], list[Any] | None]:
    """Parent and child lists whose merge (by name) is ``items``."""
    if not items:
        gone = [{"name": "Removed item", "type": "cash"}] if draw(st.booleans()) else []
        return gone, []  # the child's empty list replaces the parent's
    cut = draw(st.integers(0, len(items)))
    parent, child = copy.deepcopy(items[:cut]), copy.deepcopy(items[cut:])
    for i, item in enumerate(parent):
        keys = [k for k in item if k != "name"]
        if keys and draw(st.booleans()):
            key = draw(st.sampled_from(keys))
            item[key] = _perturbed(item[key])
            child.insert(0, {"name": item["name"], key: items[i][key]})
    if draw(st.booleans()):
        gone = f"Removed {kind}"
        while gone in {item["name"] for item in items}:
            gone += "+"
        parent.insert(draw(st.integers(0, len(parent))), {**copy.deepcopy(items[0]), "name": gone})
        child.append({"name": gone, "remove": True})
    return parent, child or None  # an empty child list would replace the parent's


def _split_actuals(draw: st.DrawFn, table: dict[int, dict[str, float]]
                   ) -> tuple[dict[int, dict[str, float]], dict[int, dict[str, float]]]:
    """Parent and child actuals whose merge (year by year, line by line) is ``table``:
    each line in the parent, the child, or both with the parent's amount restated."""
    parent: dict[int, dict[str, float]] = {}
    child: dict[int, dict[str, float]] = {}
    for year, lines in table.items():
        for line, value in lines.items():
            where = draw(st.sampled_from(["parent", "child", "both"]))
            if where != "child":
                parent.setdefault(year, {})[line] = value if where == "parent" else value + 1
            if where != "parent":
                child.setdefault(year, {})[line] = value
    return parent, child


def _split(draw: st.DrawFn, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parent and child data whose ``extends`` merge is ``data`` (name, description aside)."""
    parent: dict[str, Any] = {"name": "Parent", "description": "not inherited"}
    child: dict[str, Any] = {k: data[k] for k in ("name", "description") if k in data}
    for key, value in data.items():
        if key in ("name", "description"):
            continue
        where = draw(st.sampled_from(["parent", "child", "both"]))
        if key in _NAMED_LISTS and where == "both":
            parent[key], items = _split_list(draw, value, key)
            if items is not None:
                child[key] = items
        elif key == "actuals" and where == "both" and isinstance(value, dict):
            parent[key], child[key] = _split_actuals(draw, value)
        elif key == "rental" and where == "both" and "segments" in value:
            parent[key] = {k: v for k, v in value.items() if k != "segments"}
            parent[key]["segments"], segments = _split_list(draw, value["segments"], "segment")
            if segments is not None:
                child[key] = {"segments": segments}
        elif where == "both" and not isinstance(value, dict):
            parent[key], child[key] = _perturbed(value), value
        elif where == "parent":
            parent[key] = copy.deepcopy(value)
        else:
            child[key] = copy.deepcopy(value)
    return parent, child


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@st.composite
def scenario_files(draw: st.DrawFn, stem: str = "scenario") -> GeneratedScenario:
    """A valid scenario as YAML files: one file, or a chain of two or three via ``extends``.

    The main file is ``STEM.yaml``; parents are ``STEM-parent.yaml``,
    ``STEM-grandparent.yaml``; a ledger export is ``STEM-ledger.csv``.
    """
    data = draw(scenario_data())
    files: dict[str, str] = {}
    if "actuals" in data and draw(st.booleans()):  # the ledger as a CSV export instead
        ledger = LEDGER.format(stem=stem)
        files[ledger] = ledger_csv(data["actuals"], dutch=draw(st.booleans()))
        data["actuals"] = ledger
    depth = draw(st.sampled_from([0, 0, 1, 2]))
    names = [f"{stem}.yaml", f"{stem}-parent.yaml", f"{stem}-grandparent.yaml"]
    current = data
    for level in range(depth):
        parent, child = _split(draw, current)
        files[names[level]] = _dump({"extends": names[level + 1], **child})
        current = parent
    files[names[depth]] = _dump(current)
    return GeneratedScenario(files, names[0], data)

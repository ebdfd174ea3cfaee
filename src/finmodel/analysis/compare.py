"""Comparing scenarios (spec section 8): the assumption diff and the KPI bridge.

:func:`assumption_diff` lists every resolved parameter (after ``extends``) that differs
between two scenarios. :func:`bridge` attributes the difference in a KPI between a
base and another scenario to the *items* in which they differ:

========================  =========================================================
item                      what is swapped as one piece
========================  =========================================================
``start_year``            the start year (likewise ``horizon``)
``indexation.NAME``       one index
``facility``              the whole facility mapping
``rental``                the rental settings other than the segments
``rental.segments[NAME]`` one segment
``finance``               the finance settings other than the loans
``finance.loans[NAME]``   one loan (contract v1.1)
``investments[NAME]``     one investment (likewise ``operating_costs``,
                          ``subsidies``, ``parties``)
========================  =========================================================

The attribution is the Shapley value of the game whose players are the items and whose
value of a set ``S`` is the KPI of a *hybrid*: the base's resolved data with the other's
version of the items in ``S`` (replaced, added or removed). It is exact (every subset,
``2**n`` projections, each projected once) for at most 8 items, and a sampled estimate
above that (see :func:`bridge`). ``name``, ``description``, ``uncertainty``, ``seed``,
``risks`` and ``actuals`` do not enter a projection: the diff lists them, the bridge does not.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from finmodel.analysis import shapley as _shapley
from finmodel.model.engine import KPIS, evaluate
from finmodel.model.errors import FinModelError, ScenarioError
from finmodel.model.scenario import Scenario, validate_scenario

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.model.projection import Projection

__all__ = ["Bridge", "BridgeError", "EXACT_LIMIT", "assumption_diff", "assumption_diff_rows",
           "bridge", "bridge_items", "kpi_table", "split_base"]

#: Up to this many items the bridge is the exact Shapley value (2**n projections).
EXACT_LIMIT = 8

_TEXT = ("name", "description")                     # describe a file, not the model
_ANALYSIS = ("uncertainty", "seed", "risks")           # never change a projection
_ACTUALS = ("actuals",)                                # the plan ignores them (spec 10)
_NOT_PROJECTED = _TEXT + _ANALYSIS + _ACTUALS
_NAMED = ("investments", "operating_costs", "subsidies", "parties")
_MISSING = object()


class BridgeError(FinModelError, ValueError):
    """A bridge cannot be computed: a hybrid scenario is invalid, or the KPI is null."""


# --- assumption diff ---------------------------------------------------------------------

def assumption_diff(base: Scenario, other: Scenario) -> pd.DataFrame:
    """Every resolved parameter that differs, by path, with both values.

    One row per difference with columns ``item`` (the bridge item it belongs to),
    ``path``, ``change`` (``changed``, ``added``: only in ``other``, ``removed``: only in
    ``base``), ``base`` and ``other`` (``None`` where absent). A named item or a key
    present in one scenario only is one row holding the whole item. Series are compared
    whole; numbers by value (``100`` equals ``100.0``). ``name`` and ``description`` are
    left out. Values are as written (defaults are not filled in), so a default written
    out in one file and left out in the other shows as a difference.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> other = base.with_changes({"finance.opening_cash": 90000, "indexation.cpi": 0.03})
    >>> assumption_diff(base, other)[["path", "change", "base", "other"]].to_numpy().tolist()
    [['indexation.cpi', 'changed', 0.025, 0.03], ['finance.opening_cash', 'changed', 150000, 90000]]
    """
    import pandas as pd

    return pd.DataFrame(assumption_diff_rows(base, other),
                        columns=["item", "path", "change", "base", "other"], dtype=object)


def assumption_diff_rows(base: Scenario, other: Scenario
                         ) -> list[tuple[str, str, str, Any, Any]]:
    """:func:`assumption_diff` without pandas: its rows as ``(item, path, change, base,
    other)`` tuples."""
    a, b = base.data, other.data
    rows: list[tuple[str, str, str, Any, Any]] = []
    for key in _union(a, b):
        if key not in _TEXT:
            _diff(a.get(key, _MISSING), b.get(key, _MISSING), (key,), rows)
    return rows


def _diff(a: Any, b: Any, keys: tuple[str, ...], rows: list[tuple[str, str, str, Any, Any]]
          ) -> None:
    if _same(a, b):
        return
    if a is _MISSING or b is _MISSING:
        change = "added" if a is _MISSING else "removed"
        rows.append((_item_of(keys), _display(keys), change,
                     None if a is _MISSING else a, None if b is _MISSING else b))
    elif _is_mapping(a) and _is_mapping(b):
        for key in _union(a, b):
            _diff(a.get(key, _MISSING), b.get(key, _MISSING), (*keys, key), rows)
    elif _is_named_list(a) and _is_named_list(b):
        named_a, named_b = _by_name(a), _by_name(b)
        for name in _union(named_a, named_b):
            _diff(named_a.get(name, _MISSING), named_b.get(name, _MISSING),
                  (*keys, f"[{name}]"), rows)
    else:
        rows.append((_item_of(keys), _display(keys), "changed", a, b))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _is_mapping(value: Any) -> bool:
    """A mapping of named fields (a series has year keys and is compared whole)."""
    return isinstance(value, Mapping) and all(isinstance(k, str) for k in value)


def _is_named_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, Mapping) and isinstance(v.get("name"), str) for v in value)


def _by_name(items: list[Any]) -> dict[str, Any]:
    return {item["name"]: item for item in items}


def _union(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Keys of ``a`` in order, then those only in ``b``."""
    return list(a) + [k for k in b if k not in a]


def _display(keys: tuple[str, ...]) -> str:
    """Keys as a path; a key that is a path itself (under ``uncertainty`` or a risk's
    ``overrides``) is quoted: ``uncertainty["indexation.cpi"].normal``."""
    out = ""
    for key in keys:
        if key.startswith("[") and key.endswith("]"):
            out += key
        elif any(c in key for c in ".[]"):
            out += f'["{key}"]'
        else:
            out += f".{key}" if out else key
    return out


def _item_of(keys: tuple[str, ...]) -> str:
    """The bridge item a path belongs to (see the module docstring)."""
    head = keys[0]
    if head in _NAMED or head == "indexation":
        return _display(keys[:2])
    if head == "rental":
        return _display(keys[:3]) if keys[1:2] == ("segments",) and len(keys) > 2 else "rental"
    return head


# --- items and hybrids -------------------------------------------------------------------

@dataclass(frozen=True)
class _Item:
    """Where a bridge item lives: ``keys`` to its container, ``name`` if in a named list,
    ``rest`` the named list left out of a mapping (the rental settings beside the
    segments, the finance settings beside the loans)."""

    path: str
    keys: tuple[str, ...]
    name: str | None = None
    rest: str | None = None

    def get(self, data: Mapping[str, Any]) -> Any:
        node: Any = data
        for key in self.keys:
            node = node.get(key, _MISSING) if isinstance(node, Mapping) else _MISSING
        if node is _MISSING:
            return _MISSING
        if self.rest is not None:
            return {k: v for k, v in node.items() if k != self.rest}
        if self.name is not None:
            return next((i for i in node if i.get("name") == self.name), _MISSING)
        return node

    def put(self, data: dict[str, Any], value: Any) -> None:
        """Set this item in ``data`` to ``value`` (``_MISSING`` removes it)."""
        parent: Any = data
        for key in self.keys[:-1]:
            parent = parent.setdefault(key, {})
        last = self.keys[-1]
        if self.rest is not None:
            kept = parent.get(last, {}).get(self.rest, _MISSING)
            parent[last] = {} if value is _MISSING else dict(value)
            if kept is not _MISSING:
                parent[last][self.rest] = kept
        elif self.name is not None:
            items = [i for i in parent.get(last, []) if i.get("name") != self.name]
            old = [i.get("name") for i in parent.get(last, [])]
            if value is not _MISSING:  # in place if it was there, else appended
                items.insert(old.index(self.name) if self.name in old else len(items), value)
            parent[last] = items
        elif value is _MISSING:
            parent.pop(last, None)
        else:
            parent[last] = value


#: Mappings whose named list is split into items of its own, beside the rest.
_SPLIT = {"rental": "segments", "finance": "loans"}


def _items_of(data: Mapping[str, Any]) -> list[_Item]:
    found: list[_Item] = []
    for key, value in data.items():
        if key in _NOT_PROJECTED:
            continue
        if key == "indexation" and isinstance(value, Mapping):
            found += [_Item(f"indexation.{n}", ("indexation", n)) for n in value]
        elif key in _NAMED and _is_named_list(value):
            found += [_Item(f"{key}[{i['name']}]", (key,), i["name"]) for i in value]
        elif key in _SPLIT and isinstance(value, Mapping):
            inner = _SPLIT[key]
            if any(k != inner for k in value):
                found.append(_Item(key, (key,), rest=inner))
            found += [_Item(f"{key}.{inner}[{s['name']}]", (key, inner), s["name"])
                      for s in value.get(inner, []) if isinstance(s, Mapping)]
        else:
            found.append(_Item(key, (key,)))
    return found


def _differing_items(base: Scenario, other: Scenario) -> list[_Item]:
    a, b = base.data, other.data
    items = {i.path: i for i in _items_of(a) + _items_of(b)}
    return [i for i in items.values() if not _equal_deep(i.get(a), i.get(b))]


def _equal_deep(a: Any, b: Any) -> bool:
    rows: list[tuple[str, str, str, Any, Any]] = []
    _diff(a, b, ("x",), rows)
    return not rows


def bridge_items(base: Scenario, other: Scenario) -> list[str]:
    """The items in which two scenarios differ, as bridge players (base order, then new).

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> bridge_items(base, finmodel.load_scenario("scenarios/subsidy_stops_early.yaml"))
    ['subsidies[RIF operating grant]']
    """
    return [i.path for i in _differing_items(base, other)]


# --- bridge ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bridge:
    """The difference in one KPI between two scenarios, attributed to the items.

    ``parts`` pairs each item (or group of items joined by `` + ``) with its share;
    the shares add up to ``other_value - base_value`` (to float precision). ``method``
    is ``exact`` (Shapley over every subset) or ``sampled`` (see :func:`bridge`), which
    also gives each part's standard error in ``errors`` (in the order of ``parts``) and
    the number of random orders used in ``permutations``; ``projections`` counts the
    scenarios projected.
    """

    kpi: str
    base: str
    other: str
    base_value: float
    other_value: float
    parts: tuple[tuple[str, float], ...]
    method: Literal["exact", "sampled"]
    projections: int
    permutations: int = 0
    errors: tuple[float, ...] = ()

    @property
    def total(self) -> float:
        """``other_value - base_value``."""
        return self.other_value - self.base_value

    def frame(self) -> pd.DataFrame:
        """The bridge as a table: base, one row per item, other (column ``value``)."""
        import pandas as pd

        rows = [(f"base: {self.base}", "base", self.base_value)]
        rows += [(item, "part", value) for item, value in self.parts]
        rows.append((f"other: {self.other}", "other", self.other_value))
        return pd.DataFrame(rows, columns=["item", "kind", "value"])

    def to_dict(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "base": self.base, "other": self.other,
                "base_value": self.base_value, "other_value": self.other_value,
                "total": self.total, "method": self.method,
                "projections": self.projections, "permutations": self.permutations,
                "parts": [{"item": item, "value": value} | (
                    {"standard_error": self.errors[i]} if self.errors else {})
                    for i, (item, value) in enumerate(self.parts)]}


def bridge(base: Scenario, other: Scenario, kpi: str = "npv", *,
           groups: Sequence[Sequence[str]] = (), permutations: int = 200,
           seed: int = 0, rtol: float = 1e-9, client: Any = None) -> Bridge:
    """Attribute ``kpi(other) - kpi(base)`` to the items in which the scenarios differ.

    Each item's part is its Shapley value: its effect when swapped into the base, averaged
    over every order of swapping the items in, so the attribution does not depend on any
    order and interactions are shared evenly (two items that only matter together get half
    each). Up to :data:`EXACT_LIMIT` players it is exact: all ``2**n`` hybrids projected
    once each. Above that it is a sampled estimate: ``permutations`` random orders drawn
    with ``seed`` in antithetic pairs (each order also reversed), each hybrid projected at
    most once; each part comes with its standard error (``Bridge.errors``), which shrinks
    like ``1 / sqrt(permutations)``. Antithetic pairs give the exact Shapley values when
    items interact at most in pairs (a price and its index, say), which is common: so
    after every 10 pairs the sampling stops early once every standard error is at most
    ``rtol`` times the sum of the parts' absolute values. Either way the parts are finally
    adjusted by the float residual so they add up to the total exactly.

    Parameters
    ----------
    base, other
        The scenarios; ``other - base`` is bridged.
    kpi
        Any KPI of spec section 4. A KPI that is null (``break_even_year`` when the last
        year is below 0, ``funding_gap_after_subsidy`` ...) in the base, the other or any
        hybrid has no difference to attribute: :class:`BridgeError` names the hybrid.
    groups
        Items to swap together as one player, e.g. ``[["facility", "parties[X]"]]`` when
        one without the other is not a valid scenario.
    permutations, seed, rtol
        For the sampled estimate above :data:`EXACT_LIMIT` players: at most this many
        orders (rounded down to pairs), the random seed, the early-stop tolerance.
    client
        A ``distributed.Client``: the sampled estimate's orders are valued on its
        cluster's workers, one task per antithetic pair, and put together in the local
        order (same parts, errors, orders and count of projections as without it). The
        exact bridge (at most :data:`EXACT_LIMIT` players) is computed here.

    Raises
    ------
    BridgeError
        A hybrid is not a valid scenario (the message lists its problems and suggests
        ``groups``), the KPI is null somewhere, or ``kpi`` / ``groups`` name nothing.

    Examples
    --------
    >>> import finmodel
    >>> base = finmodel.load_scenario("scenarios/base.yaml")
    >>> b = bridge(base, finmodel.load_scenario("scenarios/subsidy_stops_early.yaml"))
    >>> b.method, [item for item, _ in b.parts], round(b.total) == round(b.parts[0][1])
    ('exact', ['subsidies[RIF operating grant]'], True)
    """
    if kpi not in KPIS:
        raise BridgeError(f"unknown KPI {kpi!r}; choose one of {', '.join(KPIS)}")
    if permutations < 4:
        raise BridgeError(f"permutations must be at least 4 (two antithetic pairs, so a "
                          f"standard error can be given), got {permutations}")
    players = _players(_differing_items(base, other), groups)
    value = _Hybrids(base, other, players, kpi)
    total = value(value.full) - value(0)
    n = len(players)
    errors: list[float] = []
    orders = 0
    method: Literal["exact", "sampled"] = "exact" if n <= EXACT_LIMIT else "sampled"
    projected = set(value.cache)
    if method == "exact":
        parts = _shapley.exact(n, value)
    elif client is None:
        parts, errors, orders = _shapley.sampled(n, value, permutations, seed, rtol)
    else:
        from finmodel.analysis._distributed import ClusterPairs

        there = ClusterPairs(client, pair_on_worker, value)
        parts, errors, orders = _shapley.sampled(n, value, permutations, seed, rtol,
                                                 means_of=there)
        projected |= there.visited
    parts = _shapley.settle(parts, total) if n else []
    labels = [" + ".join(i.path for i in group) for group in players]
    return Bridge(kpi, base.name, other.name, value(0), value(value.full),
                  tuple(zip(labels, parts, strict=True)), method,
                  len(projected | set(value.cache)), orders, tuple(errors))


def pair_on_worker(value: Callable[[int], float], order: list[int]
                   ) -> tuple[NDArray[np.float64], set[int]]:
    """On a worker: the pair means of one order and its reverse (one row), and the
    coalitions valued for them (to count the hybrids the local run would project)."""
    seen: set[int] = set()

    def tracked(mask: int) -> float:
        seen.add(mask)
        return value(mask)

    return _shapley.pair_means(len(order), tracked, [order]), seen


def _players(items: list[_Item], groups: Sequence[Sequence[str]]) -> list[list[_Item]]:
    by_path = {i.path: i for i in items}
    grouped: list[list[_Item]] = []
    for group in groups:
        unknown = [p for p in group if p not in by_path]
        if unknown:
            raise BridgeError(f"no differing item {unknown[0]!r} to group; the items are: "
                              + ", ".join(by_path))
        grouped.append([by_path.pop(p) for p in group])
    return grouped + [[i] for i in by_path.values()]


class _Hybrids:
    """The bridge's value function: the KPI of a hybrid, by bit mask of swapped players,
    each projected once. The empty and the full mask are the base and the other."""

    def __init__(self, base: Scenario, other: Scenario, players: list[list[_Item]],
                 kpi: str) -> None:
        self.base, self.other, self.players, self.kpi = base, other, players, kpi
        self.full = (1 << len(players)) - 1
        self.cache: dict[int, float] = {}
        # the analysis layer may name items a hybrid lacks: leave it out of the hybrids
        self._a = {k: v for k, v in base.data.items() if k not in _ANALYSIS}
        self._b = other.data

    def __call__(self, mask: int) -> float:
        if mask not in self.cache:
            self.cache[mask] = self._kpi(mask, self._scenario(mask))
        return self.cache[mask]

    def _scenario(self, mask: int) -> Scenario:
        if mask == 0 or mask == self.full:
            return self.other if mask else self.base
        data = copy.deepcopy(self._a)
        data.pop("actuals", None)  # the plan ignores them; a CSV name is relative to its file
        for i in self._swapped(mask):
            for item in self.players[i]:
                value = item.get(self._b)
                item.put(data, value if value is _MISSING else copy.deepcopy(value))
        try:
            return validate_scenario(data)
        except ScenarioError as exc:
            problems = "; ".join(f"{p.path}: {p.message}" for p in exc.problems)
            swapped = ", ".join(i.path for j in self._swapped(mask) for i in self.players[j])
            raise BridgeError(f"cannot bridge {self.base.name!r} to {self.other.name!r}: "
                              f"{self._describe(mask)} is not a valid scenario ({problems}); "
                              "swap the items involved together (groups=[[...]], or "
                              "--together ITEM ITEM on the command line)",
                              code="bridge_invalid", base=repr(self.base.name),
                              other=repr(self.other.name), swapped=swapped,
                              problems=exc.problems) from None

    def _kpi(self, mask: int, scenario: Scenario) -> float:
        value = float(evaluate(scenario).kpis[self.kpi])
        if math.isnan(value):
            raise BridgeError(f"{self.kpi} is null for {self._describe(mask)}, so its "
                              "difference cannot be attributed; bridge a KPI that is "
                              "defined in every case (e.g. npv, total_result, min_cash)")
        return value

    def _swapped(self, mask: int) -> Iterator[int]:
        return (i for i in range(len(self.players)) if mask >> i & 1)

    def _describe(self, mask: int) -> str:
        if mask == 0:
            return f"the base {self.base.name!r}"
        if mask == self.full:
            return f"the other scenario {self.other.name!r}"
        swapped = ", ".join(i.path for j in self._swapped(mask) for i in self.players[j])
        return f"the base {self.base.name!r} with the other's {swapped}"


# --- side by side ------------------------------------------------------------------------

def split_base(paths: Sequence[str], base: str) -> tuple[str, list[str]]:
    """The base among ``paths`` (matched as the same file) and the others, in order.

    Examples
    --------
    >>> split_base(["scenarios/a.yaml", "scenarios/../scenarios/b.yaml"], "scenarios/b.yaml")
    ('scenarios/../scenarios/b.yaml', ['scenarios/a.yaml'])
    """
    import os

    def same(path: str) -> bool:
        return os.path.normpath(os.path.abspath(path)) == os.path.normpath(os.path.abspath(base))

    matches = [p for p in paths if same(p)]
    if not matches:
        raise FinModelError(f"the base {base!r} is not among the scenarios: {', '.join(paths)}")
    return matches[0], [p for p in paths if not same(p)]


def kpi_table(projections: Sequence[Projection]) -> pd.DataFrame:
    """KPIs side by side: one row per KPI, one column per scenario (by name).

    Null KPIs are ``None``. Duplicate scenario names get `` (2)``, `` (3)`` appended.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> kpi_table([p, p]).columns.tolist()[1:]
    ['Base case - care-tech practice lab with vendor, RIF-like start (2)']
    """
    import pandas as pd

    columns: dict[str, list[Any]] = {}
    for p in projections:
        name, k = p.scenario.name, 2
        while name in columns:
            name, k = f"{p.scenario.name} ({k})", k + 1
        columns[name] = [p.kpis[kpi] for kpi in KPIS]
    frame = pd.DataFrame(columns, index=list(KPIS), dtype=object)
    frame.index.name = "kpi"
    return frame

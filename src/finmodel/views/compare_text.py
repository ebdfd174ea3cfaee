"""The assumption diff and the bridge as terminal text and JSON-ready data."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from finmodel.analysis.compare import Bridge
    from finmodel.views.i18n import Language

__all__ = ["bridge_text", "diff_records", "diff_text", "value_text"]


def value_text(value: Any) -> str:
    """A parameter value as a scenario file holds it, compactly (``-``: absent).

    Examples
    --------
    >>> value_text(150000), value_text(0.0425), value_text({2026: 220, 2032: 240})
    ('150000', '0.0425', '{2026: 220, 2032: 240}')
    >>> value_text(None), value_text({"name": "Fee", "amount": 5000, "until": 2028})
    ('-', '{name: Fee, amount: 5000, until: 2028}')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(value)  # as a scenario file holds it; no separators (years)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    return str(value)


def diff_text(diff: pd.DataFrame, lang: Language = "en") -> str:
    """One line per difference: ``path: base -> other (change)``; the path as the file
    holds it, for whoever edits the file."""
    from finmodel.views.i18n import t

    if diff.empty:
        return t(lang, "cli.cmp.none") + "\n"
    out = [t(lang, "cli.cmp.differ")]
    for row in diff.itertuples(index=False):
        note = "" if row.change == "changed" else f"   ({t(lang, f'cmp.change.{row.change}')})"
        out.append(f"  {row.path}: {value_text(row.base)} -> {value_text(row.other)}{note}")
    return "\n".join(out) + "\n"


def bridge_text(bridge: Bridge, lang: Language = "en") -> str:
    """The bridge as a column of amounts: base, each item's part, other (and, for a
    sampled estimate, each part's standard error)."""
    from finmodel.views.i18n import kpi_name, number, signed, t

    errors = [f"+/- {number(lang, e, 2)}" for e in bridge.errors] or [""] * len(bridge.parts)
    rows = [(t(lang, "chart.base", name=bridge.base), number(lang, bridge.base_value, 2), "")]
    rows += [(f"  {item}", signed(number(lang, value, 2), value), error)
             for (item, value), error in zip(bridge.parts, errors, strict=True)]
    rows.append((t(lang, "chart.other", name=bridge.other), number(lang, bridge.other_value, 2),
                 ""))
    width = max(len(label) for label, _, _ in rows) + 2
    amount = max(len(text) for _, text, _ in rows)
    how = (t(lang, "cli.cmp.exact") if bridge.method == "exact" else
           t(lang, "cli.cmp.sampled", n=bridge.permutations))
    name = bridge.kpi if lang == "en" else kpi_name(lang, bridge.kpi)
    out = [t(lang, "cli.cmp.bridge", kpi=name, how=how, n=bridge.projections)]
    out += [f"{label:<{width}}{text:>{amount}}  {error}".rstrip() for label, text, error in rows]
    return "\n".join(out) + "\n"


def diff_records(diff: pd.DataFrame) -> list[dict[str, Any]]:
    """The diff as JSON-ready records (series keys become strings, as JSON needs)."""
    records = diff.to_dict(orient="records")
    loaded: list[dict[str, Any]] = json.loads(json.dumps(records, allow_nan=False))
    return loaded

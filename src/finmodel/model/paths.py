"""Parameter paths: ``rental.segments[Care organisations].tariff``.

Keys are joined by dots; an item of a list of named mappings is addressed as
``[name]``. A name may contain dots (``parties[St. Jan v.o.f.]``); the schema refuses
names with ``[``, ``]`` or line breaks and index names with dots, so every path can be
written and read back. These functions work on the plain data read from YAML (dicts and
lists), never on files.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

__all__ = ["format_path", "get_path", "parse_path", "set_path"]

_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[([^\]]+)\]")
_WHOLE = re.compile(r"[^.\[\]]+(?:\.[^.\[\]]+|\[[^\]]+\])*")

Key = str | int
E = TypeVar("E", bound=Exception)


def _coded(exc: E, code: str, **values: Any) -> E:
    """``exc`` with what went wrong as a code and values (``exc.code``, ``exc.values``), so
    that a view can say it in another language (catalogue key ``err.path.CODE``)."""
    exc.code, exc.values = code, values  # type: ignore[attr-defined]
    return exc


def parse_path(path: str) -> tuple[Key, ...]:
    """Split a path into keys (str) and list selectors (``[name]`` stays a 1-tuple marker).

    Examples
    --------
    >>> parse_path("rental.segments[Schools].tariff")
    ('rental', 'segments', '[Schools]', 'tariff')
    >>> parse_path("indexation.cpi")
    ('indexation', 'cpi')
    >>> parse_path("parties[St. Jan v.o.f.].own_use_hours")
    ('parties', '[St. Jan v.o.f.]', 'own_use_hours')
    """
    if not _WHOLE.fullmatch(path):
        raise _coded(ValueError(
            f"malformed path {path!r}: use keys joined by dots and [name] for a named item"
        ), "malformed", path=repr(path))
    return tuple(key if key else f"[{name}]" for key, name in _TOKEN.findall(path))


def format_path(parts: tuple[Key, ...]) -> str:
    """Join keys back into a path (inverse of :func:`parse_path`).

    Examples
    --------
    >>> format_path(("parties", "[Vendor]", "contributions", "[Loan]", "until"))
    'parties[Vendor].contributions[Loan].until'
    >>> format_path(("rental", "segments", 2))
    'rental.segments[2]'
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("["):
            out += part
        else:
            out += f".{part}" if out else part
    return out


def _select(items: list[Any], selector: str) -> Any:
    name = selector[1:-1]
    for item in items:
        if isinstance(item, Mapping) and item.get("name") == name:
            return item
    raise _coded(KeyError(f"no item named {name!r}"), "no_item", name=repr(name))


def get_path(data: Any, path: str) -> Any:
    """The value at ``path`` in plain scenario data; ``KeyError`` names what is missing.

    Examples
    --------
    >>> data = {"rental": {"segments": [{"name": "S", "tariff": 90}]}}
    >>> get_path(data, "rental.segments[S].tariff")
    90
    """
    node = data
    for part in parse_path(path):
        assert isinstance(part, str)
        if part.startswith("["):
            if not isinstance(node, list):
                raise _coded(KeyError(f"{part} needs a list of named items"), "needs_list",
                             part=part)
            node = _select(node, part)
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            raise _coded(KeyError(f"no key {part!r}"), "no_key", part=repr(part))
    return node


def set_path(data: Any, path: str, value: Any, blocks: Collection[str] = ()) -> None:
    """Set the value at ``path`` in place; the parent must exist, the last key may be new.

    ``blocks`` names mappings that may be missing and are then created empty: a block a
    file leaves out stands for its defaults, so ``finance.opening_cash`` can be set in a
    scenario without ``finance:``.

    Examples
    --------
    >>> d = {"finance": {"opening_cash": 0}}
    >>> set_path(d, "finance.minimum_cash", 5)
    >>> d
    {'finance': {'opening_cash': 0, 'minimum_cash': 5}}
    >>> e = {}
    >>> set_path(e, "rental.variable_cost_per_hour", 3, blocks={"rental"})
    >>> e
    {'rental': {'variable_cost_per_hour': 3}}
    """
    parts = parse_path(path)
    for depth in range(1, len(parts)):
        prefix = format_path(parts[:depth])
        if prefix in blocks:
            holder = get_path(data, format_path(parts[:depth - 1])) if depth > 1 else data
            if isinstance(holder, dict) and holder.get(parts[depth - 1]) is None:
                holder[parts[depth - 1]] = {}
    parent = get_path(data, format_path(parts[:-1])) if len(parts) > 1 else data
    last = parts[-1]
    assert isinstance(last, str)
    if last.startswith("[") or not isinstance(parent, dict):
        raise _coded(KeyError(f"cannot set {path!r}: it must end in a key of a mapping"),
                     "not_settable", path=repr(path))
    parent[last] = value

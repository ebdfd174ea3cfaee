"""Writing an exploration as a scenario file that ``extends`` the explored one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from finmodel.model.errors import FinModelError
from finmodel.model.paths import parse_path
from finmodel.model.projection import Projection, project
from finmodel.model.scenario import load_scenario

__all__ = ["nest", "write_scenario"]


def nest(overrides: dict[str, Any]) -> dict[str, Any]:
    """Overrides by path as the nested data of a scenario file; named items by ``name``.

    Examples
    --------
    >>> nest({"rental.segments[Schools].tariff": 90.0, "finance.opening_cash": 1.0})["rental"]
    {'segments': [{'name': 'Schools', 'tariff': 90.0}]}
    """
    root: dict[str, Any] = {}
    for path, value in overrides.items():
        parts = [str(p) for p in parse_path(path)]
        node: Any = root
        for part, after in zip(parts, parts[1:], strict=False):
            if part.startswith("["):
                item = next((i for i in node if i["name"] == part[1:-1]), None)
                if item is None:
                    item = {"name": part[1:-1]}
                    node.append(item)
                node = item
            else:
                node = node.setdefault(part, [] if after.startswith("[") else {})
        node[parts[-1]] = value
    return root


class _Dumper(yaml.SafeDumper):
    """Series (``{year: value}``) and lists of numbers on one line, as people write them."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(k, int) for k in data)
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(v, int | float) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def write_scenario(target: Path, parent: Path, overrides: dict[str, Any],
                   expected: Projection) -> Path:
    """Write ``target`` extending ``parent`` with ``overrides``; check it reproduces ``expected``.

    The file is written next to its final place under a temporary name, loaded back and
    projected; only then does it replace ``target``.
    """
    extends = Path(os.path.relpath(parent.resolve(), target.parent.resolve())).as_posix()
    head = {"description": f"{expected.scenario.name}: {len(overrides)} parameter(s) changed "
                           "in the finmodel explorer.", "extends": extends}
    text = (f"# Written by the finmodel explorer: {parent.name} with what was changed.\n"
            + yaml.dump({**head, **nest(overrides)}, Dumper=_Dumper, sort_keys=False,
                        allow_unicode=True, width=100))
    if not target.parent.is_dir():
        raise FinModelError(f"cannot save: folder {target.parent} does not exist")
    scratch = target.with_name(f".{target.stem}.explorer-tmp.yaml")
    try:
        scratch.write_text(text, encoding="utf-8")
        loaded = project(load_scenario(scratch))
        same = all(np.array_equal(loaded.lines[k], v, equal_nan=True)
                   for k, v in expected.lines.items())
        if not same:
            raise FinModelError(f"cannot save {target}: the file would not reproduce the "
                                "explored budget (please report this)")
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)
    return target

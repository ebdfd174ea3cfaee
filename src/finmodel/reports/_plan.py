"""Planning a batch of reports: which files, which folders, which formats, valid or not.

Pure apart from listing folders and reading scenario files through
:func:`finmodel.load_scenario`; nothing is written and no kernel is started here, so
every scenario is validated before the first notebook runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from finmodel.model.errors import FinModelError, Problem, ScenarioError
from finmodel.model.scenario import Scenario, load_scenario

__all__ = ["FORMATS", "PlannedScenario", "UsageError", "find_scenario_files",
           "folder_names", "parse_formats", "plan_scenarios", "safe_name"]

#: Output formats per scenario, in the order they are listed in index.html.
FORMATS: tuple[str, ...] = ("html", "pdf", "xlsx", "ipynb")
_SUFFIXES = (".yaml", ".yml")


class UsageError(FinModelError, ValueError):
    """The command was called wrongly (unknown format, no scenario found, ...)."""


@dataclass(frozen=True)
class PlannedScenario:
    """A scenario file of the batch: its output folder name and either the validated
    scenario or the problems that stop it."""

    path: Path
    folder: str
    scenario: Scenario | None
    problems: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        return self.scenario is not None

    @property
    def title(self) -> str:
        return self.scenario.name if self.scenario is not None else self.path.stem


def parse_formats(text: str) -> tuple[str, ...]:
    """``"html,xlsx"`` -> ``("html", "xlsx")`` in the order of :data:`FORMATS`.

    Examples
    --------
    >>> parse_formats("xlsx, html")
    ('html', 'xlsx')
    >>> parse_formats("docx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.reports._plan.UsageError: unknown format 'docx' in --formats (allowed: ...)
    """
    asked = [part.strip().lower() for part in text.split(",") if part.strip()]
    for name in asked:
        if name not in FORMATS:
            raise UsageError(f"unknown format {name!r} in --formats "
                             f"(allowed: {', '.join(FORMATS)})", code="unknown_format",
                             got=repr(name), allowed=", ".join(FORMATS))
    if not asked:
        raise UsageError(f"--formats is empty (allowed: {', '.join(FORMATS)})",
                         code="formats_empty", allowed=", ".join(FORMATS))
    return tuple(name for name in FORMATS if name in asked)


def safe_name(stem: str) -> str:
    """A folder name from a file stem: letters, digits, ``-``, ``_`` and inner dots only.

    Examples
    --------
    >>> safe_name("Vendor exits (2028)"), safe_name("../etc"), safe_name("<script>")
    ('Vendor_exits_2028', 'etc', 'script')
    >>> safe_name("..."), safe_name("zorg-én-tech")
    ('scenario', 'zorg-en-tech')
    """
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem)
    name = re.sub(r"_{2,}", "_", name).strip("._-")
    return name[:80] or "scenario"


def folder_names(stems: Iterable[str]) -> list[str]:
    """Safe, distinct folder names (case-insensitively distinct) in the given order.

    Examples
    --------
    >>> folder_names(["base", "Base", "a b", "a_b", "index"])
    ['base', 'Base-2', 'a_b', 'a_b-2', 'index']
    """
    seen: set[str] = set()
    out = []
    for stem in stems:
        base = candidate = safe_name(stem)
        number = 1
        while candidate.lower() in seen:
            number += 1
            candidate = f"{base}-{number}"
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def find_scenario_files(specs: Sequence[str]) -> list[Path]:
    """Scenario files named on the command line: files, folders (their ``*.yaml`` and
    ``*.yml``, not recursive) or bare names in ``scenarios/``; each file once."""
    from finmodel.model.files import resolve_scenario

    found: list[Path] = []
    for spec in specs:
        path = Path(spec)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in _SUFFIXES and p.is_file())
            continue
        try:
            found.append(resolve_scenario(spec))
        except ScenarioError as exc:
            raise UsageError(f"{spec}: no such scenario file or folder") from exc
    first: dict[Path, Path] = {}
    for path in found:
        first.setdefault(path.resolve(), path)
    unique = list(first.values())
    if not unique:
        raise UsageError(f"no scenario files (*.yaml) found in {', '.join(specs)}")
    return unique


def plan_scenarios(paths: Sequence[Path]) -> list[PlannedScenario]:
    """Validate every scenario file and give each its output folder name."""
    planned = []
    for path, folder in zip(paths, folder_names(p.stem for p in paths), strict=True):
        try:
            planned.append(PlannedScenario(path, folder, load_scenario(path)))
        except ScenarioError as exc:
            planned.append(PlannedScenario(path, folder, None, exc.problems))
        except (OSError, UnicodeDecodeError) as exc:
            problem = Problem(str(path), 1, "(file)", f"cannot read: {exc}")
            planned.append(PlannedScenario(path, folder, None, (problem,)))
    return planned


def base_folder(planned: Sequence[PlannedScenario]) -> str | None:
    """The base of the comparison: the valid scenario whose stem is ``base``, else the
    first valid one."""
    valid = [p for p in planned if p.valid]
    for item in valid:
        if item.path.stem == "base":
            return item.folder
    return valid[0].folder if valid else None

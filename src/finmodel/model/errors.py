"""Exceptions raised by finmodel.

The hierarchy::

    FinModelError
    ├── ScenarioError (ValueError)      a scenario file is wrong; carries every Problem
    └── ParameterError (KeyError)       a parameter path does not name a numeric parameter

Messages name the file, the line, the field, the rule and the offending value.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["FinModelError", "ParameterError", "Problem", "ScenarioError"]


class FinModelError(Exception):
    """Root of every error finmodel raises on purpose.

    ``code`` and ``values`` (keyword arguments) say what kind of error it is and what its
    message is built from, so that a view can say it in another language; empty when not
    known.

    >>> e = FinModelError("seed: must be a whole number >= 0, got -1", code="seed", got="-1")
    >>> e.code, e.values, str(e)
    ('seed', {'got': '-1'}, 'seed: must be a whole number >= 0, got -1')
    """

    def __init__(self, *args: Any, code: str = "", **values: Any) -> None:
        super().__init__(*args)
        self.code = code
        self.values = values


@functools.total_ordering
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, at a place a controller can find.

    Examples
    --------
    >>> str(Problem("scenarios/base.yaml", 31, "finance.discount_rate", "must be > -1, got -2"))
    'scenarios/base.yaml:31: finance.discount_rate: must be > -1, got -2'
    """

    file: str
    line: int
    path: str
    message: str
    #: What kind of problem (e.g. ``unknown_key``) and the values its message is built
    #: from, so that a view can say it in another language; empty when not known.
    code: str = dataclasses.field(default="", compare=False)
    values: tuple[tuple[str, Any], ...] = dataclasses.field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"

    def __lt__(self, other: object) -> bool:
        """By file, line, path and message, whatever the kind: under ``--strict`` the
        input warnings are sorted among the other problems."""
        if not isinstance(other, Problem):
            return NotImplemented
        return ((self.file, self.line, self.path, self.message)
                < (other.file, other.line, other.path, other.message))

    @property
    def params(self) -> dict[str, Any]:
        """``values`` as a mapping (name -> value)."""
        return dict(self.values)


class ScenarioError(FinModelError, ValueError):
    """A scenario cannot be loaded; ``problems`` lists everything wrong with it at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(dict.fromkeys(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class ParameterError(FinModelError, KeyError):
    """A parameter path that names nothing numeric in the scenario."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])

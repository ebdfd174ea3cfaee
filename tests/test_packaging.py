"""Packaging: environment.yml agrees with pyproject; the public API is what it should be."""

from __future__ import annotations

import re
import tomllib

import yaml

import finmodel

from conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_matches_pyproject() -> None:
    """environment.yml lists exactly the runtime dependencies of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == {_name(d) for d in project["dependencies"]}


def test_version_matches_pyproject() -> None:
    """finmodel.__version__ is the packaged version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert finmodel.__version__ == project["version"]


def test_exported_members() -> None:
    """The public API is small and sorted."""
    assert finmodel.__all__ == sorted(finmodel.__all__, key=lambda n: (not n.isupper(), n))
    assert set(finmodel.__all__) == {
        "KPIS", "LINES", "Check", "Evaluation", "FinModelError", "ParameterError", "Problem",
        "Projection", "Scenario", "ScenarioError", "__version__", "evaluate", "load_scenario",
        "project"}


def test_errors_subclass_builtins() -> None:
    """Errors share one root and subclass the matching builtin."""
    assert issubclass(finmodel.ScenarioError, finmodel.FinModelError)
    assert issubclass(finmodel.ScenarioError, ValueError)
    assert issubclass(finmodel.ParameterError, KeyError)

"""Shared fixtures: tiny literal scenarios written to temporary folders."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import finmodel

ROOT = Path(__file__).resolve().parents[1]

# A developer's own FINMODEL_LANG=nl would turn the English texts the tests expect Dutch
# (also in the commands they start); tests that need it set it themselves.
os.environ.pop("FINMODEL_LANG", None)

#: A four-year scenario small enough to compute every line by hand (see test_engine.py).
TINY = """\
name: Tiny
start_year: 2025
horizon: 4
indexation:
  cpi: 0.10
facility:
  available_hours: 1000
investments:
  - {name: Kit, amount: 1200, year: 2025, life: 3, replace: true}
operating_costs:
  - {name: Staff, amount: 500, indexation: cpi}
rental:
  variable_cost_per_hour: 1
  segments:
    - {name: A, tariff: 10, demand_hours: 600, ramp_up: [0.5]}
    - {name: B, tariff: 20, discount: 0.25, demand_hours: 600, from: 2026}
subsidies:
  - {name: Op, type: operating, amount: 1000, phase_out: {full_years: 1, taper_years: 1}}
  - {name: Inv, type: investment, amounts: {2025: 900}, release_years: 3}
parties:
  - name: College
    role: public
    own_use_hours: 200
    contributions:
      - {name: Fee, type: cash, amount: 100}
      - {name: Staff time, type: in_kind, amount: 50}
finance: {opening_cash: 1000, minimum_cash: 500, discount_rate: 0.1}
"""

#: The smallest valid scenario.
MINIMAL = """\
start_year: 2025
horizon: 3
facility: {available_hours: 100}
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML text (dedented) to ``tmp_path/NAME`` and return the path."""

    def _write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def tiny(write: Callable[..., Path]) -> finmodel.Scenario:
    return finmodel.load_scenario(write(TINY, "tiny.yaml"))


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Doctests and CLI tests refer to scenarios/ relative to the repository root."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(autouse=True, scope="session")
def _no_kernel_kept() -> Iterator[None]:
    """Tests that run notebooks in this process (not through a batch, which ends its
    kernels) leave no kernel kept for a next report once the session ends, even where the
    test process ends without running its finalizers."""
    yield
    kernels = sys.modules.get("finmodel.reports._kernel")
    if kernels is not None:
        kernels.shutdown_kernels(everything=True)

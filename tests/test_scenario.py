"""Scenario files: YAML, extends inheritance, validation messages (spec sections 1, 2, 5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import finmodel
from finmodel import ScenarioError

from conftest import MINIMAL, TINY


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        finmodel.load_scenario(path)
    return [str(p) for p in info.value.problems]


def test_load_minimal_defaults(write: Callable[..., Path]) -> None:
    """Defaults: name from the file stem, finance 0 / 0 / 4 %, no items."""
    scenario = finmodel.load_scenario(write(MINIMAL, "my_lab.yaml"))
    assert scenario.name == "my_lab"
    assert scenario.years.tolist() == [2025, 2026, 2027]
    assert (scenario.finance.opening_cash, scenario.finance.minimum_cash,
            scenario.finance.discount_rate) == (0, 0, 0.04)


def test_scenario_is_frozen(tiny: finmodel.Scenario) -> None:
    """A validated scenario cannot be changed in place."""
    with pytest.raises(Exception, match="frozen"):
        tiny.horizon = 9  # type: ignore[misc]


def test_extends_merges_by_name(write: Callable[..., Path]) -> None:
    """Mappings merge by key; named items merge by name, new names append, remove deletes."""
    write(TINY, "tiny.yaml")
    child = write("""\
        extends: tiny.yaml
        horizon: 3
        finance: {opening_cash: 5}
        rental:
          segments:
            - {name: A, tariff: 12}
            - {name: C, tariff: 1, demand_hours: 10}
            - {name: B, remove: true}
        """, "child.yaml")
    scenario = finmodel.load_scenario(child)
    segments = {s.name: s for s in scenario.rental.segments}
    assert list(segments) == ["A", "C"]
    assert segments["A"].tariff.values == (12.0,)
    assert segments["A"].demand_hours.values == (600.0,)       # inherited
    assert scenario.finance.minimum_cash == 500                  # inherited key
    assert scenario.finance.opening_cash == 5
    assert scenario.name == "child"                              # never inherited
    assert scenario.description == ""
    assert [f.path for f in scenario.files] == [str(child), str(child.parent / "tiny.yaml")]


def test_extends_empty_list_replaces(write: Callable[..., Path]) -> None:
    """An empty list replaces the parent's list."""
    write(TINY, "tiny.yaml")
    child = write("extends: tiny.yaml\nsubsidies: []\n", "child.yaml")
    assert finmodel.load_scenario(child).subsidies == ()


def test_extends_chain_resolves_relative_to_each_file(write: Callable[..., Path],
                                                      tmp_path: Path) -> None:
    """A chain of extends resolves each parent relative to its own file."""
    (tmp_path / "sub").mkdir()
    write(TINY, "tiny.yaml")
    write("extends: ../tiny.yaml\nhorizon: 2\n", "sub/middle.yaml")
    leaf = write("extends: sub/middle.yaml\nfinance: {opening_cash: 1}\n", "leaf.yaml")
    scenario = finmodel.load_scenario(leaf)
    assert (scenario.horizon, scenario.finance.opening_cash) == (2, 1)


def test_duplicate_key_in_child_reported(write: Callable[..., Path]) -> None:
    """A duplicate key in a file that extends another is reported, not lost in the merge."""
    write(TINY, "tiny.yaml")
    child = write("extends: tiny.yaml\nhorizon: 3\nhorizon: 2\n", "child.yaml")
    assert problems(child) == [f"{child}:3: horizon: duplicate key"]


def test_extends_cycle(write: Callable[..., Path]) -> None:
    """A cycle in extends is an error at the extends line."""
    write("extends: b.yaml\n", "a.yaml")
    b = write("horizon: 3\nextends: a.yaml\n", "b.yaml")
    assert problems(b) == [f"{b.parent / 'a.yaml'}:1: extends: cycle: b.yaml -> a.yaml -> b.yaml"]


def test_extends_missing_parent(write: Callable[..., Path]) -> None:
    """A missing parent file names the path looked for."""
    child = write("extends: nowhere.yaml\n")
    assert problems(child) == [
        f"{child}:1: extends: no such file '{child.parent / 'nowhere.yaml'}'"]


def test_remove_unknown_name(write: Callable[..., Path]) -> None:
    """Removing a name the parent lacks is an error."""
    write(TINY, "tiny.yaml")
    child = write("extends: tiny.yaml\nrental:\n  segments:\n    - {name: Z, remove: true}\n",
                  "child.yaml")
    assert problems(child) == [
        f"{child}:4: rental.segments[Z]: cannot remove: the parent scenario has no item of "
        "that name"]


def test_every_problem_at_once(write: Callable[..., Path]) -> None:
    """All problems of a file are reported together, each FILE:LINE: PATH: message."""
    path = write("""\
        name: Bad
        start_year: 2025
        horizon: 5
        indexation:
          cpi: 0.02
        facility:
          available_hours: 1000
          colour: red
        investments:
          - {name: Kit, amount: -5, year: 2031, life: 0}
        operating_costs:
          - {name: Staff, amount: 500, indexation: wages}
          - {name: Staff, amount: "lots"}
        rental:
          segments:
            - {name: Schools, tariff: 10, demand_hours: 100, discount: 1.5}
        subsidies:
          - {name: RIF, type: operating, amounts: {2024: 5}}
          - {name: Inv, type: investment, amount: 5}
        finance:
          discount_rate: -2
          opening_cash: true
        """)
    f = str(path)
    assert problems(path) == [
        f"{f}:8: facility.colour: unknown key; allowed: available_hours, "
        "own_use_value_indexation, own_use_value_per_hour",
        f"{f}:10: investments[Kit].amount: must be >= 0, got -5",
        f"{f}:10: investments[Kit].life: must be >= 1, got 0",
        f"{f}:10: investments[Kit].year: must be within the horizon 2025..2029, got 2031",
        f"{f}:12: operating_costs[Staff].indexation: unknown index 'wages'; allowed: cpi",
        f"{f}:13: operating_costs[1].amount: must be a number or a mapping {{year: value}}, "
        "got 'lots'",
        f"{f}:13: operating_costs[Staff]: duplicate name (first on line 12): names in a list "
        "must differ",
        f"{f}:16: rental.segments[Schools].discount: must be between 0 and 1, got 1.5",
        f"{f}:18: subsidies[RIF].amounts.2024: must be within the horizon 2025..2029, got 2024",
        f"{f}:19: subsidies[Inv]: needs amounts {{year: euros}}, or amount together with "
        "phase_out",
        f"{f}:21: finance.discount_rate: must be between -0.99 and 100 "
        "(-99 % to +10,000 % a year), got -2",
        f"{f}:22: finance.opening_cash: must be a number, got True",
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("horizon: 51\n", "3: horizon: must be <= 50, got 51"),
    ("horizon: 2.5\n", "3: horizon: must be a whole number, got 2.5"),
    ("facility: {available_hours: 0}\n", "3: facility.available_hours: must be > 0, got 0"),
    ("facility: {available_hours: {2025: 10, 2026: -1}}\n",
     "3: facility.available_hours: must be > 0, got -1 (in 2026)"),
    ("facility: {available_hours: {twenty: 10}}\n",
     "3: facility.available_hours: keys must be calendar years 1900..2200, got 'twenty'"),
    ("subsidies: [{name: S, type: grant, amounts: {2025: 1}}]\n",
     "4: subsidies[S].type: must be one of 'operating' or 'investment', got 'grant'"),
    ("subsidies: [{name: S, type: operating, amount: 1, phase_out: {shape: step, "
     "taper_years: 2}}]\n",
     "4: subsidies[S].phase_out: shape step has no taper: taper_years must be 0, got 2"),
    ("subsidies: [{name: S, type: investment, amounts: {2025: 1}}]\n",
     "4: subsidies[S]: an investment subsidy needs release_years (>= 1)"),
    ("operating_costs: [{name: C, amount: 1, from: 2027, until: 2026}]\n",
     "4: operating_costs[C]: until (2026) is before from (2027)"),
    ("parties: [{name: P, role: public, own_use_hours: {2025: 50, 2027: 120}}]\n",
     "4: parties: own use of all parties (120 h) is above facility.available_hours (100 h) "
     "in 2027"),
    ("start_year: 2025\n", "4: start_year: duplicate key"),
    ("finance: {discount_rate: .nan}\n",
     "4: finance.discount_rate: must be a finite number, got nan"),
])
def test_single_problem_messages(write: Callable[..., Path], text: str, expected: str) -> None:
    """Each class of bad input has its exact message, at the line it is on."""
    base = MINIMAL if not text.startswith(("horizon", "facility")) else \
        "\n".join(line for line in MINIMAL.splitlines()
                  if not line.startswith(text.split(":")[0])) + "\n"
    path = write(base + text)
    assert problems(path) == [f"{path}:{expected}"]


def test_missing_required_keys(write: Callable[..., Path]) -> None:
    """Required keys are named, at the line of the mapping that lacks them."""
    path = write("name: X\nrental:\n  segments:\n    - {name: S}\n")
    assert problems(path) == [
        f"{path}:1: facility: required", f"{path}:1: horizon: required",
        f"{path}:1: start_year: required",
        f"{path}:4: rental.segments[S].demand_hours: required",
        f"{path}:4: rental.segments[S].tariff: required"]


def test_yaml_syntax_error(write: Callable[..., Path]) -> None:
    """A YAML syntax error names its line."""
    path = write("start_year: [2025\nhorizon: 3\n")
    assert problems(path) == [
        f"{path}:2: (yaml): while parsing a flow sequence did not find expected ',' or ']' "
        "(column 8)"]


def test_object_constructing_tag_rejected(write: Callable[..., Path]) -> None:
    """Tags that construct Python objects are refused by the safe loader."""
    path = write(MINIMAL + "description: !!python/object/apply:os.system ['echo hacked']\n")
    assert problems(path) == [
        f"{path}:4: (yaml): tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
        "allowed: only plain values (numbers, text, true/false, lists, mappings)"]
    scalar = write(MINIMAL + "description: !!python/name:os.system ''\n", "scalar.yaml")
    assert problems(scalar) == [
        f"{scalar}:4: (yaml): tag 'tag:yaml.org,2002:python/name:os.system' is not "
        "allowed: only plain values (numbers, text, true/false, lists, mappings)"]


def test_empty_and_non_mapping_files(write: Callable[..., Path]) -> None:
    """An empty file or a list at the top is an error, not a traceback."""
    assert problems(write("")) == [f"{write('', 'e.yaml').parent / 'scenario.yaml'}:1: (file): "
                                   "is empty; expected a mapping"]
    path = write("- 1\n- 2\n", "list.yaml")
    assert problems(path) == [f"{path}:1: (file): must be a mapping of keys, got list"]


def test_missing_file(tmp_path: Path) -> None:
    """A file that does not exist is one clear problem."""
    path = tmp_path / "nope.yaml"
    assert problems(path) == [f"{path}:1: (file): cannot read: No such file or directory"]


def test_with_changes_revalidates(tiny: finmodel.Scenario) -> None:
    """with_changes sets values by path and validates again."""
    changed = tiny.with_changes({"parties[College].contributions[Fee].until": 2026})
    assert changed.parties[0].contributions[0].until == 2026
    with pytest.raises(ScenarioError, match=r"finance\.discount_rate: must be between "
                                              r"-0\.99 and 100 .*, got -5"):
        tiny.with_changes({"finance.discount_rate": -5})
    with pytest.raises(ScenarioError, match=r"cannot set: no item named 'Nobody'"):
        tiny.with_changes({"parties[Nobody].own_use_hours": 1})


def test_origin_and_data(tiny: finmodel.Scenario) -> None:
    """Every resolved value knows its file and line; data is the resolved plain form."""
    origin = tiny.origin("rental.segments[B].discount")
    assert (Path(origin.file).name, origin.line) == ("tiny.yaml", 16)
    assert tiny.data["rental"]["segments"][1]["discount"] == 0.25
    assert len(tiny.files[0].sha256) == 64

"""Authoring helpers: ``finmodel check``, ``finmodel schema``, ``finmodel new`` (issue 9)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import finmodel
from finmodel.cli import main
from finmodel.cli.new import STARTER
from finmodel.model.schema import json_schema

from conftest import MINIMAL, ROOT, TINY

jsonschema = pytest.importorskip("jsonschema")

SCHEMA_FILE = ROOT / "docs" / "scenario.schema.json"
MODELINE = "# yaml-language-server: $schema=../docs/scenario.schema.json\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def as_json(path: Path) -> object:
    """A YAML file as a JSON document (year keys become text, as in an editor)."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8"))))


# --- check ----------------------------------------------------------------------------------

def test_check_reports_every_file(write: Callable[..., Path],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    good = write(TINY, "good.yaml")
    warned = write(TINY.replace("cpi: 0.10", "cpi: 2.5"), "warned.yaml")
    bad = write(MINIMAL + "finance: {opening_csh: 1}\n" + """\
uncertainty:
  indexation.nope: {uniform: [0, 1]}
""", "bad.yaml")
    code, out, err = run(capsys, "check", str(good), str(bad), str(warned))
    assert code == 2
    assert out.splitlines() == [f"{good}: OK", f"{warned}: OK (1 warning)"]
    assert err.splitlines() == [
        f"{bad}:4: finance.opening_csh: unknown key; allowed: discount_rate, loans, minimum_cash, "
        "opening_cash",
        f"{warned}:5: indexation.cpi: warning: 2.5 means 250 % a year; write 0.025 for 2.5 %"]


def test_check_runs_the_analysis_blocks(write: Callable[..., Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Uncertainty paths and risk overrides are checked as the commands check them."""
    bad = write(TINY + """\
uncertainty:
  indexation.nope: {uniform: [0, 1]}
risks:
  - {name: R, probability: 0.1, overrides: {facility.available_hours: -1}}
""")
    code, out, err = run(capsys, "check", str(bad))
    assert (code, out) == (2, "")
    assert [line.split(": ")[1] for line in err.splitlines()] == [
        "uncertainty.indexation.nope", "risks[R].overrides.facility.available_hours"]


def test_check_strict_and_folders(write: Callable[..., Path],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    warned = write(TINY.replace("cpi: 0.10", "cpi: 2.5"), "warned.yaml")
    code, out, err = run(capsys, "--strict", "check", str(warned))
    assert (code, out) == (2, "")
    assert err.endswith("indexation.cpi: warning: 2.5 means 250 % a year; write 0.025 for "
                        "2.5 %\n")
    code, out, err = run(capsys, "check", "scenarios")
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"scenarios/{p.name}: OK"
                                for p in sorted(Path("scenarios").glob("*.yaml"))]


def test_check_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "nosuch.yaml")
    assert (code, out) == (2, "")
    assert err.startswith("nosuch.yaml:1: (file): no such scenario file")


# --- schema ---------------------------------------------------------------------------------

def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    assert json.loads(out) == json_schema()
    jsonschema.Draft7Validator.check_schema(json.loads(out))


def test_committed_schema_is_current() -> None:
    """docs/scenario.schema.json is what ``finmodel schema`` prints; regenerate it with
    ``finmodel schema > docs/scenario.schema.json`` when the format changes."""
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json_schema(), (
        "docs/scenario.schema.json is stale: run finmodel schema > docs/scenario.schema.json")


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_bundled_scenarios_follow_the_schema(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith(MODELINE)
    jsonschema.validate(as_json(path), json_schema(), cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize(("text", "fragment"), [
    ("facility: {available_hours: 10, colour: red}\n", "'colour' was unexpected"),
    ("finance: {discount_rate: -2}\n", "-2 is less than the minimum of -0.99"),
    ("rental: {segments: [{name: S, tariff: 1, demand_hours: 1, discount: 2}]}\n",
     "2 is greater than the maximum of 1"),
    ("operating_costs: [{name: C, amount: {twenty: 3}}]\n",
     "{'twenty': 3} is not valid under any of the given schemas"),
])
def test_schema_rejects_what_the_loader_rejects(write: Callable[..., Path], text: str,
                                                fragment: str) -> None:
    path = write(MINIMAL + text)
    with pytest.raises(finmodel.ScenarioError):
        finmodel.load_scenario(path)
    errors = [e.message for e in jsonschema.Draft7Validator(json_schema())
              .iter_errors(as_json(path))]
    assert any(fragment in e for e in errors), errors


def test_schema_of_a_child_file_needs_nothing() -> None:
    """A file that extends another may state only one key; one without must have the
    required top-level keys."""
    validator = jsonschema.Draft7Validator(json_schema())
    assert not list(validator.iter_errors({"extends": "base.yaml",
                                           "finance": {"opening_cash": 5}}))
    assert [e.message for e in validator.iter_errors({"finance": {"opening_cash": 5}})] == [
        "'start_year' is a required property", "'horizon' is a required property",
        "'facility' is a required property"]


# --- new ------------------------------------------------------------------------------------

def test_new_writes_a_starter_that_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "new", "my_lab")
    assert (code, out, err) == (
        0, "wrote scenarios/my_lab.yaml; try: finmodel run scenarios/my_lab.yaml\n", "")
    path = tmp_path / "scenarios" / "my_lab.yaml"
    text = path.read_text(encoding="utf-8")
    assert text == STARTER.format(name="my_lab", path="scenarios/my_lab.yaml", start=2026,
                                  language="en")
    assert run(capsys, "check", "my_lab") == (0, "my_lab: OK\n", "")
    code, out, err = run(capsys, "run", "my_lab", "--format", "json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["checks"]["master"] is True
    assert result["years"] == list(range(2026, 2036))
    for command in ("parties", "risks", "simulate", "sensitivity"):
        assert run(capsys, command, "my_lab")[0] == 0, command
    jsonschema.validate(as_json(path), json_schema(), cls=jsonschema.Draft7Validator)


def test_new_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "work" / "lab.yaml"
    assert run(capsys, "new", "work/lab.yaml", "--start-year", "2030")[0] == 0
    assert finmodel.load_scenario(target).start_year == 2030
    target.write_text("mine\n")
    code, out, err = run(capsys, "new", "work/lab.yaml")
    assert (code, out) == (2, "")
    assert err == ("finmodel new: error: work/lab.yaml: exists already; choose another name "
                   "or remove the file first\n")
    assert target.read_text() == "mine\n"
    code, _, err = run(capsys, "new", "work/lab")
    assert (code, err) == (2, "finmodel new: error: 'work/lab': give a plain name (written as "
                              "scenarios/NAME.yaml) or a path ending in .yaml\n")
    code, _, err = run(capsys, "new", "x", "--start-year", "3000")
    assert code == 2
    assert err == "finmodel new: error: --start-year: must be 1900..2150, got 3000\n"


@pytest.mark.slow
def test_new_starter_gets_a_report(tmp_path: Path) -> None:
    """The starter goes through the real ``finmodel report`` (papermill notebook)."""
    subprocess.run([sys.executable, "-m", "finmodel", "new", str(tmp_path / "lab.yaml")],
                   check=True, cwd=ROOT, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "finmodel", "report", str(tmp_path / "lab.yaml"),
                           "--out", str(tmp_path / "out"), "--jobs", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "lab" / "report.html").stat().st_size > 10_000
    assert (tmp_path / "out" / "lab" / "budget.xlsx").is_file()

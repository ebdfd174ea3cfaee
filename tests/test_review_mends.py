"""Findings of a review mended, each with the test that caught it: one KPI difference
and column fitting, no signed zeros, compare's players, the output folder's error,
new's language line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.model.engine import KPIS
from finmodel.views.i18n import LANGUAGES, kpi_name

from conftest import ROOT

#: A signed number as the views write one: "-0,00", "+0", "€ -0", "+€ 0", "−0".
_SIGNED = re.compile(r"[-\u2212+](?:€\xa0)?(\d[\d.,]*)")


def signed_zeros(text: str) -> list[str]:
    """The numbers in ``text`` written with a sign although they are zero as shown."""
    return [m.group(0) for m in _SIGNED.finditer(text) if not re.search(r"[1-9]", m.group(1))]


def _last_cell(text: str, label: str) -> str:
    row = next(x for x in text.splitlines() if x.startswith(f"  {label}  "))
    return re.split(r"\s{2,}", row.strip())[-1]


# --- 1. one KPI difference for the what-if and the variance ---------------------------

def test_what_if_and_variance_say_a_kpi_difference_alike() -> None:
    """The what-if wrote an unchanged amount "0 EUR", the variance "+0 EUR" (and the
    DSCR "+0.00" / "0.00"): each view had its own function. Both now show every KPI's
    difference as :func:`kpi_difference` does, in both languages."""
    from finmodel.analysis.variance import variance
    from finmodel.analysis.what_if import compare
    from finmodel.views.text import kpi_difference
    from finmodel.views.variance import variance_text
    from finmodel.views.what_if import comparison_text

    v = variance(finmodel.load_scenario(ROOT / "scenarios" / "base_actuals.yaml"))
    comparison = compare(finmodel.load_scenario(ROOT / "scenarios" / "bridge_loan.yaml"),
                         {"finance.opening_cash": 60000.4})
    for lang in LANGUAGES:
        texts = ((variance_text(v, lang), v.kpi_table(), "difference"),
                 (comparison_text(comparison, lang), comparison.kpis, "difference"))
        for text, table, key in texts:
            for name in KPIS:
                assert _last_cell(text, kpi_name(lang, name)) == kpi_difference(
                    name, table[name][key], lang)
    # an unchanged amount: no sign in either view
    assert v.kpi_table()["deferred_subsidy_end"]["difference"] == 0
    assert _last_cell(variance_text(v), kpi_name("en", "deferred_subsidy_end")) == "0 EUR"
    assert comparison.kpis["debt_end"]["difference"] == 0
    assert _last_cell(comparison_text(comparison, "nl"), kpi_name("nl", "debt_end")) == "€\xa00"


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(KPIS), lang=st.sampled_from(LANGUAGES),
       value=st.one_of(st.integers(-40, 40), st.floats(-2.0, 2.0),
                       st.floats(-1e9, 1e9, allow_nan=False)))
def test_kpi_difference_sign_follows_the_value_shown(name: str, lang: str,
                                                     value: float) -> None:
    """A difference is written with ``+`` when positive as shown, with ``-`` when
    negative as shown, and without a sign when it is zero as shown."""
    from finmodel.views.text import kpi_difference

    text = kpi_difference(name, value, lang)  # type: ignore[arg-type]
    digits = 2 if name == "min_debt_service_coverage" else 0
    shown = round(value, digits)
    assert signed_zeros(text) == []
    assert text.startswith("+") == (shown > 0)
    assert ("-" in text) == (shown < 0)


# --- 2. one helper fits the columns of the risk and what-if tables --------------------

_CELL = st.text(st.sampled_from("abcé €.,-+0123456789()"), min_size=1, max_size=14).map(
    lambda s: s.strip() or "x")


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.lists(st.lists(_CELL, min_size=n, max_size=n),
                                                    min_size=1, max_size=6)))
def test_fit_columns_keeps_every_cell_whole_and_apart(rows: list[list[str]]) -> None:
    """Every line as long as the others; each cell whole, in its column (the first
    left-aligned, the others right-aligned), two spaces at least between columns."""
    from finmodel.views.text import fit_columns

    lines = fit_columns(rows)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    assert {len(line) for line in lines} == {widths[0] + sum(w + 2 for w in widths[1:])}
    for line, row in zip(lines, rows, strict=True):
        assert line[:widths[0]].rstrip() == row[0].rstrip()
        end = widths[0]
        for cell, width in zip(row[1:], widths[1:], strict=True):
            end += width + 2
            assert line[end - width - 2:end] == f"{cell:>{width + 2}}"


def test_risk_and_what_if_tables_share_the_fitting() -> None:
    """The risk register and the what-if's key figures are laid out by the one helper:
    their tables are exactly what :func:`fit_columns` makes of their cells."""
    from finmodel.analysis.risks import risk_register
    from finmodel.analysis.what_if import compare
    from finmodel.views.risks import register_text
    from finmodel.views.text import fit_columns
    from finmodel.views.what_if import comparison_text

    base = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    register = risk_register(base)
    comparison = compare(base, {"finance.opening_cash": 140000})
    for lang in LANGUAGES:
        lines = register_text(register, lang).splitlines()
        table = lines[lines.index(next(x for x in lines if x.startswith(
            register.risks[0].name + "  "))) - 1:]
        cells = [re.split(r"\s{2,}", x.strip()) for x in table]
        assert fit_columns(cells) == table
        lines = comparison_text(comparison, lang).splitlines()
        first = lines.index(next(x for x in lines if x.startswith(kpi_name(lang, "npv"), 2)))
        table = lines[first - 2:first + len(KPIS) - 1]
        cells = [[("  " if i else "") + c if j == 0 else c
                  for j, c in enumerate(re.split(r"\s{2,}", x.strip()))]
                 for i, x in enumerate(table)]
        assert fit_columns(cells) == table


# --- 3. numbers in warnings and texts through i18n: never a signed zero ----------------

_SMALL = st.floats(-0.02, 0.02, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(value=_SMALL)
def test_warnings_write_no_signed_zero(value: float) -> None:
    """An amount below half a cent was written "-0.00" (English) and "-0,00" (Dutch)
    in the warnings, and a reconciliation gap "+0,00"; the English sentence stays the
    model's own, character for character."""
    from finmodel.model.input_warnings import warning
    from finmodel.views.warning_text import problem_line

    found = [warning("s.yaml", 2, "p", "amount_unusual", value=value, field="amount",
                     size="small"),
             warning("s.yaml", 2, "p", "per_hour_unusual", value=value, field="tariff",
                     size="small"),
             warning("a.csv", 3, "row 'capex', column 2026", "negative_flow",
                     value=-abs(value))]
    for w in found:
        assert problem_line("en", w) == str(w)
        for lang in LANGUAGES:
            assert signed_zeros(problem_line(lang, w)) == [], problem_line(lang, w)


@settings(max_examples=200, deadline=None)
@given(value=_SMALL, digits=st.integers(0, 2), lang=st.sampled_from(LANGUAGES))
def test_i18n_numbers_write_no_signed_zero(value: float, digits: int, lang: str) -> None:
    """Number, money and percent never write ``-0``, and a difference that rounds to zero
    gets no ``+`` (the variance wrote "+0.0%", the what-if "-0.0%")."""
    from finmodel.views import i18n
    from finmodel.views.summary import value_text
    from finmodel.views.variance import _percent

    language = i18n.language(lang)
    texts = [i18n.number(language, value, digits), i18n.money(language, value),
             i18n.percent(language, value, digits), i18n.general(language, value * 1e-9),
             value_text(value * 0.0, lang=language), _percent(value, language)]
    texts += [i18n.signed(text, value) for text in texts[:3]]
    assert [x for x in texts if signed_zeros(x)] == []
    assert i18n.signed(i18n.number(language, value, digits), value).startswith("+") == (
        round(value, digits) > 0)


@settings(max_examples=25, deadline=None)
@given(change=_SMALL, rate=st.floats(-0.004, 0.004))
def test_what_if_and_summary_of_tiny_changes_write_no_signed_zero(change: float,
                                                                  rate: float) -> None:
    """A what-if that changes the opening cash and the tariff growth by nearly nothing:
    differences of less than half a cent (or a tenth of a percent) show as zeros without
    a sign, in the KPIs and in the budget lines, and the summary sentences too."""
    from finmodel.analysis.what_if import compare
    from finmodel.views.summary import sentences
    from finmodel.views.what_if import comparison_text

    base = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    comparison = compare(base, {"finance.opening_cash": 150000 + change,
                                "indexation.tariffs": 0.025 + rate * 1e-3})
    for lang in LANGUAGES:
        text = comparison_text(comparison, lang)
        assert signed_zeros(text) == [], text
        assert signed_zeros(" ".join(sentences(comparison.what_if, lang))) == []


def test_variance_text_writes_no_signed_zero() -> None:
    """The variance of the bundled actuals wrote "+0.0%" for a difference of 0.03 %."""
    from finmodel.analysis.variance import variance
    from finmodel.views.variance import variance_html, variance_text

    v = variance(finmodel.load_scenario(ROOT / "scenarios" / "base_actuals.yaml"))
    for lang in LANGUAGES:
        for text in (variance_text(v, lang), variance_html(v, lang)):
            assert signed_zeros(text) == []


# --- 4. compare asks the analysis how many players the bridge has ---------------------

def _ten_items(tmp_path: Path) -> tuple[Path, Path]:
    """Two scenarios that differ in ten cost items (C0..C9)."""
    paths = []
    for name, step in (("base", 0), ("other", 10)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"name: {name}\nstart_year: 2025\nhorizon: 3\n"
                        "facility: {available_hours: 100}\noperating_costs:\n"
                        + "".join(f"  - {{name: C{i}, amount: {100 + step * (i + 1)}}}\n"
                                  for i in range(10)), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def test_bridge_players_counts_groups_and_refuses_an_item_twice(tmp_path: Path) -> None:
    """The players are what the bridge has parts for; an item named twice in the groups
    was a KeyError (a traceback), now a clear error."""
    from finmodel.analysis.compare import BridgeError, bridge, bridge_players

    base, other = (finmodel.load_scenario(p) for p in _ten_items(tmp_path))
    together = [["operating_costs[C1]", "operating_costs[C2]", "operating_costs[C3]"]]
    players = bridge_players(base, other, together)
    assert len(players) == 8 and players[0] == " + ".join(together[0])
    assert [item for item, _ in bridge(base, other, groups=together).parts] == players
    for twice in ([["operating_costs[C1]", "operating_costs[C1]"]],
                  [["operating_costs[C1]"], ["operating_costs[C2]", "operating_costs[C1]"]]):
        with pytest.raises(BridgeError, match="'operating_costs\\[C1\\]' is named in more"):
            bridge_players(base, other, twice)


def test_cli_compare_finds_a_wrong_group_before_it_connects(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command counted the players itself (items minus grouped ones) and, with more
    than 8, connected to the cluster before the analysis found the group wrong: with a
    scheduler that is not there, a connection error after 20 s instead of the mistake.
    Now the analysis's own players decide, and the mistake is said at once."""
    from finmodel.cli import main

    base, other = _ten_items(tmp_path)
    nowhere = "tcp://127.0.0.1:9"  # the discard port: no scheduler listens there
    code = main(["compare", str(base), str(other), "--cluster", nowhere,
                 "--together", "operating_costs[C1]", "operating_costs[C1]"])
    err = capsys.readouterr().err
    assert code == 1 and "is named in more than one group" in err and "cannot reach" not in err
    # three items as one: 8 players, the exact bridge, no cluster needed
    assert main(["compare", str(base), str(other), "--cluster", nowhere, "--together",
                 "operating_costs[C1]", "operating_costs[C2]", "operating_costs[C3]",
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["bridge"]["method"] == "exact"


# --- 5. an output folder that cannot be made: the same clear error from Python --------

def test_run_reports_says_why_the_output_folder_cannot_be_made(tmp_path: Path) -> None:
    """From Python, run_reports raised the system's bare OSError (only the command said
    what was wrong); now both get ``OUT: cannot make the output folder: reason``, before
    any report runs, and no folder made on the way is left behind."""
    from finmodel.model.errors import FinModelError
    from finmodel.reports import find_scenario_files, plan_scenarios, run_reports

    planned = plan_scenarios(find_scenario_files([str(ROOT / "scenarios" / "base.yaml")]))
    notebook = ROOT / "notebooks" / "scenario_report.ipynb"
    blocker = tmp_path / "a-file"
    blocker.write_text("kept", encoding="utf-8")
    out = blocker / "reports"
    with pytest.raises(FinModelError, match=re.escape(
            f"{out.as_posix()}: cannot make the output folder: Not a directory")):
        run_reports(planned, out, notebook, ("html",))
    too_long = tmp_path / "new" / ("x" * 300)  # "new" can be made, its child cannot
    with pytest.raises(FinModelError, match="cannot make the output folder: File name too"):
        run_reports(planned, too_long, notebook, ("html",), lang="en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert blocker.read_text(encoding="utf-8") == "kept"


@pytest.mark.parametrize(("lang", "words"), [("en", "cannot make the output folder"),
                                             ("nl", "kan de uitvoermap niet maken")])
def test_cli_report_output_folder_that_cannot_be_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, words: str) -> None:
    """The command: exit 2, one line ``finmodel report: error: OUT: ...`` in the
    language asked for, nothing made."""
    from finmodel.cli import main

    out = tmp_path / "new" / ("x" * 300)
    code = main(["report", str(ROOT / "scenarios" / "base.yaml"), "--out", str(out),
                 "--formats", "html", "--lang", lang])
    err = capsys.readouterr().err
    assert code == 2 and f"{out.as_posix()}: {words}: " in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# --- 6. finmodel new: the language line follows the chosen language -------------------

@pytest.mark.parametrize(("env", "option", "expected"), [
    (None, None, "en"), ("nl", None, "nl"), ("nl", "en", "en"), (None, "nl", "nl")])
def test_new_writes_the_language_it_writes_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        env: str | None, option: str | None, expected: str) -> None:
    """The starter's comments followed ``--lang``, else ``FINMODEL_LANG``, but its
    ``language:`` line was written only for ``--lang``: under ``FINMODEL_LANG=nl`` a
    Dutch starter whose reports spoke English elsewhere. Now the line names the
    language of the comments, whichever way it was chosen."""
    from finmodel.cli import main
    from finmodel.cli.new import STARTERS

    monkeypatch.chdir(tmp_path)
    if env is None:
        monkeypatch.delenv("FINMODEL_LANG", raising=False)
    else:
        monkeypatch.setenv("FINMODEL_LANG", env)
    assert main(["new", "lab", *(["--lang", option] if option else [])]) == 0
    capsys.readouterr()
    path = tmp_path / "scenarios" / "lab.yaml"
    assert path.read_text(encoding="utf-8") == STARTERS[expected].format(
        name="lab", path="scenarios/lab.yaml", start=2026, language=expected)
    assert finmodel.load_scenario(path).language == expected

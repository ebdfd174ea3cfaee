"""Every text line of the CLI in the chosen language (issue 11): the status lines of
``report``, ``check`` and ``new``, the input warnings everywhere they appear, and the
reconciliation of the actuals. English stays exactly as it was."""

from __future__ import annotations

import argparse
import dataclasses
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import finmodel
from finmodel.analysis.variance import variance
from finmodel.cli import main
from finmodel.cli.new import STARTER
from finmodel.model.actuals import ACTUAL_LINES, SENTENCES
from finmodel.model.errors import Problem
from finmodel.model.files import SENTENCES as FILE_SENTENCES
from finmodel.model.input_warnings import MAX_AMOUNT, MAX_PER_HOUR, MAX_RATE, warning
from finmodel.model.schema import MAX_NUMBER
from finmodel.views import messages_en, messages_nl, summary
from finmodel.views.i18n import general, number, signed
from finmodel.views.variance_report import section_html
from finmodel.views.warning_text import problem_line, warning_message
from test_input_warnings import MISTAKES
from test_input_warnings import expected as english  # as English always said them

from conftest import ROOT, TINY


def dutch(path: Path) -> list[str]:
    return [
        f"{path}:5: indexation.cpi: waarschuwing: 2.5 betekent 250% per jaar; schrijf 0.025 "
        "voor 2,5%",
        f"{path}:11: operating_costs[Staff].amount: waarschuwing: 58.000 wordt gelezen als 58 "
        "(YAML kent geen scheidingsteken voor duizendtallen); schrijf 58000 voor 58 duizend, "
        "of 58.0 voor 58",
        f"{path}:15: rental.segments[A].tariff: waarschuwing: 25.000,00 euro per uur is "
        "ongewoon groot voor tarief (verwacht: 0 of 1 tot 1.000 euro per uur)",
    ]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


#: Literal pieces of the English sentences of this work (between placeholders) that the
#: Dutch ones do not share: none may appear in a Dutch run.
_MINE = ("warn.", "recon.", "err.", "cli.check.", "cli.new.", "cli.report.")


def english_pieces() -> set[str]:
    """Pieces of English between placeholders; not the top-level keys of the format
    (``risks``, ``parties``), which a Dutch message names as the file writes them."""
    from finmodel.model.schema import json_schema

    dutch_text = "\n".join(messages_nl.MESSAGES.values())
    keys = set(json_schema()["properties"])
    pieces = set()
    for key, text in messages_en.MESSAGES.items():
        if not key.startswith(_MINE) or text == messages_nl.MESSAGES[key]:
            continue
        for piece in re.split(r"\{[^}]*\}", text):
            piece = piece.strip(" ();:,.-")
            if (re.search("[A-Za-z]{2}", piece) and piece not in dutch_text
                    and piece not in keys):
                pieces.add(piece)
    return pieces


def no_english(text: str) -> None:
    """No English piece of this work's sentences, as words (not inside a file name)."""
    found = sorted(p for p in english_pieces()
                   if re.search(rf"(?<![\w/.-]){re.escape(p)}(?![\w/.-])", text))
    assert not found, (found, text)


def test_the_english_guard_catches_english() -> None:
    """The guard used on the Dutch runs below finds each English status line."""
    for line in ("/x.yaml: OK (1 warning)", "wrote lab.yaml; try: finmodel run lab.yaml",
                 "2 reports in 3.0 s (4.0 per minute), 0 failed -> i",
                 "x: warning: 2.5 means 250 % a year; write 0.025 for 2.5 %",
                 "finmodel new: error: x"):
        with pytest.raises(AssertionError):
            no_english(line)
    no_english("/tmp/test_report_lines0/warning.yaml: in orde (1 waarschuwing)")


# --- the warnings themselves ----------------------------------------------------------------

def test_english_catalogue_says_exactly_what_the_model_says() -> None:
    """For every kind of warning the English catalogue gives the model's own sentence."""
    samples = [
        warning("s.yaml", 2, "indexation.cpi", "rate_high", value=2.5),
        warning("s.yaml", 2, "p", "dotted_thousands", written="1.500", value=1.5),
        warning("s.yaml", 2, "p", "actuals_dotted_thousands", written="+58.000", value=58.0),
        warning("s.yaml", 2, "p", "amount_unusual", value=5.0, field="amount", size="small"),
        warning("s.yaml", 2, "p", "amount_unusual", value=2e8, field="amount", size="large"),
        warning("s.yaml", 2, "p", "per_hour_unusual", value=0.5, field="tariff", size="small"),
        warning("a.csv", 3, "row 'capex', column 2026", "csv_thousands", cell="1.234",
                value=1234.0),
        warning("a.csv", 3, "row 'capex', column 2026", "negative_flow", value=-1234.5),
        warning("a.csv", 1, "column 2027", "year_empty"),
    ]
    for w in samples:
        assert warning_message("en", w) == w.message
        assert problem_line("en", w) == str(w)
        assert problem_line("nl", w).startswith(f"{w.file}:{w.line}: {w.path}: waarschuwing: ")
        assert warning_message("nl", w) != w.message


@given(st.floats(min_value=MAX_RATE, max_value=1e9, exclude_min=True),
       st.floats(min_value=MAX_AMOUNT, max_value=MAX_NUMBER, exclude_min=True),
       st.floats(min_value=MAX_PER_HOUR, max_value=1e9, exclude_min=True),
       st.floats(min_value=-1e9, max_value=-0.01))
def test_english_rendering_matches_the_model_for_any_value(rate: float, amount: float,
                                                            tariff: float, flow: float) -> None:
    for w in (warning("s", 1, "p", "rate_high", value=rate),
              warning("s", 1, "p", "amount_unusual", value=amount, field="amount",
                      size="large"),
              warning("s", 1, "p", "per_hour_unusual", value=tariff, field="tariff",
                      size="large"),
              warning("s", 1, "p", "negative_flow", value=flow)):
        assert problem_line("en", w) == str(w)


def test_dutch_numbers_in_warnings() -> None:
    """Numbers a reader reads in the Dutch locale; what they type into YAML as YAML."""
    assert number("nl", 1234567.891, 2) == "1.234.567,89"
    assert signed(number("nl", -1104, 2), -1104) == "-1.104,00"
    assert signed(number("nl", 1000, 2), 1000) == "+1.000,00"
    assert general("nl", 0.3) == "0,3" and number("nl", 1234.0, grouped=False) == "1234"
    w = warning("s.yaml", 4, "finance.discount_rate", "rate_high", value=0.3)
    assert warning_message("nl", w) == "0.3 betekent 30% per jaar; schrijf 0.003 voor 0,3%"
    w = warning("l.csv", 3, "row 'capex', column 2026", "csv_thousands", cell="1.234",
                value=1234.0)
    assert warning_message("nl", w) == (
        "'1.234' gelezen als 1234 (de punt als scheidingsteken voor duizendtallen, zoals een "
        "Nederlandse export het schrijft); schrijf een decimale komma om twijfel uit te sluiten")
    w = warning("s.yaml", 7, "finance.opening_cash", "amount_unusual", value=5.0,
                field="opening_cash", size="small")
    assert warning_message("nl", w) == ("5,00 euro is ongewoon klein voor beginkas (verwacht: "
                                        "0 of 10 tot 100.000.000 euro)")


# --- stderr of every command ----------------------------------------------------------------

@pytest.mark.parametrize("command", ["run", "parties", "risks"])
def test_warnings_on_stderr_in_the_chosen_language(
        command: str, write: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write(MISTAKES)
    code, out, err = run(capsys, command, str(path), "--lang", "nl")
    assert code == 0 and err.splitlines() == dutch(path)
    code, _, err = run(capsys, command, str(path))
    assert code == 0 and err.splitlines() == english(path)
    code, _, err = run(capsys, command, str(path), "--lang", "en")
    assert code == 0 and err.splitlines() == english(path)


def test_scenario_language_nl_and_strict(write: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """``language: nl`` in the file says the warnings in Dutch; ``--lang en`` wins;
    ``--strict`` refuses the file with the Dutch lines (exit 2)."""
    path = write(MISTAKES + "language: nl\n")
    assert run(capsys, "run", str(path))[2].splitlines() == dutch(path)
    code, out, err = run(capsys, "--strict", "run", str(path))
    assert (code, out, err.splitlines()) == (2, "", dutch(path))
    code, _, err = run(capsys, "run", str(path), "--lang", "en")
    assert "warning: 2.5 means 250 % a year" in err and "waarschuwing" not in err


def test_check_sheet_and_explorer_messages_in_dutch(write: Callable[..., Path]) -> None:
    """The check sheet (report, workbook, explorer: all through check_message) says the
    input warnings in the language; the JSON keeps the model's English."""
    path = write(MISTAKES)
    p = finmodel.project(finmodel.load_scenario(path))
    table = summary.checks_table(p, "nl")
    messages = [m for m in table.iloc[:, 3] if str(path) in m]
    assert messages == [re.sub(r"^(\S+?:\d+): \S+: waarschuwing: ", r"\1: ", line)
                        for line in dutch(path)]
    english_rows = [m for m in summary.checks_table(p, "en").iloc[:, 3] if str(path) in m]
    assert english_rows == [f"{w.file}:{w.line}: {w.message}" for w in p.scenario.warnings]
    assert [c["message"] for c in p.to_dict()["checks"]["items"]
            if c["name"].startswith("input_warning")] == english_rows


# --- check and new --------------------------------------------------------------------------

def test_check_in_dutch(write: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    good = write(TINY, "good.yaml")
    warned = write(MISTAKES, "warned.yaml")
    code, out, err = run(capsys, "check", "--lang", "nl", str(good), str(warned))
    assert code == 0
    assert out.splitlines() == [f"{good}: in orde", f"{warned}: in orde (3 waarschuwingen)"]
    assert err.splitlines() == dutch(warned)
    one = write(TINY.replace("cpi: 0.10", "cpi: 2.5"), "one.yaml")
    assert run(capsys, "check", "--lang", "nl", str(one))[1] == f"{one}: in orde (1 waarschuwing)\n"
    assert run(capsys, "check", str(one))[1] == f"{one}: OK (1 warning)\n"
    no_english(out + err)


def test_new_in_dutch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "new", "lab", "--lang", "nl")
    assert (code, out, err) == (
        0, "scenarios/lab.yaml geschreven; probeer: finmodel run scenarios/lab.yaml\n", "")
    assert finmodel.load_scenario(tmp_path / "scenarios" / "lab.yaml").language == "nl"
    assert run(capsys, "check", "lab") == (0, "lab: in orde\n", "")
    code, out, err = run(capsys, "new", "lab", "--lang", "nl")
    assert (code, out, err) == (2, "", "finmodel new: fout: scenarios/lab.yaml: bestaat al; "
                                       "kies een andere naam of verwijder eerst het bestand\n")
    code, _, err2 = run(capsys, "new", "x", "--start-year", "3000", "--lang", "nl")
    assert (code, err2) == (2, "finmodel new: fout: --start-year: moet 1900..2150 zijn, "
                               "niet 3000\n")
    no_english(out + err + err2)
    assert run(capsys, "new", "lab")[2] == ("finmodel new: error: scenarios/lab.yaml: exists "
                                            "already; choose another name or remove the file "
                                            "first\n")


# --- actuals: reconciliation ----------------------------------------------------------------

@pytest.fixture
def off_by_1000(tmp_path: Path) -> Path:
    """The bundled base case with actuals, its 2027 cash control 1,000 EUR too high."""
    for name in ("base.yaml", "base_actuals.yaml"):
        shutil.copy(ROOT / "scenarios" / name, tmp_path / name)
    ledger = (ROOT / "scenarios" / "ledger_2026_2027.csv").read_text(encoding="utf-8")
    assert "cash_end;44.797,63;120.517,38" in ledger
    (tmp_path / "ledger_2026_2027.csv").write_text(
        ledger.replace("cash_end;44.797,63;120.517,38", "cash_end;44.797,63;121.517,38"),
        encoding="utf-8")
    return tmp_path / "base_actuals.yaml"


def test_reconciliation_in_both_languages(off_by_1000: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "variance", str(off_by_1000), "--lang", "nl")
    assert (code, err) == (0, "")
    assert ("  [let op] Aansluiting van Liquide middelen ultimo jaar: Liquide middelen ultimo "
            "jaar in de realisatie wijkt af van de stand die uit de stromen is doorgerekend "
            "(2027: +1.000,00 euro; realisatie min prognose)") in out.splitlines()
    assert ("  [ok] Aansluiting van Boekwaarde materiële vaste activa: Boekwaarde materiële "
            "vaste activa in de realisatie sluit aan op de prognose in 2026, 2027"
            ) in out.splitlines()
    assert not re.search(r"\d EUR", out)  # amounts in the Dutch form, also differences
    no_english(out)
    code, out, _ = run(capsys, "variance", str(off_by_1000))
    assert ("  [warn] Reconciliation of Cash at year end: Cash at year end in the actuals "
            "differs from the balance rolled forward from the flows (2027: +1,000.00 EUR; "
            "actuals minus prognosis)") in out.splitlines()
    assert "cash_end" not in out and "ppe_end" not in out  # no internal key in English either


def test_reconciliation_in_the_report_section(off_by_1000: Path) -> None:
    v = variance(finmodel.load_scenario(off_by_1000))
    (flag,) = [c for c in v.reconciliation if not c.passed]
    assert flag.message == ("cash_end in the actuals differs from the balance rolled forward "
                            "from the flows (2027: +1,000.00 EUR; actuals minus prognosis)")
    html = section_html(v, "nl")
    assert ("Liquide middelen ultimo jaar in de realisatie wijkt af van de stand die uit de "
            "stromen is doorgerekend (2027: +1.000,00 euro; realisatie min prognose)") in html
    assert "in the actuals" not in html and "EUR</td>" not in html
    english = section_html(v, "en")
    assert ("Cash at year end in the actuals differs from the balance rolled forward from the "
            "flows (2027: +1,000.00 EUR; actuals minus prognosis)") in english
    assert "cash_end" not in english


def test_ledger_warnings_in_dutch(off_by_1000: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A negative cost in the ledger: the warning on stderr and in the checks, in Dutch."""
    ledger = off_by_1000.parent / "ledger_2026_2027.csv"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace(
        "variable_costs;552,00;", "variable_costs;-552,00;"), encoding="utf-8")
    code, out, err = run(capsys, "variance", str(off_by_1000), "--lang", "nl")
    assert code == 0
    assert err == (f"{ledger}:8: row 'variable_costs', column 2026: waarschuwing: -552,00 is "
                   "negatief: de bedragen in de begroting zijn positief (baten en lasten "
                   "allebei); exporteert de boekhouding lasten met een minteken, keer het "
                   "teken dan om\n")
    assert f"{ledger}:8: -552,00 is negatief" in out
    no_english(out + err)


# --- report ---------------------------------------------------------------------------------

DUTCH_SUMMARY = re.compile(r"^(\d+) rapport(?:en)? in \d+,\d s \(\d+,\d per minuut\), "
                           r"(\d+) mislukt -> (.+)$")


@pytest.mark.slow
def test_report_lines_in_dutch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               write: Callable[..., Path],
                               capsys: pytest.CaptureFixture[str]) -> None:
    """Without Chromium: the message, the warnings and the summary line all in Dutch."""
    monkeypatch.setenv("FINMODEL_CHROMIUM", "")
    path = write(MISTAKES, "tiny.yaml")
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "report", str(path), "--formats", "xlsx,pdf", "--lang", "nl",
                         "--out", str(out_dir), "--jobs", "1")
    assert code == 1  # the PDF could not be made
    assert err.splitlines() == dutch(path) + [
        "--formats pdf heeft Chromium nodig om het HTML-rapport af te drukken, en dat is niet "
        "gevonden (installeer het met `apt-get install chromium`, of zet FINMODEL_CHROMIUM op "
        "het programma); de andere formaten zijn geschreven"]
    match = DUTCH_SUMMARY.match(out.strip())
    assert match is not None and match.groups() == ("1", "0", f"{out_dir}/index.html"), out
    assert out.startswith("1 rapport in ")
    assert (out_dir / "tiny" / "budget.xlsx").is_file()
    no_english(out + err)


def test_failed_report_lines_in_dutch(write: Callable[..., Path]) -> None:
    """The per-scenario lines of a batch: a failed report, a PDF problem, a scenario
    refused under --strict (its warnings)."""
    from finmodel.reports import PlannedScenario
    from finmodel.reports._batch import _rows
    from finmodel.reports._job import ReportOutcome

    good = write(TINY, "good.yaml")
    warned_path = write(MISTAKES, "warned.yaml")
    warned = finmodel.load_scenario(warned_path)
    planned = [PlannedScenario(good, "good", finmodel.load_scenario(good), ()),
               PlannedScenario(warned_path, "warned", None, warned.warnings)]
    outcomes = {"/o/good": ReportOutcome("/o/good", error="kernel died")}
    rows, messages = _rows(planned, outcomes, "nl")
    assert messages == [f"{good}: rapport mislukt: kernel died",
                        *dutch(warned_path)]
    assert rows[1].error == "\n".join(dutch(warned_path))  # its row in index.html
    _, messages = _rows(planned, outcomes, "en")
    assert messages == [f"{good}: report failed: kernel died",
                        *english(warned_path)]


# --- validation errors ----------------------------------------------------------------------

BAD = """\
name: Bad
start_year: 2026
horizon: 3
facility: {available_hours: abc}
parties:
  - {name: X, role: boss}
finance: {opening_csh: 1, minimum_cash: 10, discount_rate: -2}
investments:
  - {name: Kit, amount: "veel", year: 2040, life: 0}
  - {name: Kit, amount: 5, year: 2026, life: 2}
  - {name: Van, amount: 5, year: 2026, life: 2, replace: maybe}
operating_costs:
  - {name: Staff, amount: {2026: 5, 1700: 6}, indexation: nope}
  - {name: Rent, amount: {}}
rental:
  segments:
    - {name: A, tariff: 10, demand_hours: 600, ramp_up: [1.5]}
"""

BAD_NL = [
    "4: facility.available_hours: moet een getal of een mapping {year: value} zijn, niet 'abc'",
    "6: parties[X].role: moet een van 'public', 'commercial' of 'other' zijn, niet 'boss'",
    "7: finance.discount_rate: moet tussen -0,99 en 100 liggen (-99% tot +10.000% per jaar), "
    "niet -2",
    "7: finance.opening_csh: onbekende sleutel; toegestaan: discount_rate, loans, minimum_cash, "
    "opening_cash",
]


def test_common_validation_errors_in_dutch(write: Callable[..., Path],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The common errors in Dutch under --lang nl (keys and values as in the file), every
    one exactly as before in English."""
    from finmodel.model.errors import ScenarioError

    path = write(BAD)
    with pytest.raises(ScenarioError) as exc:
        finmodel.load_scenario(path)
    problems = exc.value.problems
    coded = {p.code for p in problems}
    assert {"type", "series_type", "one_of", "range", "unknown_key", "number_type", "bound",
            "horizon", "duplicate_item", "series_year", "unknown_index", "series_empty"
            } <= coded, coded
    for p in problems:
        assert problem_line("en", p) == str(p)
    code, out, err = run(capsys, "run", str(path))
    assert (code, err.splitlines()) == (2, [str(p) for p in problems])
    code, out, err = run(capsys, "run", str(path), "--lang", "nl")
    lines = err.splitlines()
    assert code == 2 and len(lines) == len(problems)
    assert lines[:4] == [f"{path}:{line}" for line in BAD_NL]
    assert f"{path}:9: investments[Kit].amount: moet een getal zijn, niet 'veel'" in lines
    assert f"{path}:9: investments[Kit].life: moet >= 1 zijn, niet 0" in lines
    assert f"{path}:9: investments[Kit].year: moet binnen de horizon 2026..2028 liggen, " \
           "niet 2040" in lines
    # what stays English is only what the file says (keys, allowed values, its text)
    assert not [line for line in lines if re.search(r"\b(must|got|unknown|allowed)\b", line)]
    code, _, err = run(capsys, "check", "--lang", "nl", str(path))
    assert err.splitlines() == lines
    no_english(err)


def test_explorer_says_a_broken_file_in_dutch(tmp_path: Path) -> None:
    """The explorer's status line: a file that does not load, its problems in Dutch."""
    from finmodel.explore.widgets import ExplorerApp

    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(ROOT / "scenarios" / "base.yaml", folder / "base.yaml")
    (folder / "broken.yaml").write_text("horizon: many\n", encoding="utf-8")
    app = ExplorerApp(folder / "base.yaml", "nl")
    app.chooser.options = app._files()
    app.chooser.value = "broken.yaml"
    status = app.status.value
    assert "broken.yaml kan niet worden verkend" in status
    assert f"{folder / 'broken.yaml'}:1: horizon: moet een geheel getal zijn, niet " \
           "&#x27;many&#x27;" in status
    assert f"{folder / 'broken.yaml'}:1: start_year: verplicht" in status
    assert "must be" not in status and "required" not in status


# --- cli-nl-2: errors of the risks, uncertainty and actuals; the Dutch starter ---------------

def test_risk_override_errors_in_both_languages(write: Callable[..., Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """An override that names nothing and one the schema refuses: said in Dutch, English as
    it always was."""
    path = write(TINY + "risks:\n  - {name: X, probability: 0.1, overrides: {a.b: 1}}\n"
                 "  - {name: Y, probability: 0.1, overrides: {finance: {opening_cash: x}}}\n",
                 "risky.yaml")
    code, out, err = run(capsys, "risks", str(path), "--lang", "nl")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{path}:29: risks[X].overrides.a.b: kan niet worden gezet: geen sleutel 'a'",
        f"{path}:30: risks[Y].overrides.finance: finance.opening_cash: moet een getal zijn, "
        "niet 'x'"]
    no_english(err)
    from finmodel.views.partnership_report import risks_html

    html = risks_html(finmodel.load_scenario(path), "nl")
    assert "risks[X].overrides.a.b: kan niet worden gezet: geen sleutel &#x27;a&#x27;</li>" in html
    code, _, err = run(capsys, "risks", str(path))
    assert err.splitlines() == [
        f"{path}:29: risks[X].overrides.a.b: cannot set: no key 'a'",
        f"{path}:30: risks[Y].overrides.finance: finance.opening_cash: must be a number, "
        "got 'x'"]


def test_uncertainty_errors_in_both_languages(write: Callable[..., Path],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A path that names no parameter (with a hint) and a spread that leaves the range:
    the draws' ends in the locale's numbers, the distribution as the file writes it."""
    path = write(TINY + 'uncertainty:\n  "indexation.cpl": {uniform: [0, 0.1]}\n'
                 '  "rental.segments[B].discount": {normal: [0.25, 0.1]}\n'
                 '  "rental.segments[A].tariff": {uniform: [-0.5, 1.5], apply: multiply}\n',
                 "unsure.yaml")
    code, out, err = run(capsys, "simulate", str(path), "--lang", "nl")
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith(
        f"{path}:29: uncertainty.indexation.cpl: geen numerieke parameter van dit scenario; "
        "bedoelt u 'indexation.cpi'? toegestaan: facility.available_hours, ")
    assert lines[1:] == [
        f"{path}:30: uncertainty.rental.segments[B].discount: normal [0.25, 0.1] met apply: "
        "replace geeft waarden van -0,139059 tot 0,639059 (middelste 99,99%), maar de "
        "parameter moet tussen 0 en 1 zijn; maak de verdeling smaller of kies een begrensde "
        "(uniform, triangular)",
        f"{path}:31: uncertainty.rental.segments[A].tariff: uniform [-0.5, 1.5] met apply: "
        "multiply geeft producten met de basiswaarden van -5 tot 15, maar de parameter moet "
        ">= 0 (hoogstens 1e12) zijn; maak de verdeling smaller of kies een begrensde "
        "(uniform, triangular)"]
    no_english(err)
    code, _, err = run(capsys, "simulate", str(path))
    assert err.splitlines()[0].startswith(
        f"{path}:29: uncertainty.indexation.cpl: not a numeric parameter of this scenario; "
        "did you mean 'indexation.cpi'? allowed: facility.available_hours, ")
    assert err.splitlines()[1] == (
        f"{path}:30: uncertainty.rental.segments[B].discount: normal [0.25, 0.1] with apply: "
        "replace gives values from -0.139059 to 0.639059 (central 99.99 %), but the "
        "parameter must be between 0 and 1; narrow the distribution or use a bounded one "
        "(uniform, triangular)")


def test_actuals_format_errors_in_both_languages(write: Callable[..., Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A ledger export with a bad cell, an unknown line, a repeated line and a row too long,
    and inline actuals with a closed-year gap: every problem in Dutch."""
    ledger = write("line;2025;2026\nrental_income;800;x\nfoo;1;2\nrental_income;1;2\n"
                   "capex;1;2;3\n", "ledger.csv")
    path = write(TINY + "actuals: ledger.csv\n", "with_ledger.yaml")
    code, out, err = run(capsys, "variance", str(path), "--lang", "nl")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"{ledger}:2: row 'rental_income', column 2026: geen getal: 'x'",
        f"{ledger}:3: row 'foo': onbekende regel; toegestaan: " + ", ".join(ACTUAL_LINES),
        f"{ledger}:4: row 'rental_income': regel staat er dubbel in (eerst in rij 2)",
        f"{ledger}:5: row 'capex': heeft 3 bedragen voor 2 jaarkolommen"]
    no_english(err)
    code, _, english_err = run(capsys, "variance", str(path))
    assert english_err.splitlines()[3] == (f"{ledger}:5: row 'capex': has 3 amounts for 2 "
                                           "year columns")
    write("kolom;2025\n", "ledger.csv")
    gap = write(TINY + "actuals:\n  2025: {capex: 1}\n  2027: {capex: 1}\n  2030: {capex: 2}\n",
                "gap.yaml")
    for scenario, said in ((path, f"{ledger}:1: (kopregel): de eerste rij moet line,JAAR,JAAR,... "
                                  "zijn (een kolom 'line' en dan kalenderjaren), niet ['kolom', "
                                  "'2025']"),
                           (gap, f"{gap}:30: actuals.2027: afgesloten jaren moeten aansluiten "
                                 "vanaf 2025: 2026 heeft geen bedragen"),
                           (gap, f"{gap}:31: actuals.2030: jaar buiten de horizon 2025..2028")):
        code, _, err = run(capsys, "variance", str(scenario), "--lang", "nl")
        assert code == 2 and said in err.splitlines(), err
        no_english(err)


@pytest.mark.parametrize("code", sorted(SENTENCES))
def test_english_catalogue_says_the_actuals_problems_as_the_model(code: str) -> None:
    """For each kind of actuals problem the English catalogue gives the model's sentence."""
    values = {"got": "'x'", "allowed": "a, b", "ledger": "'l.csv'", "error": "No such file",
              "first": 2025, "last": 2030, "year": 2027, "amounts": 3, "columns": 2,
              "cell": "'x'"}
    used = {k: v for k, v in values.items() if "{" + k + "}" in SENTENCES[code]}
    problem = Problem("l.csv", 2, "row 'x'", SENTENCES[code].format(**used), code,
                      tuple(used.items()))
    assert problem_line("en", problem) == str(problem)
    assert problem_line("nl", problem) != str(problem)


def test_new_in_dutch_writes_dutch_comments_that_run(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`new --lang nl`: the comments and names in Dutch, the keys as the format spells them;
    the figures those of the English starter, so both project to the same numbers."""
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "new", "lab", "--lang", "nl")[0] == 0
    assert run(capsys, "new", "lab_en.yaml")[0] == 0
    text = (tmp_path / "scenarios" / "lab.yaml").read_text(encoding="utf-8")
    assert "language: nl                    # taal van rapporten en terminaltekst (nl, en)" in text
    assert "  minimum_cash: 20000           # minimale kaspositie, bewaakt door de controles" \
        in text
    comments = [line.partition("#")[2].strip() for line in text.splitlines() if "#" in line]
    english_comments = {line.partition("#")[2].strip()
                        for line in STARTER.splitlines() if "#" in line}
    assert len(comments) > 25 and not set(comments) & english_comments - {
        "finmodel check {path}", "public, commercial of other"}
    no_english(text)
    dutch_lab = finmodel.load_scenario(tmp_path / "scenarios" / "lab.yaml")
    english_lab = finmodel.load_scenario(tmp_path / "lab_en.yaml")
    assert dutch_lab.language == "nl" and [i.name for i in dutch_lab.investments] == ["Apparatuur"]
    dutch_kpis, english_kpis = finmodel.project(dutch_lab).kpis, finmodel.project(english_lab).kpis
    assert dutch_kpis == english_kpis and dutch_kpis["npv"] != 0
    code, out, err = run(capsys, "simulate", "scenarios/lab.yaml", "--draws", "200")
    assert (code, err) == (0, "") and "Andere instellingen" not in err
    no_english(out)


def test_goal_seek_cluster_note_in_dutch(write: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """--cluster without --probability runs here (no scheduler is contacted) and says so
    in the chosen language."""
    good = write(TINY, "good.yaml")
    args = ("goal-seek", str(good), "--param", "rental.segments[A].tariff",
            "--target-kpi", "npv", "--target", "0", "--cluster", "tcp://127.0.0.1:1")
    err = run(capsys, *args, "--lang", "nl")[2]
    assert err.splitlines()[0] == ("finmodel goal-seek: waarschuwing: --cluster werkt "
                                   "alleen met --probability; dit doelzoeken draait hier")
    assert run(capsys, *args)[2].startswith("finmodel goal-seek: warning: --cluster")


def test_export_lines_in_dutch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`finmodel export --lang nl` says what it wrote, and refuses, in Dutch."""
    out = tmp_path / "begroting.xlsx"
    code, said, _ = run(capsys, "export", "base", "--out", str(out), "--lang", "nl")
    assert code == 0
    assert said == (f"{out} geschreven (Base case - care-tech practice lab with vendor, "
                    "RIF-like start; hoofdcontrole in orde). Wijzig de invoer op het "
                    "blad invoer en laat het werkboek herberekenen.\n")
    code, _, err = run(capsys, "export", "base", "--out", str(out), "--lang", "nl")
    assert code == 2
    assert f"--out {out}: bestaat al; voeg --force toe om het te vervangen" in err
    code, _, err = run(capsys, "export", "base", "--out", str(tmp_path / "b.xls"),
                       "--lang", "nl")
    assert code == 2 and "moet eindigen op .xlsx (een Excel-werkboek)" in err
    no_english(said + err)


# --- cli-nl-3: the scenario file's own problems, the subsidy forms, seed and draws ----------

@pytest.mark.parametrize("code", sorted(FILE_SENTENCES))
def test_english_catalogue_says_the_file_problems_as_the_model(code: str) -> None:
    """For each problem of the file reader the English catalogue gives the reader's sentence
    (counts with thousands separators); the Dutch one differs."""
    values = {"reason": "bad", "size": 2_000_000, "limit": 1_000_000, "got": "'x'",
              "loop": "a.yaml -> a.yaml", "parent": "'p.yaml'", "tag": "!x", "name": "lab",
              "detail": "found undefined alias", "context": "",
              "problem": "found undefined alias", "column": 7}
    used = {k: v for k, v in values.items() if "{" + k + "}" in FILE_SENTENCES[code]
            or code == "yaml_syntax" and k in ("context", "problem")}
    problem = Problem("s.yaml", 2, "(yaml)", "", code, tuple(used.items()))
    problem = dataclasses.replace(problem, message=problem_line("en", problem).split(
        ": ", 2)[2])
    said = {k: f"{v:,}" if isinstance(v, int) else v for k, v in used.items()}
    assert problem.message == FILE_SENTENCES[code].format(**said)
    assert problem_line("nl", problem) != str(problem)


def _lines(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[list[str], ...]:
    """stderr of ``finmodel run PATH`` in English and in Dutch (exit 2 and no stdout both)."""
    said = []
    for lang in ((), ("--lang", "nl")):
        code, out, err = run(capsys, "run", str(path), *lang, *extra)
        assert (code, out) == (2, ""), err
        said.append(err.splitlines())
    return tuple(said)


def test_yaml_errors_in_both_languages(write: Callable[..., Path],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The YAML reader's complaints, refused tags and merge keys: Dutch under --lang nl,
    English as always."""
    cases = [
        ("a: 1\nb: [1, 2\n", 3,
         "while parsing a flow sequence did not find expected ',' or ']' (column 1)",
         "geen geldige YAML in een lijst tussen [ ]: er ontbreekt een ',' of ']' (kolom 1)"),
        ("a:\n  b: 1\n c: 2\n", 3,
         "while parsing a block mapping did not find expected key (column 2)",
         "geen geldige YAML in een mapping: er ontbreekt een sleutel (klopt het inspringen?) "
         "(kolom 2)"),
        ("a: b: c\n", 1, "mapping values are not allowed in this context (column 5)",
         "geen geldige YAML: hier kan geen 'sleutel: waarde' staan (een dubbele punt te "
         "veel, of tekst die aanhalingstekens nodig heeft?) (kolom 5)"),
        ("a: !!python/object x\n", 1, "tag 'tag:yaml.org,2002:python/object' is not allowed: "
         "only plain values (numbers, text, true/false, lists, mappings)",
         "tag 'tag:yaml.org,2002:python/object' is niet toegestaan: alleen gewone waarden "
         "(getallen, tekst, true/false, lijsten, mappings)"),
        ("a: !!set {x}\n", 1, "tag 'tag:yaml.org,2002:set' is not allowed: only plain values "
         "(numbers, text, true/false, lists, mappings)",
         "tag 'tag:yaml.org,2002:set' is niet toegestaan: alleen gewone waarden (getallen, "
         "tekst, true/false, lijsten, mappings)"),
        ("a: {x: 1}\nb:\n  <<: {y: 2}\n", 3,
         "YAML merge keys (<<) are not supported; use extends",
         "YAML-merge-sleutels (<<) worden niet ondersteund; gebruik extends"),
        ("a: [" * 21 + "]" * 21 + "\n", 1,
         "nested more than 20 levels deep; a scenario needs far fewer",
         "meer dan 20 niveaus diep genest; een scenario heeft er veel minder nodig"),
        ("k: [" + ", ".join(["1"] * 2_001) + "]\n", 1,
         "more than 1,000 keys or items in one mapping or list",
         "meer dan 1.000 sleutels of items in één mapping of lijst"),
        ("".join(f"k{i}: [{', '.join(['1'] * 1_800)}]\n" for i in range(6)), 6,
         "more than 10,000 values; a scenario needs far fewer",
         "meer dan 10.000 waarden; een scenario heeft er veel minder nodig"),
        ("", 1, "is empty; expected a mapping",
         "is leeg; verwacht: een mapping (sleutel: waarde)"),
    ]
    for text, line, english_text, dutch_text in cases:
        path = write(text, "broken.yaml")
        where, plaats = ("(file)", "(bestand)") if text == "" else ("(yaml)", "(YAML-tekst)")
        assert _lines(capsys, path) == ([f"{path}:{line}: {where}: {english_text}"],
                                        [f"{path}:{line}: {plaats}: {dutch_text}"])
        no_english("\n".join(_lines(capsys, path)[1]))


def test_file_limits_and_extends_in_both_languages(write: Callable[..., Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A file too large, text that is not UTF-8, a cycle of extends and a missing parent."""
    big = write("# " + "x" * 1_000_001 + "\n", "big.yaml")
    assert _lines(capsys, big) == (
        [f"{big}:1: (file): is 1,000,004 bytes; a scenario file may be at most 1,000,000 "
         "bytes"],
        [f"{big}:1: (bestand): is 1.000.004 bytes; een scenariobestand mag hoogstens 1.000.000 "
         "bytes zijn"])
    loop = write("extends: loop.yaml\n", "loop.yaml")
    assert _lines(capsys, loop) == (
        [f"{loop}:1: extends: cycle: loop.yaml -> loop.yaml"],
        [f"{loop}:1: extends: kringverwijzing: loop.yaml -> loop.yaml"])
    orphan = write("extends: gone.yaml\n", "orphan.yaml")
    parent = repr(str(orphan.parent / "gone.yaml"))
    assert _lines(capsys, orphan) == ([f"{orphan}:1: extends: no such file {parent}"],
                                      [f"{orphan}:1: extends: bestand {parent} bestaat niet"])
    code, _, err = run(capsys, "run", "no-such-lab", "--lang", "nl")
    assert (code, err) == (2, "no-such-lab:1: (bestand): scenariobestand bestaat niet (ook niet "
                              "als scenarios/no-such-lab.yaml)\n")


def test_duplicate_keys_and_subsidy_forms_in_both_languages(
        write: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Problems reported with the validation's: a key twice, a subsidy given both ways,
    one given neither way, an investment subsidy without release years."""
    text = (TINY.replace("horizon: 4\n", "horizon: 4\nhorizon: 5\n")
            .replace("amounts: {2025: 900}, release_years: 3", "amounts: {2025: 900}")
            .replace("  - {name: Op, type: operating, amount: 1000,",
                     "  - {name: Both, type: operating, amount: 1, amounts: {2025: 1}}\n"
                     "  - {name: None, type: operating}\n"
                     "  - {name: Op, type: operating, amount: 1000,"))
    path = write(text, "subsidies.yaml")
    english_lines, dutch_lines = _lines(capsys, path)
    assert english_lines == [
        f"{path}:4: horizon: duplicate key",
        f"{path}:19: subsidies[Both]: give either amounts or amount with phase_out, not both",
        f"{path}:20: subsidies[None]: needs amounts {{year: euros}}, or amount together with "
        "phase_out",
        f"{path}:22: subsidies[Inv]: an investment subsidy needs release_years (>= 1)"]
    assert dutch_lines == [
        f"{path}:4: horizon: dubbele sleutel",
        f"{path}:19: subsidies[Both]: geef amounts of amount met phase_out, niet allebei",
        f"{path}:20: subsidies[None]: vraagt om amounts {{jaar: euro}}, of amount samen met "
        "phase_out",
        f"{path}:22: subsidies[Inv]: een investeringssubsidie vraagt om release_years (>= 1)"]
    no_english("\n".join(dutch_lines))


def test_seed_and_draws_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    """The simulation's own refusals (a seed given to the library, the number of draws)."""
    from finmodel.analysis.uncertainty import Sampler
    from finmodel.model.errors import FinModelError
    from finmodel.views.warning_text import error_text

    with pytest.raises(FinModelError) as exc:
        Sampler(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"), -3)
    assert str(exc.value) == "seed: must be a whole number >= 0, got -3"
    assert error_text("en", exc.value) == str(exc.value)
    assert error_text("nl", exc.value) == "seed: moet een geheel getal >= 0 zijn, niet -3"
    base = str(ROOT / "scenarios" / "base.yaml")
    assert run(capsys, "simulate", base, "--draws", "0")[::2] == (
        2, "finmodel simulate: error: the number of draws must be at least 1, got 0\n")
    assert run(capsys, "simulate", base, "--draws", "0", "--lang", "nl")[::2] == (
        2, "finmodel simulate: fout: het aantal trekkingen moet minstens 1 zijn, niet 0\n")


# --- cli-nl-3: argparse's own errors and FINMODEL_LANG ------------------------------------

#: argparse's errors as it writes them in English, and in Dutch.
USAGE_ERRORS = [
    (("run", "base", "--format", "x"), "finmodel run",
     "argument --format: invalid choice: 'x' (choose from 'table', 'json', 'csv')",
     "argument --format: ongeldige keuze 'x' (kies uit 'table', 'json', 'csv')"),
    (("export", "base"), "finmodel export", "the following arguments are required: --out",
     "deze argumenten zijn verplicht: --out"),
    (("run", "base", "--bogus", "1"), "finmodel", "unrecognized arguments: --bogus 1",
     "onbekende argumenten: --bogus 1"),
    (("simulate", "base", "--draws", "veel"), "finmodel simulate",
     "argument --draws: invalid int value: 'veel'",
     "argument --draws: geen geheel getal: 'veel'"),
    (("simulate", "base", "--seed", "-1"), "finmodel simulate",
     "argument --seed: must be a whole number >= 0, got -1",
     "argument --seed: moet een geheel getal >= 0 zijn, niet -1"),
    (("report", "base", "--jobs", "0"), "finmodel report",
     "argument --jobs: must be at least 1, got 0", "argument --jobs: moet minstens 1 zijn, niet 0"),
]


@pytest.mark.parametrize(("argv", "prog", "english_text", "dutch_text"), USAGE_ERRORS)
def test_usage_errors_in_both_languages(argv: tuple[str, ...], prog: str, english_text: str,
                                        dutch_text: str, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Under --lang nl (anywhere in the line) or FINMODEL_LANG=nl, argparse's error and
    its usage line in Dutch; English exactly as argparse writes it."""
    monkeypatch.delenv("FINMODEL_LANG", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    english_err = capsys.readouterr().err
    assert exc.value.code == 2 and english_err.startswith("usage: ")
    assert english_err.endswith(f"\n{prog}: error: {english_text}\n")
    for extra, env in ((("--lang", "nl"), None), (("--lang=nl",), None), ((), "nl"),
                       ((), " NL ")):
        if env:
            monkeypatch.setenv("FINMODEL_LANG", env)
        with pytest.raises(SystemExit) as exc:
            main([*argv[:2], *extra, *argv[2:]])
        err = capsys.readouterr().err
        # "gebruik: " is two letters longer than "usage: ": argparse aligns the rest
        usage = english_err.rsplit("\n", 2)[0].removeprefix("usage: ").replace("\n", "\n  ")
        assert (exc.value.code, err) == (2, f"gebruik: {usage}\n{prog}: fout: {dutch_text}\n")
        no_english(dutch_text)  # the usage line's options and names are what one types
        monkeypatch.delenv("FINMODEL_LANG", raising=False)
    monkeypatch.setenv("FINMODEL_LANG", "nl")  # --lang en wins over the environment
    with pytest.raises(SystemExit):
        main([*argv[:2], "--lang", "en", *argv[2:]])
    assert capsys.readouterr().err.endswith(f"\n{prog}: error: {english_text}\n")


def test_formats_refused_in_both_languages(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """report's --formats, checked after parsing, as the usage errors."""
    base = str(ROOT / "scenarios" / "base.yaml")
    assert run(capsys, "report", base, "--formats", "docx")[::2] == (
        2, "finmodel report: error: unknown format 'docx' in --formats (allowed: html, pdf, "
           "xlsx, ipynb)\n")
    monkeypatch.setenv("FINMODEL_LANG", "nl")
    assert run(capsys, "report", base, "--formats", " ,")[::2] == (
        2, "finmodel report: fout: --formats is leeg (toegestaan: html, pdf, xlsx, ipynb)\n")
    assert run(capsys, "report", base, "--formats", "docx")[::2] == (
        2, "finmodel report: fout: onbekend formaat 'docx' in --formats (toegestaan: html, "
           "pdf, xlsx, ipynb)\n")


def test_finmodel_lang_below_lang_and_the_scenario(write: Callable[..., Path],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """--lang > the scenario's language > FINMODEL_LANG > English; JSON stays English."""
    plain, english_file = write(MISTAKES, "plain.yaml"), write(MISTAKES + "language: en\n",
                                                               "en.yaml")
    monkeypatch.setenv("FINMODEL_LANG", "nl")
    assert run(capsys, "check", str(plain))[2].splitlines()[:3] == dutch(plain)
    assert run(capsys, "check", str(english_file))[2].splitlines()[:3] == english(english_file)
    monkeypatch.setenv("FINMODEL_LANG", "en")
    dutch_file = write(MISTAKES + "language: nl\n", "nl.yaml")
    assert run(capsys, "check", str(dutch_file))[2].splitlines()[:3] == dutch(dutch_file)
    assert run(capsys, "check", str(dutch_file), "--lang", "en")[2].splitlines()[:3] \
        == english(dutch_file)
    base = str(ROOT / "scenarios" / "base.yaml")
    monkeypatch.delenv("FINMODEL_LANG")
    as_json = run(capsys, "run", base, "--format", "json")[1]
    monkeypatch.setenv("FINMODEL_LANG", "nl")
    assert run(capsys, "run", base, "--format", "json")[1] == as_json
    assert "Totaal" in run(capsys, "run", base)[1]


def test_finmodel_lang_refused_with_its_name(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FINMODEL_LANG", "fr")
    assert run(capsys, "run", "base") == (
        2, "", "finmodel: FINMODEL_LANG='fr': allowed: en, nl (or leave it unset for "
               "English)\n")


SCHEMA_OWN = """\
name: Tiny
start_year: 2025
horizon: 4
indexation:
  "c.pi": 0.1
facility:
  available_hours: 1e13
operating_costs:
  - {name: "St[aff", amount: 500}
  - {name: Rent, amount: 5, from: 2027, until: 2026}
subsidies:
  - {name: Op, type: operating, amount: 1, phase_out: {shape: step, taper_years: 2}}
  - {name: Op2, type: operating, amount: 1, phase_out: {}, release_years: 2}
uncertainty:
  "facility.available_hours": {uniform: [2, 1]}
  "finance.opening_cash": {uniform: [1, 2], normal: [1, 2]}
finance: {opening_cash: 1000, minimum_cash: 500, discount_rate: 0.1}
"""


def test_the_schemas_own_errors_in_both_languages(write: Callable[..., Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The schema's own rules (names, windows, the phase-out's shape, an operating subsidy's
    release years, the size of numbers, a distribution's form) in Dutch, English as ever."""
    path = write(SCHEMA_OWN, "own.yaml")
    english_lines, dutch_lines = _lines(capsys, path)
    assert english_lines == [f"{path}:{line}" for line in (
        "5: indexation.c.pi: index names must be non-empty, without . [ ] or line breaks (they "
        "are used in paths such as indexation.cpi), got 'c.pi'",
        "7: facility.available_hours: must be at most 1e12 (a million million) in size, got "
        "1e+13",
        "9: operating_costs[St[aff].name: must not contain [ or ] or line breaks (names are "
        "used in paths such as parties[NAME]), got 'St[aff'",
        "10: operating_costs[Rent]: until (2026) is before from (2027)",
        "12: subsidies[Op].phase_out: shape step has no taper: taper_years must be 0, got 2",
        "13: subsidies[Op2]: release_years applies to investment subsidies only",
        "15: uncertainty.facility.available_hours: uniform bounds must be in increasing "
        "order, got [2.0, 1.0]",
        "16: uncertainty.finance.opening_cash: give exactly one of uniform, triangular, "
        "normal, lognormal; got 2")]
    assert dutch_lines == [f"{path}:{line}" for line in (
        "5: indexation.c.pi: namen van indexen mogen niet leeg zijn en geen . [ ] of "
        "regeleinden bevatten (ze staan in paden zoals indexation.cpi), niet 'c.pi'",
        "7: facility.available_hours: mag hoogstens 1e12 (een miljoen miljoen) groot zijn, "
        "niet 1e+13",
        "9: operating_costs[St[aff].name: mag geen [ of ] of regeleinden bevatten (namen "
        "staan in paden zoals parties[NAAM]), niet 'St[aff'",
        "10: operating_costs[Rent]: until (2026) ligt vóór from (2027)",
        "12: subsidies[Op].phase_out: shape step heeft geen afbouw: taper_years moet 0 zijn, "
        "niet 2",
        "13: subsidies[Op2]: release_years geldt alleen voor investeringssubsidies",
        "15: uncertainty.facility.available_hours: de grenzen van uniform moeten oplopen, "
        "niet [2.0, 1.0]",
        "16: uncertainty.finance.opening_cash: geef precies één van uniform, triangular, "
        "normal, lognormal; er staan er nu 2")]
    no_english("\n".join(dutch_lines))


# --- cli-nl-3: --help in Dutch ------------------------------------------------------------

def _parsers() -> dict[str, argparse.ArgumentParser]:
    """The English parser of ``finmodel`` and of each sub-command, by name."""
    from finmodel.cli.main import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"finmodel": parser, **commands.choices}


def test_english_catalogue_holds_every_help_text_as_written() -> None:
    """Each sub-command's description and each option's help, in the English catalogue
    exactly as the modules write them: nothing can be left out of the Dutch help."""
    from finmodel.cli.main import help_key
    from finmodel.views.i18n import t

    for name, parser in _parsers().items():
        assert t("en", f"cli.help.{name}") == parser.description
        for action in parser._actions:
            if action.help is not None and not isinstance(action, argparse._SubParsersAction):
                assert t("en", help_key(name, action.dest)) == action.help, (name, action.dest)


def _english_help_sentences() -> list[str]:
    """Every English help text; none is its own Dutch (a copy would slip through)."""
    said = {key: text for key, text in messages_en.MESSAGES.items()
            if key.startswith("cli.help.")}
    assert not [key for key, text in said.items() if messages_nl.MESSAGES[key] == text]
    return list(said.values())


def _flat(text: str) -> str:
    """Text as one line, as argparse's wrapping (also after a hyphen) leaves it."""
    return " ".join(text.split()).replace("- ", "-")


@pytest.mark.parametrize("command", sorted(_parsers()))
def test_help_in_dutch_has_no_english_sentence(command: str, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """``finmodel [COMMAND] --help`` under FINMODEL_LANG=nl: Dutch headings, description and
    options, none of the English sentences; English as before without it."""
    argv = ["--help"] if command == "finmodel" else [command, "--help"]
    monkeypatch.delenv("FINMODEL_LANG", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    english_help = capsys.readouterr().out
    assert exc.value.code == 0 and english_help == _parsers()[command].format_help()
    monkeypatch.setenv("FINMODEL_LANG", "nl")
    with pytest.raises(SystemExit) as exc:
        main(argv)
    dutch_help = capsys.readouterr().out
    flat = _flat(dutch_help)
    assert exc.value.code == 0 and dutch_help.startswith("gebruik: finmodel")
    assert "\nopties:\n" in dutch_help
    assert _flat(messages_nl.MESSAGES[f"cli.help.{command}"]) in flat
    assert "toon deze hulptekst en stop" in flat
    left = [text for text in _english_help_sentences() if _flat(text) in flat
            or text in ("positional arguments", "options") and f"\n{text}:" in dutch_help]
    assert not left, left
    assert _flat(messages_en.MESSAGES[f"cli.help.{command}"]) in _flat(english_help)

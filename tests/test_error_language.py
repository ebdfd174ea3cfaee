"""The language of a refused file's own errors, the YAML reader's rarer complaints, the
places that are no path, and ``--version``, in Dutch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from finmodel.views import messages_en, messages_nl
from test_cli_nl import no_english, run

from conftest import ROOT, TINY

#: A scenario that asks for Dutch and misspells a key: it does not validate.
MISSPELT = TINY.replace("horizon: 4\n", "horizon: 4\nlanguage: nl\nhorizn: 5\n")


def test_a_refused_file_says_its_errors_in_its_own_language(
        write: Callable[..., Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A file with ``language: nl`` that does not validate: its errors in Dutch without
    --lang (run, check), above FINMODEL_LANG; --lang en still wins."""
    path = write(MISSPELT, "lab.yaml")
    dutch = f"{path}:5: horizn: onbekende sleutel; toegestaan: "
    for command in ("run", "check", "simulate"):
        code, out, err = run(capsys, command, str(path))
        assert (code, out) == (2, "") and err.startswith(dutch), err
        no_english(err)
    monkeypatch.setenv("FINMODEL_LANG", "en")
    assert run(capsys, "run", str(path))[2].startswith(dutch)
    code, _, err = run(capsys, "run", str(path), "--lang", "en")
    assert err.startswith(f"{path}:5: horizn: unknown key; allowed: ")
    code, _, err = run(capsys, "--lang", "en", "check", str(path))
    assert err.startswith(f"{path}:5: horizn: unknown key; allowed: ")


def test_a_file_that_cannot_say_its_language_follows_the_environment(
        write: Callable[..., Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Not YAML, or no ``language:``: FINMODEL_LANG, else English; an unknown language
    value is itself an error and does not choose."""
    broken = write("language: nl\nhorizon: [4\n", "broken.yaml")
    assert run(capsys, "run", str(broken))[2] == (
        f"{broken}:3: (yaml): while parsing a flow sequence did not find expected ',' or "
        "']' (column 1)\n")
    plain = write(MISSPELT.replace("language: nl\n", ""), "plain.yaml")
    assert "horizn: unknown key" in run(capsys, "check", str(plain))[2]
    odd = write(MISSPELT.replace("language: nl", "language: fr"), "odd.yaml")
    assert "language: must be one of" in run(capsys, "check", str(odd))[2]
    monkeypatch.setenv("FINMODEL_LANG", "nl")
    assert "horizn: onbekende sleutel" in run(capsys, "check", str(plain))[2]
    assert run(capsys, "run", str(broken))[2] == (
        f"{broken}:3: (YAML-tekst): geen geldige YAML in een lijst tussen [ ]: er ontbreekt "
        "een ',' of ']' (kolom 1)\n")


def test_a_file_that_extends_a_dutch_parent_speaks_dutch(
        write: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """The language inherited through ``extends`` counts as the file's own."""
    write(TINY + "language: nl\n", "parent.yaml")
    child = write("extends: parent.yaml\nfinance: {opening_csh: 1}\n", "child.yaml")
    err = run(capsys, "run", str(child))[2]
    assert err.startswith(f"{child}:2: finance.opening_csh: onbekende sleutel"), err


@pytest.mark.parametrize("text, line, column, dutch", [
    ("a: 1\n\tb: 2\n", 2, 1, "geen geldige YAML in een waarde zonder aanhalingstekens: een tab "
     "verstoort het inspringen (spring in met spaties)"),
    ('a: "x\\q"\n', 1, 6, "geen geldige YAML in tekst tussen aanhalingstekens: een onbekend "
     "teken na \\ (schrijf \\\\ voor één backslash)"),
    ("a: 1\n---\nb: 2\n", 2, 1, "geen geldige YAML in het bestand: er volgt een tweede "
     "document (na '---'); schrijf één scenario per bestand"),
    ("a: 1\n- b\n", 2, 1, "geen geldige YAML in een mapping: er ontbreekt een sleutel (klopt "
     "het inspringen?)"),
    ("a: &x 1\nb: &\n", 2, 5, "geen geldige YAML in een anker (&naam): er ontbreekt een "
     "letter of cijfer"),
    ("a: |0\n  x\n", 1, 5, "geen geldige YAML in een tekstblok (| of >): inspringaanduiding 0 "
     "(schrijf 1 tot 9)"),
])
def test_yaml_complaints_in_dutch_with_their_column(
        write: Callable[..., Path], capsys: pytest.CaptureFixture[str], text: str, line: int,
        column: int, dutch: str) -> None:
    """The YAML reader's complaints that used to be quoted in English: Dutch words, the
    line in the place and the column in the sentence; English keeps the reader's words."""
    path = write(text, "broken.yaml")
    code, out, err = run(capsys, "run", str(path), "--lang", "nl")
    assert (code, out, err) == (2, "", f"{path}:{line}: (YAML-tekst): {dutch} (kolom {column})\n")
    no_english(err)
    english = run(capsys, "run", str(path))[2]
    assert english.startswith(f"{path}:{line}: (yaml): ")
    assert english.endswith(f" (column {column})\n")


def test_every_complaint_of_the_yaml_reader_has_dutch_words() -> None:
    """Each phrase of libyaml's parser and scanner the English catalogue knows is said
    differently in Dutch (a phrase forgotten in one catalogue fails the catalogue test)."""
    phrases = [k for k in messages_en.MESSAGES if k.startswith("err.yaml.")]
    assert len(phrases) >= 60
    for key in phrases:
        assert messages_nl.MESSAGES[key] != messages_en.MESSAGES[key], key


def test_places_that_are_no_path_in_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "no/such/lab.yaml", "--lang", "nl")
    assert (code, err) == (2, "no/such/lab.yaml:1: (bestand): scenariobestand bestaat niet\n")


def test_version_and_the_language_before_the_command(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``finmodel --version`` says "versie" in Dutch; ``--lang`` before the command is
    the run's language (it used to be read as the command: "invalid choice 'nl'")."""
    from finmodel import __version__

    for argv, said in ((["--version"], f"finmodel {__version__}\n"),
                       (["--lang", "nl", "--version"], f"finmodel versie {__version__}\n")):
        with pytest.raises(SystemExit) as stop:
            run(capsys, *argv)
        assert stop.value.code == 0 and capsys.readouterr().out == said
    monkeypatch.setenv("FINMODEL_LANG", "nl")
    with pytest.raises(SystemExit):
        run(capsys, "--version")
    assert capsys.readouterr().out == f"finmodel versie {__version__}\n"
    code, _, err = run(capsys, "--lang", "nl", "run", "no-such-lab.yaml")
    assert (code, err) == (2, "no-such-lab.yaml:1: (bestand): scenariobestand bestaat niet\n")


#: Errors of the analyses a controller meets on the command line: the arguments, a piece of
#: the Dutch message, and the English one (the model's own words, unchanged).
ANALYSIS_ERRORS = [
    (["goal-seek", "base", "--param", "finance.nonsense", "--target-kpi", "npv", "--target",
      "0"], "fout: geen numerieke parameter van scenario 'Base case",
     "error: not a numeric parameter of scenario 'Base case"),
    (["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi", "npv",
      "--target", "1e12"], "finmodel goal-seek: npv hangt niet af van finance.opening_cash: "
     "het is 134.874 voor elke waarde in -450000..450000, dus geen waarde geeft npv = 1e+12",
     "finmodel goal-seek: npv does not depend on finance.opening_cash: it is 134,874 for "
     "every value in -450000..450000"),
    (["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi", "min_cash",
      "--target", "1e12", "--range", "0:1000"], "min_cash loopt daar van -87.167 tot -86.167; "
     "probeer een ruimer --range", "min_cash goes from -87,167 to -86,167 there; try a wider"),
    (["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi", "npv",
      "--target", "0", "--range", "5:1"], "het zoekbereik moet A:B zijn met A < B, niet 5:1",
     "the searched range must be A:B with A < B, got 5:1"),
    (["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi", "npv",
      "--target", "0", "--range", "x"], "--range moet A:B zijn, niet 'x'",
     "--range must be A:B, got 'x'"),
    (["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi", "xx",
      "--target", "0"], "onbekend kerncijfer 'xx'; kerncijfers: total_result, npv",
     "unknown KPI 'xx'; KPIs: total_result, npv"),
    (["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi", "cash_end@1999",
      "--target", "0"], "jaar '1999' in 'cash_end@1999' valt buiten de horizon 2026..2040",
     "year '1999' in 'cash_end@1999' is not in the horizon 2026..2040"),
    (["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi", "xx@2030",
      "--target", "0"], "onbekende regel 'xx' in 'xx@2030'; regels: rental_income",
     "unknown line 'xx' in 'xx@2030'; lines: rental_income"),
    (["goal-seek", "base", "--param", "finance.opening_cash", "--target-kpi", "npv",
      "--target", "0", "--probability", "1.5"], "de kans moet in (0, 1] liggen, niet 1.5",
     "probability must be in (0, 1], got 1.5"),
    (["what-if", "base", "--exit", "Nobody", "--from", "2027"],
     "geen partij met de naam 'Nobody' in", "no party named 'Nobody' in"),
    (["what-if", "base", "--exit", "CareTech Vendor", "--from", "1999"],
     "het jaar van uittreden moet binnen de horizon 2026..2040 liggen, niet 1999",
     "exit year must be within the horizon 2026..2040, got 1999"),
    (["what-if", "base", "--exit", "CareTech Vendor"], "--exit heeft --from JAAR nodig",
     "--exit needs --from YEAR"),
    (["what-if", "base", "--risk", "Wage shock", "--from", "2030"],
     "--from hoort bij --exit, niet bij --risk", "--from goes with --exit, not with --risk"),
    (["what-if", "base", "--risk", "nope"], "geen risico met de naam 'nope'; risico's: ",
     "no risk named 'nope'; risks: "),
    (["table", "base", "--x", "finance.opening_cash=1:2", "--y", "finance.minimum_cash=1:2:3"],
     "verwacht PATH=A:B:N (N >= 1 waarden van A tot B), niet 'finance.opening_cash=1:2'",
     "expected PATH=A:B:N (N >= 1 values from A to B), got 'finance.opening_cash=1:2'"),
    (["table", "base", "--x", "finance.opening_cash=1:2:3", "--y",
      "finance.opening_cash=1:2:3"], "x en y moeten twee verschillende parameters zijn, nu "
     "twee keer 'finance.opening_cash'", "x and y must be two different parameters, got "
     "'finance.opening_cash' twice"),
    (["variance", "base"], "actuals: het scenario heeft geen realisatie: voeg `actuals: "
     "BESTAND.csv` toe (line,JAAR,... uit de boekhouding) of {year: {LINE: bedrag}}",
     "actuals: the scenario has no actuals: add `actuals: FILE.csv` (line,YEAR,... exported "
     "from the ledger) or {year: {LINE: amount}}"),
]


@pytest.mark.parametrize("argv, dutch, english", ANALYSIS_ERRORS,
                         ids=[" ".join(a[:1] + a[2:4]) for a, _, _ in ANALYSIS_ERRORS])
def test_analysis_errors_in_dutch(capsys: pytest.CaptureFixture[str], argv: list[str],
                                  dutch: str, english: str) -> None:
    """Each error a goal seek, a what-if, a data table or a variance can end in: Dutch
    words and Dutch numbers under --lang nl (they were English), the model's English
    otherwise; never a traceback, nothing on stdout."""
    monkey = pytest.MonkeyPatch()
    monkey.chdir(ROOT)
    try:
        code, out, err = run(capsys, *argv, "--lang", "nl")
        assert code in (1, 2) and out == "" and dutch in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
        no_english(err)
        code, out, err = run(capsys, *argv)
        assert out == "" and english in err, err
    finally:
        monkey.undo()


def test_a_bridge_that_cannot_be_built_in_dutch(write: Callable[..., Path],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """compare prints the differences, then why no bridge: "fout:" and the problem of the
    mixed scenario in Dutch (it said "error:" and English under --lang nl); exit 1."""
    base = write("name: mini\nstart_year: 2025\nhorizon: 1\nfacility: {available_hours: 100}\n",
                 "mini.yaml")
    other = write(TINY, "tiny.yaml")
    code, out, err = run(capsys, "compare", str(base), str(other), "--lang", "nl")
    assert code == 1 and "(toegevoegd)" in out
    assert err.startswith("finmodel compare: fout: geen brug van 'mini' naar 'Tiny': de basis "
                          "'mini' met "), err
    assert "(parties: het eigen gebruik van alle partijen (200 uur) is meer dan " \
           "facility.available_hours (100 uur) in 2025" in err
    no_english(err)
    code, _, err = run(capsys, "compare", str(base), str(other))
    assert code == 1 and err.startswith("finmodel compare: error: cannot bridge 'mini' to "
                                        "'Tiny': the base 'mini' with the other's ")


def test_simulate_without_uncertainty_in_dutch(write: Callable[..., Path],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write(TINY, "tiny.yaml")
    code, out, err = run(capsys, "simulate", str(path), "--lang", "nl")
    assert (code, out, err) == (2, "", f"finmodel simulate: fout: {path} heeft geen blok "
                                       "uncertainty, dus elke trekking zou gelijk zijn; voeg "
                                       "er een toe (zie docs/scenario-format.md, "
                                       "'uncertainty'), of gebruik --with-risks bij een "
                                       "scenario met risico's\n")


def test_own_use_above_capacity_in_dutch(write: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The capacity rule of the contract (section 3): hours in Dutch form, "uur"."""
    path = write(TINY.replace("available_hours: 1000", "available_hours: 150.5")
                 .replace("own_use_hours: 200", "own_use_hours: 1200.25"), "cap.yaml")
    code, _, err = run(capsys, "check", str(path), "--lang", "nl")
    assert (code, err) == (2, f"{path}:20: parties: het eigen gebruik van alle partijen "
                              "(1.200,25 uur) is meer dan facility.available_hours (150,5 uur) "
                              "in 2025, 2026, 2027, 2028\n")
    assert run(capsys, "check", str(path))[2] == (
        f"{path}:20: parties: own use of all parties (1,200.25 h) is above "
        "facility.available_hours (150.5 h) in 2025, 2026, 2027, 2028\n")


def test_check_messages_with_loans_state_the_loan_terms() -> None:
    """With loans the identities the checks test include the loan terms (the model's own
    message says so; the shown one left them out), and the loan check names the year
    the last loan is paid off (it said the horizon's end, "in 2040", in Dutch as if the
    loan were repaid in that year)."""
    import finmodel
    from finmodel.views.summary import check_message

    p = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "bridge_loan.yaml"))
    checks = {c.name: c for c in p.checks}
    assert checks["cash_identity"].message.endswith(" + loan_received - repayment")
    said = {lang: {name: check_message(p, checks[name], lang) for name in checks}
            for lang in ("en", "nl")}
    assert said["en"]["cash_identity"].endswith(
        "subsidy income + loan received - repayment.")
    assert said["nl"]["cash_identity"].endswith(
        "subsidiebaten + opgenomen lening - aflossing.")
    assert said["en"]["balance_identity"].endswith("deferred subsidy - debt = equity.")
    assert said["nl"]["balance_identity"].endswith(
        "nog vrij te vallen subsidie - leningen = eigen vermogen.")
    last = int(p.years[p.lines["repayment"] > 0][-1])
    assert last == 2035 and float(p.lines["debt"][p.years == 2034][0]) > 0  # 6 years from 2030
    assert said["en"]["debt_at_end"] == ("Every loan is repaid within the horizon "
                                         "(the last in 2035).")
    assert said["nl"]["debt_at_end"] == ("Elke lening is binnen de horizon afgelost "
                                         "(de laatste in 2035).")
    plain = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"))
    identity = next(c for c in plain.checks if c.name == "balance_identity")
    assert check_message(plain, identity, "nl").endswith(
        "nog vrij te vallen subsidie = eigen vermogen.")


def test_the_engine_says_an_unknown_parameter_in_both_languages() -> None:
    """evaluate() given a path that is no numeric parameter: the same English words as
    raised, and Dutch from the catalogue with the same paths and examples."""
    import numpy as np

    import finmodel
    from finmodel.model.engine import evaluate
    from finmodel.model.errors import ParameterError
    from finmodel.views.warning_text import error_text

    scenario = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    with pytest.raises(ParameterError) as raised:
        evaluate(scenario, {"facility.availble_hours": np.array([1000.0])}, {})
    english = str(raised.value)
    assert english.startswith("not a numeric parameter of scenario 'Base case")
    assert ": facility.availble_hours (numeric parameters are numbers and series such as " \
           in english
    assert error_text("en", raised.value) == english
    dutch = error_text("nl", raised.value)
    assert dutch.startswith("geen numerieke parameter van scenario 'Base case")
    assert dutch.endswith(english[english.index("such as ") + 8:]), dutch
    assert ": facility.availble_hours (numerieke parameters zijn getallen en reeksen, " \
           "zoals " in dutch


def test_with_changes_says_a_path_it_cannot_set_in_both_languages() -> None:
    """Scenario.with_changes (the explorer's structural drivers, the Python API): a path
    that names nothing is refused with the same English words as before, and in Dutch."""
    import finmodel
    from finmodel.model.errors import ScenarioError
    from finmodel.views.warning_text import error_message

    scenario = finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")
    with pytest.raises(ScenarioError) as raised:
        scenario.with_changes({"nonsense.key": 5, "facility.available_hours[0]": 5})
    problems = {p.path: p for p in raised.value.problems}
    assert {path: (error_message("en", p), error_message("nl", p))
            for path, p in problems.items()} == {
        "nonsense.key": ("cannot set: no key 'nonsense'",
                         "kan niet worden gezet: geen sleutel 'nonsense'"),
        "facility.available_hours[0]": (
            "cannot set: cannot set 'facility.available_hours[0]': it must end in a key "
            "of a mapping",
            "kan niet worden gezet: kan 'facility.available_hours[0]' niet zetten: het pad "
            "moet eindigen op een sleutel van een mapping")}
    assert all(error_message("en", p) == p.message for p in problems.values())

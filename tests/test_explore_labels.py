"""The explorer's typed values and control names, in English and Dutch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finmodel.explore import display
from finmodel.explore.controls import Control
from finmodel.explore.explorer import Explorer
from finmodel.views.i18n import CATALOGUES, LANGUAGES, Language, param_name

from conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
CASH = Control("finance.opening_cash", "opening cash", "Finance", "value", 150000.0, 0.0,
               500000.0, 5000.0, "EUR", 150000.0)
TARIFF = Control("rental.segments[Schools].tariff", "Schools: tariff", "Rental", "value", 0.5,
                 0.0, 500.0, 5.0, "EUR/h", 0.5)
CPI = Control("indexation.cpi", "index cpi", "Indices", "value", 0.025, -0.02, 0.1, 0.0025,
              "rate per year (0.01 = 1 %)", 0.025)
LOAN_RATE = Control("finance.loans[Bridge].rate", "Bridge: interest rate", "Loans", "value",
                    0.045, 0.0, 0.1, 0.0025, "rate per year (0.01 = 1 %)", 0.045)


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,56", 1234.56),     # Dutch: dot groups thousands, comma is the decimal mark
    ("1,234.56", 1234.56),     # English
    ("58.000", 58000.0),       # Dutch thousands in a money field
    ("58,000", 58000.0),
    ("0.125", 0.125),          # no amount writes its thousands after a 0
    ("0,125", 0.125),
    ("-0.125", -0.125),
    ("1.234.567", 1234567.0),
    ("2,5", 2.5),
    ("€ 1.234,5", 1234.5),
])
def test_money_field_reads_both_languages(text: str, expected: float) -> None:
    assert display.parse_value(CASH, text) == pytest.approx(expected, abs=1e-12)
    assert display.parse_value(TARIFF, text) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("text", "expected"), [
    ("0.125", 0.00125),        # 0.125 % (the field is shown in percent): a decimal
    ("0,125", 0.00125),
    ("12,5 %", 0.125),
    ("12.5%", 0.125),
    ("4.500", 0.045),          # three decimals in a rate are decimals, never thousands
    ("1.234,56", 12.3456),
    ("1,234.56", 12.3456),
])
def test_rate_field_reads_a_single_separator_as_the_decimal_mark(text: str,
                                                                 expected: float) -> None:
    assert display.parse_value(CPI, text) == pytest.approx(expected, abs=1e-12)
    assert display.parse_value(LOAN_RATE, text) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("text", ["1.23.456", "12,34,567", "0.125.000", "1234,56.7", "x"])
def test_badly_grouped_numbers_are_no_number(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        display.parse_value(CASH, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_panel_reads_typed_small_amounts_and_rates(lang: Language) -> None:
    """Through the widgets: 0,125 / 0.125 in the opening cash is an eighth of a euro,
    58.000 is 58,000 EUR, 3,125 % in CPI is 0.03125 (three decimals in a rate)."""
    pytest.importorskip("ipywidgets")
    from finmodel.explore.widgets import ExplorerApp

    app = ExplorerApp(ROOT / "scenarios" / "base.yaml", lang)
    cash, cpi = app.rows["finance.opening_cash"], app.rows["indexation.cpi"]
    cash.entry.value = "0,125" if lang == "nl" else "0.125"
    assert app.explorer.value("finance.opening_cash") == 0.125
    cash.entry.value = "58.000"
    assert app.explorer.value("finance.opening_cash") == 58000.0
    cash.entry.value = "1.234,56" if lang == "nl" else "1,234.56"
    assert app.explorer.value("finance.opening_cash") == 1234.56
    cpi.entry.value = "3,125 %" if lang == "nl" else "3.125 %"
    assert app.explorer.value("indexation.cpi") == 0.03125


# --- names -----------------------------------------------------------------------------

_SNAKE = re.compile(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b")


def _words(text: str) -> set[str]:
    text = re.sub(r"\{[^}]*\}", "", text)  # placeholders are no words
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}


def _english_only() -> set[str]:
    """Words of the English names (fields, indices, explorer) no Dutch text uses (error
    messages quote the file's keys, such as ``amount``, in both languages: not counted)."""
    prefixes = ("field.", "index.", "ex.", "detail.")
    english = set().union(*(_words(v) for k, v in CATALOGUES["en"].items()
                            if k.startswith(prefixes)))
    return english - set().union(*(_words(v) for k, v in CATALOGUES["nl"].items()
                                   if not k.startswith("err.")))


def _written_names(path: str) -> list[str]:
    """The names in a path that the file wrote (items; an index the catalogue does not
    know: a known one, such as wages, must be translated)."""
    names = re.findall(r"\[([^\]]*)\]", path)
    index = path.split(".", 1)[1] if path.startswith("indexation.") else None
    return names + ([index] if index and f"index.{index}" not in CATALOGUES["nl"] else [])


def _labels(path: Path, lang: Language) -> dict[str, str]:
    explorer = Explorer(path)
    return {c.path: display.label(c, lang) for c in explorer.controls}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_control_label_is_a_plain_name(path: Path) -> None:
    english_only = _english_only()
    assert {"tariff", "demand", "amount", "wages"} <= english_only  # the check can fail
    for lang in LANGUAGES:
        for param, name in _labels(path, lang).items():
            assert not _SNAKE.search(name), f"{lang}: {param} -> {name!r}"
            assert name[:1] == name[:1].upper(), f"{lang}: {param} -> {name!r}"
            if lang == "nl":
                rest = name
                for written in _written_names(param):
                    rest = rest.replace(written, "")
                leaked = _words(rest) & english_only
                assert not leaked, f"nl: {param} -> {name!r} has English {leaked}"


def test_known_index_names_get_catalogue_words_unknown_keys_stay_as_written() -> None:
    assert param_name("nl", "indexation.wages") == "Indexatie: lonen"
    assert param_name("en", "indexation.wages") == "Indexation: wages"
    assert param_name("nl", "indexation.energy") == "Indexatie: energie"
    assert param_name("nl", "indexation.zorg_cao") == "Indexatie: zorg_cao"
    assert param_name("nl", 'uncertainty."indexation.cpi".normal') == \
        "Onzekerheid: Indexatie: consumentenprijzen (CPI): normaal"
    # a field called like an index elsewhere keeps its field name
    assert param_name("nl", "operating_costs[Energy].indexation") == "Energy: indexatie"


def test_panel_rows_use_the_labels() -> None:
    pytest.importorskip("ipywidgets")
    from finmodel.explore.widgets import ExplorerApp

    app = ExplorerApp(ROOT / "scenarios" / "bridge_loan.yaml", "nl")
    names = {path: row.name for path, row in app.rows.items()}
    assert names["indexation.wages"] == "Indexatie: lonen"
    assert names["finance.loans[Bridge].year"] == "Bridge: jaar van opname"
    assert names["rental.segments[Schools].tariff"] == "Schools: tarief"
    partner = next(p for p in names if p.startswith("parties[") and "Partner fee" in p)
    assert names[partner].endswith("Partner fee (in geld)")
    assert "title=\"indexation.wages\"" in app.rows["indexation.wages"].label.value

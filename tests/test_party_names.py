"""The party statement stays unambiguous whatever the parties are called: a party named
"Lab", "lab", "Total", "Totaal", "Het lab zelf" or "The lab itself" never mixes with the
lab's own rows, headings or anchors."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import finmodel
from finmodel.analysis.parties import LAB, LAB_MEASURES, MEASURES, party_statement
from finmodel.views import partnership_report
from finmodel.views.i18n import LANGUAGES, Language, t
from finmodel.views.parties import statement_csv, statement_text

from conftest import TINY

#: Party names that are the statement's own words, in both languages; fee 10, 20, ...
NAMES = ("Lab", "lab", "Total", "Totaal", "Het lab zelf", "The lab itself")


def _scenario(write: Callable[..., Path], names: tuple[str, ...]) -> finmodel.Projection:
    parties = "".join(f"  - name: {n!r}\n    role: public\n    contributions:\n"
                      f"      - {{name: Fee, type: cash, amount: {10 * (i + 1)}}}\n"
                      for i, n in enumerate(names))
    text = TINY.replace("\nfinance:", "\n" + parties.rstrip("\n") + "\nfinance:")
    return finmodel.project(finmodel.load_scenario(write(text)))


@pytest.fixture
def projection(write: Callable[..., Path]) -> finmodel.Projection:
    return _scenario(write, NAMES)


def test_a_bracket_is_no_name(write: Callable[..., Path]) -> None:
    """Why the lab's marker can never be a party: names cannot contain brackets."""
    with pytest.raises(finmodel.ScenarioError, match=r"must not contain \[ or \]"):
        _scenario(write, ("[lab]",))


def test_csv_and_table_keep_the_lab_apart(projection: finmodel.Projection) -> None:
    """Each party has its own eight rows; the lab's four rows are under [lab]: the partners'
    cash is College's 100 plus 10 + 20 + ... + 60 = 310 a year."""
    statement = party_statement(projection)
    rows = list(csv.DictReader(io.StringIO(statement_csv(statement))))
    by_party: dict[str, list[str]] = {}
    for row in rows:
        by_party.setdefault(row["party"], []).append(row["measure"])
    names = list(NAMES)
    assert list(by_party) == ["College", *names, LAB]
    assert all(by_party[n] == list(MEASURES) for n in ["College", *names])
    assert by_party[LAB] == list(LAB_MEASURES)
    lab_cash = next(r for r in rows if r["party"] == LAB and r["measure"] == "partner_cash")
    assert lab_cash["2025"] == "310.0"
    for i, name in enumerate(names):
        fee = next(r for r in rows if r["party"] == name and r["measure"] == "brings_cash")
        assert fee["2026"] == repr(10.0 * (i + 1))

    table = statement.table()
    assert table.index.is_unique
    assert table.loc[("Lab", "brings_cash"), 2025] == 10.0
    assert table.loc[(LAB, "partner_cash"), 2025] == 310.0
    assert table.loc[(LAB, "net_cash_flow"), "npv"] == statement.lab_npv


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_headings_and_anchors_are_unique(projection: finmodel.Projection,
                                                lang: Language) -> None:
    html = partnership_report.parties_html(projection, lang)
    ids = re.findall(r' id="([^"]*)"', html)
    assert len(ids) == len(set(ids)) and not any(" " in i for i in ids)
    headings = re.findall(r"<h3 [^>]*>([^<]*)</h3>", html)
    assert len(headings) == len(set(headings))
    lab = t(lang, "party.lab")
    assert headings.count(lab) == 1 and f'<h3 id="party-lab">{lab}</h3>' in html
    public = t(lang, "role.public")
    for name in ("Lab", "lab", "Het lab zelf", "The lab itself"):
        assert f">{name} ({public})</h3>" in html


def test_terminal_blocks_are_apart(projection: finmodel.Projection) -> None:
    text = statement_text(party_statement(projection), "nl")
    lines = text.splitlines()
    assert lines.count("Het lab zelf (publiek)") == 1 and lines.count("Het lab zelf") == 1
    assert lines.count("Lab (publiek)") == 1

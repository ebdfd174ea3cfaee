"""The business case per party: give, get, net, NPV, co-financing (spec sections 2, 6)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import finmodel
from finmodel.analysis.parties import party_statement
from finmodel.cli import main
from finmodel.views.parties import give_get_chart, statement_csv, statement_text

from conftest import ROOT, TINY

#: One party over three years, small enough to compute its business case by hand.
TWO_PARTIES = """\
name: Two parties
start_year: 2025
horizon: 3
indexation: {cpi: 0.10}
facility: {available_hours: 100, own_use_value_per_hour: 20}
subsidies:
  - {name: Grant, type: operating, amounts: {2025: 100, 2026: 100}, cofinancing_ratio: 2}
  - {name: Strict, type: operating, amounts: {2027: 50}, cofinancing_ratio: 3}
  - {name: Free, type: operating, amounts: {2025: 10}}
parties:
  - name: A
    role: public
    own_use_hours: 10
    contributions:
      - {name: Fee, type: cash, amount: 150}
      - {name: Time, type: in_kind, amount: 50, until: 2026}
    benefits:
      - {name: Panel, amount: 100, from: 2026}
  - name: B
    role: commercial
    own_use_hours: {2025: 5, 2027: 0}
    contributions:
      - {name: Kit, type: in_kind, amount: 40, indexation: cpi}
finance: {discount_rate: 0.1}
"""


@pytest.fixture
def two(write: Callable[..., Path]) -> finmodel.Projection:
    return finmodel.project(finmodel.load_scenario(write(TWO_PARTIES, "two.yaml")))


def test_party_give_get_by_hand(two: finmodel.Projection) -> None:
    """A brings 150 cash + 50 in kind (to 2026), gets 10 h x 20 + 100 benefit (from 2026)."""
    a = party_statement(two).parties["A"]
    assert a.brings_cash.tolist() == [150, 150, 150]
    assert a.brings_in_kind.tolist() == [50, 50, 0]
    assert a.own_use_value.tolist() == [200, 200, 200]
    assert a.benefits.tolist() == [0, 100, 100]
    assert a.net.tolist() == [0, 100, 150]


def test_party_npv_by_hand(two: finmodel.Projection) -> None:
    """NPV of the net at 10 %, t = 0 in the start year: 0 + 100/1.1 + 150/1.21."""
    statement = party_statement(two)
    assert statement.parties["A"].npv == pytest.approx(100 / 1.1 + 150 / 1.21, abs=1e-9)
    # B: 5 h x 20 in 2025-2026, nothing after; its kit 40 indexed by cpi
    b = statement.parties["B"]
    assert b.net.tolist() == pytest.approx([100 - 40, 100 - 44, 0 - 48.4], abs=1e-9)
    assert b.npv == pytest.approx(60 + 56 / 1.1 - 48.4 / 1.21, abs=1e-9)


def test_party_tiny_without_own_use_value(tiny: finmodel.Scenario) -> None:
    """Without own_use_value_per_hour, own use is worth 0: the college's net is -150 a year."""
    college = party_statement(finmodel.project(tiny)).parties["College"]
    assert college.gets.tolist() == [0, 0, 0, 0]
    assert college.net.tolist() == [-150, -150, -150, -150]
    assert college.npv == pytest.approx(-150 * (1 + 1 / 1.1 + 1 / 1.1**2 + 1 / 1.1**3),
                                        abs=1e-9)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_party_totals_reconcile_with_budget(path: Path) -> None:
    """Every year: the parties' cash equals partner_cash and their in kind in_kind_income."""
    projection = finmodel.project(finmodel.load_scenario(path))
    parties = party_statement(projection).parties.values()
    cash = sum(case.brings_cash for case in parties)
    in_kind = sum(case.brings_in_kind for case in parties)
    assert np.abs(cash - projection.lines["partner_cash"]).max() < 1e-6
    assert np.abs(in_kind - projection.lines["in_kind_income"]).max() < 1e-6
    both = sum(case.brings for case in parties)
    assert np.abs(both - projection.lines["partner_cash"]
                  - projection.lines["in_kind_income"]).max() < 1e-6


def test_party_lab_position_is_the_projection(two: finmodel.Projection) -> None:
    """The lab's block is the projection's lines; its NPV is the npv KPI."""
    statement = party_statement(two)
    assert statement.lab_npv == two.kpis["npv"]
    assert statement.lab["net_cash_flow"].tolist() == two.lines["net_cash_flow"].tolist()
    assert statement.lab["partner_cash"].tolist() == [150, 150, 150]


def test_cofinancing_numbers_by_hand(two: finmodel.Projection) -> None:
    """Grant pays 2025-2026: partners bring 300 cash + 184 in kind = 2.42 x 200, met."""
    rows = {r.subsidy: r for r in party_statement(two).cofinancing}
    grant = rows["Grant"]
    assert (grant.years, grant.subsidy_total, grant.partner_cash) == ((2025, 2026), 200, 300)
    assert grant.partner_in_kind == pytest.approx(50 + 50 + 40 + 44, abs=1e-12)
    assert (grant.ratio, grant.required, grant.met) == (pytest.approx(2.42), 2, True)
    strict = rows["Strict"]   # 2027: 150 cash + 48.4 in kind over 50 = 3.968 >= 3
    assert strict.ratio == pytest.approx(198.4 / 50) and strict.met is True
    assert (rows["Free"].required, rows["Free"].met) == (None, None)


def test_cofinancing_agrees_with_the_check_sheet(two: finmodel.Projection) -> None:
    """Each row's verdict is the cofinancing[NAME] flag of the checks."""
    flags = {c.name: c.passed for c in two.checks}
    for row in party_statement(two).cofinancing:
        if row.required is not None:
            assert flags[f"cofinancing[{row.subsidy}]"] is row.met


def test_parties_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """`finmodel parties base --format json`: years and per party the issue's keys."""
    assert main(["parties", "base", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["years"] == list(range(2026, 2041))
    vendor = data["parties"]["CareTech Vendor"]
    assert {"brings_cash", "brings_in_kind", "gets", "net", "npv"} <= set(vendor)
    assert vendor["brings_cash"][0] == 35000 and vendor["gets"][0] == 49800
    assert vendor["net"][0] == 49800 - 75000


def test_parties_table_and_csv(two: finmodel.Projection) -> None:
    """The terminal table shows each party and the verdicts; the CSV has a row per measure."""
    statement = party_statement(two)
    text = statement_text(statement)
    assert "A (public)" in text and "NPV of the net: 215 EUR" in text
    assert "Free: 2025: subsidy 10, partners 150 cash + 90 in kind, ratio 24.00: " \
           "no condition" in text
    rows = statement_csv(statement).splitlines()
    assert rows[0] == "party,measure,2025,2026,2027,npv"
    assert "A,net,0.0,100.0,150.0," in rows[8]


def test_give_get_chart_draws_bars_and_net(two: finmodel.Projection) -> None:
    """Four stacked bar series (3 years each) and the net line, on the given axes."""
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    assert give_get_chart(party_statement(two), "A", ax=ax) is ax
    assert len(ax.patches) == 4 * 3
    assert ax.lines[0].get_ydata().tolist() == [0, 100, 150]


def test_parties_cli_table_for_tiny(capsys: pytest.CaptureFixture[str],
                                    write: Callable[..., Path]) -> None:
    """The table format names the college and its NPV."""
    assert main(["parties", str(write(TINY))]) == 0
    assert "College (public)" in capsys.readouterr().out


def test_parties_html_escapes_and_shows_every_party(write: Callable[..., Path]) -> None:
    """The report section has a table and a chart per party; names are escaped."""
    from finmodel.views.partnership_report import parties_html, parties_sheet

    text = TWO_PARTIES.replace("name: B", "name: B<&>")
    projection = finmodel.project(finmodel.load_scenario(write(text, "escape.yaml")))
    html = parties_html(projection)
    assert '<h2 id="parties">Business case per party</h2>' in html
    assert "<h3" in html and "B&lt;&amp;&gt; (commercial)" in html and "B<&>" not in html
    assert html.count("data:image/svg+xml;base64,") == 2
    assert "<td>215</td>" in html  # A's NPV, whole euros
    assert [html.count(f'<td class="text">{v}</td>') for v in ("met", "NOT MET",
                                                                "no condition")] == [2, 0, 1]
    sheet = parties_sheet(projection)
    assert sheet.loc[("A", "Net (gets - brings)"), "NPV"] == pytest.approx(
        100 / 1.1 + 150 / 1.21, abs=1e-9)


def test_workbook_gains_parties_and_risks_sheets(tmp_path: Path) -> None:
    """budget.xlsx via extra_sheets: the party statement and the ranked register, unrounded."""
    import openpyxl

    from finmodel.views.partnership_report import workbook_sheets
    from finmodel.views.workbook import write_budget_xlsx

    projection = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"))
    path = write_budget_xlsx(projection, tmp_path / "budget.xlsx",
                             extra_sheets=workbook_sheets(projection))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-2:] == ["parties", "risks"]
    parties = {(r[0], r[1]): r[2:] for r in book["parties"].iter_rows(min_row=2,
                                                                      values_only=True)}
    vendor = party_statement(projection).parties["CareTech Vendor"]
    net = parties[("CareTech Vendor", "Net (gets - brings)")]
    assert list(net) == pytest.approx([*vendor.net.tolist(), vendor.npv], abs=1e-6)  # 16 digits
    risks = list(book["risks"].iter_rows(min_row=2, values_only=True))
    assert (risks[0][0], risks[0][2]) == ("Vendor exits in 2029", "20 %")

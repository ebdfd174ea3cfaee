"""Charts of the uncertainty analysis: each draws what it says on the axes it is given."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import finmodel
from finmodel.analysis.sensitivity import data_table, tornado
from finmodel.analysis.simulation import simulate
from finmodel.views.uncertainty_charts import (
    data_table_heatmap,
    fan_chart,
    npv_histogram,
    report_section,
    section_html,
    tornado_chart,
)

from conftest import TINY

BLOCK = """\
uncertainty:
  "rental.segments[A].tariff": {uniform: [8, 12]}
  "finance.opening_cash": {normal: [1000, 300]}
"""


@pytest.fixture
def uncertain(write: Callable[..., Path]) -> finmodel.Scenario:
    return finmodel.load_scenario(write(TINY + BLOCK))


def test_fan_chart_bands_and_minimum(uncertain: finmodel.Scenario) -> None:
    """Two bands, the median and the minimum cash line, on the axes given."""
    _, ax = plt.subplots()
    sim = simulate(uncertain, draws=200)
    assert fan_chart(sim, ax=ax) is ax
    assert len(ax.collections) == 2
    median, minimum = ax.get_lines()
    np.testing.assert_array_equal(median.get_ydata(), sim.line("cash_end", 50))
    assert list(minimum.get_ydata()) == [500.0, 500.0]
    plt.close("all")


def test_histogram_tornado_heatmap_return_axes(uncertain: finmodel.Scenario) -> None:
    """The histogram counts every draw; the tornado has one bar per parameter and end;
    the heatmap shows the table's cells."""
    sim = simulate(uncertain, draws=200)
    ax = npv_histogram(sim)
    assert sum(p.get_height() for p in ax.patches) == 200
    ax = tornado_chart(tornado(uncertain, "min_cash"))
    assert len(ax.patches) == 4
    table = data_table(uncertain, ("rental.segments[A].tariff", [8, 10, 12]),
                       ("finance.opening_cash", [0, 500]), "npv")
    ax = data_table_heatmap(table)
    np.testing.assert_array_equal(ax.images[0].get_array(), table.cells)
    plt.close("all")


def test_report_section_silent_without_uncertainty(tiny: finmodel.Scenario,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario without uncertainty shows nothing."""
    report_section(tiny)
    assert capsys.readouterr() == ("", "")
    assert plt.get_fignums() == []


def test_section_html_has_heading_words_and_four_charts(uncertain: finmodel.Scenario) -> None:
    """The section: its heading, the probability in words, and four embedded charts."""
    html = section_html(uncertain, draws=300)
    assert html.startswith('<h2 id="uncertainty">Uncertainty</h2>')
    assert "of 300 draws cash stays above the minimum (500 EUR) in every year." in html
    assert html.count('src="data:image/svg+xml;base64,') == 4
    assert html.count('<img alt="') == 4 and '<img alt=""' not in html
    assert plt.get_fignums() == []

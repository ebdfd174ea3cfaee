"""The data table's heatmap marks invalid cells as the text table does: "*" and the note."""

from __future__ import annotations

import re

import numpy as np
import pytest

import finmodel
from finmodel.analysis.sensitivity import data_table
from finmodel.views.i18n import LANGUAGES, Language, t
from finmodel.views.uncertainty_charts import data_table_heatmap
from finmodel.views.uncertainty_text import data_table_text

from conftest import ROOT


@pytest.fixture(scope="module")
def base() -> finmodel.Scenario:
    return finmodel.load_scenario(ROOT / "scenarios" / "base.yaml")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_heatmap_marks_the_cells_the_text_table_marks(base: finmodel.Scenario,
                                                      lang: Language) -> None:
    """base.yaml's parties use 650 + 100 + 60 = 810 hours in 2026 and 960 from 2027:
    300 and 900 available hours are invalid, 1,000 and 1,800 are not."""
    table = data_table(base, ("facility.available_hours", [300, 900, 1000, 1800]),
                       ("finance.opening_cash", [0, 150000]), "min_cash")
    assert table.invalid_cells.tolist() == [[True, True, False, False]] * 2
    ax = data_table_heatmap(table, lang=lang)
    labels = np.array([x.get_text() for x in ax.texts]).reshape(table.cells.shape)
    starred = np.char.endswith(labels.astype(str), "*")
    assert starred.tolist() == table.invalid_cells.tolist()
    text_rows = data_table_text(table, lang).splitlines()[3:5]
    assert [row.count("*") for row in text_rows] == [2, 2]
    note = t(lang, "cli.table.invalid")
    assert " ".join(ax.get_xlabel().splitlines()[1:]) == note
    hatched = [(p.get_x(), p.get_y()) for p in ax.patches if p.get_hatch()]
    assert sorted(hatched) == [(-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5)]


def test_large_grid_is_hatched_without_labels(base: finmodel.Scenario) -> None:
    """Above 100 cells there are no labels; the invalid cells are still hatched."""
    hours = np.linspace(300, 1800, 11)
    table = data_table(base, ("facility.available_hours", hours),
                       ("finance.opening_cash", np.linspace(0, 200000, 11)), "min_cash")
    ax = data_table_heatmap(table)
    assert not ax.texts
    assert len([p for p in ax.patches if p.get_hatch()]) == int(table.invalid_cells.sum()) \
        == 11 * int((hours < 960).sum())


def test_valid_table_has_no_note_and_years_read_as_years(base: finmodel.Scenario) -> None:
    table = data_table(base, ("finance.opening_cash", [0, 150000]),
                       ("rental.segments[Schools].tariff", [50, 150]), "break_even_year")
    ax = data_table_heatmap(table, lang="nl")
    assert "\n" not in ax.get_xlabel() and not ax.patches
    shown = [x.get_text() for x in ax.texts]
    assert len(shown) == 4 and all(re.fullmatch(r"20[0-9]{2}", x) or x == t("nl", "n/a")
                                   for x in shown)  # was "2k": a year in thousands of euros
    years = [str(int(v)) for v in table.cells.ravel() if not np.isnan(v)]
    assert [x for x in shown if x != t("nl", "n/a")] == years

"""notebooks/scenario_report.ipynb: stored clean; when run, it shows the engine's numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

import finmodel
from finmodel.views import reporting, summary
from finmodel.views.text import LABELS, format_kpi
from test_reporting import parse

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "scenario_report.ipynb"


def test_report_notebook_is_stored_without_outputs() -> None:
    """No outputs or execution counts; one cell tagged parameters holding scenario_path."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and 'scenario_path = "../scenarios/base.yaml"' in tagged[0].source


@pytest.mark.slow
def test_report_notebook_runs_and_shows_the_engine_numbers(tmp_path: Path) -> None:
    """Executed on a child of the base case with markup in its name: sections in order, the
    engine's KPIs and lines, five figures, no error, the name escaped."""
    from finmodel.reports._job import execute  # papermill on an IPC kernel, with a watchdog

    shutil.copy(ROOT / "scenarios" / "base.yaml", tmp_path / "base.yaml")
    child = tmp_path / "child.yaml"
    child.write_text('extends: base.yaml\nname: "<i>Child</i> & base"\n', encoding="utf-8")
    out = tmp_path / "report.ipynb"
    nbformat.write(execute({"scenario_path": str(child)}, str(NOTEBOOK), timeout=300), out)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    html = "\n".join(o.data["text/html"] for o in outputs if "text/html" in o.get("data", {}))
    parsed = parse(html)
    p = finmodel.project(finmodel.load_scenario(child))
    wanted = [reporting.section_title("en", key) for key in reporting.contents(p)]
    assert [h for h in parsed.headings if h in wanted] == wanted
    assert parsed.headings[0] == "<i>Child</i> & base" and "<i>" not in html

    rows: dict[str, list[str]] = {}
    for r in parsed.rows:
        if r:
            rows.setdefault(r[0], r[1:])  # the first table a label is in
    labels = summary.kpi_table(p)["key figure"]
    assert rows[labels["npv"]] == [format_kpi("npv", p.kpis["npv"])]
    assert rows[labels["break_even_year"]] == ["2030"]
    for line in ("total_income", "result", "structural_result", "cash_end", "equity"):
        shown = rows[LABELS[line]][:len(p.years)]  # then the total column, for flows
        assert shown == [reporting.amount_text(v) for v in p.lines[line]], line
    # + give/get per party, the risk chart, and the uncertainty section's fan chart,
    # histogram, tornado and data table: every chart an SVG image titled in its alt text
    assert len(parsed.images) == 5 + len(p.scenario.parties) + 1 + 4
    assert all(i["alt"] and (i["src"] or "").startswith("data:image/svg+xml;base64,")
               for i in parsed.images)
    assert parsed.headings.index("Business case per party") < parsed.headings.index(
        "Risk register") < parsed.headings.index("Assumptions as resolved")
    assert "The lab covers its running costs without subsidy from 2030." in html

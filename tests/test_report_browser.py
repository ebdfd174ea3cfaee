"""index.html and a report.html open in headless Chromium: rendered, images, no errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from finmodel.reports import find_scenario_files, plan_scenarios, run_reports
from test_batch import scenario_text, write_notebook

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium "
                              "(.ci/run installs it: apt-get install chromium)"),
]


def _report_notebook(tmp_path: Path) -> Path:
    real = ROOT / "notebooks" / "scenario_report.ipynb"
    return real if real.is_file() else write_notebook(tmp_path)


def _open(page: Any, path: Path, shot: Path) -> dict[str, Any]:
    """Load a file, wait for it, save a full-page screenshot; facts about what rendered."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed request {r.url}"))
    page.goto(path.as_uri(), wait_until="load")
    page.screenshot(path=str(shot), full_page=True)
    facts: dict[str, Any] = page.evaluate("""() => ({
        title: document.title,
        height: document.body.scrollHeight,
        text: document.body.innerText,
        images: [...document.images].map(i => [i.complete, i.naturalWidth]),
        svgs: [...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().width),
        external: [...document.querySelectorAll('[src],link[href]')]
            .map(e => e.getAttribute('src') || e.getAttribute('href'))
            .filter(u => !u.startsWith('data:')),
    })""")
    facts["errors"] = errors
    return facts


def test_browser_renders_index_and_report(tmp_path: Path) -> None:
    """Both pages render without console errors; the report's figures are decoded images
    (naturalWidth > 0) or drawn SVG; nothing is loaded from outside the file."""
    playwright = pytest.importorskip("playwright.sync_api")
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "base.yaml").write_text((ROOT / "scenarios" / "base.yaml").read_text())
    (scenarios / "bad.yaml").write_text("horizon: [\n")
    (scenarios / "tiny.yaml").write_text(scenario_text("Tiny <script>x</script>"))
    planned = plan_scenarios(find_scenario_files([str(scenarios)]))
    formats = ("html", "xlsx") if (ROOT / "src/finmodel/excel.py").is_file() else ("html",)
    result = run_reports(planned, tmp_path / "out", _report_notebook(tmp_path), formats,
                         jobs=2, timeout=300)
    assert result.failed == 1
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            index = _open(page, tmp_path / "out" / "index.html", tmp_path / "index.png")
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            report = _open(page, tmp_path / "out" / "base" / "report.html",
                           tmp_path / "report.png")
        finally:
            browser.close()
    assert index["errors"] == [] and report["errors"] == []
    assert index["title"] == "Budget reports" and "Tiny <script>x</script>" in index["text"]
    assert "bad.yaml:2: (yaml):" in index["text"]
    assert index["external"] == [] and report["external"] == []
    figures = [w for done, w in report["images"] if done] + report["svgs"]
    assert figures and all(width > 0 for width in figures)
    assert len(figures) == len(report["images"]) + len(report["svgs"])
    assert report["height"] > 600
    assert (tmp_path / "index.png").stat().st_size > 10_000

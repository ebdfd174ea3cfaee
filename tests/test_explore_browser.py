"""explore.ipynb in a real browser: JupyterLab on localhost, headless Chromium via Playwright.

JupyterLab serves a temporary copy of notebooks/ and scenarios/, with its runtime,
config and settings folders under tmp_path, so nothing is written into the repository
(:mod:`browserlab`). The test asserts what arrives on screen, never how fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browserlab import CHROMIUM, CHROMIUM_ARGS, Lab, entry, open_explorer, running_lab

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Chromium at /usr/bin/chromium (Debian package "
                              "`chromium`; .ci/run installs it)"),
]


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    with running_lab(tmp_path) as lab:
        yield lab


def _cash_points(page: object) -> list[float]:
    """The cash chart's line, read back from the SVG: the y of each year's point."""
    return page.evaluate(  # type: ignore[attr-defined, no-any-return]
        """() => [...document.querySelectorAll('svg[data-chart="cash"] .fm-line')][0]
                 .getAttribute('d').split(/[ML]/).filter(Boolean)
                 .map((p) => parseFloat(p.split(',')[1]))""")


def test_explore_notebook_updates_kpis_and_charts_in_the_browser(lab: Lab,
                                                                 tmp_path: Path) -> None:
    """Type 160,000 as opening cash: lowest cash 62,833 -> 72,833, charts redrawn, group
    marked changed; then the Monte Carlo band arrives in the cash chart."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        page = None
        try:
            page = open_explorer(browser, lab)
            lowest = page.locator('.finmodel-kpis [data-kpi="min_cash"]')
            expect(lowest).to_have_text("62,833 EUR", timeout=120_000)
            charts = page.locator(".finmodel-charts")
            expect(page.locator("svg.finmodel-chart")).to_have_count(3)
            expect(page.locator('svg[data-chart="cash"]')).to_contain_text(
                "Minimum cash (50,000 EUR)")
            page.locator(".jupyter-widget-Accordion-child, .p-Accordion-child, "
                         ".lm-AccordionPanel-title, .widget-accordion .p-Collapse-header, "
                         ".jupyter-widget-Collapse-header").filter(
                has_text="Finance").first.click()
            box = entry(page, "opening cash")
            box.scroll_into_view_if_needed()
            expect(box).to_have_value("150,000")
            before = charts.get_attribute("data-revision")
            points = _cash_points(page)
            box.click()
            box.press("Control+A")
            box.type("160,000")
            box.press("Enter")

            expect(lowest).to_have_text("72,833 EUR", timeout=60_000)
            expect(page.locator(".finmodel-kpis")).to_contain_text("+10,000 EUR")
            expect(page.locator(".finmodel-checks")).to_contain_text("Master check: OK")
            expect(charts).not_to_have_attribute("data-revision", before or "", timeout=60_000)
            assert _cash_points(page) != points  # the explored line moved, the axis too
            expect(box).to_have_value("160,000")
            expect(page.locator('.finmodel-label[data-changed="true"]')).to_have_count(1)
            expect(page.get_by_text("Finance \u25cf 1 changed")).to_have_count(1)
            expect(charts).to_have_attribute("data-band", "yes", timeout=120_000)
            expect(page.locator(".finmodel-band")).to_contain_text("P10\u2013P90")
            page.locator(".finmodel-kpis").scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / "explorer.png"), full_page=False)
        except Exception:
            if page is not None:
                page.screenshot(path=str(tmp_path / "failure.png"))
            raise
        finally:
            browser.close()
    assert (tmp_path / "explorer.png").stat().st_size > 10_000

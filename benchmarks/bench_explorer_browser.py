"""The explorer in a real browser (issue 15): a typed value -> key figures, checks, charts.

Starts JupyterLab and headless Chromium like tests/test_explore_browser.py, runs
explore.ipynb on the base scenario and types 30 new values (opening cash and a tariff, in
turn). Each time is measured inside the page: from the Enter key (keydown) to the moment
the last of the key figures, the check sheet (when its text changes) and the charts shows
the new state (a MutationObserver's record). Runnable on its own:

    .venv/bin/python benchmarks/bench_explorer_browser.py

Target: median <= 150 ms, p95 <= 300 ms. Without Chromium it says so and returns.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browserlab import CHROMIUM, CHROMIUM_ARGS, open_explorer, running_lab  # noqa: E402

CHANGES = 30
#: Watches the panel: records when each part first shows something new after Enter.
WATCH = """() => {
  const html = (sel) => document.querySelector(sel)
    ?.closest('.widget-html-content, .finmodel-html');
  const charts = document.querySelector('.finmodel-charts')
    || document.querySelector('.widget-image');
  const parts = {kpis: html('.finmodel-kpis'), checks: html('.finmodel-checks'), charts};
  const state = (name) => name === 'charts'
    ? (charts.dataset.revision || charts.getAttribute('src')) : parts[name].innerHTML;
  const fm = window.__fm = {t0: 0, seen: {}, was: {}};
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    fm.t0 = performance.now(); fm.seen = {};
    for (const name in parts) fm.was[name] = state(name);
  }, true);
  for (const [name, node] of Object.entries(parts)) {
    new MutationObserver(() => {
      if (fm.t0 && !(name in fm.seen) && state(name) !== fm.was[name])
        fm.seen[name] = performance.now() - fm.t0;
    }).observe(node, {subtree: true, childList: true, attributes: true, characterData: true});
  }
}"""


def _field(page: Any, label: str) -> Any:
    """The typing box of a control: the new panel's entry, or the old slider's readout."""
    new = page.locator(".finmodel-control", has=page.locator(".finmodel-label", has_text=label))
    if new.count():
        return new.locator(".finmodel-entry input")
    return page.locator(".widget-slider", has=page.locator(
        ".widget-label", has_text=label)).locator(".widget-readout")


def _open_group(page: Any, name: str) -> None:
    header = page.locator(".jupyter-widget-Collapse-header, .p-Collapse-header",
                          has_text=name)
    if header.count():
        header.first.click()


def _change(page: Any, field: Any, value: str) -> dict[str, float]:
    """Type ``value`` and Enter; milliseconds until KPIs and charts (and checks) are new,
    and the time the page took to draw the charts (``draw``, the new panel only)."""
    field.scroll_into_view_if_needed()
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.wait_for_function("() => 'kpis' in __fm.seen && 'charts' in __fm.seen",
                           timeout=60_000)
    page.wait_for_timeout(250)  # a check sheet that changes comes with the same update
    seen: dict[str, float] = page.evaluate("() => __fm.seen")
    draw = page.evaluate("() => document.querySelector('.finmodel-charts')?.dataset.drawMs")
    return {**seen, "all": max(seen.values()), "draw": float(draw or "nan")}


DRAG_WATCH = """() => {
  const charts = document.querySelector('.finmodel-charts');
  const fm = window.__drag = {up: 0, draws: [], last: charts.dataset.revision};
  new MutationObserver(() => {
    if (charts.dataset.revision !== fm.last) {
      fm.last = charts.dataset.revision; fm.draws.push(performance.now());
    }
  }).observe(charts, {attributes: true});
  document.addEventListener('pointerup', () => { fm.up = performance.now(); }, true);
}"""


def drag(page: Any, moves: int = 40) -> tuple[int, float, str, str]:
    """Drag the opening cash slider in ``moves`` mouse moves. The chart drawings made, the
    milliseconds from releasing the mouse to the last drawing (<= 0: drawn before), the
    slider's final position and the value the kernel shows for it."""
    _open_group(page, "Finance")
    handle = page.locator(".finmodel-control", has=page.locator(
        ".finmodel-label", has_text="opening cash")).locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate(DRAG_WATCH)
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, moves + 1):
        page.mouse.move(x + 2 * i, y)
        page.wait_for_timeout(8)  # a hand moves a mouse at about 100 events per second
    page.mouse.up()
    page.wait_for_function("() => __drag.draws.length && "
                           "performance.now() - __drag.draws.at(-1) > 1000", timeout=60_000)
    draws: list[float] = page.evaluate("() => __drag.draws")
    up: float = page.evaluate("() => __drag.up")
    control = page.locator(".finmodel-control", has=page.locator(
        ".finmodel-label", has_text="opening cash"))
    final = handle.get_attribute("aria-valuenow") or ""
    return len(draws), draws[-1] - up, final, control.locator(".finmodel-entry input").input_value()


def measure(changes: int = CHANGES) -> dict[str, Any]:
    """Milliseconds from Enter to the updated panel (``all``; ``kpis``, ``charts`` apart)
    and to draw the charts in the page (``draw``), for ``changes`` typed values."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="finmodel-bench-") as scratch, \
            running_lab(Path(scratch)) as lab, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            page = open_explorer(browser, lab)
            page.wait_for_selector(".finmodel-charts, .widget-image")
            page.evaluate(WATCH)
            out = []
            for group, label, values in (("Finance", "opening cash", range(151, 400, 7)),
                                         ("Rental", "Care organisations: tariff",
                                          range(100, 200, 3))):
                _open_group(page, group)
                field = _field(page, label)
                out += [_change(page, field, f"{v}000" if group == "Finance" else str(v))
                        for v in list(values)[:changes // 2]]
            got: dict[str, Any] = {k: np.array([o.get(k, np.nan) for o in out])
                   for k in ("all", "kpis", "charts", "draw")}
            if page.locator(".finmodel-charts").count():
                got["drag"] = drag(page)
            return got
        finally:
            browser.close()


def main() -> None:
    if not CHROMIUM.exists():
        print("explorer in the browser: skipped, needs Chromium at /usr/bin/chromium")
        return
    got = measure()
    ms = got["all"]
    print(f"explorer in the browser: input to charts updated, median {np.median(ms):.0f} ms, "
          f"p95 {np.percentile(ms, 95):.0f} ms  ({len(ms)} changes; target median <= 150, "
          "p95 <= 300)")
    print(f"   of which: key figures median {np.median(got['kpis']):.0f} ms, charts median "
          f"{np.median(got['charts']):.0f} ms; drawing the charts in the page median "
          f"{np.nanmedian(got['draw']) if not np.isnan(got['draw']).all() else float('nan'):.1f}"
          " ms")
    if "drag" in got:
        draws, after, final, shown = got["drag"]
        when = (f"{after:.0f} ms after the mouse was released" if after > 0
                else "before the mouse was released")
        print(f"   dragging opening cash in 40 mouse moves: {draws} chart updates drawn, "
              f"the last {when}; slider at {float(final):,.0f}, panel shows {shown}")


if __name__ == "__main__":
    main()

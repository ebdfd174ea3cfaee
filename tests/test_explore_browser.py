"""explore.ipynb in a real browser: JupyterLab on localhost, headless Chromium via Playwright.

JupyterLab serves a temporary copy of notebooks/ and scenarios/, with its runtime,
config and settings folders under tmp_path, so nothing is written into the repository.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Chromium at /usr/bin/chromium (Debian package "
                              "`chromium`; .ci/run installs it)"),
]


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    root: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(url: str, method: str = "GET", timeout: float = 5.0) -> int:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status)


def _wait_until_up(lab: Lab, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()}")
        try:
            if _request(f"{lab.url}/api/status?token={lab.token}") == 200:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within 90 s:\n{log.read_text()}")


def _settings(folder: Path) -> None:
    """Start the notebook's kernel without asking; no news prompt over the page."""
    for plugin, values in {
            "notebook-extension/tracker": '{"autoStartDefaultKernel": true}',
            "apputils-extension/notification": '{"fetchNews": "false"}'}.items():
        target = folder / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(values, encoding="utf-8")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab serving a copy of notebooks/ (scenarios/ beside it); always shut down."""
    root = tmp_path / "lab" / "notebooks"
    root.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "explore.ipynb", root)
    shutil.copytree(ROOT / "scenarios", tmp_path / "lab" / "scenarios")
    state = tmp_path / "jupyter"
    _settings(state / "settings")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(state / "config"),
           "JUPYTER_RUNTIME_DIR": str(state / "runtime"), "IPYTHONDIR": str(state / "ipython"),
           "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"), "MPLBACKEND": "Agg"}
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path / "jupyterlab.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
             f"--port={port}", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={root}", "--ServerApp.terminals_enabled=False",
             "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}", token, root)
    try:
        _wait_until_up(lab, server, log)
        yield lab
    finally:
        with contextlib.suppress(urllib.error.URLError, OSError):  # stops the kernels too
            _request(f"{lab.url}/api/shutdown?token={token}", method="POST")
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _run_all_cells(page: Any) -> None:
    """Run > Run All Cells once the kernel is connected and idle; again if it was not taken."""
    from playwright.sync_api import expect

    prompt = page.locator(".jp-CodeCell .jp-InputPrompt").first
    for attempt in range(3):
        expect(page.locator(".jp-StatusBar-TextItem", has_text="| Idle")).to_have_count(
            1, timeout=120_000)
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:  # "[*]:" while running, "[1]:" after
            expect(prompt).not_to_have_text("[ ]:", timeout=20_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def test_explore_notebook_updates_kpis_in_the_browser(lab: Lab, tmp_path: Path) -> None:
    """Run explore.ipynb, type 160,000 as opening cash: the lowest cash goes 62,833 -> 72,833."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.set_default_timeout(60_000)
            page.goto(f"{lab.url}/lab/tree/explore.ipynb?token={lab.token}")
            page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
            _run_all_cells(page)

            lowest = page.locator('.finmodel-kpis [data-kpi="min_cash"]')
            expect(lowest).to_have_text("62,833 EUR", timeout=120_000)
            slider = page.locator(".widget-slider", has=page.locator(
                ".widget-label", has_text="opening cash"))
            readout = slider.locator(".widget-readout")
            readout.scroll_into_view_if_needed()
            expect(readout).to_have_text("150000")
            chart = page.locator(".widget-image").first
            before = chart.get_attribute("src")
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("160000")
            page.keyboard.press("Enter")

            expect(lowest).to_have_text("72,833 EUR", timeout=60_000)
            expect(page.locator(".finmodel-kpis")).to_contain_text("+10,000 EUR")
            expect(page.locator(".finmodel-checks")).to_contain_text("Master check: OK")
            expect(chart).not_to_have_attribute("src", before or "", timeout=60_000)
            expect(page.locator(".jp-StatusBar-TextItem", has_text="| Idle")).to_have_count(
                1, timeout=60_000)
            page.locator(".finmodel-kpis").scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / "explorer.png"), full_page=False)
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            raise
        finally:
            browser.close()
    assert (tmp_path / "explorer.png").stat().st_size > 10_000

"""JupyterLab on localhost and headless Chromium, for the explorer's browser test and benchmark.

:func:`running_lab` serves a copy of notebooks/explore.ipynb with scenarios/ beside it,
its runtime, config and settings folders in a scratch folder, so nothing is written into
the repository; it always shuts the server (and its kernels) down.
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

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class LabError(RuntimeError):
    """JupyterLab did not start; the message holds its log."""


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    root: Path

    @property
    def notebook_url(self) -> str:
        return f"{self.url}/lab/tree/explore.ipynb?token={self.token}"


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
            raise LabError(f"JupyterLab exited with {server.returncode}:\n{log.read_text()}")
        try:
            if _request(f"{lab.url}/api/status?token={lab.token}") == 200:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise LabError(f"JupyterLab did not answer within 90 s:\n{log.read_text()}")


def _settings(folder: Path) -> None:
    """Start the notebook's kernel without asking; no news prompt over the page."""
    for plugin, values in {
            "notebook-extension/tracker": '{"autoStartDefaultKernel": true}',
            "apputils-extension/notification": '{"fetchNews": "false"}'}.items():
        target = folder / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(values, encoding="utf-8")


@contextlib.contextmanager
def running_lab(scratch: Path) -> Iterator[Lab]:
    """JupyterLab serving a copy of notebooks/explore.ipynb (scenarios/ beside it)."""
    root = scratch / "lab" / "notebooks"
    root.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "explore.ipynb", root)
    shutil.copytree(ROOT / "scenarios", scratch / "lab" / "scenarios")
    state = scratch / "jupyter"
    _settings(state / "settings")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(state / "config"),
           "JUPYTER_RUNTIME_DIR": str(state / "runtime"), "IPYTHONDIR": str(state / "ipython"),
           "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"), "MPLBACKEND": "Agg"}
    port, token = _free_port(), secrets.token_hex(16)
    log = scratch / "jupyterlab.log"
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


def run_all_cells(page: Any) -> None:
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


def open_explorer(browser: Any, lab: Lab, width: int = 1500, height: int = 1100) -> Any:
    """A page with explore.ipynb run and the explorer's key figures shown."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(60_000)
    page.goto(lab.notebook_url)
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
    run_all_cells(page)
    expect(page.locator('.finmodel-kpis [data-kpi="min_cash"]')).not_to_have_count(
        0, timeout=120_000)
    return page


def entry(page: Any, label: str) -> Any:
    """The box to type a control's value in, found by the control's label."""
    return page.locator(".finmodel-control", has=page.locator(
        ".finmodel-label", has_text=label)).locator(".finmodel-entry input")

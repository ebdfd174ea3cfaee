"""``finmodel report --formats pdf --lang nl``: a Dutch PDF next to the HTML, printed by
headless Chromium; without Chromium a clear message and the other formats still written."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from finmodel.cli import main
from finmodel.reports._pdf import find_chromium

from conftest import ROOT

pytestmark = pytest.mark.slow
CHROMIUM = find_chromium()


@pytest.fixture(scope="module")
def dutch(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    out = tmp_path_factory.mktemp("pdf") / "out"
    code = main(["report", str(ROOT / "scenarios" / "base.yaml"),
                 str(ROOT / "scenarios" / "lean_cash.yaml"), "--lang", "nl",
                 "--formats", "html,pdf", "--out", str(out), "--jobs", "2"])
    return code, out


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_pdf_next_to_the_html_a4_with_page_numbers(dutch: tuple[int, Path]) -> None:
    """report.pdf starts with the Dutch summary on page one, is A4 and numbers its pages."""
    code, out = dutch
    assert code == 0
    pdf = out / "lean_cash" / "report.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert re.search(rb"/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]", data)  # A4 in points
    text = _pdf_text(pdf)
    pages = text.split("\f")
    assert "Samenvatting" in pages[0] and "Oordeel:" in pages[0]
    assert "Meerjarenbegroting" not in pages[0].split("Inhoud")[0]
    count = len([p for p in pages if p.strip()])
    assert count > 3 and f"1 / {count}" in pages[0] and f"{count} / {count}" in pages[-2]
    assert re.search(r"€ \d{1,3}(\.\d{3})+", text)  # Dutch money
    assert '<a href="lean_cash/report.pdf">PDF</a>' in (out / "index.html").read_text()


def test_without_chromium_the_other_formats_come_out(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """FINMODEL_CHROMIUM empty: exit 1, one clear message, report.html written, no PDF."""
    monkeypatch.setenv("FINMODEL_CHROMIUM", "")
    out = tmp_path / "out"
    code = main(["report", str(ROOT / "scenarios" / "base.yaml"), "--formats", "html,pdf",
                 "--out", str(out), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "--formats pdf needs Chromium" in err and "apt-get install chromium" in err
    assert (out / "base" / "report.html").is_file()
    assert not (out / "base" / "report.pdf").exists()

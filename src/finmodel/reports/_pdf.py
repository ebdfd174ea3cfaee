"""report.pdf: the report's HTML printed by headless Chromium, so HTML and PDF agree.

No Python dependency: Chromium's own ``--print-to-pdf`` is run as a program. The print
stylesheet of :mod:`finmodel.reports._html` gives A4 pages, page numbers (CSS page margin
boxes), table headers repeated on every page and rows, charts and the summary kept whole.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from finmodel.model.errors import FinModelError
from finmodel.reports import _io

if TYPE_CHECKING:
    from finmodel.views.i18n import Language

__all__ = ["PdfError", "find_chromium", "print_pdf"]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


class PdfError(FinModelError, RuntimeError):
    """A PDF cannot be made (no Chromium, or Chromium failed)."""


def find_chromium() -> str | None:
    """The Chromium program: ``$FINMODEL_CHROMIUM`` if set (empty: none), else the first
    of chromium, chromium-browser, google-chrome, chrome on the PATH."""
    given = os.environ.get("FINMODEL_CHROMIUM")
    if given is not None:
        return given if given and os.access(given, os.X_OK) else None
    return next((found for name in _NAMES if (found := shutil.which(name))), None)


def missing_message(lang: Language = "en") -> str:
    """What ``--formats pdf`` says without Chromium, in ``lang``."""
    from finmodel.views.i18n import t

    return t(lang, "cli.report.pdf_missing")


def print_pdf(html: Path, target: Path, timeout: float = 120.0,
              lang: Language = "en") -> None:
    """Print ``html`` (a file) to ``target`` with headless Chromium, atomically.

    Raises :class:`PdfError` when Chromium is absent, fails or writes nothing (its
    message in ``lang``).
    """
    from finmodel.views.i18n import t

    program = find_chromium()
    if program is None:
        raise PdfError(missing_message(lang))
    with tempfile.TemporaryDirectory(prefix="fm-pdf-") as profile, \
            _io.atomic_path(target) as partial:
        command = [program, "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-dev-shm-usage", "--no-first-run", "--no-pdf-header-footer",
                   f"--user-data-dir={profile}", f"--print-to-pdf={partial}",
                   html.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(t(lang, "cli.report.pdf_failed", name=html.name,
                             error=exc)) from exc
        if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise PdfError(t(lang, "cli.report.pdf_exit", name=html.name,
                             code=done.returncode, error=tail[0]))

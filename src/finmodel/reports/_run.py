"""The public entry of a batch: the output folder made first, then the batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from finmodel.reports import _batch
from finmodel.reports._batch import BatchResult
from finmodel.reports._io import make_folder
from finmodel.reports._plan import PlannedScenario

__all__ = ["run_reports"]


def run_reports(planned: Sequence[PlannedScenario], out: Path, notebook: Path,
                formats: tuple[str, ...], jobs: int = 1, timeout: float = 600.0,
                compare_notebook: Path | None = None,
                progress: Callable[[int, int], None] | None = None,
                client: Any = None, lang: str | None = None) -> BatchResult:
    """Write ``OUT/<folder>/`` for every valid scenario, then compare.html and index.html.

    The batch of :func:`finmodel.reports._batch.run_reports` (its parameters), after
    ``FINMODEL_REPORTS_PER_KERNEL`` is checked and the output folder ``out`` is made.

    Raises
    ------
    FinModelError
        ``out`` cannot be made (``OUT: cannot make the output folder: reason``, in the
        batch's language): raised before any report runs, nothing written.
    """
    page_lang = _batch.batch_language(planned, lang)
    _batch.check_reports_per_kernel(page_lang)  # a usage error first: nothing made yet
    make_folder(out, page_lang)
    return _batch.run_reports(planned, out, notebook, formats, jobs=jobs, timeout=timeout,
                              compare_notebook=compare_notebook, progress=progress,
                              client=client, lang=lang)

"""Batch budget reports: one parameterized notebook per scenario, run in parallel.

Stages, like papermill's modules: :mod:`~finmodel.reports._plan` (which files, folders
and formats; validation before any kernel starts), :mod:`~finmodel.reports._batch` (the
one orchestrating function, :func:`run_reports`),
:mod:`~finmodel.reports._job` (what a worker process does for one scenario),
:mod:`~finmodel.reports._io` (every write: temporary name, then rename),
:mod:`~finmodel.reports._html` (index and compare pages) and
:mod:`~finmodel.reports._kernel` (IPC kernels that cannot race for ports).
"""

from finmodel.reports._batch import BatchResult, run_reports
from finmodel.reports._html import IndexRow
from finmodel.reports._plan import (
    FORMATS,
    PlannedScenario,
    UsageError,
    base_folder,
    find_scenario_files,
    folder_names,
    parse_formats,
    plan_scenarios,
    safe_name,
)

__all__ = [
    "FORMATS",
    "BatchResult",
    "IndexRow",
    "PlannedScenario",
    "UsageError",
    "base_folder",
    "find_scenario_files",
    "folder_names",
    "parse_formats",
    "plan_scenarios",
    "run_reports",
    "safe_name",
]

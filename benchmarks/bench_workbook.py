"""Live workbook speed (issue 12): writing budget.xlsx with its formulas for the base case.

The target is under 0.5 s for the base scenario (15 years, about 2,000 formulas), the
value sheets (detail, assumptions) included; the engine's projection is shown apart.
The Dutch workbook (``lang="nl"``, issue 11) is timed in the same run: its words come
from the catalogue, so it should cost the same as the English one (the ratio is printed).
"""

from __future__ import annotations

import tempfile
import timeit
from pathlib import Path

import finmodel
from finmodel.views.i18n import Language
from finmodel.views.workbook import write_budget_xlsx

BASE = Path("scenarios/base.yaml")


def main() -> None:
    scenario = finmodel.load_scenario(BASE)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "budget.xlsx"

        def write(lang: Language = "en") -> None:
            # a fresh projection each time: its tables (detail, checks) are cached on it
            write_budget_xlsx(finmodel.project(scenario), target, lang=lang)

        write()  # imports (xlsxwriter, pandas) once, as a running program has them
        write("nl")
        project = min(timeit.repeat(lambda: finmodel.project(scenario).kpis, number=20,
                                    repeat=3)) / 20
        best = min(timeit.repeat(write, number=1, repeat=5))
        size = target.stat().st_size
        dutch = min(timeit.repeat(lambda: write("nl"), number=1, repeat=5))
    print(f"project(base):                    {project * 1e3:7.1f} ms")
    print(f"write live budget.xlsx (base):    {best * 1e3:7.1f} ms   (target < 500 ms; "
          f"{size / 1024:.0f} KiB)")
    print(f"  the same in Dutch (lang=nl):    {dutch * 1e3:7.1f} ms   "
          f"({dutch / best:.2f} x English)")

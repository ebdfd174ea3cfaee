"""``finmodel report [SCENARIO|DIR ...]``: budget reports for many scenarios, in parallel."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finmodel.cli._cluster import add_cluster_argument, connect

if TYPE_CHECKING:
    from finmodel.reports import PlannedScenario
    from finmodel.views.i18n import Language

from finmodel.cli._common import add_lang_argument

HELP = ("budget reports (HTML, PDF, Excel, executed notebook) for scenarios, in parallel, "
        "with index.html and compare.html")

_NOTEBOOK = "scenario_report.ipynb"
_COMPARE = "compare_scenarios.ipynb"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenarios", metavar="SCENARIO|DIR", nargs="*", default=["scenarios"],
                        help="scenario files, folders of them, or names in scenarios/ "
                             "(default: every scenario in scenarios/)")
    parser.add_argument("--out", metavar="DIR", default="reports", type=Path,
                        help="output folder (default reports)")
    parser.add_argument("--jobs", metavar="N", type=_positive_int, default=os.cpu_count() or 1,
                        help="scenarios run at the same time (default: number of cores; "
                             "not used with --cluster)")
    parser.add_argument("--formats", default="html,xlsx,ipynb",
                        help="comma-separated, of html, pdf, xlsx, ipynb (default "
                             "html,xlsx,ipynb; pdf needs Chromium)")
    add_lang_argument(parser)
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=600.0,
                        help="wall-clock limit per notebook run (default 600)")
    add_cluster_argument(parser, "one task per scenario")
    parser.add_argument("--notebook", type=Path, default=None,
                        help=f"report notebook (default notebooks/{_NOTEBOOK})")
    parser.add_argument("--compare-notebook", type=Path, default=None,
                        help=f"comparison notebook (default notebooks/{_COMPARE})")


def run(args: argparse.Namespace) -> int:
    from finmodel.reports import find_scenario_files, parse_formats, plan_scenarios, run_reports
    from finmodel.reports._batch import skip_slow_imports

    skip_slow_imports()

    formats = parse_formats(args.formats)
    files = find_scenario_files(args.scenarios)
    notebook = args.notebook or _default_notebook(_NOTEBOOK)
    if {"html", "ipynb", "pdf"} & set(formats):
        _require_parameters(notebook, ("scenario_path",), "--notebook")
    compare = args.compare_notebook or _default_notebook(_COMPARE)
    if args.compare_notebook is not None:
        _require_parameters(compare, ("scenario_paths", "base"), "--compare-notebook")
    from finmodel.cli._common import env_lang
    from finmodel.reports._batch import batch_language, check_reports_per_kernel
    from finmodel.views.i18n import t
    from finmodel.views.warning_text import fmt

    planned = _with_warnings(plan_scenarios(files), args.lang)
    # the lines printed here follow FINMODEL_LANG too; the files run_reports writes (and
    # its messages) do not, so that a batch gives the same files on every machine
    lang = batch_language(planned, args.lang, env_lang())
    check_reports_per_kernel(lang)
    _make_folder(args.out, lang)
    with connect(args.cluster) as client, _Progress(t(lang, "cli.report.unit")) as progress:
        result = run_reports(planned, args.out, notebook, formats, jobs=args.jobs,
                             timeout=args.timeout, compare_notebook=compare,
                             progress=progress, client=client, lang=args.lang)
    for message in result.messages:
        print(message, file=sys.stderr)
    rate = 60 * result.succeeded / result.seconds if result.seconds else 0.0
    index = args.out / "index.html"
    print(t(lang, "cli.report.summary_one" if result.succeeded == 1 else "cli.report.summary",
            n=result.succeeded,
            seconds=fmt(lang, result.seconds, ".1f"), rate=fmt(lang, rate, ".1f"),
            failed=result.failed, index=index.as_posix()))
    return 1 if result.failed or result.compare_error or result.incomplete else 0


def _with_warnings(planned: list[PlannedScenario],
                   lang: str | None = None) -> list[PlannedScenario]:
    """Print each valid scenario's input warnings (in ``lang``, else the scenario's
    language); under ``--strict`` they stop it."""
    from finmodel.cli._common import report_warnings
    from finmodel.reports import PlannedScenario

    out = []
    for plan in planned:
        strict = (report_warnings(plan.scenario, lang) if plan.scenario is not None
                  else [])
        out.append(PlannedScenario(plan.path, plan.folder, None, tuple(strict))
                   if strict else plan)
    return out


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _default_notebook(name: str) -> Path:
    """``notebooks/NAME`` of the source checkout, else of the current folder."""
    import finmodel

    checkout = Path(finmodel.__file__).resolve().parents[2] / "notebooks" / name
    return checkout if checkout.is_file() else Path("notebooks") / name


def _require_parameters(notebook: Path, names: tuple[str, ...], option: str) -> None:
    """Stop with a usage error unless ``notebook`` has a parameters cell setting ``names``
    (papermill only warns about parameters a notebook does not declare)."""
    from finmodel.reports import UsageError

    try:
        cells: list[dict[str, Any]] = json.loads(notebook.read_text("utf-8"))["cells"]
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(f"{notebook}: cannot read the notebook ({exc}); see {option}") from exc
    source = "".join("".join(cell.get("source", "")) for cell in cells
                     if "parameters" in cell.get("metadata", {}).get("tags", ()))
    missing = [name for name in names if name not in source]
    if missing:
        raise UsageError(f"{notebook}: no cell tagged 'parameters' sets "
                         f"{', '.join(missing)}; see {option}")


class _Progress:
    """A tqdm bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, unit: str = "report") -> None:
        self.bar: Any = None
        self.unit = unit

    def __enter__(self) -> _Progress:
        return self

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=self.unit, file=sys.stderr, leave=False)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _make_folder(out: Path, lang: Language) -> None:
    """The output folder, made before any report runs: a folder that cannot be made is a
    clear error (exit 2), not a traceback after the batch started."""
    from finmodel.model.errors import FinModelError
    from finmodel.views.i18n import t
    from finmodel.views.warning_text import os_reason

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FinModelError(t(lang, "cli.report.no_folder", out=out.as_posix(),
                              reason=os_reason(lang, exc))) from None

"""``finmodel report``: exit codes, messages, the summary line, Ctrl-C."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finmodel.cli import main
from test_batch import kernels_running, scenario_text, write_notebook

from conftest import MINIMAL, ROOT

SUMMARY = re.compile(r"^(\d+) reports? in [\d.]+ s \([\d.]+ per minute\), (\d+) failed -> (.+)$")


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_report_unknown_format_is_bad_usage(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    """--formats docx: exit 2 and one line naming the allowed formats; nothing written."""
    code, out, err = cli(capsys, "scenarios", "--out", str(tmp_path / "o"), "--formats", "docx")
    assert (code, out) == (2, "")
    assert err == ("finmodel report: error: unknown format 'docx' in --formats "
                   "(allowed: html, pdf, xlsx, ipynb)\n")
    assert not (tmp_path / "o").exists()


def test_report_no_scenarios_is_bad_usage(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    """A folder without scenario files, or a missing file: exit 2."""
    code, _, err = cli(capsys, str(tmp_path), "--out", str(tmp_path / "o"))
    assert code == 2 and "no scenario files (*.yaml) found in" in err
    code, _, err = cli(capsys, str(tmp_path / "x.yaml"), "--out", str(tmp_path / "o"))
    assert code == 2 and err.endswith("x.yaml: no such scenario file or folder\n")


def test_report_notebook_without_parameters_is_bad_usage(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A report notebook that does not declare scenario_path is refused before any run."""
    notebook = write_notebook(tmp_path, ["x = 1", "print(x)"])
    code, _, err = cli(capsys, "scenarios", "--out", str(tmp_path / "o"),
                       "--notebook", str(notebook))
    assert code == 2
    assert "no cell tagged 'parameters' sets scenario_path; see --notebook" in err


@pytest.mark.parametrize(("value", "lang", "words"), [
    ("0", "en", "error: FINMODEL_REPORTS_PER_KERNEL must be a whole number of at least 1 "
                "(reports per kernel), not '0'; leave it unset for 20"),
    ("two", "nl", "fout: FINMODEL_REPORTS_PER_KERNEL moet een geheel getal van minstens 1 "
                  "zijn (rapporten per kernel), niet 'two'; laat het leeg voor 20")])
def test_report_bad_reports_per_kernel_is_bad_usage(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        value: str, lang: str, words: str) -> None:
    """A bad FINMODEL_REPORTS_PER_KERNEL stops the batch once, before any report runs or
    the output folder is made: exit 2 and one line (in the batch's language); the Python
    API raises the same UsageError before writing anything."""
    from finmodel.reports import UsageError, find_scenario_files, plan_scenarios, run_reports

    monkeypatch.setenv("FINMODEL_REPORTS_PER_KERNEL", value)
    code, out, err = cli(capsys, str(ROOT / "scenarios" / "base.yaml"), "--out",
                         str(tmp_path / "o"), "--lang", lang)
    assert (code, out, err) == (2, "", f"finmodel report: {words}\n")
    assert not (tmp_path / "o").exists()
    planned = plan_scenarios(find_scenario_files([str(ROOT / "scenarios" / "base.yaml")]))
    with pytest.raises(UsageError, match="FINMODEL_REPORTS_PER_KERNEL"):
        run_reports(planned, tmp_path / "api", ROOT / "notebooks" / "scenario_report.ipynb",
                    ("html",))
    assert not (tmp_path / "api").exists()


def test_report_jobs_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    """--jobs 0 is refused by the argument parser (exit 2)."""
    with pytest.raises(SystemExit) as exc:
        main(["report", "--jobs", "0"])
    assert exc.value.code == 2
    assert "must be at least 1, got 0" in capsys.readouterr().err


@pytest.mark.slow
def test_report_all_ok_exit_0_and_summary(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    """Every scenario reported: exit 0, nothing on stderr, one summary line."""
    (tmp_path / "a.yaml").write_text(scenario_text("A"))
    out_dir = tmp_path / "out"
    code, out, err = cli(capsys, str(tmp_path / "a.yaml"), "--out", str(out_dir), "--jobs",
                         "1", "--formats", "ipynb", "--notebook", str(write_notebook(tmp_path)))
    assert (code, err) == (0, "")
    match = SUMMARY.match(out.strip())
    assert match is not None and match.groups() == ("1", "0", f"{out_dir}/index.html")
    assert sorted(p.name for p in (out_dir / "a").iterdir()) == ["report.ipynb"]


@pytest.mark.slow
def test_report_one_bad_scenario_exit_1(tmp_path: Path) -> None:
    """One invalid and one good scenario (2 processes): exit 1, the problem on stderr,
    the good report written, an error row in index.html."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "good.yaml").write_text(scenario_text("Good"))
    (folder / "bad.yaml").write_text(MINIMAL + "finance: {discount_rate: -2}\n")
    run = subprocess.run(
        [sys.executable, "-m", "finmodel", "report", str(folder), "--out", "out",
         "--jobs", "2", "--formats", "html", "--notebook", str(write_notebook(tmp_path))],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"{folder / 'bad.yaml'}:4: finance.discount_rate: must be between -0.99 and 100 "
        "(-99 % to +10,000 % a year), got -2"]
    match = SUMMARY.match(run.stdout.strip())
    assert match is not None and match.groups() == ("1", "1", "out/index.html")
    assert (tmp_path / "out" / "good" / "report.html").is_file()
    index = (tmp_path / "out" / "index.html").read_text()
    assert index.count('class="error-row"') == 1
    assert "discount_rate: must be between -0.99 and 100" in index


#: ``finmodel ARGS`` with Ctrl-C raising KeyboardInterrupt even if SIGINT was ignored.
_WITH_CTRL_C = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                "from finmodel.cli import main; sys.exit(main(sys.argv[1:]))")


def interrupted_report(tmp_path: Path, *args: str, env: dict[str, str] | None = None
                       ) -> tuple[int, str, int]:
    """Run ``finmodel report ARGS --out out`` in ``tmp_path``, press Ctrl-C once its first
    report.html exists; its exit code, stderr and process id.

    Python keeps SIGINT ignored when it starts with it ignored, as a command started with
    ``&`` by a shell without job control does (``make test &`` in a script): the batch then
    ran to its end and exited 0. The child turns Ctrl-C on itself, whatever it inherits.
    """
    process = subprocess.Popen(
        [sys.executable, "-c", _WITH_CTRL_C, "report", *args, "--out", "out"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 600  # a report has been written: jobs have started
    while not list((tmp_path / "out").glob("*/report.html")) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    return process.returncode, err, process.pid


@pytest.mark.slow
def test_report_ctrl_c_leaves_only_whole_files(tmp_path: Path) -> None:
    """Ctrl-C during a batch: exit 130; no temporary file remains, and every report.html
    that exists is complete."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for i in range(4):  # the first is quick, the others still run at Ctrl-C
        (folder / f"s{i}.yaml").write_text(scenario_text(f"S{i}", "5" if i else "0"))
    code, err, pid = interrupted_report(
        tmp_path, str(folder), "--jobs", "2", "--formats", "html,ipynb",
        "--notebook", str(write_notebook(tmp_path)),
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    # a kernel caught while starting may add its own shutdown warning after this line
    assert code == 130 and "finmodel: interrupted\n" in err, err
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert files and not [p for p in files if p.name.startswith(".tmp-")]
    for page in (p for p in files if p.name == "report.html"):
        assert page.read_text().endswith("</html>\n")
    assert not (tmp_path / "out" / "s3" / "report.html").exists()  # s3 was interrupted
    assert kernels_running(f"/fm-{pid}-") == []  # neither running nor kept ones


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream, drawn", [(io.StringIO, False), (_Terminal, True)])
def test_report_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                                stream: type[io.StringIO], drawn: bool) -> None:
    """The progress bar is drawn on stderr when it is a terminal, and never otherwise."""
    from finmodel.cli.report import _Progress

    err = stream()
    monkeypatch.setattr(sys, "stderr", err)
    with _Progress() as progress:
        for done in range(3):
            progress(done, 2)
    assert ("0/2 [" in err.getvalue()) is drawn
    assert (err.getvalue() == "") is not drawn

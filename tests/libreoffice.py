"""LibreOffice Calc as the test's spreadsheet program: recalculate workbooks headless.

LibreOffice keeps the cached results of an .xlsx unless told to recalculate on load:
a throwaway user profile sets ``OOXMLRecalcMode`` to 0 (always). One ``soffice`` call
converts many workbooks, because each start costs seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def convert(paths: Sequence[Path], out_dir: Path, to: str = "xlsx") -> list[Path]:
    """Open ``paths`` in LibreOffice, recalculate every formula, save them as ``to``."""
    assert SOFFICE is not None, "LibreOffice (soffice) is not installed"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", to, "--outdir", str(out_dir), *map(str, paths)],
            check=True, capture_output=True, timeout=600)
    converted = [out_dir / f"{Path(p).stem}.{to}" for p in paths]
    missing = [p for p in converted if not p.exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    return converted

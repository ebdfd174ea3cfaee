"""Every file the report runner writes goes through here: temporary name, then rename.

A file is written as ``.tmp-<token>-<name>`` in its own folder and moved onto its name
with :func:`os.replace` (atomic on one file system), so a crash, a kill or Ctrl-C never
leaves a half-written report under a real name. Temporary files of an interrupted run
are removed by :func:`sweep_partial_files`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

__all__ = ["TEMP_PREFIX", "atomic_path", "remove_quietly", "sweep_partial_files",
           "write_bytes", "write_text"]

TEMP_PREFIX = ".tmp-"


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path next to ``target``; renamed onto it when the block succeeds.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt']
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{TEMP_PREFIX}{secrets.token_hex(4)}-{target.name}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        remove_quietly(tmp)


def write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``target`` through a temporary file and a rename."""
    write_bytes(target, text.encode("utf-8"))


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def sweep_partial_files(folder: Path) -> int:
    """Remove temporary files left by an interrupted run in ``folder`` and one level down.

    Returns how many were removed.
    """
    if not folder.is_dir():
        return 0
    found = [*folder.glob(f"{TEMP_PREFIX}*"), *folder.glob(f"*/{TEMP_PREFIX}*")]
    for path in found:
        remove_quietly(path)
    return len(found)

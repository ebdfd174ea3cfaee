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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finmodel.views.i18n import Language

__all__ = ["TEMP_PREFIX", "atomic_path", "make_folder", "remove_quietly",
           "sweep_partial_files", "write_bytes", "write_text"]

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


def make_folder(out: Path, lang: Language = "en") -> None:
    """Make the batch's output folder ``out`` (and its parents) before anything runs.

    A folder that cannot be made (no permission, a file in the way, a read-only disk)
    is a :class:`~finmodel.model.errors.FinModelError` saying ``OUT: cannot make the
    output folder: reason`` in ``lang``, and the parents made on the way are removed
    again: nothing is left half made.

    Examples
    --------
    >>> import tempfile
    >>> blocked = Path(tempfile.mkdtemp()) / "a-file"
    >>> _ = blocked.write_text("")
    >>> make_folder(blocked / "new" / "reports")
    Traceback (most recent call last):
    ...
    finmodel.model.errors.FinModelError: .../new/reports: cannot make the output folder: Not a...
    """
    from finmodel.model.errors import FinModelError
    from finmodel.views.i18n import t
    from finmodel.views.warning_text import os_reason

    missing = [folder for folder in (out, *out.parents) if not folder.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        for folder in missing:  # the deepest first: each is empty when its turn comes
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise FinModelError(t(lang, "rep.no_folder", out=out.as_posix(),
                              reason=os_reason(lang, exc))) from None

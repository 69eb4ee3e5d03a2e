"""Every file nianbao writes into the shared folder goes through here: it is written to a
temporary name in its own folder and renamed into place, so a reader (or a crash, a full
disk, a kill) sees either the old file or the new one, never a part of one.

Temporary names are ``.nianbao-<random>.tmp``: hidden, bounded in length whatever the final
name, ignored by the intake, and removed by ``sweep_temporaries`` at the next start.
Files are created with mode 0666 less the process umask, like any other file the user makes
(``tempfile.mkstemp`` would make them 0600, unreadable to the other accounts of a share).
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".nianbao-"
TEMP_SUFFIX = ".tmp"


def temporary_name() -> str:
    """A fresh name of this module's kind: ``.nianbao-<random>.tmp``."""
    return f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"


def _temporary(folder: Path) -> Path:
    return folder / temporary_name()


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``path`` for a writer that opens files by name
    (openpyxl, python-docx); renamed to ``path`` when the block ends without an error,
    deleted when it fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path.parent)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (no newline translation)."""
    with atomic_path(path) as tmp, tmp.open("w", encoding=encoding, newline="") as f:
        f.write(text)


def is_temporary(name: str) -> bool:
    """Whether a file name is one of this module's temporaries."""
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def _age(path: Path) -> float:
    try:
        return time.time() - path.lstat().st_mtime
    except FileNotFoundError:
        return -1.0


def sweep_temporaries(folder: Path, min_age: float = 0.0) -> list[Path]:
    """Delete temporaries left under ``folder`` by a process that was killed; returns them.

    Only names made by this module are touched (files, and staging folders with all they
    hold: ``nianbao.io.staging``), only when last modified at least ``min_age`` seconds
    ago (another process may be writing a younger one), and symbolic links are not
    followed.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for dirpath, dirs, files in os.walk(folder):
        for name in [d for d in dirs if is_temporary(d)]:
            target = Path(dirpath) / name
            dirs.remove(name)
            if not target.is_symlink() and _age(target) >= min_age:
                shutil.rmtree(target, ignore_errors=True)
                removed.append(target)
        for name in files:
            target = Path(dirpath) / name
            if is_temporary(name) and _age(target) >= min_age:
                target.unlink(missing_ok=True)
                removed.append(target)
    return removed

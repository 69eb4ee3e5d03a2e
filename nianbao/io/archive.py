"""Keep every received original byte for byte, addressed by content; isolate unreadable ones.

Names made here from a unit's file name stay within a filesystem's 255 bytes: the archive
keeps only a short extension, the quarantine keeps the hash prefix whole and shortens the
unit's part of the name (``nianbao.io.names.fit_name``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from nianbao.core.model import Submission
from nianbao.io.atomic import atomic_path
from nianbao.io.names import fit_name, suffix_of


def archived_as(archive: Path, sha256: str, name: str) -> Path:
    """``archive/<first two hex digits>/<sha256><suffix>`` for a file called ``name``."""
    return archive / sha256[:2] / f"{sha256}{suffix_of(name)}"


def archive_path(archive: Path, sub: Submission) -> Path:
    """Where the intake archived ``sub``'s original."""
    return archived_as(archive, sub.sha256, sub.file)


def _place(target: Path, write: Callable[[Path], object]) -> Path:
    """Create ``target`` through a temporary file unless it is already there (content
    addressed: same name, same bytes). Never overwrites or deletes anything."""
    if not target.exists():
        with atomic_path(target) as tmp:
            write(tmp)
    return target


def keep_original(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` (see ``_place``); the inbox file is left in place."""
    return _place(target, lambda tmp: shutil.copyfile(source, tmp))


def keep_bytes(data: bytes, target: Path) -> Path:
    """Write the bytes of a file just read to ``target`` (see ``_place``)."""
    return _place(target, lambda tmp: tmp.write_bytes(data))


def quarantine_path(quarantine: Path, sub: Submission) -> Path:
    """``quarantine/<unit>/<sha256 prefix>-<original name>`` for a file that could not be
    read (the name shortened to fit, never a path)."""
    name = sub.file.rsplit("/", 1)[-1]
    return quarantine / sub.unit / fit_name(f"{sub.sha256[:12]}-", name)

"""Keep every received original byte for byte, addressed by content; isolate unreadable ones."""

from __future__ import annotations

import shutil
from pathlib import Path

from nianbao.core.model import Submission


def archive_path(archive: Path, sub: Submission, source: Path) -> Path:
    """``archive/<first two hex digits>/<sha256><suffix>``."""
    return archive / sub.sha256[:2] / f"{sub.sha256}{source.suffix.lower()}"


def keep_original(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` unless it is already there (content-addressed: same name,
    same bytes). Never overwrites or deletes anything; the inbox file is left in place."""
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".partial")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return target


def quarantine_path(quarantine: Path, sub: Submission) -> Path:
    """``quarantine/<unit>/<sha256 prefix>-<original name>`` for a file that could not be read."""
    return quarantine / sub.unit / f"{sub.sha256[:12]}-{Path(sub.file).name}"

"""The shared folder: find submitted files and write published outputs.

What the intake reads is decided here, from the directory listing alone (no file is opened):

- ``inbox/<code>/<file>``: a regular file in a roster unit's folder. The folder is matched
  to the code ignoring case, full-width letters and surrounding spaces (``ALPHA`` is
  ``alpha``). Lock, hidden and temporary files are ignored (``nianbao.io.names``).
- Symbolic links are never followed, wherever they point: a unit folder that is a link, or
  a link inside one, is reported (outside the root or not) and nothing it points at is read,
  archived or copied. Hard links are ordinary files.
- Subfolders of a unit folder are not read (reported, so the unit knows); an unreadable unit
  folder is reported and the run goes on.
- Settled files only: a file whose size and modification time may still change (modified
  less than ``settle`` seconds ago) is looked at again once, when its settle time has passed
  (one wait of at most ``settle`` seconds per run); if it changed meanwhile it is left for
  the next run (``file-arriving``) and its unit keeps its current status.

Every name is kept as its bytes (to open the file again) and shown by its display name.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nianbao.core.findings import Finding
from nianbao.core.model import Unit
from nianbao.io.atomic import atomic_write_text
from nianbao.io.guard import Refused, describe
from nianbao.io.names import display_name, is_ignored

FOLDERS = ("inbox", "feedback", "archive", "quarantine", "output")

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a FIFO planted in a folder must not hang the run.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass(frozen=True)
class Arrival:
    """A settled file in a roster unit's inbox folder, as listed."""

    unit: str  # the roster code
    folder: bytes  # the folder's name on disk (its case may differ from the code)
    name: bytes  # the file's name on disk
    display: str  # ``<folder>/<name>`` as shown to people and in every output
    size: int
    mtime_ns: int

    @property
    def path(self) -> bytes:
        """Inbox-relative path, as bytes on disk."""
        return self.folder + b"/" + self.name

    @property
    def signature(self) -> tuple[int, int]:
        """(size, modification time in ns) when it was listed."""
        return self.size, self.mtime_ns


def ensure_layout(root: Path, roster: tuple[Unit, ...]) -> None:
    """Create the shared-folder skeleton, with one inbox and feedback folder per unit."""
    for name in FOLDERS:
        (root / name).mkdir(parents=True, exist_ok=True)
    for unit in roster:
        (root / "inbox" / unit.code).mkdir(exist_ok=True)
        (root / "feedback" / unit.code).mkdir(exist_ok=True)


def own_folder(parent: Path, name: str) -> Path:
    """``parent/name`` as a real folder to write into, created when missing.

    A unit may be able to write into its feedback folder: a symbolic link (or a file) put
    there is refused (``OSError``: ELOOP / ENOTDIR), so nianbao never writes through it
    to somewhere outside the shared folder.
    """
    folder = parent / name
    try:
        mode = folder.lstat().st_mode
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        mode = folder.lstat().st_mode
    if stat.S_ISLNK(mode):
        raise OSError(errno.ELOOP, "symbolic link refused", str(folder))
    if not stat.S_ISDIR(mode):
        raise OSError(errno.ENOTDIR, "not a folder", str(folder))
    return folder


def folder_key(name: str) -> str:
    """How a folder name is matched to a unit code: NFKC, no surrounding spaces, any case."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def link_where(link: str | os.PathLike[str], root: Path) -> str:
    """Where a symbolic link points, as a clerk reads it (a target outside the root is not
    named)."""
    base = os.path.realpath(root)
    target = os.path.realpath(link)
    if os.path.commonpath([base, target]) != base:
        return "指向共享文件夹之外"
    if not os.path.lexists(target):
        return "指向的位置不存在"
    return f"指向共享文件夹内的“{display_name(os.path.relpath(target, base))}”"


def open_arrival(inbox: Path, arrival: Arrival) -> int:
    """A read-only descriptor of ``arrival``'s file, opened without following a symbolic
    link in the unit folder or the file name (``Refused`` if either became one)."""
    where = os.fsencode(inbox) + b"/" + arrival.folder
    try:
        folder = os.open(where, _DIR_FLAGS)
    except OSError as exc:
        if os.path.islink(where):
            where_to = link_where(os.fsdecode(where), inbox.parent)
            raise Refused(Finding("unit-folder-refused", actual=where_to)) from exc
        raise
    try:
        return os.open(arrival.name, _FILE_FLAGS, dir_fd=folder)
    except OSError as exc:
        if os.path.islink(where + b"/" + arrival.name):
            actual = link_where(os.fsdecode(where + b"/" + arrival.name), inbox.parent)
            raise Refused(Finding("symlink-refused", actual=actual)) from exc
        raise
    finally:
        os.close(folder)


def _sorted_entries(path: str | os.PathLike[str]) -> list[os.DirEntry[str]]:
    with os.scandir(path) as it:
        return sorted(it, key=lambda e: e.name)


def _has_files(path: str) -> bool:
    try:
        return any(
            e.is_file(follow_symlinks=False) and not is_ignored(e.name)
            for e in _sorted_entries(path)
        )
    except OSError:
        return True  # cannot tell: report the folder rather than stay silent


def _scan_unit(
    code: str, entry: os.DirEntry[str], root: Path, found: list[Arrival], findings: list[Finding]
) -> None:
    """Files of one unit folder into ``found``; what is not read into ``findings``."""
    folder = display_name(entry.name)
    try:
        entries = _sorted_entries(entry.path)
    except OSError as exc:
        findings.append(Finding("folder-unreadable", unit=code, file=folder, actual=describe(exc)))
        return
    for e in entries:
        if is_ignored(e.name):
            continue
        shown = f"{folder}/{display_name(e.name)}"
        if e.is_symlink():
            where = link_where(e.path, root)
            findings.append(Finding("symlink-refused", unit=code, file=shown, actual=where))
        elif e.is_dir(follow_symlinks=False):
            findings.append(Finding("subfolder-ignored", unit=code, file=shown))
        elif e.is_file(follow_symlinks=False):
            try:
                st = e.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed while listing
            name = os.fsencode(e.name)
            found.append(
                Arrival(code, os.fsencode(entry.name), name, shown, st.st_size, st.st_mtime_ns)
            )
        else:
            findings.append(Finding("file-not-read", unit=code, file=shown, actual="不是普通文件"))


def _listing(inbox: Path, roster: tuple[Unit, ...]) -> tuple[list[Arrival], list[Finding]]:
    codes = {folder_key(u.code): u.code for u in roster}
    found: list[Arrival] = []
    findings: list[Finding] = []
    root = inbox.parent
    try:
        entries = _sorted_entries(inbox)
    except FileNotFoundError:
        return found, findings
    for entry in entries:
        if is_ignored(entry.name):
            continue
        shown = display_name(entry.name)
        code = codes.get(folder_key(shown))
        if entry.is_symlink():
            kind = "unit-folder-refused" if code else "symlink-refused"
            where = link_where(entry.path, root)
            findings.append(Finding(kind, unit=code or "", file=shown, actual=where))
        elif entry.is_dir(follow_symlinks=False):
            if code is not None:
                _scan_unit(code, entry, root, found, findings)
            elif _has_files(entry.path):
                findings.append(Finding("unknown-unit", actual=shown, file=shown))
        elif entry.is_file(follow_symlinks=False):
            findings.append(Finding("misplaced-file", file=shown))
    return found, findings


def unit_files(inbox: Path, units: tuple[Unit, ...]) -> tuple[list[Arrival], list[Finding]]:
    """Files in the folders of ``units`` only, as ``discover`` lists them (no settle wait);
    the inbox's other folders are not opened."""
    codes = {folder_key(u.code): u.code for u in units}
    found: list[Arrival] = []
    findings: list[Finding] = []
    try:
        entries = _sorted_entries(inbox)
    except FileNotFoundError:
        return found, findings
    for entry in entries:
        shown = display_name(entry.name)
        code = codes.get(folder_key(shown))
        if code is None or is_ignored(entry.name):
            continue
        if entry.is_symlink():
            where = link_where(entry.path, inbox.parent)
            findings.append(Finding("unit-folder-refused", unit=code, file=shown, actual=where))
        elif entry.is_dir(follow_symlinks=False):
            _scan_unit(code, entry, inbox.parent, found, findings)
    return found, findings


def _signature(inbox: Path, arrival: Arrival) -> tuple[int, int] | None:
    try:
        st = os.stat(os.fsencode(inbox) + b"/" + arrival.path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def discover(
    inbox: Path,
    roster: tuple[Unit, ...],
    settle: float = 0.0,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[Arrival], list[Finding]]:
    """Settled files in roster units' folders, sorted; findings for everything else
    (files that belong to no unit, links, subfolders, unreadable folders, files still
    being written)."""
    found, findings = _listing(inbox, roster)
    now = clock()
    ages = {a: now - a.mtime_ns / 1e9 for a in found}
    recent = [a for a in found if ages[a] < settle]
    if not recent:
        return found, findings
    sleep(min(settle, max(settle - ages[a] for a in recent)))
    arriving = set()
    for a in recent:
        signature = _signature(inbox, a)
        if signature != a.signature:
            arriving.add(a)
            if signature is not None:  # a file removed meanwhile is simply gone
                findings.append(Finding("file-arriving", unit=a.unit, file=a.display))
    return [a for a in found if a not in arriving], findings


def write_json(path: Path, doc: dict[str, Any]) -> None:
    """Write ``doc`` atomically as compact UTF-8 JSON on one line. Compact is the standard
    library's C encoder: for totals.json at 10,000 units ~0.5 CPU s, where ``indent`` (its
    pure-Python encoder) takes ~1.7 s."""
    atomic_write_text(path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")

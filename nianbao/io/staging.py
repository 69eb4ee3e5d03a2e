"""Files written now and published together later: the outputs of a run wait, complete,
under a hidden temporary folder until the database has committed, then each is renamed
into place (a rename in the same file system: no copy, and a reader sees the old file or
the new one, never a part). A staged file with the same content as the file in place is
not published: the file in place keeps its bytes and its modification time (a rerun that
changed nothing in an output leaves it untouched).

The folder is ``<base>/.nianbao-<random>.tmp/``, a name ``sweep_temporaries`` removes when
a killed run leaves it behind. Files inside are written by the usual writers (each through
``nianbao.io.atomic``), so a file in the folder is always complete.
"""

from __future__ import annotations

import errno
import filecmp
import os
import shutil
import threading
import zipfile
from pathlib import Path

from nianbao.io.atomic import temporary_name


class Staging:
    """A staging folder under ``base`` and the final path of each file staged in it."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.folder = base / temporary_name()
        self._final: dict[Path, Path] = {}  # final path -> staged path
        self._taken: set[str] = set()
        self._lock = threading.Lock()

    def path(self, final: Path) -> Path:
        """Where to write the file that will become ``final`` (the same path when asked
        again, so a retried writer overwrites its own staged file)."""
        with self._lock:
            staged = self._final.get(final)
            if staged is None:
                name = final.name if final.parent == self.base else ""
                if not name or name in self._taken:
                    name = f"{len(self._final)}{final.suffix}"
                self._taken.add(name)
                staged = self._final[final] = self.folder / name
            return staged

    def adopt(self, staged: Path, final: Path) -> Path:
        """Publish ``staged`` (written into ``folder`` by a writer that names its own files)
        as ``final``; returns ``final``."""
        with self._lock:
            self._final[final] = staged
            self._taken.add(staged.name)
        return final

    def withdraw(self, finals: set[Path]) -> None:
        """Publish none of ``finals`` (their staged files go with the folder)."""
        with self._lock:
            for final in finals:
                self._final.pop(final, None)

    def publish(self) -> list[tuple[Path, OSError]]:
        """Rename every staged file into place and remove the folder; returns the files
        that could not be moved (each with its error) — the others are published."""
        failed: list[tuple[Path, OSError]] = []
        for final, staged in self._final.items():
            try:
                if final.parent != self.base:
                    final.parent.mkdir(parents=True, exist_ok=True)
                    if final.parent.is_symlink():  # never publish through a link
                        raise OSError(errno.ELOOP, "symbolic link refused", str(final.parent))
                if same_content(staged, final):
                    continue  # the folder goes with the staged copy
                os.replace(staged, final)
            except FileNotFoundError:
                continue  # never written (the writer skipped it)
            except OSError as exc:
                failed.append((final, exc))
        self.discard()
        return failed

    def discard(self) -> None:
        """Remove the folder and whatever is still staged in it (nothing is published)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def same_content(staged: Path, final: Path) -> bool:
    """Whether ``final`` is a regular file (not a link) with the content of ``staged``: the
    same bytes, or, for two zip packages (xlsx, docx), the same members with the same
    bytes (a package's members carry the time they were written)."""
    try:
        if not final.is_file() or final.is_symlink():
            return False
        if filecmp.cmp(staged, final, shallow=False):
            return True
        if not zipfile.is_zipfile(staged) or not zipfile.is_zipfile(final):
            return False
        with zipfile.ZipFile(staged) as a, zipfile.ZipFile(final) as b:
            listed = [(i.filename, i.CRC, i.file_size) for i in a.infolist()]
            if listed != [(i.filename, i.CRC, i.file_size) for i in b.infolist()]:
                return False  # told apart without decompressing
            return all(a.read(name) == b.read(name) for name, _, _ in listed)
    except (OSError, zipfile.BadZipFile):
        return False

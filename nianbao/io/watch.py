"""Watch a shared folder's inbox for workbooks that have finished arriving.

Polling, no extra dependency: every ``poll`` seconds the inbox is listed; a file is *stable*
once its size and modification time have not changed for ``settle`` seconds (the setting
``settle_seconds``, which ``run`` uses too), or sooner, after ``QUICK`` seconds unchanged,
when it is a complete zip archive (``zip_complete``): an xlsx's end record is the last thing
its writer writes, and Excel and WPS save to a temporary file and rename it, so a workbook
appears whole. A polling watcher sees no close or rename (nor does inotify on a network
share), but it can see that the file's end is there. Office lock files (``~$*``), hidden files and
folders, temporary and empty files and symbolic links are ignored. Files that are already
there when the watcher starts are taken as seen (the January schedule covers them).

Feedback comes first: the watcher answers the units whose files just became stable
(``nianbao.io.unit_feedback``) and records each answer as a Prefect event (``FEEDBACK_EVENT``,
one per unit, with its verdict), before anything else.

Then each stable file becomes one Prefect event (``EVENT``); the deployment's trigger debounces
them, firing on the first event and ignoring the rest of its ``within`` window. ``Pacer``
holds back files that become stable inside that window and sends them just after it, so a
late file still gets a run of its own instead of being swallowed by the debounce.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nianbao.core.spec import Severity
from nianbao.io.names import display_name, is_ignored

if TYPE_CHECKING:
    from nianbao.io.unit_feedback import Answer

EVENT = "nianbao.inbox.file-stable"
FEEDBACK_EVENT = "nianbao.unit.feedback"
RESOURCE_PREFIX = "nianbao.root."

QUICK = 1.0  # seconds unchanged after which a complete zip archive counts as stable

Signature = tuple[int, int]  # (size in bytes, mtime in ns)
Clock = Callable[[], float]


def snapshot(inbox: Path) -> dict[str, Signature]:
    """Inbox-relative POSIX path (as its display name: safe to print and send) -> signature
    of every watched, non-empty regular file: not in a hidden folder, not a lock, hidden or
    temporary file (``is_ignored``), never through a link. Plain ``os.scandir``, no ``Path``
    per file: a listing of 10,000 unit folders costs a fraction of a CPU second."""
    files: dict[str, Signature] = {}
    if inbox.is_dir():
        _scan(os.fspath(inbox), "", files)
    return files


def _scan(folder: str, prefix: str, files: dict[str, Signature]) -> None:
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:  # vanished or unreadable between listings
        return
    for entry in entries:
        name = entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                if not name.startswith("."):
                    _scan(entry.path, f"{prefix}{name}/", files)
                continue
            if is_ignored(name):
                continue
            st = entry.stat(follow_symlinks=False)  # a link is never followed
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size > 0:  # keyed by display name
            files[display_name(prefix + name)] = (st.st_size, st.st_mtime_ns)


def zip_complete(inbox: Path, relative: str) -> bool:
    """Whether ``inbox/relative`` (a regular file, not followed if a link) ends with a zip
    archive's end record; False for anything else, a name shown escaped, or a read error."""
    try:
        fd = os.open(inbox / relative, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as f:
        try:
            return stat.S_ISREG(os.fstat(fd).st_mode) and zipfile.is_zipfile(f)
        except OSError:
            return False


@dataclass
class StabilityTracker:
    """Reports each file once its signature has been unchanged for ``settle`` seconds, or
    for ``QUICK`` seconds when ``complete(file)`` says it is whole.

    A file reported once is reported again only after it changes (a unit overwrote it).
    """

    settle: float
    clock: Clock = time.monotonic
    complete: Callable[[str], bool] = lambda relative: False
    _since: dict[str, tuple[Signature, float]] = field(default_factory=dict)
    _reported: dict[str, Signature] = field(default_factory=dict)

    def baseline(self, files: dict[str, Signature]) -> None:
        """Take files already present as reported."""
        now = self.clock()
        for rel, sig in files.items():
            self._since[rel] = (sig, now)
            self._reported[rel] = sig

    def update(self, files: dict[str, Signature]) -> list[str]:
        """Feed one listing; returns the files that have just become stable, sorted."""
        now = self.clock()
        for gone in set(self._since) - set(files):
            del self._since[gone]
            self._reported.pop(gone, None)
        stable = []
        for rel, sig in sorted(files.items()):
            seen = self._since.get(rel)
            if seen is None or seen[0] != sig:
                self._since[rel] = (sig, now)
            elif self._reported.get(rel) != sig and self._settled(rel, now - seen[1]):
                self._reported[rel] = sig
                stable.append(rel)
        return stable

    def _settled(self, relative: str, unchanged: float) -> bool:
        if unchanged >= self.settle:
            return True
        return unchanged >= QUICK and self.complete(relative)


@dataclass
class Pacer:
    """Sends files at once when no debounce window is open; otherwise holds them until the
    window (``window`` seconds from the last send, plus ``margin``) has passed."""

    window: float
    margin: float = 2.0
    clock: Clock = time.monotonic
    _opened: float | None = None
    _held: list[str] = field(default_factory=list)

    @property
    def held(self) -> tuple[str, ...]:
        """Files waiting for the current window to close."""
        return tuple(self._held)

    def due(self, new: Iterable[str] = ()) -> list[str]:
        """Add newly stable files; returns the files to send now (possibly none)."""
        self._held += [f for f in new if f not in self._held]
        now = self.clock()
        if not self._held:
            return []
        closes = now  # when the current debounce window (if any) is over
        if self._opened is not None and self.window > 0:
            closes = self._opened + self.window + self.margin
        if now < closes:
            return []
        sent, self._held = self._held, []
        self._opened = now
        return sent


def root_resource_id(root: Path) -> str:
    """Prefect resource id of a shared folder: ``nianbao.root.<hash of its absolute path>``."""
    digest = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:16]
    return RESOURCE_PREFIX + digest


def file_stable_event(root: Path, year: int, relative: str) -> dict[str, Any]:
    """Keyword arguments of ``prefect.events.emit_event`` for one stable file."""
    unit = relative.split("/")[0] if "/" in relative else ""
    return {
        "event": EVENT,
        "resource": {
            "prefect.resource.id": root_resource_id(root),
            "prefect.resource.name": root.resolve().name,
        },
        "payload": {"year": year, "root": str(root.resolve()), "file": relative, "unit": unit},
    }


def feedback_event(root: Path, year: int, answer: Answer) -> dict[str, Any]:
    """Keyword arguments of ``prefect.events.emit_event`` for one unit's quick feedback: the
    unit is the resource (``nianbao.unit.<root hash>.<code>``), the shared folder related."""
    root = root.resolve()
    sub, unit = answer.sub, answer.unit
    shown = answer.feedback.relative_to(root).as_posix() if answer.feedback else None
    return {
        "event": FEEDBACK_EVENT,
        "resource": {
            "prefect.resource.id": f"nianbao.unit.{root_resource_id(root)[len(RESOURCE_PREFIX) :]}"
            f".{unit.code}",
            "prefect.resource.name": unit.name,
        },
        "related": [
            {
                "prefect.resource.id": root_resource_id(root),
                "prefect.resource.role": "shared-folder",
                "prefect.resource.name": root.name,
            }
        ],
        "payload": {
            "year": year,
            "unit": unit.code,
            "verdict": answer.status.value,
            "label": answer.status.label,
            "file": sub.file if sub else None,
            "sha256": sub.sha256 if sub else None,
            "feedback": shown,
            "errors": sum(f.severity is Severity.ERROR for f in sub.findings) if sub else 0,
            "warnings": sum(f.severity is Severity.WARNING for f in sub.findings) if sub else 0,
            "problems": [f.message for f in answer.findings],
        },
    }


def watch(
    inbox: Path,
    *,
    tracker: StabilityTracker,
    pacer: Pacer,
    send: Callable[[list[str]], None],
    on_stable: Callable[[list[str]], None] = lambda files: None,
    poll: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    should_stop: Callable[[], bool] = lambda: False,
    max_polls: int | None = None,
    clock: Clock = time.monotonic,
) -> int:
    """Poll ``inbox`` every ``poll`` seconds (from the start of one listing to the next)
    until ``should_stop()`` (or ``max_polls``); returns the polls made."""
    tracker.baseline(snapshot(inbox))
    polls = 0
    while not should_stop():
        started = clock()
        stable = tracker.update(snapshot(inbox))
        if stable:
            on_stable(stable)
        ready = pacer.due(stable)
        if ready:
            send(ready)
        polls += 1
        if max_polls is not None and polls >= max_polls:
            break
        sleep(max(0.0, poll - (clock() - started)))
    return polls

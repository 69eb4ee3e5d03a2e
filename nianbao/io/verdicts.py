"""Two writers of a unit's feedback folder kept in order: the quick feedback and the cycle.

The quick feedback (``nianbao.io.unit_feedback``) answers a file within seconds of its
arrival; a cycle run answers every unit at its end, from files it read when it began. So a
run that read a unit's first save may finish after the second save was answered: published
as is, its older verdict would take the top of the folder and move the newer one into
``历史/``.

Each quick verdict is therefore noted in ``ROOT/.nianbao/verdicts/<year>/<code>.json`` (which
file it judged: received time and name, the order ``supersede`` uses, and its sha256). When
a run publishes, a unit whose noted verdict is on a newer file than the run's is left as it
is (the run's file for it is withdrawn; the run the watcher announced next will catch up).
A note the run has caught up with is removed, and so is one written before the run read the
inbox that names a newer file than the run found (that file was removed since). Both sides
write a unit's feedback only while holding ``feedback_turn``: ``ROOT/.nianbao/feedback.lock``
exclusively, and the root lock shared (so a run starting meanwhile does not sweep the
temporaries being written, see ``nianbao.io.runlock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from nianbao.core.model import CycleResult, Submission
from nianbao.io.atomic import atomic_write_text
from nianbao.io.runlock import FOLDER, ROOT_LOCK

Order = tuple[datetime, str]  # (received at, display name): the newer file is current


def _note_path(root: Path, year: int, code: str) -> Path:
    return root / FOLDER / "verdicts" / str(year) / f"{code}.json"


def _order(sub: Submission) -> Order:
    return sub.received_at, sub.file


@contextlib.contextmanager
def feedback_turn(root: Path) -> Iterator[None]:
    """Hold the root's feedback lock (and its root lock shared) for the block."""
    folder = root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        for name, mode in ((ROOT_LOCK, fcntl.LOCK_SH), ("feedback.lock", fcntl.LOCK_EX)):
            fd = os.open(folder / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            stack.callback(os.close, fd)
            fcntl.flock(fd, mode)
        yield


def note(root: Path, year: int, sub: Submission) -> None:
    """Record that ``sub`` (a unit's current file) has just been answered."""
    doc = {"received_at": sub.received_at.isoformat(), "file": sub.file, "sha256": sub.sha256}
    path = _note_path(root, year, sub.unit)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(doc, ensure_ascii=False) + "\n")


def _noted(root: Path, year: int, code: str, since: float) -> Order | None:
    """The file noted for a unit, if noted at or after ``since`` (a time.time())."""
    path = _note_path(root, year, code)
    try:
        if path.stat().st_mtime < since:
            return None  # noted before the run read the inbox: the run saw what is there
        doc = json.loads(path.read_text(encoding="utf-8"))
        return datetime.fromisoformat(doc["received_at"]), str(doc["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # gone or unreadable: the run's verdict is published as usual


def _noted_units(root: Path, year: int) -> list[str]:
    try:
        with os.scandir(_note_path(root, year, "x").parent) as entries:
            return [e.name.removesuffix(".json") for e in entries if e.name.endswith(".json")]
    except FileNotFoundError:
        return []


def newer_answered(
    root: Path, result: CycleResult, written: Iterable[tuple[str, Path]], since: float
) -> set[Path]:
    """Of a run's feedback files (``written``: unit code, final path), those of units whose
    quick verdict, given after the run began reading the inbox (``since``, a time.time()),
    judged a newer file than the run did: not to be published."""
    noted = set(_noted_units(root, result.year))
    if not noted:
        return set()
    stale = set()
    for code, path in written:
        if code not in noted:
            continue
        current = result.current(code)
        seen = _noted(root, result.year, code, since)
        if current is not None and seen is not None and seen > _order(current):
            stale.add(path)
    return stale


def forget_caught_up(root: Path, result: CycleResult, since: float) -> None:
    """Remove the notes of units whose current file in ``result`` is the noted one or newer,
    or noted before the run began reading (``since``)."""
    for code in _noted_units(root, result.year):
        current = result.current(code)
        seen = _noted(root, result.year, code, since)
        if current is not None and (seen is None or seen <= _order(current)):
            _note_path(root, result.year, code).unlink(missing_ok=True)

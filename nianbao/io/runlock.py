"""One run at a time per shared folder and report year, with no server: a lock file.

``ROOT/.nianbao/run-<year>.lock`` is locked with ``flock``; the kernel releases the lock
when its holder ends, however it ends (a killed run leaves no stale lock). Who holds it
(process id, host, start time) is written beside it in ``run-<year>.json`` so that a second
run can name the first. A second run waits up to ``wait`` seconds, then stops with a clear
message.

Runs of different years may overlap; the folders they share (``feedback/``, ``archive/``,
``quarantine/``) are only swept of temporaries by a run that finds no other run active:
every run holds ``ROOT/.nianbao/root.lock`` shared, and sweeps while holding it exclusively.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nianbao.core.clock import DEFAULT_TIMEZONE, shown
from nianbao.io.atomic import atomic_write_text
from nianbao.io.faults import RunFault

FOLDER = ".nianbao"
POLL = 0.25  # seconds between attempts while waiting
ROOT_LOCK = "root.lock"  # held shared by every run (and quick feedback), exclusively to sweep


class RunLocked(RunFault):
    """Another run of the same root and year holds the lock (after waiting, if asked)."""


@dataclass(frozen=True)
class Holder:
    """Who holds a run lock."""

    pid: int
    host: str
    started_at: datetime

    def describe(self, tz: str = DEFAULT_TIMEZONE) -> str:
        """``进程 123（主机 h），开始于 2021-01-10 08:00:00（北京时间）``."""
        return f"进程 {self.pid}（主机 {self.host}），开始于 {shown(self.started_at, tz)}"


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)


def _try(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in ``path`` (None when absent or unreadable)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return Holder(int(doc["pid"]), str(doc["host"]), datetime.fromisoformat(doc["started_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class RunLock:
    """The lock of one root and report year (see the module docstring)."""

    def __init__(self, root: Path, year: int, tz: str = DEFAULT_TIMEZONE) -> None:
        self.root = root
        self.year = year
        self.tz = tz
        folder = root / FOLDER
        self.path = folder / f"run-{year}.lock"
        self.holder_path = folder / f"run-{year}.json"
        self.root_path = folder / ROOT_LOCK

    def _busy(self, waited: float | None) -> str:
        holder = read_holder(self.holder_path)
        who = holder.describe(self.tz) if holder else "进程信息不详"
        message = f"共享文件夹 {self.root} 的{self.year}年度汇总正在由另一次运行进行（{who}）"
        if waited is None:
            return message
        if waited <= 0:
            return f"{message}，本次运行未开始；请等其结束后再运行"
        return f"{message}，已等待{waited:g}秒仍未结束，本次运行未开始；请稍后再运行"

    @contextlib.contextmanager
    def hold(
        self,
        wait: float,
        on_wait: Callable[[str], object] = lambda _: None,
        tidy: Callable[[bool], object] = lambda _: None,
    ) -> Iterator[None]:
        """Hold the lock for the block, waiting up to ``wait`` seconds for another run
        (``on_wait`` is told once, with a message naming it); ``RunLocked`` after that.

        ``tidy(alone)`` runs first, with the lock held: ``alone`` is True when no run of
        any year is active in the root (shared folders may then be swept).
        """
        fd = _open(self.path)
        try:
            if not _try(fd, fcntl.LOCK_EX):
                if wait <= 0:
                    raise RunLocked(self._busy(0))
                on_wait(f"{self._busy(None)}，等待其结束（最多{wait:g}秒）")
                deadline = time.monotonic() + wait
                while not _try(fd, fcntl.LOCK_EX):
                    if time.monotonic() >= deadline:
                        raise RunLocked(self._busy(wait))
                    time.sleep(POLL)
            holder = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started_at": datetime.now(UTC).isoformat(),
                "year": self.year,
            }
            atomic_write_text(self.holder_path, json.dumps(holder, ensure_ascii=False) + "\n")
            with self._root_shared(tidy):
                try:
                    yield
                finally:
                    self.holder_path.unlink(missing_ok=True)
        finally:
            os.close(fd)  # releases the lock

    @contextlib.contextmanager
    def _root_shared(self, tidy: Callable[[bool], object]) -> Iterator[None]:
        fd = _open(self.root_path)
        try:
            alone = _try(fd, fcntl.LOCK_EX)
            tidy(alone)
            # Converting may let another run sweep in between: nothing is written yet.
            fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

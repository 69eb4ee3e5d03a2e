"""Faults of a run itself (not of one unit's file): the database, the disk, a stop, another run.

A fault ends the run with one clear Chinese message and no traceback; what it leaves behind
is described in the README's "Reliability" section. ``fault_point`` is the test-only hook
that kills a run at a named stage (``NIANBAO_FAULT``; see ``Settings.fault``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

STAGES = ("intake", "store", "outputs")  # where ``fault_point`` is called


class RunFault(Exception):
    """A fault of the run itself; ``str()`` is the message for the user (Chinese), and
    ``exit_code`` the CLI's exit status."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.exit_code))


class DiskFull(RunFault):
    """No space left (or quota exceeded) while writing."""


class RunTerminated(RunFault):
    """The run was stopped by SIGTERM (a service stop) or SIGINT (Ctrl+C)."""

    exit_code = 128 + signal.SIGTERM


def disk_full(exc: OSError) -> DiskFull:
    """The fault of a write that failed for lack of space."""
    where = f" {exc.filename}" if exc.filename else ""
    return DiskFull(f"磁盘空间不足，无法写入文件{where}，请清理磁盘后重试")


def as_fault(exc: BaseException) -> RunFault | None:
    """``exc`` (or an error it arose from) as a run fault, or None when it is something
    else: a bug keeps its traceback."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, RunFault):
            return current
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return disk_full(current)
        if isinstance(current, OSError) and current.errno == errno.EROFS:
            where = f" {current.filename}" if current.filename else ""
            return DiskFull(f"文件系统为只读，无法写入文件{where}，请检查共享文件夹的挂载")
        current = current.__cause__ or current.__context__
    return None


def fault_point(stage: str, configured: str | None) -> None:
    """Test-only: when ``configured`` names ``stage``, kill the run with SIGKILL, as a crash
    would (``"<stage>"``: its whole process group, workers included, when the run leads one,
    i.e. was started with ``setsid``), or send its main process SIGTERM, as a service stop
    would (``"<stage>:term"``). Does nothing otherwise (the default)."""
    if not configured:
        return
    name, _, how = configured.partition(":")
    if name != stage:
        return
    group = os.getpgid(0)
    leads = group in (os.getpid(), os.getppid())  # never the caller's shell or test runner
    if how == "term":
        os.kill(group if leads else os.getpid(), signal.SIGTERM)
    elif leads:
        os.killpg(group, signal.SIGKILL)
    else:
        os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def signals_deferred(*signums: int) -> Iterator[None]:
    """Hold these signals back for the block, then deliver them: a short step that must not
    stop halfway (a commit and the renames after it) completes first. Only the main
    thread handles signals; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {s: signal.getsignal(s) for s in signums}
    for s in signums:
        signal.signal(s, lambda signum, _frame: pending.append(signum))
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        if pending:
            os.kill(os.getpid(), pending[0])

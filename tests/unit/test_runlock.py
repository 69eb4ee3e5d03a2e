"""One run per root and year: a second run waits or stops naming the first; a killed holder
leaves no stale lock; shared folders are swept only when no other run is active."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from nianbao.io.runlock import RunLock, RunLocked, read_holder

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from nianbao.io.runlock import RunLock
    with RunLock(Path(sys.argv[1]), int(sys.argv[2])).hold(0):
        print("held", flush=True)
        time.sleep(float(sys.argv[3]))
    """
)


@contextmanager
def held_elsewhere(root: Path, year: int, seconds: float = 60) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock of ``root``/``year`` for up to ``seconds``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), str(year), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_a_second_run_that_may_not_wait_stops_naming_the_first(tmp_path: Path) -> None:
    with (
        held_elsewhere(tmp_path, 2020) as other,
        pytest.raises(RunLocked) as stopped,
        RunLock(tmp_path, 2020).hold(0),
    ):
        pytest.fail("the lock was taken twice")
    message = str(stopped.value)
    assert f"进程 {other.pid}" in message
    assert socket.gethostname() in message
    assert "北京时间" in message and "2020年度" in message


def test_a_second_run_waits_for_the_first_and_is_told_once(tmp_path: Path) -> None:
    told: list[str] = []
    with held_elsewhere(tmp_path, 2020, seconds=1.5) as other:
        start = time.monotonic()
        with RunLock(tmp_path, 2020).hold(30, on_wait=told.append):
            waited = time.monotonic() - start
            holder = read_holder(tmp_path / ".nianbao" / "run-2020.json")
            assert holder is not None and holder.pid == os.getpid()
    assert waited >= 0.5
    assert len(told) == 1 and f"进程 {other.pid}" in told[0] and "等待" in told[0]
    assert not (tmp_path / ".nianbao" / "run-2020.json").exists()  # removed on release


def test_waiting_is_bounded(tmp_path: Path) -> None:
    with (
        held_elsewhere(tmp_path, 2020),
        pytest.raises(RunLocked) as stopped,
        RunLock(tmp_path, 2020).hold(0.6),
    ):
        pytest.fail("the lock was taken twice")
    assert "已等待0.6秒" in str(stopped.value)


def test_a_lock_left_by_a_killed_run_is_free_at_once(tmp_path: Path) -> None:
    with held_elsewhere(tmp_path, 2020) as other:
        os.kill(other.pid, signal.SIGKILL)
        other.wait()
        start = time.monotonic()
        with RunLock(tmp_path, 2020).hold(0):
            assert time.monotonic() - start < 1


def test_other_years_run_side_by_side_and_only_a_lone_run_sweeps(tmp_path: Path) -> None:
    alone: list[bool] = []
    with RunLock(tmp_path, 2020).hold(0, tidy=alone.append):
        with held_elsewhere(tmp_path, 2021):
            pass
        with RunLock(tmp_path, 2021).hold(0, tidy=alone.append):
            pass
    with RunLock(tmp_path, 2021).hold(0, tidy=alone.append):
        pass
    assert alone == [True, False, True]


def test_lock_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        with RunLock(tmp_path, 2020).hold(0):
            holder = tmp_path / ".nianbao" / "run-2020.json"
            assert holder.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)
    for name in ("run-2020.lock", "root.lock"):
        assert (tmp_path / ".nianbao" / name).stat().st_mode & 0o777 == 0o640

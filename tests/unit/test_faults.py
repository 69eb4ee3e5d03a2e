"""Faults of a run: which errors are faults (one message) and which are bugs (a traceback)."""

from __future__ import annotations

import errno
import os
import pickle
import signal

import pytest

from nianbao.io.db.errors import DatabaseUnavailable
from nianbao.io.faults import (
    DiskFull,
    RunFault,
    RunTerminated,
    as_fault,
    fault_point,
    signals_deferred,
)


def test_a_full_disk_is_a_fault_naming_the_file_even_when_wrapped() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "/srv/root/output/2020/x.tmp")
    fault = as_fault(full)
    assert isinstance(fault, DiskFull) and "/srv/root/output/2020/x.tmp" in str(fault)
    try:
        try:
            raise full
        except OSError as exc:
            raise RuntimeError("writing the draft failed") from exc
    except RuntimeError as wrapped:
        assert isinstance(as_fault(wrapped), DiskFull)
    assert isinstance(as_fault(OSError(errno.EDQUOT, "Disk quota exceeded")), DiskFull)
    assert isinstance(as_fault(OSError(errno.EROFS, "Read-only file system")), DiskFull)


def test_other_errors_are_not_faults() -> None:
    assert as_fault(ValueError("a bug")) is None
    assert as_fault(OSError(errno.EACCES, "Permission denied")) is None


def test_faults_survive_pickling_with_their_exit_code() -> None:
    for fault in (
        DatabaseUnavailable("无法连接数据库 x"),
        RunTerminated("停止", exit_code=130),
        RunFault("其他"),
    ):
        back = pickle.loads(pickle.dumps(fault))
        assert (type(back), str(back), back.exit_code) == (type(fault), str(fault), fault.exit_code)
    assert RunTerminated("x").exit_code == 128 + signal.SIGTERM


def test_the_fault_point_does_nothing_unless_its_stage_is_named() -> None:
    fault_point("store", None)
    fault_point("store", "outputs")
    fault_point("store", "intake:term")


def test_a_signal_during_a_deferred_block_takes_effect_after_it() -> None:
    steps: list[str] = []

    class Stopped(Exception):
        pass

    def stop(_signum: int, _frame: object) -> None:
        raise Stopped

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(Stopped):
            with signals_deferred(signal.SIGTERM):
                os.kill(os.getpid(), signal.SIGTERM)
                steps.append("commit")
                steps.append("publish")
            steps.append("after")  # never reached: the stop is delivered on leaving
        assert steps == ["commit", "publish"]
        assert signal.getsignal(signal.SIGTERM) is stop
    finally:
        signal.signal(signal.SIGTERM, previous)

"""Inbox watching: stability detection with a fake clock, ignored files, pacing, events."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.io.watch import (
    EVENT,
    QUICK,
    Pacer,
    StabilityTracker,
    file_stable_event,
    root_resource_id,
    snapshot,
    watch,
    zip_complete,
)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _write(path: Path, data: bytes, mtime: float = 1_610_236_800) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def test_a_file_is_reported_once_after_settling(tmp_path: Path) -> None:
    clock = FakeClock()
    tracker = StabilityTracker(settle=5, clock=clock)
    _write(tmp_path / "alpha" / "甲局.xlsx", b"PK first")
    assert tracker.update(snapshot(tmp_path)) == []
    clock.advance(4.9)
    assert tracker.update(snapshot(tmp_path)) == []
    clock.advance(0.1)
    assert tracker.update(snapshot(tmp_path)) == ["alpha/甲局.xlsx"]
    clock.advance(10)
    assert tracker.update(snapshot(tmp_path)) == []


def test_a_growing_file_is_not_stable_and_a_changed_file_is_reported_again(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    tracker = StabilityTracker(settle=5, clock=clock)
    target = tmp_path / "alpha" / "甲局.xlsx"
    for i in range(1, 6):  # still being copied: grows every 3 s
        _write(target, b"x" * i * 100)
        assert tracker.update(snapshot(tmp_path)) == []
        clock.advance(3)
    clock.advance(3)
    assert tracker.update(snapshot(tmp_path)) == ["alpha/甲局.xlsx"]
    # the unit overwrites its file with a corrected one: same size, new mtime
    _write(target, b"y" * 500, mtime=1_610_323_200)
    assert tracker.update(snapshot(tmp_path)) == []
    clock.advance(5)
    assert tracker.update(snapshot(tmp_path)) == ["alpha/甲局.xlsx"]


def test_files_present_at_start_are_baseline_and_a_removed_file_is_forgotten(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    tracker = StabilityTracker(settle=2, clock=clock)
    old = _write(tmp_path / "alpha" / "旧.xlsx", b"old")
    tracker.baseline(snapshot(tmp_path))
    _write(tmp_path / "beta" / "新.xlsx", b"new")
    tracker.update(snapshot(tmp_path))
    clock.advance(2)
    assert tracker.update(snapshot(tmp_path)) == ["beta/新.xlsx"]
    data = old.read_bytes()
    old.unlink()
    tracker.update(snapshot(tmp_path))
    _write(old, data)  # put back byte for byte, same mtime: a new arrival all the same
    tracker.update(snapshot(tmp_path))
    clock.advance(2)
    assert tracker.update(snapshot(tmp_path)) == ["alpha/旧.xlsx"]


@pytest.mark.parametrize(
    "relative",
    [
        "alpha/~$甲局.xlsx",
        "alpha/.甲局.xlsx",
        "alpha/~WRL0001.tmp",
        "alpha/甲局.xlsx.part",
        "alpha/甲局.xlsx.crdownload",
        "alpha/.~lock.甲局.xlsx#",
        ".git/objects/x.xlsx",
        "alpha/.sync/甲局.xlsx",
        "alpha/草稿.xlsx~",
    ],
)
def test_lock_hidden_and_temporary_files_are_ignored(tmp_path: Path, relative: str) -> None:
    _write(tmp_path / relative, b"data")
    assert snapshot(tmp_path) == {}


def test_empty_files_and_a_missing_inbox_give_nothing(tmp_path: Path) -> None:
    _write(tmp_path / "alpha" / "甲局.xlsx", b"")
    assert snapshot(tmp_path) == {}
    assert snapshot(tmp_path / "nope") == {}


def test_pacer_sends_a_burst_at_once_and_holds_late_files_until_the_window_closes() -> None:
    clock = FakeClock()
    pacer = Pacer(window=60, margin=2, clock=clock)
    assert pacer.due(["a", "b", "c"]) == ["a", "b", "c"]  # one trigger window: one run
    clock.advance(10)
    assert pacer.due(["d"]) == []  # would be swallowed by the trigger's debounce
    assert pacer.held == ("d",)
    clock.advance(51)
    assert pacer.due(["d", "e"]) == []
    clock.advance(1.5)  # 62.5 s after the burst
    assert pacer.due() == ["d", "e"]
    clock.advance(70)
    assert pacer.due(["f"]) == ["f"]
    assert Pacer(window=0, clock=clock).due(["g"]) == ["g"]


def test_events_name_the_root_and_carry_year_and_file(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    event = file_stable_event(root, 2020, "alpha/甲局.xlsx")
    assert event["event"] == EVENT == "nianbao.inbox.file-stable"
    rid = event["resource"]["prefect.resource.id"]
    assert rid == root_resource_id(root) == root_resource_id(tmp_path / "root" / ".." / "root")
    assert rid.startswith("nianbao.root.") and rid != root_resource_id(tmp_path)
    assert event["payload"] == {
        "year": 2020,
        "root": str(root.resolve()),
        "file": "alpha/甲局.xlsx",
        "unit": "alpha",
    }


def test_watch_loop_sends_files_that_arrive_after_start(tmp_path: Path) -> None:
    clock = FakeClock()
    _write(tmp_path / "alpha" / "已有.xlsx", b"there before")
    sent: list[list[str]] = []
    stable: list[list[str]] = []

    def sleep(seconds: float) -> None:
        clock.advance(seconds)
        if clock.now == 1002.0:  # two polls in, a unit drops two files and a lock file
            _write(tmp_path / "beta" / "乙镇.xlsx", b"b")
            _write(tmp_path / "gamma" / "丙委.xlsx", b"c")
            _write(tmp_path / "gamma" / "~$丙委.xlsx", b"lock")

    polls = watch(
        tmp_path,
        tracker=StabilityTracker(settle=3, clock=clock),
        pacer=Pacer(window=60, clock=clock),
        send=sent.append,
        on_stable=stable.append,
        poll=1,
        sleep=sleep,
        max_polls=10,
        clock=clock,
    )
    assert polls == 10
    assert sent == [["beta/乙镇.xlsx", "gamma/丙委.xlsx"]]
    assert stable == sent


def test_watch_stops_when_asked(tmp_path: Path) -> None:
    calls = iter([False, False, True])
    polls = watch(
        tmp_path,
        tracker=StabilityTracker(settle=1),
        pacer=Pacer(window=1),
        send=lambda files: None,
        sleep=lambda s: None,
        should_stop=lambda: next(calls),
    )
    assert polls == 2


def test_watch_command_needs_an_inbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", "--root", str(tmp_path)]) == 2
    assert "收件箱" in capsys.readouterr().err


def _zip(path: Path, size: int = 4000) -> bytes:
    """A real zip archive (an xlsx is one) written to ``path``; returns its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("xl/workbook.xml", os.urandom(size))
    return path.read_bytes()


def test_a_complete_workbook_is_stable_after_quick_and_a_partial_one_waits_the_settle(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    complete = []
    tracker = StabilityTracker(
        settle=5,
        clock=clock,
        complete=lambda rel: complete.append(rel) or zip_complete(tmp_path, rel),
    )
    whole = tmp_path / "alpha" / "甲局.xlsx"
    data = _zip(whole)
    _write(tmp_path / "beta" / "乙镇.xlsx", data[: len(data) // 2])  # still being copied
    _write(tmp_path / "gamma" / "丙委.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600)  # not a zip
    assert tracker.update(snapshot(tmp_path)) == []
    clock.advance(QUICK - 0.1)
    assert tracker.update(snapshot(tmp_path)) == []
    assert complete == []  # not asked before QUICK
    clock.advance(0.1)
    assert tracker.update(snapshot(tmp_path)) == ["alpha/甲局.xlsx"]
    clock.advance(5 - QUICK)
    assert tracker.update(snapshot(tmp_path)) == ["beta/乙镇.xlsx", "gamma/丙委.xls"]
    (tmp_path / "delta").mkdir()
    (tmp_path / "delta" / "link.xlsx").symlink_to(whole)
    assert not zip_complete(tmp_path, "delta/link.xlsx")
    assert not zip_complete(tmp_path, "delta/missing.xlsx")

"""Settled files only; a unit's feedback folder tells one story; one unit's failure to get
its feedback does not stop the others."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nianbao.core.formats import FORMAT_2019 as SPEC
from nianbao.core.model import CycleResult, Status
from nianbao.core.process import consolidate
from nianbao.io import delivery
from nianbao.io.folder import discover
from nianbao.io.intake import Reading, read_batch
from nianbao.io.returns import HISTORY, write_returns
from tests.helpers import ROSTER, make_workbook, unit_figures

pytestmark = pytest.mark.integration
UNITS = {u.code: u for u in ROSTER}
YEAR = 2020


class Sleeps:
    """Records the waits asked for; runs ``meanwhile`` during the first."""

    def __init__(self, meanwhile: object = None) -> None:
        self.calls: list[float] = []
        self.meanwhile = meanwhile

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if callable(self.meanwhile):
            self.meanwhile()


def test_files_older_than_the_settle_time_are_taken_without_waiting(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    make_workbook(inbox / "alpha" / "a.xlsx", UNITS["alpha"], unit_figures(1))  # mtime 2021
    sleep = Sleeps()
    found, findings = discover(inbox, ROSTER, settle=30, sleep=sleep)
    assert [a.display for a in found] == ["alpha/a.xlsx"] and findings == []
    assert sleep.calls == []


def test_a_recent_file_is_looked_at_once_more_after_its_settle_time(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    path = make_workbook(inbox / "alpha" / "a.xlsx", UNITS["alpha"], unit_figures(1))
    now = time.time()
    os.utime(path, (now - 2, now - 2))
    sleep = Sleeps()
    found, findings = discover(inbox, ROSTER, settle=5, clock=lambda: now, sleep=sleep)
    assert [a.display for a in found] == ["alpha/a.xlsx"] and findings == []
    assert sleep.calls == [pytest.approx(3, abs=0.01)]  # the remaining settle time, once


def test_a_file_still_changing_is_left_for_the_next_run(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    make_workbook(inbox / "beta" / "b.xlsx", UNITS["beta"], unit_figures(2))
    whole = make_workbook(tmp_path / "whole.xlsx", UNITS["alpha"], unit_figures(1)).read_bytes()
    growing = inbox / "alpha" / "a.xlsx"
    growing.parent.mkdir(parents=True)
    growing.write_bytes(whole[: len(whole) // 2])
    sleep = Sleeps(meanwhile=lambda: growing.write_bytes(whole))  # the rest, while waiting

    found, findings = discover(inbox, ROSTER, settle=5, sleep=sleep)

    assert [a.display for a in found] == ["beta/b.xlsx"]
    assert [(f.code, f.unit, f.file) for f in findings] == [
        ("file-arriving", "alpha", "alpha/a.xlsx")
    ]
    assert len(sleep.calls) == 1 and 0 < sleep.calls[0] <= 5
    # the next run finds it settled (its mtime is set back here instead of waiting)
    old = time.time() - 60
    os.utime(growing, (old, old))
    found, findings = discover(inbox, ROSTER, settle=5, sleep=Sleeps())
    assert [a.display for a in found] == ["alpha/a.xlsx", "beta/b.xlsx"] and findings == []


def test_a_file_that_changes_after_listing_is_not_judged(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    path = make_workbook(inbox / "alpha" / "a.xlsx", UNITS["alpha"], unit_figures(1))
    found, _ = discover(inbox, ROSTER)
    with path.open("ab") as f:
        f.write(b"more")  # a unit starts overwriting it
    done = read_batch(Reading(inbox, SPEC.id, YEAR, UNITS, 100, tmp_path / "archive"), found, {}, 1)
    assert done.submissions == []
    assert [(f.code, f.unit) for f in done.findings] == [("file-arriving", "alpha")]
    assert not (tmp_path / "archive").exists()


def _cycle(root: Path) -> CycleResult:
    inbox = root / "inbox"
    found, findings = discover(inbox, ROSTER)
    done = read_batch(Reading(inbox, SPEC.id, YEAR, UNITS, 100, root / "archive"), found, {}, 1)
    return consolidate(SPEC, YEAR, ROSTER, done.submissions, [*findings, *done.findings])


def _top(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def test_a_superseded_rejection_moves_to_history_when_the_acceptance_arrives(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    bad = make_workbook(root / "inbox" / "alpha" / "初稿.xlsx", UNITS["beta"], unit_figures(1))
    feedback = root / "feedback" / "alpha"
    feedback.mkdir(parents=True)
    (feedback / "2019年-0123456789ab-回执.xlsx").write_bytes(b"last year's receipt")
    first = _cycle(root)
    assert first.status_of("alpha") is Status.REJECTED
    write_returns(SPEC, first, root, workers=1)
    rejection = f"2020年-{first.current('alpha').sha256[:12]}-退回修改.xlsx"  # type: ignore[union-attr]
    assert _top(feedback) == ["2019年-0123456789ab-回执.xlsx", rejection]

    make_workbook(
        root / "inbox" / "alpha" / "终稿.xlsx",
        UNITS["alpha"],
        unit_figures(1),
        received=datetime(2021, 1, 12, tzinfo=UTC),
    )
    second = _cycle(root)
    assert second.status_of("alpha") is Status.ACCEPTED
    done = write_returns(SPEC, second, root, workers=1)
    receipt = f"2020年-{second.current('alpha').sha256[:12]}-回执.xlsx"  # type: ignore[union-attr]
    assert _top(feedback) == ["2019年-0123456789ab-回执.xlsx", receipt]  # the current verdict
    assert _top(feedback / HISTORY) == [rejection]
    assert done.moved == [feedback / HISTORY / rejection]
    # a rerun changes nothing; the inbox is untouched
    again = write_returns(SPEC, second, root, workers=1)
    assert again.moved == [] and _top(feedback) == ["2019年-0123456789ab-回执.xlsx", receipt]
    assert bad.exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_unit_whose_feedback_cannot_be_written_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(delivery, "MIN_PARALLEL", 1)
    monkeypatch.setattr(delivery, "CHUNK", 1)
    root = tmp_path / "root"
    for i, unit in enumerate(ROSTER):
        make_workbook(root / "inbox" / unit.code / "r.xlsx", unit, unit_figures(i))
    (root / "inbox" / "gamma" / "r.xlsx").write_bytes(b"not a workbook")  # a rejection
    (root / "feedback").mkdir(parents=True)
    (root / "feedback" / "beta").write_bytes(b"a file where beta's folder should be")
    result = _cycle(root)

    done = write_returns(SPEC, result, root, workers=workers)

    assert [(f.code, f.unit, f.expected) for f in done.findings] == [
        ("unit-file-failed", "beta", "生成回执")
    ]
    assert {code for code, _ in done.written} == {"alpha", "gamma"}
    assert len(_top(root / "feedback" / "alpha")) == 1
    assert len(_top(root / "feedback" / "gamma")) == 1


def test_links_in_feedback_folders_are_never_written_through(tmp_path: Path) -> None:
    """A unit that can write into its feedback folder cannot make nianbao write elsewhere:
    its folder, or its 历史 folder, replaced by a link is refused and reported."""
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    outside.mkdir()
    for i, unit in enumerate(ROSTER):
        make_workbook(root / "inbox" / unit.code / "r.xlsx", unit, unit_figures(i))
    feedback = root / "feedback"
    feedback.mkdir(parents=True)
    (feedback / "beta").symlink_to(outside, target_is_directory=True)
    (feedback / "alpha").mkdir()
    (feedback / "alpha" / "2020年-0123456789ab-回执.xlsx").write_bytes(b"an older receipt")
    (feedback / "alpha" / HISTORY).symlink_to(outside, target_is_directory=True)

    done = write_returns(SPEC, _cycle(root), root, workers=1)

    assert sorted((f.code, f.unit, f.expected) for f in done.findings) == [
        ("unit-file-failed", "alpha", "整理反馈文件夹"),
        ("unit-file-failed", "beta", "生成回执"),
    ]
    assert list(outside.iterdir()) == []
    assert {code for code, _ in done.written} == {"alpha", "gamma"}

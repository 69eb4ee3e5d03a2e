"""What each unit gets back in ``feedback/<code>/``, and the quarantine of unreadable files.

Feedback is made from the original the intake archived (what was checked, whatever the
inbox holds now). Every unit is handled inside a per-unit guard: a failure (a quarantine
copy, a rejection workbook, a receipt) is a finding on that unit and the others go on.

A unit's folder tells one story: once this year's current verdict is written, the
folder's earlier feedback files of the same year (a superseded rejection, an older receipt)
move into ``feedback/<code>/历史/``, so its top level shows the current verdict only.
Feedback of other years is left where it is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from nianbao.core.clock import DEFAULT_TIMEZONE
from nianbao.core.findings import IDENTITY_CODES, UNREADABLE_CODES, Finding
from nianbao.core.model import CycleResult, Status, Submission
from nianbao.core.parse import Extracted, extract
from nianbao.core.review_notes import ReviewFeedback
from nianbao.core.spec import FormatSpec
from nianbao.io.archive import archive_path, keep_original, quarantine_path
from nianbao.io.delivery import Delivery, deliver
from nianbao.io.feedback import write_rejection
from nianbao.io.folder import own_folder
from nianbao.io.guard import UnitGuard
from nianbao.io.receipt import feedback_entry, feedback_name
from nianbao.io.staging import Staging
from nianbao.io.xlsx_read import read_workbook, sheets_for

HISTORY = "历史"


@dataclass
class Returned:
    """What ``write_returns`` did: feedback files written (unit code, path), originals
    quarantined, earlier feedback moved to history, and units it failed for."""

    rejections: list[tuple[str, Path]] = field(default_factory=list)
    receipts: list[tuple[str, Path]] = field(default_factory=list)
    quarantined: list[tuple[Submission, Path]] = field(default_factory=list)
    moved: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def written(self) -> list[tuple[str, Path]]:
        """Every feedback file written."""
        return [*self.rejections, *self.receipts]


def _feedback_pattern(year: int) -> re.Pattern[str]:
    return re.compile(rf"{year}年-[0-9a-f]{{12}}-(?:退回修改|回执)\.xlsx")


def move_to_history(folder: Path, year: int, current: str) -> list[Path]:
    """Move ``year``'s feedback files at the top of ``folder``, other than ``current``,
    into ``folder/历史/``; returns where they went."""
    pattern = _feedback_pattern(year)
    moved = []
    with os.scandir(folder) as entries:
        stale = sorted(
            e.name
            for e in entries
            if e.name != current and pattern.fullmatch(e.name) and e.is_file(follow_symlinks=False)
        )
    history = own_folder(folder, HISTORY) if stale else folder
    for name in stale:
        target = history / name
        os.replace(folder / name, target)
        moved.append(target)
    return moved


def write_returns(
    spec: FormatSpec,
    result: CycleResult,
    root: Path,
    workers: int = 0,
    tz: str = DEFAULT_TIMEZONE,
    staging: Staging | None = None,
    review: ReviewFeedback | None = None,
    keep: Collection[str] = frozenset(),
) -> Returned:
    """Feedback for each unit's current submission, its times in the office's time zone
    ``tz``; unreadable originals are also copied to ``quarantine/``. Receipts are written on
    ``workers`` processes (0: one per core).

    With ``staging`` the feedback files are written there (``Returned`` names their final
    paths) and the caller publishes them, then calls ``file_history``; without, they are
    written in place and the earlier ones filed at once. Feedback files in ``keep``
    (``feedback_entry`` paths) are left as they are (made from the same inputs by an
    earlier run).

    ``review`` (the office's decisions): a file the office returned gets a 退回修改
    workbook with its reason first, receipts carry the review rows, and every file received
    after the year was finalized (``result.held``) gets a receipt saying so.
    """
    review = review or ReviewFeedback()
    units = {u.code: u for u in result.roster}
    guard = UnitGuard()
    done = Returned()
    jobs: list[Delivery] = []
    finals: dict[Path, Path] = {}  # where each file is written -> where it is published
    held = {id(s) for s in result.held}
    held_units = {s.unit for s in result.held}  # their latest word: the held file's receipt
    for sub in (*result.submissions, *result.held):
        unreadable = any(f.code in UNREADABLE_CODES for f in sub.findings)
        if keep and not unreadable and _kept(sub, result.year, review, id(sub) in held, keep):
            continue  # a rerun: nothing to do for a file whose feedback stands (no I/O)
        original = archive_path(root / "archive", sub)
        if not original.exists():
            continue
        if unreadable:
            with guard.unit(sub.unit, sub.file, "隔离原文件") as outcome:
                kept = keep_original(original, quarantine_path(root / "quarantine", sub))
            if not outcome.failed:
                done.quarantined.append((sub, kept))
        if sub.status is Status.SUPERSEDED or (id(sub) not in held and sub.unit in held_units):
            continue
        returned = "" if id(sub) in held else review.returned.get(sub.unit, "")
        receipt = id(sub) in held or (sub.status.accepted and not returned)
        action = "生成回执" if receipt else "生成退回修改文件"
        with guard.unit(sub.unit, sub.file, action) as outcome:
            folder = own_folder(root / "feedback", sub.unit)  # a link there is refused
        if outcome.failed:
            continue
        target = folder / feedback_name(sub, result.year, bool(returned))
        if id(sub) in held:
            target = folder / feedback_name(replace(sub, status=Status.ACCEPTED), result.year)
        if feedback_entry(sub.unit, target.name) in keep:
            continue
        path = staging.path(target) if staging else target
        finals[path] = target
        if receipt:
            unit = units[sub.unit]
            notes = () if id(sub) in held else review.notes.get(sub.unit, ())
            note = review.held if id(sub) in held else ""
            late = result.late(sub)
            jobs.append(Delivery(path, unit, result.year, sub, late, tz, notes, note))
            continue
        with guard.unit(sub.unit, sub.file, action) as outcome:
            trusted = not any(f.code in IDENTITY_CODES for f in sub.findings)
            extracted = Extracted()
            if trusted:
                raw = read_workbook(original, sub.unit, sub.file, sheets=sheets_for(spec))
                list(extract(spec, raw.grids, extracted))
            figures = extracted.values if trusted else None
            unit = units[sub.unit]
            write_rejection(
                path, spec, unit, result.year, sub, figures, extracted.texts, tz, returned
            )
        if not outcome.failed:
            done.rejections.append((sub.unit, target))
    failed = deliver(jobs, workers)
    guard.findings += failed
    failed_units = {f.unit for f in failed}
    done.receipts = [
        (j.sub.unit, finals[j.receipt]) for j in jobs if j.sub.unit not in failed_units
    ]
    done.findings = guard.findings
    if staging is None:
        file_history(done.written, result.year, done)
    return done


def _kept(
    sub: Submission,
    year: int,
    review: ReviewFeedback,
    held: bool,
    keep: Collection[str],
) -> bool:
    """Whether ``sub``'s feedback file is one of ``keep`` (the path the loop would write,
    worked out without touching the disk: ~1 of the 2 CPU s a one-file rerun at 10,000
    units spent here went to checking folders and originals of files it then skipped)."""
    if held:
        name = feedback_name(replace(sub, status=Status.ACCEPTED), year)
    else:
        name = feedback_name(sub, year, bool(review.returned.get(sub.unit, "")))
    return feedback_entry(sub.unit, name) in keep


def file_history(written: list[tuple[str, Path]], year: int, done: Returned) -> None:
    """Move each written file's earlier feedback of ``year`` into its folder's history
    (``done.moved``; a unit it fails for gets a finding in ``done.findings``)."""
    guard = UnitGuard()
    for code, target in written:
        with guard.unit(code, target.name, "整理反馈文件夹"):
            done.moved += move_to_history(target.parent, year, target.name)
    done.findings += guard.findings

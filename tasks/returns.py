"""Task that writes units' feedback and quarantines unreadable files."""

from __future__ import annotations

import logging
import os
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.checked import digest, unit_fields
from nianbao.core.model import CycleResult, Status
from nianbao.core.review_notes import ReviewFeedback, review_feedback
from nianbao.io.receipt import feedback_entry, feedback_name
from nianbao.io.reuse import RunRecord
from nianbao.io.staging import Staging
from tasks.faults import faults_returned
from tasks.inputs import CycleInputs

if TYPE_CHECKING:
    from nianbao.io.returns import Returned

Log = logging.Logger | logging.LoggerAdapter[Any]


@task(name="生成反馈文件", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
@faults_returned
def write_feedback(
    inputs: CycleInputs, result: CycleResult, staging: Staging, before: RunRecord | None
) -> tuple[Returned, dict[str, str]]:
    """Feedback for each unit's current submission (see ``write_returns``; times in the
    office's time zone), written into ``staging`` and published by the flow once the
    database has committed (then ``tidy_feedback`` files the earlier ones into history);
    a unit whose feedback cannot be written gets a warning in the log and the others go on.

    A feedback file the last run (``before``) made from the same inputs and still in place
    is not written again. Returns what was done, and the key of every current feedback
    file written or kept, by its ``feedback_entry`` (for this run's record).
    """
    from nianbao.io.returns import write_returns  # openpyxl: not on the start path

    s, log = inputs.settings, get_run_logger()
    review = review_feedback(inputs.ledger, result, s.timezone)
    keys = feedback_keys(inputs, result, review)
    made = before.feedback if before is not None else {}
    root = str(s.root)
    keep = {
        entry
        for entry, key in keys.items()
        if made.get(entry) == key and os.path.isfile(os.path.join(root, entry))
    }
    done = write_returns(
        inputs.spec, result, s.root, s.workers, s.timezone, staging, review=review, keep=keep
    )
    for sub, _ in done.quarantined:
        log.warning("%s 的文件“%s”无法读取，已隔离", inputs.units[sub.unit].name, sub.file)
    for code, target in done.rejections:
        log.warning("已为%s生成退回修改文件：%s", inputs.units[code].name, target.name)
    _report(done, result, log)
    failed = {f.unit for f in done.findings}
    current = {feedback_entry(code, path.name) for code, path in done.written} | keep
    made = {e: k for e, k in keys.items() if e in current and e.split("/")[1] not in failed}
    return done, made


def feedback_keys(
    inputs: CycleInputs, result: CycleResult, review: ReviewFeedback | None = None
) -> dict[str, str]:
    """What each current submission's feedback file is made from, by its path relative to
    the shared folder (``feedback_entry``): the key of
    the check, the status, when it arrived and whether late, the unit, the time zone, and
    the office's review of it (a return's reason, the receipt's review rows)."""
    review = review or ReviewFeedback()
    s = inputs.settings
    context = [version("nianbao"), result.year, s.timezone]
    out = {}
    for sub in result.submissions:
        if sub.status is Status.SUPERSEDED or not sub.check_key:
            continue
        returned = review.returned.get(sub.unit, "")
        entry = feedback_entry(sub.unit, feedback_name(sub, result.year, bool(returned)))
        unit = inputs.units.get(sub.unit)
        made_of = [sub.check_key, sub.status.value, sub.received_at, result.late(sub)]
        made_of += [returned, review.notes.get(sub.unit, ())]
        out[entry] = digest([*made_of, unit_fields(unit) if unit else None, context])
    return out


def tidy_feedback(done: Returned, result: CycleResult, unpublished: set[Path]) -> None:
    """Once the staged feedback is published: each unit's earlier feedback of the year moves
    into its ``历史`` folder (not where this run's file could not be published)."""
    from nianbao.io.returns import Returned, file_history

    written = [(code, path) for code, path in done.written if path not in unpublished]
    tidied = Returned()
    file_history(written, result.year, tidied)
    _report(tidied, result, get_run_logger())


def _report(done: Returned, result: CycleResult, log: Log) -> None:
    units = {u.code: u for u in result.roster}
    if done.moved:
        log.info("已将%d个被替代的反馈文件移入各单位的“历史”文件夹", len(done.moved))
    for f in done.findings:
        log.warning("%s：%s", units[f.unit].name if f.unit in units else f.unit, f.message)

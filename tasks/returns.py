"""Task that writes units' feedback and quarantines unreadable files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.model import CycleResult
from nianbao.core.review_notes import review_feedback
from nianbao.io.returns import Returned, file_history, write_returns
from nianbao.io.staging import Staging
from tasks.faults import faults_returned
from tasks.inputs import CycleInputs

Log = logging.Logger | logging.LoggerAdapter[Any]


@task(name="生成反馈文件", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
@faults_returned
def write_feedback(inputs: CycleInputs, result: CycleResult, staging: Staging) -> Returned:
    """Feedback for each unit's current submission (see ``write_returns``; times in the
    office's time zone), written into ``staging`` and published by the flow once the
    database has committed (then ``tidy_feedback`` files the earlier ones into history);
    a unit whose feedback cannot be written gets a warning in the log and the others go on.
    """
    s, log = inputs.settings, get_run_logger()
    review = review_feedback(inputs.ledger, result, s.timezone)
    done = write_returns(inputs.spec, result, s.root, s.workers, s.timezone, staging, review)
    for sub, _ in done.quarantined:
        log.warning("%s 的文件“%s”无法读取，已隔离", inputs.units[sub.unit].name, sub.file)
    for code, target in done.rejections:
        log.warning("已为%s生成退回修改文件：%s", inputs.units[code].name, target.name)
    _report(done, result, log)
    return done


def tidy_feedback(done: Returned, result: CycleResult, unpublished: set[Path]) -> None:
    """Once the staged feedback is published: each unit's earlier feedback of the year moves
    into its ``历史`` folder (not where this run's file could not be published)."""
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

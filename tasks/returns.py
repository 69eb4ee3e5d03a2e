"""Task that writes units' feedback and quarantines unreadable files."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.clock import DEFAULT_TIMEZONE
from nianbao.core.model import CycleResult
from nianbao.core.spec import FormatSpec
from nianbao.io.returns import write_returns


@task(name="生成反馈文件", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def write_feedback(
    spec: FormatSpec, result: CycleResult, root: Path, workers: int = 0, tz: str = DEFAULT_TIMEZONE
) -> int:
    """Feedback for each unit's current submission (see ``write_returns``; times in the
    office's time zone ``tz``); a unit whose feedback cannot be written gets a warning in the
    log and the others go on. Returns the number of feedback files written."""
    units = {u.code: u for u in result.roster}
    log = get_run_logger()
    done = write_returns(spec, result, root, workers, tz)
    for sub, _ in done.quarantined:
        log.warning("%s 的文件“%s”无法读取，已隔离", units[sub.unit].name, sub.file)
    for code, target in done.rejections:
        log.warning("已为%s生成退回修改文件：%s", units[code].name, target.name)
    if done.moved:
        log.info("已将%d个被替代的反馈文件移入各单位的“历史”文件夹", len(done.moved))
    for f in done.findings:
        log.warning("%s：%s", units[f.unit].name if f.unit in units else f.unit, f.message)
    return len(done.written)

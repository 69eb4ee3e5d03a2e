"""Task that writes units' feedback and quarantines unreadable files."""

from __future__ import annotations

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.findings import IDENTITY_CODES
from nianbao.core.model import CycleResult, Status
from nianbao.core.parse import Extracted, extract
from nianbao.core.spec import FormatSpec
from nianbao.io.archive import archive_path, keep_original, quarantine_path
from nianbao.io.delivery import Delivery, deliver
from nianbao.io.feedback import write_rejection
from nianbao.io.receipt import feedback_name
from nianbao.io.xlsx_read import read_workbook


@task(name="生成反馈文件", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def write_feedback(spec: FormatSpec, result: CycleResult, root: Path, workers: int = 0) -> int:
    """Feedback for each unit's current submission, made from the original the intake
    archived (what was checked, whatever the inbox holds now); unreadable originals are
    also copied to ``quarantine/``.

    Receipts (one per accepted unit) are written on ``workers`` processes (0: one per core).
    """
    units = {u.code: u for u in result.roster}
    log = get_run_logger()
    written = 0
    jobs: list[Delivery] = []
    for sub in result.submissions:
        original = archive_path(root / "archive", sub)
        if not original.exists():
            continue
        if any(f.code == "file-unreadable" for f in sub.findings):
            keep_original(original, quarantine_path(root / "quarantine", sub))
            log.warning("%s 的文件“%s”无法读取，已隔离", units[sub.unit].name, sub.file)
        if sub.status is Status.SUPERSEDED:
            continue
        target = root / "feedback" / sub.unit / feedback_name(sub, result.year)
        if sub.status.accepted:
            jobs.append(Delivery(target, units[sub.unit], result.year, sub, result.late(sub)))
        else:
            trusted = not any(f.code in IDENTITY_CODES for f in sub.findings)
            extracted = Extracted()
            if trusted:
                list(extract(spec, read_workbook(original, sub.unit, sub.file).grids, extracted))
            raw = extracted.values if trusted else None
            write_rejection(target, spec, units[sub.unit], result.year, sub, raw, extracted.texts)
            log.warning("已为%s生成退回修改文件：%s", units[sub.unit].name, target.name)
        written += 1
    deliver(jobs, workers)
    return written

"""Task that merges accepted submissions into city totals."""

from __future__ import annotations

from datetime import datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.findings import Finding
from nianbao.core.model import CycleResult, Status, Submission, Unit
from nianbao.core.process import consolidate
from nianbao.core.spec import FormatSpec


@task(name="汇总全市数据", cache_policy=NO_CACHE)
def consolidate_cycle(
    spec: FormatSpec,
    year: int,
    roster: tuple[Unit, ...],
    submissions: list[Submission],
    findings: list[Finding],
    deadline: datetime | None = None,
) -> CycleResult:
    """City totals over accepted submissions; logs each unit's outcome in Chinese."""
    result = consolidate(spec, year, roster, submissions, findings, deadline)
    log = get_run_logger()
    for unit in roster:
        status = result.status_of(unit.code)
        if status is Status.REJECTED:
            log.warning("%s 的报表未通过校验，已退回", unit.name)
        elif status is Status.MISSING:
            log.warning("%s 尚未报送", unit.name)
    for sub in result.accepted:
        if result.late(sub):
            log.warning("%s 的报表在截止时间之后才报送", sub.unit)
    log.info("已汇总 %d 个单位的数据", len(result.accepted))
    return result

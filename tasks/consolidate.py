"""Task that merges accepted submissions into city totals."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.model import CycleResult, Status
from nianbao.core.process import consolidate
from nianbao.io.intake import Intake
from tasks.inputs import CycleInputs


@task(name="汇总全市数据", cache_policy=NO_CACHE)
def consolidate_cycle(inputs: CycleInputs, intake: Intake) -> CycleResult:
    """City totals over the accepted submissions of ``intake`` (its findings on files not
    handled are the run's); logs each unit's outcome in
    Chinese."""
    s = inputs.settings
    result = consolidate(
        inputs.spec,
        inputs.year,
        inputs.roster,
        intake.submissions,
        intake.findings,
        s.deadline,
        s.timezone,
        inputs.last.accepted_files,
        inputs.last.figures,
        s.plausibility,
        inputs.groups,
    )
    log = get_run_logger()
    for unit in inputs.roster:
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

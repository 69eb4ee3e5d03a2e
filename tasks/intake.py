"""Tasks that find submitted workbooks and read and validate them in batches."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.chunks import chunked
from nianbao.core.findings import Finding
from nianbao.core.model import Unit
from nianbao.io.faults import fault_point
from nianbao.io.folder import Arrival, discover
from nianbao.io.intake import Intake, read_batch
from tasks.inputs import CycleInputs, as_is


def log_unit_findings(findings: list[Finding], roster: tuple[Unit, ...]) -> None:
    """One warning per finding on a unit's file that was not handled (display names only)."""
    names = {u.code: u.name for u in roster}
    log = get_run_logger()
    for f in findings:
        log.warning("%s：%s", names.get(f.unit, "（未归属）"), f.message)


@task(name="查找报送文件", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def find_submissions(inputs: CycleInputs) -> tuple[list[Arrival], list[Finding]]:
    """Settled files in ``inbox/<unit code>/`` and findings for the rest (files that belong
    to no unit, links, files still being written, which are left for the next run)."""
    settings = inputs.settings
    found, findings = discover(settings.inbox, inputs.roster, settings.settle_seconds)
    get_run_logger().info("收件箱中共有 %d 个待处理文件", len(found))
    log_unit_findings(findings, inputs.roster)
    return found, findings


@task(name="读取并校验工作簿", cache_policy=NO_CACHE)
def read_and_validate(inputs: CycleInputs, batch: list[Arrival]) -> Intake:
    """Read a batch of workbooks with calamine and validate them; never raises per file
    (a file that cannot be handled is a finding on its unit in ``Intake.findings``).

    The batch is spread over ``settings.workers`` processes (0: one per CPU core; 1: this
    process only); each file's bytes, as read, are kept in the archive (content-addressed).
    """
    s = inputs.settings
    intake = read_batch(
        s.inbox,
        batch,
        inputs.format_id,
        inputs.year,
        inputs.units,
        s.max_findings,
        inputs.last.figures,
        s.workers,
        s.archive,
        s.read_bounds,
    )
    log_unit_findings(intake.findings, inputs.roster)
    return intake


def read_submissions(inputs: CycleInputs) -> Intake:
    """Every settled file found, read and validated by one task per ``settings.batch_size``
    files (a few coarse tasks however many units), in order; the findings on files not
    handled come first from the search, then from the reading."""
    found, findings = find_submissions(as_is(inputs))
    size = inputs.settings.batch_size
    futures = [
        read_and_validate.submit(as_is(inputs), as_is(batch)) for batch in chunked(found, size)
    ]
    done = Intake(findings=findings)
    for future in futures:
        part = future.result()
        done.submissions.extend(part.submissions)
        done.findings.extend(part.findings)
        fault_point("intake", inputs.settings.fault)
    return done

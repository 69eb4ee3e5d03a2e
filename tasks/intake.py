"""Tasks that find submitted workbooks and read and validate them in batches."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.findings import Finding
from nianbao.core.model import Unit
from nianbao.core.spec import FormatSpec
from nianbao.io.bounds import ReadBounds
from nianbao.io.folder import Arrival, discover
from nianbao.io.intake import Intake, read_batch


def log_unit_findings(findings: list[Finding], roster: tuple[Unit, ...]) -> None:
    """One warning per finding on a unit's file that was not handled (display names only)."""
    names = {u.code: u.name for u in roster}
    log = get_run_logger()
    for f in findings:
        log.warning("%s：%s", names.get(f.unit, "（未归属）"), f.message)


@task(name="查找报送文件", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def find_submissions(
    inbox: Path, roster: tuple[Unit, ...], settle: float = 0.0
) -> tuple[list[Arrival], list[Finding]]:
    """Settled files in ``inbox/<unit code>/`` and findings for the rest (files that belong
    to no unit, links, files still being written, which are left for the next run)."""
    found, findings = discover(inbox, roster, settle)
    get_run_logger().info("收件箱中共有 %d 个待处理文件", len(found))
    log_unit_findings(findings, roster)
    return found, findings


@task(name="读取并校验工作簿", cache_policy=NO_CACHE)
def read_and_validate(
    batch: list[Arrival],
    inbox: Path,
    spec: FormatSpec,
    year: int,
    roster: tuple[Unit, ...],
    max_findings: int,
    last: dict[str, dict[str, Decimal]],
    workers: int = 0,
    archive: Path | None = None,
    bounds: ReadBounds | None = None,
) -> Intake:
    """Read a batch of workbooks with calamine and validate them; never raises per file
    (a file that cannot be handled is a finding on its unit in ``Intake.findings``).

    ``last`` maps unit codes to their accepted figures of the previous year. The batch is
    spread over ``workers`` processes (0: one per CPU core; 1: this process only). Each
    file's bytes, as read, are kept in ``archive`` (content-addressed) when it is given.
    """
    units = {u.code: u for u in roster}
    intake = read_batch(
        inbox, batch, spec, year, units, max_findings, last, workers, archive, bounds
    )
    log_unit_findings(intake.findings, roster)
    return intake

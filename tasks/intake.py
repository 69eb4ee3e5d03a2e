"""Tasks that find submitted workbooks and read and validate them in batches."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.findings import Finding
from nianbao.core.model import Submission, Unit
from nianbao.core.spec import FormatSpec
from nianbao.io.folder import discover
from nianbao.io.intake import read_batch


@task(name="查找报送文件", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def find_submissions(
    inbox: Path, roster: tuple[Unit, ...]
) -> tuple[list[tuple[str, Path]], list[Finding]]:
    """Files in ``inbox/<unit code>/`` and findings for files that belong to no unit."""
    found, findings = discover(inbox, roster)
    get_run_logger().info("收件箱中共有 %d 个待处理文件", len(found))
    return found, findings


@task(name="读取并校验工作簿", cache_policy=NO_CACHE)
def read_and_validate(
    batch: list[tuple[str, Path]],
    inbox: Path,
    spec: FormatSpec,
    year: int,
    roster: tuple[Unit, ...],
    max_findings: int,
    last: dict[str, dict[str, Decimal]],
    workers: int = 0,
    archive: Path | None = None,
) -> list[Submission]:
    """Read a batch of workbooks with calamine and validate them; never raises per file.

    ``last`` maps unit codes to their accepted figures of the previous year. The batch is
    spread over ``workers`` processes (0: one per CPU core; 1: this process only). Each
    file's bytes, as read, are kept in ``archive`` (content-addressed) when it is given.
    """
    units = {u.code: u for u in roster}
    items = [(code, path, path.relative_to(inbox).as_posix()) for code, path in batch]
    return read_batch(items, spec, year, units, max_findings, last, workers, archive)

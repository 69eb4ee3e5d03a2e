"""Tasks that find submitted workbooks and read and validate them in batches."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.findings import Finding
from nianbao.core.model import Submission, Unit
from nianbao.core.process import process_workbook
from nianbao.core.spec import FormatSpec
from nianbao.io.folder import discover
from nianbao.io.xlsx_read import read_workbook


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
) -> list[Submission]:
    """Read a batch of workbooks with calamine and validate each; never raises per file.

    ``last`` maps unit codes to their accepted figures of the previous year.
    """
    units = {u.code: u for u in roster}
    out = []
    for code, path in batch:
        raw = read_workbook(path, code, path.relative_to(inbox).as_posix())
        out.append(process_workbook(raw, spec, year, units, max_findings, last.get(code)))
    return out

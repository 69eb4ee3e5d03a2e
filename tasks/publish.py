"""Task that writes the published outputs: totals.json, status.json, 汇总表, the Word draft."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.clock import DEFAULT_TIMEZONE
from nianbao.core.model import CycleResult
from nianbao.core.outputs import status_doc, totals_doc
from nianbao.core.report_model import build_report
from nianbao.core.spec import FormatSpec
from nianbao.io.db.store import read_stored_totals
from nianbao.io.docx_report import TEMPLATE_NAME, render_docx
from nianbao.io.export import write_summary
from nianbao.io.folder import write_json
from nianbao.io.status_book import write_status_book


@task(name="生成输出文件和报告初稿", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_outputs(
    spec: FormatSpec,
    result: CycleResult,
    out_dir: Path,
    region: str,
    issuer: str,
    issue_date: date,
    db_url: str | None = None,
    last_totals: Mapping[str, Decimal] | None = None,
    tz: str = DEFAULT_TIMEZONE,
) -> dict[str, str]:
    """Write the cycle's outputs into ``out_dir``; returns their paths by name.

    Last year's totals (for 同比 sentences) are ``last_totals``, or read from ``db_url``.
    Times people read are in the office's time zone ``tz``.
    """
    paths = {
        "totals": out_dir / "totals.json",
        "status": out_dir / "status.json",
        "report": out_dir / "report.docx",
    }
    write_json(paths["totals"], totals_doc(spec, result))
    status = status_doc(result, tz)
    write_json(paths["status"], status)
    paths["status_book"] = out_dir / "status.xlsx"
    write_status_book(status, paths["status_book"], tz)
    if last_totals is None and db_url:
        last_totals = _last_totals(db_url, result.year)  # for 同比 sentences
    report = build_report(result, spec, region, issuer, issue_date, last_totals)
    own = out_dir.parent.parent / TEMPLATE_NAME  # ROOT/report-template.docx: the office's copy
    render_docx(report, paths["report"], own if own.is_file() else None)
    paths.update(write_summary(spec, result, out_dir))  # 汇总表.xlsx / 汇总表.csv
    get_run_logger().info("报告初稿已生成：%s", paths["report"])
    return {k: str(v) for k, v in paths.items()}


def _last_totals(db_url: str, year: int) -> dict[str, Decimal] | None:
    """Last year's stored totals, or None when that year (or the database) is absent.

    Reads without side effects: a dry run's missing database stays missing.
    """
    doc = read_stored_totals(db_url, year - 1)
    return doc["totals"] if doc else None

"""Task that writes the published outputs: totals.json, status.json, the Word draft."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.model import CycleResult
from nianbao.core.outputs import status_doc, totals_doc
from nianbao.core.report_model import build_report
from nianbao.core.spec import FormatSpec
from nianbao.io.docx_report import render_docx
from nianbao.io.folder import write_json


@task(name="生成输出文件和报告初稿", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_outputs(
    spec: FormatSpec,
    result: CycleResult,
    out_dir: Path,
    region: str,
    issuer: str,
    issue_date: date,
) -> dict[str, str]:
    """Write the cycle's outputs into ``out_dir``; returns their paths by name."""
    paths = {
        "totals": out_dir / "totals.json",
        "status": out_dir / "status.json",
        "report": out_dir / "report.docx",
    }
    write_json(paths["totals"], totals_doc(spec, result))
    write_json(paths["status"], status_doc(result))
    report = build_report(result, spec, region, issuer, issue_date)
    render_docx(report, paths["report"])
    get_run_logger().info("报告初稿已生成：%s", paths["report"])
    return {k: str(v) for k, v in paths.items()}

"""Task that writes the published outputs: totals.json, status.json, 汇总表, the Word draft."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.model import CycleResult
from nianbao.core.outputs import status_doc, totals_doc
from nianbao.core.report.build import build_report
from nianbao.core.unit_status import cycle_status
from nianbao.io.docx.render import render_docx
from nianbao.io.docx.template import TEMPLATE_NAME
from nianbao.io.export import write_summary
from nianbao.io.faults import fault_point
from nianbao.io.folder import write_json
from nianbao.io.staging import Staging
from nianbao.io.status_book import write_status_book
from tasks.faults import faults_returned
from tasks.inputs import CycleInputs


@task(name="生成输出文件和报告初稿", cache_policy=NO_CACHE)
@faults_returned
def publish_outputs(inputs: CycleInputs, result: CycleResult, staging: Staging) -> dict[str, str]:
    """Write the cycle's outputs into ``staging`` (published into ``staging.base`` by the
    flow once the database has committed); returns their final paths by name.

    同比 sentences use last year's totals as read before the store began. Times people
    read are in the office's time zone. Not retried: a full disk ends the run with one
    message.
    """
    s, spec, out_dir = inputs.settings, inputs.spec, staging.base
    paths = {
        "totals": out_dir / "totals.json",
        "status": out_dir / "status.json",
        "status_book": out_dir / "status.xlsx",
        "report": out_dir / "report.docx",
    }
    write_json(staging.path(paths["totals"]), totals_doc(spec, result))
    _write_status(inputs, result, staging, paths)
    issued = s.issue_date or date.today()
    report = build_report(
        result, spec, s.region, s.issuer, issued, inputs.last.totals, s.report_group_level
    )
    own = s.root / TEMPLATE_NAME  # the office's copy of the template, when it has one
    render_docx(report, staging.path(paths["report"]), own if own.is_file() else None)
    for name, staged in write_summary(spec, result, staging.folder).items():  # 汇总表
        paths[name] = staging.adopt(staged, out_dir / staged.name)
    get_run_logger().info("报告初稿已生成（运行结束时发布）：%s", paths["report"])
    return {k: str(v) for k, v in paths.items()}


@task(name="更新报送情况（已定稿）", cache_policy=NO_CACHE)
@faults_returned
def publish_status(inputs: CycleInputs, result: CycleResult, staging: Staging) -> dict[str, str]:
    """While the year is finalized: only status.json and status.xlsx (the board lists the
    files received after finalization); totals, the draft and the exports stay as published."""
    out_dir = staging.base
    paths = {"status": out_dir / "status.json", "status_book": out_dir / "status.xlsx"}
    _write_status(inputs, result, staging, paths)
    return {k: str(v) for k, v in paths.items()}


def _write_status(
    inputs: CycleInputs, result: CycleResult, staging: Staging, paths: dict[str, Path]
) -> None:
    s = inputs.settings
    status = cycle_status(result, inputs.ledger)
    write_json(staging.path(paths["status"]), status_doc(status, s.timezone))
    fault_point("outputs", s.fault)
    write_status_book(status, staging.path(paths["status_book"]), s.timezone)

"""Task that writes the published outputs: totals.json, status.json, 汇总表, the Word draft."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nianbao.core.clock import DEFAULT_TIMEZONE
from nianbao.core.model import CycleResult
from nianbao.core.outputs import status_doc, totals_doc
from nianbao.core.report.build import build_report
from nianbao.core.spec import FormatSpec
from nianbao.core.unit_status import cycle_status
from nianbao.io.db.store import read_stored_totals
from nianbao.io.docx.render import render_docx
from nianbao.io.docx.template import TEMPLATE_NAME
from nianbao.io.export import write_summary
from nianbao.io.faults import fault_point
from nianbao.io.folder import write_json
from nianbao.io.staging import Staging
from nianbao.io.status_book import write_status_book
from tasks.faults import faults_returned


@task(name="生成输出文件和报告初稿", cache_policy=NO_CACHE)
@faults_returned
def publish_outputs(
    spec: FormatSpec,
    result: CycleResult,
    staging: Staging,
    region: str,
    issuer: str,
    issue_date: date,
    db_url: str | None = None,
    last_totals: Mapping[str, Decimal] | None = None,
    tz: str = DEFAULT_TIMEZONE,
    fault: str | None = None,
) -> dict[str, str]:
    """Write the cycle's outputs into ``staging`` (published into ``staging.base`` by the
    flow once the database has committed); returns their final paths by name.

    Last year's totals (for 同比 sentences) are ``last_totals``, or read from ``db_url``.
    Times people read are in the office's time zone ``tz``.
    Not retried: a full disk ends the run with one message.
    """
    out_dir = staging.base
    paths = {
        "totals": out_dir / "totals.json",
        "status": out_dir / "status.json",
        "status_book": out_dir / "status.xlsx",
        "report": out_dir / "report.docx",
    }
    write_json(staging.path(paths["totals"]), totals_doc(spec, result))
    status = cycle_status(result)
    write_json(staging.path(paths["status"]), status_doc(status, tz))
    fault_point("outputs", fault)
    write_status_book(status, staging.path(paths["status_book"]), tz)
    if last_totals is None and db_url:
        last_totals = _last_totals(db_url, result.year)  # for 同比 sentences
    report = build_report(result, spec, region, issuer, issue_date, last_totals)
    own = out_dir.parent.parent / TEMPLATE_NAME  # ROOT/report-template.docx: the office's copy
    render_docx(report, staging.path(paths["report"]), own if own.is_file() else None)
    for name, staged in write_summary(spec, result, staging.folder).items():  # 汇总表
        paths[name] = staging.adopt(staged, out_dir / staged.name)
    get_run_logger().info("报告初稿已生成（运行结束时发布）：%s", paths["report"])
    return {k: str(v) for k, v in paths.items()}


def _last_totals(db_url: str, year: int) -> dict[str, Decimal] | None:
    """Last year's stored totals, or None when that year (or the database) is absent.

    Reads without side effects: a dry run's missing database stays missing.
    """
    doc = read_stored_totals(db_url, year - 1)
    return doc["totals"] if doc else None
